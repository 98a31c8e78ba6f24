// The coordinator (rank 0's main thread) and the worker loop (every rank; on rank 0 a second
// thread), talking over comm::Link with the messages of protocol.h.
//
// The protocol, step by step:
//  1. Every rank reads the same configuration and makes the same plan (plan.h: unit ids are
//     plan indices, so a unit id means the same unit everywhere). Rank 0 builds the benchmark
//     when the experiment has [benchmark] and opens the result store, then tells every rank
//     whether to go on (comm::PollingBroadcast of an exit code; 0: go on).
//  2. Each worker sends kReport with unit_id -1: "I am free".
//  3. The coordinator answers each free worker with kAssign (the unit id; evaluation units also
//     carry their run's trained routers) or, when nothing is ready for it, keeps the request and
//     answers it as soon as something is (the Scheduler's rules). Every message is a request or
//     the answer to one: a worker sends one kReport and then waits for exactly one kAssign or
//     kStop, so neither side can block the other.
//  4. A training unit goes to every rank of a group, one answer per member as each asks; the
//     members train together over their group communicator (UnitRunner::RunTraining), and only
//     the group's first rank reports the record.
//  5. The worker runs the unit and sends kReport with the outcome: the record's bytes
//     (results::Encode) or the error. That report is also its next request (step 3).
//  6. The coordinator appends the record (or the failure) to the result store's journal. The
//     append is written (write(2)) before the coordinator answers anyone, so a unit that depends
//     on it can only start once it survives a kill -9 of the job; one fdatasync per batch of
//     reports, after the answers, puts the batch on disk without making workers wait for it. A
//     failed unit blocks its dependents; independent units go on (with fail_fast, step 7 begins).
//  7. Stop (SIGTERM/SIGINT on rank 0, a report with stop_requested from a rank that got one, or
//     fail_fast after a failure): no new unit starts; units in flight finish. When the last one
//     is back, or when every unit is finished, the coordinator answers every pending request with
//     kStop; each worker leaves its loop on kStop. If units are still in flight after the grace
//     period (or on a second signal), RunCoordinator returns with grace_expired and the caller
//     ends the job (MpiSession::Abort): what is in the journal is kept, the rest reruns.
//  8. Rank 0 writes the HDF5 file from the journal (also every hdf5_seconds during the run), and
//     every rank returns through MPI_Finalize.
//
// Thread safety: RunCoordinator and RunWorkerLoop each run on one thread with their own Link.
#pragma once

#include <atomic>
#include <functional>
#include <set>
#include <string>

#include "comm/link.h"
#include "config/experiment_config.h"
#include "orchestrator/plan.h"
#include "orchestrator/protocol.h"
#include "orchestrator/scheduler.h"
#include "pwemoe/util/status.h"
#include "results/store/result_store.h"

namespace pwemoe::orchestrator {

struct CoordinatorOptions {
  bool fail_fast = false;        // stop handing out work after the first failed unit
  double grace_seconds = 60;     // after a stop, how long units in flight may take
  double progress_seconds = 5;   // progress line period (0: none)
  double hdf5_seconds = 300;     // rewrite the HDF5 file this often while running (0: only at the end)
  int num_workers = 1;           // worker ends the link has (world size): each gets one kStop
  std::set<UnitKind> kinds;      // run only units of these kinds (empty: all); the rest is skipped
  // Count of SIGTERM/SIGINT received by this process (signals.h); null: none.
  const std::atomic<int>* signals = nullptr;
};

struct CoordinatorSummary {
  int total = 0;        // units in the plan
  int done_before = 0;  // done in earlier runs (resumed)
  int done_now = 0;     // done in this run
  int failed = 0;       // failed in this run (recorded in the store's failures)
  int blocked = 0;      // not run because a unit they depend on failed
  int skipped = 0;      // not selected by `kinds` (or depending on such a unit)
  int not_run = 0;      // left for a later run (stopped or skipped)
  bool stopped = false;         // a signal, a rank's stop request or fail_fast stopped the run
  bool grace_expired = false;   // units were still in flight when the grace period ended
  double seconds = 0;
};

// Runs steps 3-7 on rank 0 until every worker has been sent kStop or the grace period expires.
// `store` receives every record (null: records are dropped; the empty-unit benchmark). Units the
// store already holds are skipped. Errors: the link's (IoError) and the store's when a record
// cannot be appended (IoError: the run stops, since results could be lost); unit failures are
// not errors (they are counted in *summary). *summary is filled in every case.
Status RunCoordinator(const config::ExperimentConfig& config, const Plan& plan, const GroupLayout& layout,
                      comm::Link* link, results::ResultStore* store, const CoordinatorOptions& options,
                      CoordinatorSummary* summary);

// Runs one unit on a worker: fills the report's outcome (record or error). A non-OK return is a
// fatal error of the rank (a broken group communicator): the worker loop stops with it.
using UnitExecutor = std::function<Status(const Unit& unit, const Assignment& assignment, WorkerReport* report)>;

// Steps 2-7 on a worker until kStop. `signals` as in CoordinatorOptions (sets stop_requested in
// the next report). Errors: the link's, a malformed assignment (Corrupt), the executor's fatal
// errors.
Status RunWorkerLoop(const Plan& plan, comm::Link* link, const UnitExecutor& execute,
                     const std::atomic<int>* signals);

}  // namespace pwemoe::orchestrator
