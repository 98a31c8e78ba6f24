#include "orchestrator/coordinator.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <set>

#include "orchestrator/progress.h"
#include "results/store/record_codec.h"

namespace pwemoe::orchestrator {
namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::vector<bool> Selected(const Plan& plan, const std::set<UnitKind>& kinds) {
  if (kinds.empty()) return {};
  std::vector<bool> selected;
  for (const Unit& u : plan.units) selected.push_back(kinds.count(u.kind) > 0);
  return selected;
}

// The coordinator's state during one run.
class Coordinator {
 public:
  Coordinator(const config::ExperimentConfig& config, const Plan& plan, const GroupLayout& layout,
              comm::Link* link, results::ResultStore* store, const CoordinatorOptions& options)
      : config_(config), plan_(plan), layout_(layout), link_(link), store_(store), options_(options),
        scheduler_(plan, layout, store ? store->DoneUnits() : std::vector<int64_t>{}, Selected(plan, options.kinds)),
        // Units skipped by --units are not part of this run's progress.
        progress_(scheduler_.total() - scheduler_.count(Scheduler::State::kSkipped),
                  scheduler_.count(Scheduler::State::kDone), options.progress_seconds,
                  isatty(STDERR_FILENO) == 1) {
    done_before_ = scheduler_.count(Scheduler::State::kDone);
    if (store_ != nullptr) {
      store_->set_flush_each(false);  // group commit: one flush per batch of reports (Run)
      const results::ResultSet held = store_->results();
      for (const auto& [id, record] : held.train()) routers_[id] = record.final_router;
    }
  }

  Status Run(CoordinatorSummary* summary);

 private:
  Status Handle(const comm::Message& message);
  Status Complete(int unit, const WorkerReport& report);
  Status Fail(int unit, const std::string& error);
  Status Dispatch();
  Status AssignUnit(int rank, int unit);
  void BeginStop(const std::string& why);
  void Summarize(CoordinatorSummary* summary) const;

