// pwemoe-orchestrate: runs one experiment under MPI (rank 0 coordinates; coordinator.h has the
// protocol).
//
// Exit codes: 0 every unit done; 1 a runtime failure, or units failed (recorded in the results
// file's /failures) or could not run because a unit they need failed; 2 a bad command line or
// configuration, or an existing output of another configuration (see --fresh); 3 the built-in
// benchmark failed its quality gates; 75 stopped by SIGTERM/SIGINT (or a rank's stop request)
// before every unit was done: rerun the same command to resume.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "comm/link.h"
#include "comm/mpi_session.h"
#include "config/experiment_config.h"
#include "orchestrator/coordinator.h"
#include "orchestrator/plan.h"
#include "orchestrator/run_setup.h"
#include "orchestrator/signals.h"
#include "pwemoe/util/allocator.h"
#include "pwemoe/util/tool.h"
#include "pwemoe/util/log.h"
#include "pwemoe/util/strings.h"
#include "pwemoe/util/version.h"

namespace pwemoe::orchestrator {
namespace {

// The flags and help (pwemoe/util/tool.h adds --help, --version and --log-level). The start is
// this file's own (Prepare): every rank parses, rank 0 alone prints.
const ToolSpec kSpec =
    ToolSpec{
        "pwemoe-orchestrate",
        "pwemoe-orchestrate EXPERIMENT.toml [options]",
        "Runs a PWE MoE experiment: trains the routers of every run (LS and EPO over the configured\n"
        "task subsets), evaluates each run and the baselines on every preference ray, and stores all\n"
        "results in one HDF5 file (<output_dir>/results.h5). Launch under mpirun or srun; rank 0\n"
        "coordinates. Rerunning the same command resumes an interrupted run.\n"
        "Exit codes: 0 done; 1 runtime error or failed units; 2 bad command line or configuration;\n"
        "3 benchmark quality gates failed; 75 stopped by a signal, rerun to resume.",
        {
            {"--dry-run", "", "", "validate the experiment, print the resolved configuration and the plan, and exit"},
            {"--list-units", "", "", "with --dry-run, also print one line per work unit"},
            {"--set", "KEY=VALUE", "", "override a configuration key, e.g. --set train.lr=0.005", true},
            {"--fresh", "", "", "start over: move an existing output aside (renamed, never deleted) instead of resuming"},
            {"--fail-fast", "", "", "stop handing out work after the first failed unit"},
            {"--no-report", "", "", "do not write <output_dir>/report at the end (pwemoe-report writes it later)"},
            {"--check-done", "", "", "without MPI or running anything: exit 0 when the results hold every unit (of --units), 75 when work remains (the Slurm batch script's check after its launcher returned 0)"},
            {"--units", "KINDS", "all", "run only these kinds of units (comma-separated: train, eval, baseline); the rest waits for a later run"},
            {"--grace", "SECONDS", "60", "after SIGTERM/SIGINT, how long units in flight may take before the job ends"},
            {"--progress", "SECONDS", "5", "progress report period (0: none)"},
            {"--write-every", "SECONDS", "300", "rewrite the HDF5 file this often while running (0: only at the end)"},
        }}
        .WithLogLevel();

Status ReadRunOptions(const ParsedFlags& flags, RunOptions* o) {
  double* targets[] = {&o->coordinator.grace_seconds, &o->coordinator.progress_seconds,
                       &o->coordinator.hdf5_seconds};
  const char* names[] = {"--grace", "--progress", "--write-every"};
  for (int i = 0; i < 3; ++i) {
    int64_t v = 0;
    PWEMOE_RETURN_IF_ERROR(GetIntFlag(flags, names[i], 0, &v));
    *targets[i] = static_cast<double>(v);
  }
  o->fresh = flags.Has("--fresh");
  const std::string kinds = flags.Get("--units");
  for (const std::string& k : Split(kinds, ',')) {
    if (kinds == "all") break;
    if (k == "train") {
      o->coordinator.kinds.insert(UnitKind::kTrain);
    } else if (k == "eval") {
      o->coordinator.kinds.insert(UnitKind::kEval);
    } else if (k == "baseline") {
      o->coordinator.kinds.insert(UnitKind::kBaseline);
    } else {
      return Status::InvalidArgument("--units: unknown kind '" + k + "' (expected all, or train, eval, baseline)");
    }
  }
  o->coordinator.fail_fast = flags.Has("--fail-fast");
  o->report = !flags.Has("--no-report");
  return Status::Ok();
}

// Parses the command line and loads the experiment and its plan; answers --help, --version and
// --dry-run. Prints on rank 0 only (every rank reads the same file and stops on the same errors).
// Returns -1 to go on, or the exit code.
int Prepare(int rank, int size, int argc, char** argv, ParsedFlags* flags, RunOptions* options,
            config::ExperimentConfig* cfg, Plan* plan) {
  auto say = [rank](std::FILE* to, const std::string& text) {
    if (rank == 0) std::fputs(text.c_str(), to), std::fflush(to);
  };
  const std::vector<FlagSpec> table = ToolFlagTable(kSpec);
  Status st = ParseFlags(table, argc, argv, flags);
  if (st.ok() && !flags->Has("--help") && !flags->Has("--version") && flags->positional.size() != 1) {
    st = UsageError(kSpec, "expected one experiment file, found " +
                               std::to_string(flags->positional.size()) + " arguments");
  }
  if (st.ok()) st = ReadRunOptions(*flags, options);
  if (!st.ok()) return say(stderr, "pwemoe-orchestrate: " + st.message() + "\n"), st.ExitCode();
  if (flags->Has("--help")) return say(stdout, FlagHelp(kSpec.usage, kSpec.description, table)), 0;
  if (flags->Has("--version")) return say(stdout, std::string("pwemoe ") + PWEMOE_VERSION + "\n"), 0;
  st = SetupLogging(flags->Get("--log-level"), rank, size);
  if (!st.ok()) return say(stderr, "pwemoe-orchestrate: " + st.message() + "\n"), st.ExitCode();
  st = config::LoadExperiment(flags->positional[0], flags->GetAll("--set"), cfg);
  if (!st.ok()) {
    say(stderr, "pwemoe-orchestrate: invalid experiment configuration:\n" + st.message() + "\n");
    return st.ExitCode();
  }
  std::string note;
  st = ResolveCompute(cfg, &note);
  if (!st.ok()) return say(stderr, "pwemoe-orchestrate: " + st.message() + "\n"), st.ExitCode();
  if (rank == 0 && !note.empty()) spdlog::info("{}", note);
  st = MakePlan(*cfg, plan);
  if (!st.ok()) return say(stderr, "pwemoe-orchestrate: " + st.message() + "\n"), st.ExitCode();
  spdlog::debug("experiment {}: {} units, {} ranks", cfg->experiment.name, plan->units.size(), size);
  if (flags->Has("--dry-run")) {
    say(stdout, "# resolved configuration of " + cfg->source_path + "\n" + config::ToToml(*cfg) + "\n" +
                    DescribePlan(*cfg, *plan, flags->Has("--list-units")));
    return 0;
  }
  return -1;
}

int Run(comm::MpiSession& mpi, int argc, char** argv) {
  if (!mpi.status().ok()) {
    std::fprintf(stderr, "pwemoe-orchestrate: %s\n", mpi.status().ToString().c_str());
    return 1;
  }
  ParsedFlags flags;
  RunOptions options;
  config::ExperimentConfig cfg;
  Plan plan;
  const int code = Prepare(mpi.rank(), mpi.size(), argc, argv, &flags, &options, &cfg, &plan);
  if (code >= 0) return code;
  for (int i = 0; i < argc; ++i) options.command_line += (i ? " " : "") + std::string(argv[i]);
  options.coordinator.signals = InstallStopSignals();
  return RunExperiment(mpi, cfg, plan, options);
}

// --check-done: the same command line, answered without MPI (the Slurm batch script runs it
// outside any job step).
int RunCheckDone(int argc, char** argv) {
  ParsedFlags flags;
  RunOptions options;
  config::ExperimentConfig cfg;
  Plan plan;
  const int code = Prepare(0, 1, argc, argv, &flags, &options, &cfg, &plan);
  if (code >= 0) return code;
  return CheckDone(cfg, plan, options);
}

}  // namespace
}  // namespace pwemoe::orchestrator

int main(int argc, char** argv) {
  pwemoe::TuneAllocator();  // before MPI and the worker thread start (allocator.h)
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--check-done") return pwemoe::orchestrator::RunCheckDone(argc, argv);
  }
  pwemoe::comm::MpiSession mpi(&argc, &argv);
  return pwemoe::orchestrator::Run(mpi, argc, argv);
}
