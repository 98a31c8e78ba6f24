#include "results/store/result_set.h"

#include <utility>

namespace pwemoe::results {

bool ResultSet::TakeResult(int64_t unit_id, const char* kind) {
  if (!result_kind_.emplace(unit_id, kind).second) return false;
  failures_.erase(unit_id);
  return true;
}

bool ResultSet::Add(TrainRecord record) {
  if (!TakeResult(record.unit_id, "train")) return false;
  int64_t id = record.unit_id;
  train_.emplace(id, std::move(record));
  return true;
}

bool ResultSet::Add(EvalRecord record) {
  if (!TakeResult(record.unit_id, "eval")) return false;
  int64_t id = record.unit_id;
  eval_.emplace(id, std::move(record));
  return true;
}

bool ResultSet::Add(BaselineRecord record) {
  if (!TakeResult(record.unit_id, "baseline")) return false;
  int64_t id = record.unit_id;
  baselines_.emplace(id, std::move(record));
  return true;
}

bool ResultSet::Add(FailureRecord record) {
  if (HasResult(record.unit_id)) return false;
  int64_t id = record.unit_id;
  failures_[id] = std::move(record);
  return true;
}

bool ResultSet::Add(SessionRecord record) {
  sessions_.push_back(std::move(record));
  return true;
}

}  // namespace pwemoe::results