  const config::ExperimentConfig& config_;
  const Plan& plan_;
  const GroupLayout& layout_;
  comm::Link* link_;
  results::ResultStore* store_;
  const CoordinatorOptions options_;
  Scheduler scheduler_;
  Progress progress_;
  int done_before_ = 0;
  int failed_ = 0;
  std::set<int> waiting_;                                  // ranks whose request is unanswered
  int stopped_workers_ = 0;
  std::map<int, std::vector<results::NamedTensor>> routers_;  // trained run unit -> final routers
  std::map<int, WorkerReport> group_reports_;              // training unit -> its leader's report
  std::map<int, std::string> group_errors_;                // training unit -> first member error
  bool stopping_ = false;
  Clock::time_point stop_began_;
};

Status Coordinator::Run(CoordinatorSummary* summary) {
  const Clock::time_point start = Clock::now();
  Clock::time_point last_hdf5 = start;
  Status st;
  while (stopped_workers_ < options_.num_workers) {
    comm::Message message;
    bool got = false;
    st = link_->Receive(0.05, &message, &got);
    // Take everything already waiting before answering, so one disk flush serves many.
    for (int batch = 0; st.ok() && got && batch < 256; ++batch) {
      st = Handle(message);
      if (st.ok()) st = link_->Receive(0, &message, &got);
    }
    if (!st.ok()) break;
    const int signals = options_.signals ? options_.signals->load() : 0;
    if (signals >= 2) {
      spdlog::warn("second stop signal: ending now; units in flight will rerun");
      summary->grace_expired = true;
      break;
    }
    if (signals == 1) BeginStop("received a stop signal (SIGTERM or SIGINT)");
    if (stopping_ && Since(stop_began_) > options_.grace_seconds && !scheduler_.Finished()) {
      spdlog::warn("grace period of {:.0f} s over with units still running; ending now", options_.grace_seconds);
      summary->grace_expired = true;
      break;
    }
    st = Dispatch();
    // One fdatasync for the batch, after the answers so workers do not wait for the disk (step 6).
    if (st.ok() && store_ != nullptr) st = store_->Flush();
    if (!st.ok()) break;
    progress_.Update(scheduler_.done_now(), failed_, scheduler_.count(Scheduler::State::kRunning));
    if (store_ && options_.hdf5_seconds > 0 && Since(last_hdf5) > options_.hdf5_seconds) {
      Status w = store_->WriteHdf5();
      if (!w.ok()) spdlog::warn("periodic write of {} failed: {}", store_->hdf5_path(), w.ToString());
      last_hdf5 = Clock::now();
    }
  }
  if (store_ != nullptr) {
    Status flushed = store_->Flush();
    if (st.ok()) st = flushed;
  }
  progress_.Update(scheduler_.done_now(), failed_, scheduler_.count(Scheduler::State::kRunning), true);
  progress_.Finish();
  Summarize(summary);
  summary->seconds = Since(start);
  return st;
}

Status Coordinator::Handle(const comm::Message& message) {
  if (message.kind != kReport) {
    return Status::Internal("coordinator: unexpected message kind " + std::to_string(message.kind) +
                            " from rank " + std::to_string(message.peer));
  }
  WorkerReport report;
  Status st = DecodeReport(message.payload, &report);
  if (!st.ok()) return st.WithContext("coordinator: from rank " + std::to_string(message.peer));
  if (report.stop_requested) BeginStop("rank " + std::to_string(message.peer) + " received a stop signal");
  if (report.unit_id >= 0) {
    const int unit = static_cast<int>(report.unit_id);
    if (unit >= scheduler_.total() || scheduler_.state(unit) != Scheduler::State::kRunning) {
      return Status::Internal("coordinator: rank " + std::to_string(message.peer) + " reported unit " +
                              std::to_string(unit) + ", which it was not running");
    }
    if (report.failed) {
      spdlog::warn("rank {}: {} failed: {}", message.peer, DescribeUnit(config_, plan_, plan_.units[unit]),
                   report.error);
    }
    if (plan_.units[unit].kind != UnitKind::kTrain) {
      if (scheduler_.Finish(message.peer, unit, !report.failed)) {
        PWEMOE_RETURN_IF_ERROR(report.failed ? Fail(unit, report.error) : Complete(unit, report));
      }
    } else {
      // A group's run: the record comes from its first rank, the first error from any member.
      const bool ok = !report.failed;
      if (!ok) group_errors_.emplace(unit, report.error);
      const bool leader = layout_.members[layout_.group_of_rank[message.peer]][0] == message.peer;
      if (leader) group_reports_[unit] = std::move(report);
      if (scheduler_.Finish(message.peer, unit, ok)) {
        WorkerReport outcome = std::move(group_reports_[unit]);
        group_reports_.erase(unit);
        if (group_errors_.count(unit)) {
          outcome.failed = true;
          outcome.error = group_errors_[unit];
          group_errors_.erase(unit);
        }
        PWEMOE_RETURN_IF_ERROR(outcome.failed ? Fail(unit, outcome.error) : Complete(unit, outcome));
      }
    }
  }
  waiting_.insert(message.peer);
  return Status::Ok();
}

// Journals a unit's record (decoded and validated by the store); a malformed record fails the unit.
Status Coordinator::Complete(int unit, const WorkerReport& report) {
  if (store_ == nullptr) return Status::Ok();
  Status st;
  auto check_id = [&](int64_t id) {
    if (id != unit) st = Status::Corrupt("record of unit " + std::to_string(id) + " reported for unit " + std::to_string(unit));
  };
  switch (static_cast<results::RecordType>(report.record_type)) {
    case results::RecordType::kTrain: {
      results::TrainRecord r;
      st = results::Decode(report.record, &r);
      if (st.ok()) check_id(r.unit_id);
      if (st.ok()) st = store_->Append(r);
      if (st.ok()) {
        spdlog::info("{}", Progress::RunSummary(r));
        routers_[unit] = std::move(r.final_router);
      }
      break;
    }
    case results::RecordType::kEval: {
      results::EvalRecord r;
      st = results::Decode(report.record, &r);
      if (st.ok()) check_id(r.unit_id);
      if (st.ok()) st = store_->Append(r);
      break;
    }
    case results::RecordType::kBaseline: {
      results::BaselineRecord r;
      st = results::Decode(report.record, &r);
      if (st.ok()) check_id(r.unit_id);
      if (st.ok()) st = store_->Append(r);
      break;
    }
    default:
      st = Status::Corrupt("the worker sent no result record");
  }
  if (st.code() == Status::Code::kIoError) return st;  // the journal cannot be written: stop
  if (!st.ok()) return Fail(unit, st.ToString());
  return Status::Ok();
}

Status Coordinator::Fail(int unit, const std::string& error) {
  ++failed_;
  if (store_ != nullptr) {
    results::FailureRecord f;
    f.unit_id = unit;
    f.description = DescribeUnit(config_, plan_, plan_.units[unit]);
    f.message = error;
    PWEMOE_RETURN_IF_ERROR(store_->Append(f));
  }
  if (options_.fail_fast) BeginStop("a unit failed and --fail-fast is set");
  return Status::Ok();
}

void Coordinator::BeginStop(const std::string& why) {
  if (stopping_) return;
  stopping_ = true;
  stop_began_ = Clock::now();
  scheduler_.Stop();
  spdlog::warn("stopping: {}; {} unit(s) in flight may take up to {:.0f} s", why,
               scheduler_.count(Scheduler::State::kRunning), options_.grace_seconds);
}

Status Coordinator::Dispatch() {
  // A reservation for one rank's group can give work to a waiting member: repeat until stable.
  for (bool changed = true; changed;) {
    changed = false;
    for (auto it = waiting_.begin(); it != waiting_.end();) {
      const int rank = *it;
      int unit = -1;
      const Scheduler::Decision d = scheduler_.Next(rank, &unit);
      if (d == Scheduler::Decision::kWait) {
        ++it;
        continue;
      }
      it = waiting_.erase(it);
      changed = true;
      if (d == Scheduler::Decision::kRun) {
        PWEMOE_RETURN_IF_ERROR(AssignUnit(rank, unit));
      } else {
        PWEMOE_RETURN_IF_ERROR(link_->Send(rank, kStop, ""));
        ++stopped_workers_;
      }
    }
  }
  return Status::Ok();
}

Status Coordinator::AssignUnit(int rank, int unit) {
  Assignment a;
  a.unit_id = unit;
  const Unit& u = plan_.units[unit];
  if (u.kind == UnitKind::kEval && store_ != nullptr) {
    auto it = routers_.find(u.deps.at(0));
    if (it == routers_.end()) {
      return Status::Internal("coordinator: no trained routers for " + DescribeUnit(config_, plan_, u));
    }
    a.routers = it->second;
  }
  spdlog::debug("rank {}: {}", rank, DescribeUnit(config_, plan_, u));
  return link_->Send(rank, kAssign, EncodeAssignment(a));
}

void Coordinator::Summarize(CoordinatorSummary* s) const {
  s->total = scheduler_.total();
  s->done_before = done_before_;
  s->done_now = scheduler_.done_now();
  s->failed = scheduler_.count(Scheduler::State::kFailed);
  s->blocked = scheduler_.count(Scheduler::State::kBlocked);
  s->skipped = scheduler_.count(Scheduler::State::kSkipped);
  s->not_run = s->total - s->done_before - s->done_now - s->failed - s->blocked;
  s->stopped = stopping_;
}

}  // namespace

