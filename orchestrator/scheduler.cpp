#include "orchestrator/scheduler.h"

#include <algorithm>

namespace pwemoe::orchestrator {

GroupLayout MakeGroupLayout(int world_size, int ranks_per_group) {
  GroupLayout layout;
  layout.ranks_per_group = std::max(1, ranks_per_group);
  const int n = std::max(1, world_size);
  layout.group_of_rank.assign(n, -1);
  if (n == 1 || layout.ranks_per_group == 1) {
    for (int r = 0; r < n; ++r) {
      layout.group_of_rank[r] = r;
      layout.members.push_back({r});
    }
    return layout;
  }
  for (int r = 1; r < n; ++r) {
    const int g = (r - 1) / layout.ranks_per_group;
    if (g == static_cast<int>(layout.members.size())) layout.members.emplace_back();
    layout.members[g].push_back(r);
    layout.group_of_rank[r] = g;
  }
  return layout;
}

Scheduler::Scheduler(const Plan& plan, GroupLayout layout, const std::vector<int64_t>& done,
                     const std::vector<bool>& selected)
    : plan_(plan), layout_(std::move(layout)) {
  const int n = static_cast<int>(plan.units.size());
  state_.assign(n, State::kPending);
  counts_[static_cast<int>(State::kPending)] = n;
  missing_deps_.assign(n, 0);
  dependents_.assign(n, {});
  groups_.assign(layout_.members.size(), GroupState());
  running_on_.assign(layout_.group_of_rank.size(), -1);
  for (const Unit& u : plan.units) {
    missing_deps_[u.id] = static_cast<int>(u.deps.size());
    for (int d : u.deps) dependents_[d].push_back(u.id);
  }
  std::vector<bool> was_done(n, false);
  for (int64_t id : done) {
    if (id >= 0 && id < n) was_done[id] = true;
  }
  for (int id = 0; id < n; ++id) {
    if (was_done[id]) {
      SetState(id, State::kDone);
      for (int d : dependents_[id]) --missing_deps_[d];
    }
  }
  for (int id = 0; id < n && !selected.empty(); ++id) {
    if (!selected[id] && state_[id] == State::kPending) {
      SetState(id, State::kSkipped);
      Block(id, State::kSkipped);
    }
  }
  for (int id = 0; id < n; ++id) {
    if (state_[id] == State::kPending && missing_deps_[id] == 0) SetState(id, State::kReady);
  }
}

void Scheduler::SetState(int unit, State s) {
  const State old = state_[unit];
  if (old == State::kReady) {
    ready_train_.erase(unit), ready_eval_.erase(unit), ready_baseline_.erase(unit);
  }
  --counts_[static_cast<int>(old)];
  ++counts_[static_cast<int>(s)];
  state_[unit] = s;
  if (s == State::kReady) {
    switch (plan_.units[unit].kind) {
      case UnitKind::kTrain: ready_train_.insert(unit); break;
      case UnitKind::kEval: ready_eval_.insert(unit); break;
      case UnitKind::kBaseline: ready_baseline_.insert(unit); break;
    }
  }
}

bool Scheduler::TakeTraining(int group, int* unit) {
  if (ready_train_.empty()) return false;
  *unit = *ready_train_.begin();
  SetState(*unit, State::kRunning);
  groups_[group] = GroupState();
  groups_[group].unit = *unit;
  return true;
}

Scheduler::Decision Scheduler::Next(int rank, int* unit) {
  if (rank < 0 || rank >= static_cast<int>(running_on_.size()) || running_on_[rank] != -1) {
    return Decision::kWait;  // not a free rank of this layout: nothing to give
  }
  const int g = layout_.group_of_rank[rank];
  auto give = [&](int u) {
    running_on_[rank] = u;
    ++in_flight_ranks_;
    *unit = u;
    return Decision::kRun;
  };
  if (g >= 0) {
    GroupState& gs = groups_[g];
    if (gs.unit >= 0 && gs.started.count(rank) == 0) {
      gs.started.insert(rank);
      return give(gs.unit);
    }
    if (!stopping_ && gs.unit < 0 && TakeTraining(g, unit)) {
      gs.started.insert(rank);
      return give(*unit);
    }
  }
  if (!stopping_) {
    for (std::set<int>* queue : {&ready_eval_, &ready_baseline_}) {
      if (queue->empty()) continue;
      const int u = *queue->begin();
      SetState(u, State::kRunning);
      return give(u);
    }
  }
  const bool nothing_left = count(State::kPending) + count(State::kReady) + count(State::kRunning) == 0;
  return stopping_ || nothing_left ? Decision::kStop : Decision::kWait;
}

bool Scheduler::Finish(int rank, int unit, bool ok) {
  if (rank < 0 || rank >= static_cast<int>(running_on_.size()) || running_on_[rank] != unit || unit < 0) {
    return false;
  }
  running_on_[rank] = -1;
  --in_flight_ranks_;
  if (plan_.units[unit].kind == UnitKind::kTrain) {
    GroupState& gs = groups_[layout_.group_of_rank[rank]];
    gs.finished.insert(rank);
    gs.failed = gs.failed || !ok;
    const size_t size = layout_.members[layout_.group_of_rank[rank]].size();
    if (gs.finished.size() < size) return false;
    ok = !gs.failed;
    gs = GroupState();
  }
  if (ok) {
    SetState(unit, State::kDone);
    ++done_now_;
    Release(unit);
  } else {
    SetState(unit, State::kFailed);
    Block(unit, State::kBlocked);
  }
  return true;
}

void Scheduler::Release(int unit) {
  for (int d : dependents_[unit]) {
    if (--missing_deps_[d] == 0 && state_[d] == State::kPending) SetState(d, State::kReady);
  }
}

void Scheduler::Block(int unit, State as) {
  std::vector<int> stack = dependents_[unit];
  while (!stack.empty()) {
    const int d = stack.back();
    stack.pop_back();
    if (state_[d] != State::kPending && state_[d] != State::kReady) continue;
    SetState(d, as);
    stack.insert(stack.end(), dependents_[d].begin(), dependents_[d].end());
  }
}

bool Scheduler::Finished() const {
  if (in_flight_ranks_ > 0) return false;
  for (const GroupState& gs : groups_) {
    if (gs.unit >= 0) return false;  // reserved, some members not yet started
  }
  if (stopping_) return true;
  return count(State::kPending) + count(State::kReady) + count(State::kRunning) == 0;
}

}  // namespace pwemoe::orchestrator
