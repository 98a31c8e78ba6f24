// The records of one store after the "exactly once" rules, ordered by unit id.
//
// Rules: the first result (train, eval or baseline record) of a unit id is kept and later ones
// for that id are ignored (a unit redone after a crash between its append and the coordinator's
// bookkeeping). A failure is kept only while its unit has no result; a later failure of the same
// unit replaces the earlier one (a rerun retries failed units), and a later result drops it.
//
// Thread safety: a plain value; callers serialize access.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "results/store/records.h"

namespace pwemoe::results {

class ResultSet {
 public:
  // Each returns true when the record was taken, false when the rules above ignore it.
  bool Add(TrainRecord record);
  bool Add(EvalRecord record);
  bool Add(BaselineRecord record);
  bool Add(FailureRecord record);
  // Sessions are all kept, in the order added.
  bool Add(SessionRecord record);

  bool HasResult(int64_t unit_id) const { return result_kind_.count(unit_id) > 0; }
  bool HasFailure(int64_t unit_id) const { return failures_.count(unit_id) > 0; }

  // The records taken, by unit id.
  const std::map<int64_t, TrainRecord>& train() const { return train_; }
  const std::map<int64_t, EvalRecord>& eval() const { return eval_; }
  const std::map<int64_t, BaselineRecord>& baselines() const { return baselines_; }
  const std::map<int64_t, FailureRecord>& failures() const { return failures_; }
  const std::vector<SessionRecord>& sessions() const { return sessions_; }
  // Every unit with a result, and its kind: "train", "eval" or "baseline".
  const std::map<int64_t, const char*>& result_kind() const { return result_kind_; }

 private:
  bool TakeResult(int64_t unit_id, const char* kind);

  std::map<int64_t, TrainRecord> train_;
  std::map<int64_t, EvalRecord> eval_;
  std::map<int64_t, BaselineRecord> baselines_;
  std::map<int64_t, FailureRecord> failures_;
  std::map<int64_t, const char*> result_kind_;
  std::vector<SessionRecord> sessions_;
};

}  // namespace pwemoe::results
