// The scheduler: which unit a free worker rank runs next (docs/DESIGN.md, "Work units and scheduling").
// Pure bookkeeping, no I/O and no MPI: the coordinator (coordinator.h) feeds it requests and
// outcomes and sends what it decides.
//
// Rules:
//  - A unit is ready once every unit it depends on is done. Units already done (a resumed run)
//    are never handed out again.
//  - Training units run on a whole group (GroupLayout). When a member of an idle group asks and a
//    training unit is ready, the unit is reserved for that group and handed to each member as it
//    asks; the group is busy until every member has reported. A rank without a group (rank 0
//    when groups are formed from ranks 1..N-1) never trains.
//  - Priority for a free rank: its group's reserved training unit, then a new training unit for
//    its idle group (training unlocks evaluation), then the ready evaluation unit with the
//    smallest id, then the baseline with the smallest id; otherwise it waits.
//  - A failed unit blocks everything that depends on it, transitively; independent units go on.
//  - Units not selected for this run (pwemoe-orchestrate --units) are skipped, with what depends
//    on them unless that is done already.
//  - After Stop (a signal, --fail-fast), nothing new starts, except that the remaining members of
//    a group whose training unit has started still get it (the started members would otherwise
//    wait for them forever). Finished() once nothing is in flight.
//
// Thread safety: a Scheduler is used by one thread.
#pragma once

#include <cstdint>
#include <deque>
#include <set>
#include <vector>

#include "orchestrator/plan.h"

namespace pwemoe::orchestrator {

// Which ranks train together. Rank 0 coordinates; with one rank, or groups of one, every rank
// (rank 0's worker thread included) is its own group. With ranks_per_group g > 1 and N > 1 ranks,
// groups are consecutive blocks of g ranks among 1..N-1 (the last one may be smaller) and rank 0
// only evaluates.
struct GroupLayout {
  std::vector<int> group_of_rank;          // per world rank; -1 for a rank that never trains
  std::vector<std::vector<int>> members;   // per group, ascending world ranks; members[g][0] leads
  int ranks_per_group = 1;                 // as configured
};

// The layout for `world_size` >= 1 ranks and `ranks_per_group` >= 1.
GroupLayout MakeGroupLayout(int world_size, int ranks_per_group);

class Scheduler {
 public:
  enum class Decision { kRun, kWait, kStop };
  // kSkipped: not selected for this run (see the constructor), left for a later one.
  enum class State { kPending, kReady, kRunning, kDone, kFailed, kBlocked, kSkipped };

  // `done` lists units finished in an earlier run (ignored when out of range). `selected`, when
  // not empty, has one flag per unit: units not selected (and not done) are skipped, and so is
  // every unit that depends on a skipped one.
  Scheduler(const Plan& plan, GroupLayout layout, const std::vector<int64_t>& done,
            const std::vector<bool>& selected = {});

  // Rank `rank` is free. kRun: run *unit (for a training unit, with the rest of its group);
  // kWait: nothing for it now, ask again after the next Finish; kStop: nothing will come.
  Decision Next(int rank, int* unit);

  // Rank `rank` finished `unit` (ok or not). A training unit is done when all its group's members
  // have finished, failed when any member failed. Returns true when this completed the unit
  // (its outcome is final); ignored (false) for a unit the rank was not running.
  bool Finish(int rank, int unit, bool ok);

  // Stop handing out new work (see the rules above).
  void Stop() { stopping_ = true; }
  bool stopping() const { return stopping_; }

  // True when nothing is in flight and nothing more will be handed out.
  bool Finished() const;

  State state(int unit) const { return state_[unit]; }
  int total() const { return static_cast<int>(state_.size()); }
  int count(State s) const { return counts_[static_cast<int>(s)]; }
  // Units done in this run (not counting those done before it).
  int done_now() const { return done_now_; }

 private:
  void SetState(int unit, State s);
  void Release(int unit);        // a done unit: its dependents may become ready
  void Block(int unit, State as);  // a failed or skipped unit: its dependents, transitively
  bool TakeTraining(int group, int* unit);

  const Plan& plan_;
  GroupLayout layout_;
  std::vector<State> state_;
  std::vector<int> missing_deps_;
  std::vector<std::vector<int>> dependents_;
  std::set<int> ready_train_, ready_eval_, ready_baseline_;
  // Per group: the reserved training unit (-1 none), members that started it and that finished.
  struct GroupState {
    int unit = -1;
    std::set<int> started, finished;
    bool failed = false;
  };
  std::vector<GroupState> groups_;
  std::vector<int> running_on_;  // per rank: the unit it runs, -1 when free
  int counts_[7] = {0, 0, 0, 0, 0, 0, 0};
  int in_flight_ranks_ = 0;
  int done_now_ = 0;
  bool stopping_ = false;
};

}  // namespace pwemoe::orchestrator