Status RunCoordinator(const config::ExperimentConfig& config, const Plan& plan, const GroupLayout& layout,
                      comm::Link* link, results::ResultStore* store, const CoordinatorOptions& options,
                      CoordinatorSummary* summary) {
  *summary = CoordinatorSummary();
  Coordinator coordinator(config, plan, layout, link, store, options);
  return coordinator.Run(summary);
}

Status RunWorkerLoop(const Plan& plan, comm::Link* link, const UnitExecutor& execute,
                     const std::atomic<int>* signals) {
  WorkerReport report;
  while (true) {
    report.stop_requested = signals != nullptr && signals->load() > 0;
    PWEMOE_RETURN_IF_ERROR(link->Send(0, kReport, EncodeReport(report)));
    comm::Message message;
    bool got = false;
    while (!got) PWEMOE_RETURN_IF_ERROR(link->Receive(1.0, &message, &got));
    if (message.kind == kStop) return Status::Ok();
    if (message.kind != kAssign) {
      return Status::Internal("worker: unexpected message kind " + std::to_string(message.kind));
    }
    Assignment assignment;
    PWEMOE_RETURN_IF_ERROR(DecodeAssignment(message.payload, &assignment));
    if (assignment.unit_id < 0 || assignment.unit_id >= static_cast<int64_t>(plan.units.size())) {
      return Status::Corrupt("worker: assignment of unit " + std::to_string(assignment.unit_id) +
                             ", which the plan does not have (ranks planned different experiments?)");
    }
    report = WorkerReport();
    report.unit_id = assignment.unit_id;
    const auto start = Clock::now();
    PWEMOE_RETURN_IF_ERROR(execute(plan.units[assignment.unit_id], assignment, &report));
    report.seconds = Since(start);
  }
}

}  // namespace pwemoe::orchestrator
