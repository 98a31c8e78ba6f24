#include "orchestrator/run_setup.h"

#include <ATen/Parallel.h>
#include <sched.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <set>
#include <thread>

#include "comm/collectives.h"
#include "comm/communicator.h"
#include "comm/link.h"
#include "comm/mpi_group.h"
#include "comm/mpi_link.h"
#include "comm/mpi_session.h"
#include "orchestrator/execute.h"
#include "orchestrator/progress.h"
#include "pwemoe/mini/make_mini.h"
#include "pwemoe/model/precision.h"
#include "pwemoe/util/files.h"
#include "pwemoe/util/gpu_presence.h"
#include "pwemoe/util/parallel.h"
#include "pwemoe/util/version.h"
#include "results/report/report_files.h"
#include "results/store/content_hash.h"
#include "results/store/result_store.h"
#include "worker/unit_runner.h"
#ifdef PWEMOE_HAVE_CUDA
#include "comm/cuda_device.h"
#endif
#ifdef PWEMOE_HAVE_NCCL
#include "comm/nccl_group.h"
#endif

namespace pwemoe::orchestrator {
namespace {

namespace fs = std::filesystem;

// While it lives, the calling thread (and the threads it starts) may run on every CPU of the
// node that its cpuset allows, not only the ones mpirun bound the rank to; the binding is
// restored after. Rank 0 builds the benchmark while every other rank sleeps in
// PollingBroadcast, so their cores are free. If the mask cannot be changed, nothing changes.
class AllCpusScope {
 public:
  AllCpusScope() {
    CPU_ZERO(&saved_);
    if (sched_getaffinity(0, sizeof saved_, &saved_) != 0) return;
    cpu_set_t all;
    CPU_ZERO(&all);
    const long n = sysconf(_SC_NPROCESSORS_CONF);
    for (long c = 0; c < n && c < CPU_SETSIZE; ++c) CPU_SET(c, &all);
    widened_ = sched_setaffinity(0, sizeof all, &all) == 0;
  }
  ~AllCpusScope() {
    if (widened_) sched_setaffinity(0, sizeof saved_, &saved_);
  }
  AllCpusScope(const AllCpusScope&) = delete;
  AllCpusScope& operator=(const AllCpusScope&) = delete;

