// pwemoe_coordinator_bench: how many units per second the coordinator hands out and collects,
// with empty units, as a fraction of the bare request-reply rate of the same links measured in
// the same run. Run under mpirun (rank 0 coordinates and, as in a real run, also works in a
// second thread):
//
//   mpirun -np 4 --oversubscribe build/bin/pwemoe_coordinator_bench [UNITS] [--store DIR]
//
// Phases, each timed on rank 0:
//  1. link probe: every worker end (rank 0's thread included) sends an empty request and waits
//     for an empty reply, as fast as it can, for a fixed number of round trips in all: the
//     transport's limit for request-reply traffic (round trips/s).
//  2. coordinator: RunCoordinator over a plan of UNITS independent units whose executor does
//     nothing; units/s and the fraction of the probe's rate.
//  3. with --store DIR: the same with a result store in DIR, each unit returning a small baseline
//     record (group commit: one fdatasync per batch of reports).
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "comm/collectives.h"
#include "comm/link.h"
#include "comm/mpi_link.h"
#include "comm/mpi_session.h"
#include "orchestrator/coordinator.h"
#include "results/store/record_codec.h"

namespace pwemoe::bench {
namespace {

using Clock = std::chrono::steady_clock;
using orchestrator::Plan;
using orchestrator::Unit;

Plan EmptyPlan(int units) {
  Plan plan;
  for (int i = 0; i < units; ++i) {
    Unit u;
    u.id = i;
    u.kind = orchestrator::UnitKind::kBaseline;
    u.task = 0;
    plan.units.push_back(u);
  }
  plan.num_baseline = units;
  return plan;
}

config::ExperimentConfig TinyConfig() {
  config::ExperimentConfig cfg;
  cfg.experiment.name = "bench";
  cfg.tasks.push_back({"task", "", "", "", ""});
  return cfg;
}

// Phase 1 on a worker end: `trips` request-reply round trips; kStop ends it.
void ProbeWorker(comm::Link* link) {
  while (true) {
    if (!link->Send(0, orchestrator::kReport, "").ok()) return;
    comm::Message m;
    bool got = false;
    while (!got) {
      if (!link->Receive(1.0, &m, &got).ok()) return;
    }
    if (m.kind == orchestrator::kStop) return;
  }
}

double ProbeCoordinator(comm::Link* link, int workers, int trips) {
  const auto start = Clock::now();
  int answered = 0, stopped = 0;
  while (stopped < workers) {
    comm::Message m;
    bool got = false;
    if (!link->Receive(1.0, &m, &got).ok()) break;
    if (!got) continue;
    if (answered < trips) {
      ++answered;
      link->Send(m.peer, orchestrator::kAssign, "");
    } else {
      link->Send(m.peer, orchestrator::kStop, "");
      ++stopped;
    }
  }
  return answered / std::chrono::duration<double>(Clock::now() - start).count();
}

Status EmptyUnit(bool with_record, const Unit& u, orchestrator::WorkerReport* report) {
  if (!with_record) return Status::Ok();
  results::BaselineRecord r;
  r.unit_id = u.id;
  r.method = "pretrained";
  r.name = "pretrained";
  r.task = "task";
  r.rows.push_back({-1, {}, 0.5, 0.7, 100});
  report->record_type = static_cast<uint32_t>(results::RecordType::kBaseline);
  report->record = results::Encode(r);
  return Status::Ok();
}

void Worker(const Plan& plan, comm::Link* link, bool with_record) {
  auto exec = [&](const Unit& u, const orchestrator::Assignment&, orchestrator::WorkerReport* report) {
    return EmptyUnit(with_record, u, report);
  };
  Status st = orchestrator::RunWorkerLoop(plan, link, exec, nullptr);
  if (!st.ok()) spdlog::error("worker: {}", st.ToString());
}

// Phase 2 or 3 on rank 0; returns units/s.
double Coordinate(const Plan& plan, const config::ExperimentConfig& cfg, comm::Link* link, int world,
                  results::ResultStore* store) {
  orchestrator::CoordinatorOptions options;
  options.num_workers = world;
  options.progress_seconds = 0;
  options.hdf5_seconds = 0;
  orchestrator::CoordinatorSummary summary;
  const auto start = Clock::now();
  Status st = orchestrator::RunCoordinator(cfg, plan, orchestrator::MakeGroupLayout(world, 1), link, store, options,
                                           &summary);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (!st.ok() || summary.done_now != static_cast<int>(plan.units.size())) {
    spdlog::error("coordinator: {} ({} of {} units)", st.ToString(), summary.done_now, plan.units.size());
    return 0;
  }
  return summary.done_now / seconds;
}

// Runs one phase on every rank: rank 0's worker thread beside `coordinator`.
template <typename CoordinatorFn, typename WorkerFn>
void Phase(comm::MpiSession& mpi, CoordinatorFn coordinator, WorkerFn work) {
  std::unique_ptr<comm::Link> coordinator_link, worker_link;
  Status st = comm::MakeMpiLinks(MPI_COMM_WORLD, &coordinator_link, &worker_link);
  if (!st.ok()) spdlog::error("{}", st.ToString()), mpi.Abort(1);
  if (mpi.rank() == 0) {
    std::thread t([&] { work(worker_link.get()); });
    coordinator(coordinator_link.get());
    t.join();
  } else {
    work(worker_link.get());
  }
  st = comm::Barrier(MPI_COMM_WORLD);
  if (!st.ok()) spdlog::error("{}", st.ToString()), mpi.Abort(1);
}

int Run(comm::MpiSession& mpi, int argc, char** argv) {
  int units = 200000;
  std::string store_dir;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--store" && i + 1 < argc) {
      store_dir = argv[++i];
    } else {
      units = std::atoi(argv[i]);
    }
  }
  if (units < 1) return std::fprintf(stderr, "usage: pwemoe_coordinator_bench [UNITS >= 1] [--store DIR]\n"), 2;
  const int world = mpi.size();
  const Plan plan = EmptyPlan(units);
  const config::ExperimentConfig cfg = TinyConfig();
  double probe = 0, rate = 0, stored = 0;
  Phase(mpi, [&](comm::Link* l) { probe = ProbeCoordinator(l, world, units); }, ProbeWorker);
  Phase(mpi, [&](comm::Link* l) { rate = Coordinate(plan, cfg, l, world, nullptr); },
        [&](comm::Link* l) { Worker(plan, l, false); });
  const int stored_units = std::min(units, 20000);
  const Plan stored_plan = EmptyPlan(stored_units);
  if (!store_dir.empty()) {
    Phase(
        mpi,
        [&](comm::Link* l) {
          results::StoreHeader h{"bench", "", "bench", "pwemoe_coordinator_bench", stored_units};
          std::unique_ptr<results::ResultStore> store;
          Status st = results::ResultStore::Open(store_dir + "/bench", h, true, &store);
          if (!st.ok()) return spdlog::error("{}", st.ToString());
          stored = Coordinate(stored_plan, cfg, l, world, store.get());
        },
        [&](comm::Link* l) { Worker(stored_plan, l, true); });
  }
  if (mpi.rank() == 0) {
    std::printf("ranks %d (worker ends %d), units %d\n", world, world, units);
    std::printf("link probe: %.0f round trips/s\n", probe);
    std::printf("coordinator, empty units: %.0f units/s = %.2f of the probe\n", rate, probe > 0 ? rate / probe : 0);
    if (!store_dir.empty()) {
      std::printf("coordinator with a result store (%d units, one small record each): %.0f units/s = %.2f of the probe\n",
                  stored_units, stored, probe > 0 ? stored / probe : 0);
    }
  }
  return 0;
}

}  // namespace
}  // namespace pwemoe::bench

int main(int argc, char** argv) {
  pwemoe::comm::MpiSession mpi(&argc, &argv);
  spdlog::set_level(spdlog::level::warn);
  return pwemoe::bench::Run(mpi, argc, argv);
}