 private:
  cpu_set_t saved_;
  bool widened_ = false;
};

// Builds (or reuses) the built-in benchmark on rank 0, on every core of its node.
Status BuildBenchmark(const config::ExperimentConfig& cfg) {
  mini::MakeOptions o;
  o.out_dir = cfg.benchmark.dir;
  PWEMOE_RETURN_IF_ERROR(mini::ParseSize(cfg.benchmark.size, &o.data.size));
  o.data.seed = cfg.benchmark.seed;
  std::vector<std::string> wanted;
  for (const config::TaskSpec& t : cfg.tasks) wanted.push_back(t.name);
  PWEMOE_RETURN_IF_ERROR(mini::BenchmarkTasks(cfg.benchmark.tasks, wanted, &o.data.tasks)
                             .WithContext(cfg.source_path + ": [benchmark]"));
  mini::MakeResult result;
  AllCpusScope all_cpus;
  o.workers = DefaultWorkers();
  Status st = mini::MakeMini(o, [](const std::string& line) { spdlog::info("benchmark: {}", line); }, &result);
  if (st.ok()) {
    spdlog::info("benchmark {} ({}): {} in {:.1f} s{}", o.out_dir, result.config_hash,
                 result.reused ? "reused" : "built", result.seconds,
                 result.reused ? "" : " on " + std::to_string(o.workers) + " core(s)");
  }
  return st;
}

// The results store's header of this experiment.
results::StoreHeader StoreHeaderOf(const config::ExperimentConfig& cfg, const Plan& plan, const RunOptions& options) {
  results::StoreHeader header;
  header.config_hash = ResultsConfigHash(cfg);
  header.experiment_toml = config::ToToml(cfg);
  header.software_version = PWEMOE_VERSION;
  header.command_line = options.command_line;
  header.num_units = static_cast<int64_t>(plan.units.size());
  return header;
}

// Rank 0's set-up: the benchmark, the output folder, the store and this invocation's session
// record. Returns an exit code (0: go on).
int SetUp(const config::ExperimentConfig& cfg, const Plan& plan, const RunOptions& options,
          const results::SessionRecord& session, std::unique_ptr<results::ResultStore>* store) {
  if (cfg.benchmark.enabled) {
    Status st = BuildBenchmark(cfg);
    if (!st.ok()) {
      spdlog::error("building the benchmark in {}: {}", cfg.benchmark.dir, st.message());
      return st.code() == Status::Code::kAborted ? kExitGatesFailed : st.ExitCode();
    }
  }
  std::error_code ec;
  fs::create_directories(cfg.experiment.output_dir, ec);
  if (ec) {
    spdlog::error("cannot create experiment.output_dir {}: {}", cfg.experiment.output_dir, ec.message());
    return 1;
  }
  Status st = results::ResultStore::Open(ResultsStem(cfg), StoreHeaderOf(cfg, plan, options), options.fresh, store);
  if (!st.ok()) {
    spdlog::error("{}", st.message());
    return st.ExitCode();
  }
  st = (*store)->Append(session);
  if (!st.ok()) {
    spdlog::error("{}: {}", (*store)->journal_path(), st.ToString());
    return st.ExitCode();
  }
  const size_t done = (*store)->DoneUnits().size();
  if (done > 0) spdlog::info("resuming {}: {} of {} units already done", (*store)->journal_path(), done, plan.units.size());
  return 0;
}

#ifndef PWEMOE_HAVE_CUDA
// In a build without CUDA: how many ranks see a GPU on their node (pwemoe/util/gpu_presence.h),
// and rank 0's warning, once, that the run uses the CPU anyway. Collective.
Status WarnOfUnusedGpus(const config::ExperimentConfig& cfg, const comm::MpiSession& mpi) {
  const GpuPresence gpu = DetectGpu();
  const int ranks = mpi.size();
  int seeing = 0;
  PWEMOE_RETURN_IF_ERROR(
      comm::AllReduceInt(MPI_COMM_WORLD, comm::ReduceOp::kSum, gpu.found ? 1 : 0, &seeing));
  if (mpi.rank() != 0 || seeing == 0) return Status::Ok();
  spdlog::warn("{} of {} rank(s) see a CUDA device ({}), but this build of pwemoe has no CUDA support: "
               "every unit runs on the CPU. Rebuild with -DPWEMOE_WITH_CUDA=ON and a CUDA LibTorch "
               "(-DCMAKE_PREFIX_PATH=<libtorch>; docs/gpu.md), or set cluster.device = \"cpu\" in {} to "
               "silence this",
               seeing, ranks, gpu.found ? "rank 0: " + gpu.evidence : "not rank 0", cfg.source_path);
  return Status::Ok();
}
#endif

// Where this rank's units run: "cpu", or in a CUDA build "cuda:<k>" with k from the rank's
// node-local rank (comm::BindDevice, which logs the binding). Collective. With device = "auto"
// a build without CUDA on a GPU node says so (WarnOfUnusedGpus); with "cuda" it is an error.
Status ChooseDevice(const config::ExperimentConfig& cfg, const comm::MpiSession& mpi,
                    std::string* device) {
  *device = "cpu";
#ifdef PWEMOE_HAVE_CUDA
  const bool have_gpu = comm::VisibleCudaDevices() > 0;
  if (cfg.cluster.device == "cuda" && !have_gpu) {
    return Status::InvalidArgument(cfg.source_path + ": cluster.device = \"cuda\" but no CUDA device is visible");
  }
  if (cfg.cluster.device == "cpu" || !have_gpu) return Status::Ok();
  int index = 0;
  PWEMOE_RETURN_IF_ERROR(comm::BindDevice(MPI_COMM_WORLD, &index));
  *device = "cuda:" + std::to_string(index);
  return Status::Ok();
#else
  if (cfg.cluster.device == "cuda") {
    const GpuPresence gpu = DetectGpu();
    return Status::InvalidArgument(
        cfg.source_path + ": cluster.device = \"cuda\" but this build has no CUDA support" +
        (gpu.found ? " (this node has a GPU: " + gpu.evidence + ")" : "") +
        "; rebuild with -DPWEMOE_WITH_CUDA=ON and a CUDA LibTorch, or set cluster.device = \"cpu\"");
  }
  if (cfg.cluster.device == "cpu") return Status::Ok();
  return WarnOfUnusedGpus(cfg, mpi);
#endif
}

// Every rank resolved compute.precision on its own hardware (ResolveCompute); a job whose ranks
// differ (bfloat16 instructions on some nodes only) would compute other numbers on each, so it is
// refused. Collective. InvalidArgument on every rank when they differ.
Status CheckRanksAgreeOnPrecision(const config::ExperimentConfig& cfg) {
  const int mine = cfg.compute.precision == "bf16" ? 1 : 0;
  int low = 0, high = 0;
  PWEMOE_RETURN_IF_ERROR(comm::AllReduceInt(MPI_COMM_WORLD, comm::ReduceOp::kMin, mine, &low));
  PWEMOE_RETURN_IF_ERROR(comm::AllReduceInt(MPI_COMM_WORLD, comm::ReduceOp::kMax, mine, &high));
  if (low == high) return Status::Ok();
  return Status::InvalidArgument(cfg.source_path + ": compute.precision = \"auto\" resolved to bf16 on some "
                                 "ranks and fp32 on others (not every node has bfloat16 instructions); set "
                                 "compute.precision = \"fp32\" (or \"bf16\") explicitly");
}

// This rank's training group communicator (null on a rank that never trains): NCCL for groups
// of GPU ranks in a CUDA build, MPI otherwise, in-process for groups of one. Collective.
Status MakeGroup(const GroupLayout& layout, int rank, const std::string& device,
                 std::unique_ptr<comm::GroupComm>* out) {
  if (layout.members.size() == layout.group_of_rank.size()) {  // groups of one: no MPI needed
    *out = std::move(comm::MakeLocalGroup(1)[0]);
    return Status::Ok();
  }
  comm::OwnedComm workers;  // every rank but 0
  PWEMOE_RETURN_IF_ERROR(comm::SplitByColor(MPI_COMM_WORLD, rank == 0 ? -1 : 1, &workers));
  if (rank == 0) return Status::Ok();
  Status st;
  if (device == "cpu") {
    st = comm::MakeMpiGroups(layout.ranks_per_group, workers.get(), out);
  } else {
#ifdef PWEMOE_HAVE_NCCL
    st = comm::MakeNcclGroups(layout.ranks_per_group, workers.get(), out);
#else
    st = Status::InvalidArgument("training groups of " + std::to_string(layout.ranks_per_group) +
                                 " GPU ranks need NCCL, and this build has none: rebuild with "
                                 "-DPWEMOE_WITH_NCCL=ON (NCCL_HOME=<nccl>), or set "
                                 "cluster.ranks_per_group = 1");
#endif
  }
  Status freed = workers.Free();  // the groups are split from it and do not need it any more
  return st.ok() ? freed : st;
}

int ThreadsFor(const config::ExperimentConfig& cfg) { return cfg.cluster.threads_per_rank; }

// The worker loop of this rank (a thread on rank 0).
Status WorkOn(const config::ExperimentConfig& cfg, const Plan& plan, const std::string& device, comm::Link* link,
              comm::GroupComm* group, const std::atomic<int>* signals) {
  at::set_num_threads(ThreadsFor(cfg));
  worker::UnitRunner runner(cfg, device);
  ExecutionContext context{&cfg, &plan, &runner, group};
  const int train_threads = cfg.train.threads > 0 ? cfg.train.threads : ThreadsFor(cfg);
  return RunWorkerLoop(plan, link,
                       [&](const Unit& unit, const Assignment& a, WorkerReport* report) {
                         at::set_num_threads(unit.kind == UnitKind::kTrain ? train_threads : ThreadsFor(cfg));
                         return ExecuteUnit(context, unit, a, report);
                       },
                       signals);
}

// Failures first: a run that failed units and was stopped reports the failure (a rerun both
// resumes and retries).
int ExitCodeOf(const CoordinatorSummary& s) {
  if (s.failed + s.blocked > 0) return 1;
  return s.grace_expired || (s.stopped && s.not_run > 0) ? kExitInterrupted : 0;
}

void Report(const CoordinatorSummary& s, const results::ResultStore& store) {
  spdlog::info("{} units: {} done before, {} done now, {} failed, {} blocked by a failure, {} not run{}, in {}",
               s.total, s.done_before, s.done_now, s.failed, s.blocked, s.not_run,
               s.skipped > 0 ? " (" + std::to_string(s.skipped) + " not selected by --units)" : "",
               FormatDuration(s.seconds));
  std::printf("results: %s\n", store.hdf5_path().c_str());
  if (s.failed > 0) std::printf("failed units are listed in %s:/failures; rerun to retry them\n", store.hdf5_path().c_str());
  if (ExitCodeOf(s) == kExitInterrupted) std::printf("stopped before the end: rerun the same command to resume\n");
  std::fflush(stdout);
}

// The report of everything in the store, into <output_dir>/report. Returns false on failure
// (logged; the results file is already written, so nothing computed is lost).
bool WriteExperimentReport(const config::ExperimentConfig& cfg, const results::ResultStore& store) {
  const std::string dir = (fs::path(cfg.experiment.output_dir) / "report").string();
  results::ReportFiles files;
  results::ReportOptions options;
  options.reference = cfg.report.reference;
  Status st = results::WriteReport(store.header(), store.results(), options, dir, &files);
  if (!st.ok()) {
    spdlog::error("writing the report into {}: {} (pwemoe-report {} redoes it)", dir, st.ToString(),
                  store.hdf5_path());
    return false;
  }
  std::printf("report: %s\n", files.html.c_str());
  std::fflush(stdout);
  return true;
}

int RunRankZero(comm::MpiSession& mpi, const config::ExperimentConfig& cfg, const Plan& plan,
                const RunOptions& options, const GroupLayout& layout, results::ResultStore* store,
                const std::string& device, comm::GroupComm* group) {
  std::unique_ptr<comm::Link> coordinator_link, worker_link;
  Status st = comm::MakeMpiLinks(MPI_COMM_WORLD, &coordinator_link, &worker_link);
  if (!st.ok()) return spdlog::error("{}", st.ToString()), mpi.Abort(1), 1;
  Status worker_status;
  std::thread worker_thread([&] {
    worker_status = WorkOn(cfg, plan, device, worker_link.get(), group, options.coordinator.signals);
  });
  CoordinatorOptions copt = options.coordinator;
  copt.num_workers = mpi.size();
  CoordinatorSummary summary;
  st = RunCoordinator(cfg, plan, layout, coordinator_link.get(), store, copt, &summary);
  Status written = store->WriteHdf5();
  if (!written.ok()) spdlog::error("writing {}: {}", store->hdf5_path(), written.ToString());
  if (!st.ok() || summary.grace_expired) {
    if (!st.ok()) spdlog::error("coordinator: {}", st.ToString());
    Report(summary, *store);
    mpi.Abort(st.ok() ? kExitInterrupted : 1);  // workers may be mid-unit: end the whole job
  }
  worker_thread.join();
  if (!worker_status.ok()) spdlog::error("rank 0 worker: {}", worker_status.ToString());
  Report(summary, *store);
  const bool reported = !options.report || WriteExperimentReport(cfg, *store);
  return written.ok() && worker_status.ok() && reported ? ExitCodeOf(summary) : 1;
}

}  // namespace

std::string ResultsStem(const config::ExperimentConfig& config) {
  return (fs::path(config.experiment.output_dir) / "results").string();
}

std::string ResultsConfigHash(const config::ExperimentConfig& config) {
  config::ExperimentConfig c = config;
  c.slurm = config::SlurmSection();
  c.report = config::ReportSection();  // how the numbers are summarised is not what they are
  c.experiment.output_dir.clear();     // where the results go is not what they are
  return results::ContentHash(config::ToToml(c));
}

Status ResolveCompute(config::ExperimentConfig* cfg, std::string* note) {
  torch::Device device = torch::kCPU;
#ifdef PWEMOE_HAVE_CUDA
  if (cfg->cluster.device != "cpu" && comm::VisibleCudaDevices() > 0) {
    device = torch::Device(torch::kCUDA, 0);
  }
#endif
  model::Precision precision = model::Precision::kFp32;
  PWEMOE_RETURN_IF_ERROR(model::ChoosePrecision(cfg->compute.precision, device, &precision, note));
  cfg->compute.precision = model::PrecisionName(precision);
  return Status::Ok();
}

int CheckDone(const config::ExperimentConfig& cfg, const Plan& plan, const RunOptions& options) {
  const std::string stem = ResultsStem(cfg);
  const std::set<UnitKind>& kinds = options.coordinator.kinds;
  int64_t wanted = 0;
  for (const Unit& u : plan.units) wanted += kinds.empty() || kinds.count(u.kind) ? 1 : 0;
  int64_t done = 0;
  std::error_code ec;
  if (fs::exists(stem + ".journal", ec)) {
    std::unique_ptr<results::ResultStore> store;
    Status st = results::ResultStore::Open(stem, StoreHeaderOf(cfg, plan, options), false, &store);
    if (!st.ok()) {
      std::fprintf(stderr, "pwemoe-orchestrate: %s\n", st.message().c_str());
      return st.ExitCode();
    }
    for (int64_t id : store->DoneUnits()) {
      if (id < 0 || id >= static_cast<int64_t>(plan.units.size())) continue;  // same hash: cannot happen
      done += kinds.empty() || kinds.count(plan.units[static_cast<size_t>(id)].kind) ? 1 : 0;
    }
  }
  std::printf("%s: %lld of %lld units done%s\n", stem.c_str(), static_cast<long long>(done),
              static_cast<long long>(wanted), done == wanted ? "" : ": rerun the same command to resume");
  std::fflush(stdout);
  return done == wanted ? 0 : kExitInterrupted;
}

int RunExperiment(comm::MpiSession& mpi, const config::ExperimentConfig& cfg, const Plan& plan,
                  const RunOptions& options) {
  const GroupLayout layout = MakeGroupLayout(mpi.size(), cfg.cluster.ranks_per_group);
  std::string device;
  Status st = ChooseDevice(cfg, mpi, &device);
  if (!st.ok()) {
    if (mpi.rank() == 0) std::fprintf(stderr, "pwemoe-orchestrate: %s\n", st.message().c_str());
    return st.ExitCode();  // every rank reads the same configuration and stops alike
  }
  st = CheckRanksAgreeOnPrecision(cfg);
  if (!st.ok()) {
    if (mpi.rank() == 0) std::fprintf(stderr, "pwemoe-orchestrate: %s\n", st.message().c_str());
    return st.ExitCode();
  }
  results::SessionRecord session{IsoUtcTime(), options.command_line, PWEMOE_VERSION, mpi.size(), {}};
  st = comm::GatherHostNames(MPI_COMM_WORLD, &session.hosts);
  if (!st.ok()) return spdlog::error("{}", st.ToString()), mpi.Abort(1), 1;
  std::unique_ptr<results::ResultStore> store;
  int code = mpi.rank() == 0 ? SetUp(cfg, plan, options, session, &store) : 0;
  st = comm::PollingBroadcast(MPI_COMM_WORLD, &code);
  if (!st.ok()) return spdlog::error("{}", st.ToString()), mpi.Abort(1), 1;
  if (code != 0) return code;
  std::unique_ptr<comm::GroupComm> group;
  st = MakeGroup(layout, mpi.rank(), device, &group);
  if (!st.ok()) return spdlog::error("training groups: {}", st.ToString()), mpi.Abort(1), 1;
  if (mpi.rank() == 0) {
    spdlog::info("{} ranks, {} training group(s) of up to {} rank(s); {} units", mpi.size(), layout.members.size(),
                 layout.ranks_per_group, plan.units.size());
    return RunRankZero(mpi, cfg, plan, options, layout, store.get(), device, group.get());
  }
  std::unique_ptr<comm::Link> unused, link;
  st = comm::MakeMpiLinks(MPI_COMM_WORLD, &unused, &link);
  if (st.ok()) st = WorkOn(cfg, plan, device, link.get(), group.get(), options.coordinator.signals);
  if (!st.ok()) return spdlog::error("worker: {}", st.ToString()), mpi.Abort(1), 1;
  return 0;
}

}  // namespace pwemoe::orchestrator
