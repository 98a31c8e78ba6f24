// pwemoe-orchestrate: runs one experiment under MPI (rank 0 coordinates).
//
// Exit codes: 0 success; 1 a runtime failure; 2 a bad command line or configuration.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <iostream>

#include "config/experiment_config.h"
#include "orchestrator/plan.h"
#include "pwemoe/util/flags.h"
#include "pwemoe/util/log.h"
#include "pwemoe/util/version.h"
#include "worker/mpi_session.h"

namespace pwemoe::orchestrator {
namespace {

const std::vector<FlagSpec> kFlags = {
    {"--help", "", "", "print this help and exit"},
    {"--version", "", "", "print the version and exit"},
    {"--dry-run", "", "", "validate the experiment, print the resolved configuration and the plan, and exit"},
    {"--list-units", "", "", "with --dry-run, also print one line per work unit"},
    {"--set", "KEY=VALUE", "", "override a configuration key, e.g. --set train.lr=0.005", true},
    {"--log-level", "LEVEL", "info", std::string("log level: ") + kLogLevels},
};

const char* kUsage = "pwemoe-orchestrate EXPERIMENT.toml [options]";
const char* kDescription =
    "Runs a PWE MoE experiment: trains the routers of every run (LS and EPO over the configured\n"
    "task subsets), evaluates each run and the baselines on every preference ray, and stores all\n"
    "results in one HDF5 file. Launch under mpirun or srun; rank 0 coordinates.";

// Prints on rank 0 only.
void Say(const worker::MpiSession& mpi, std::FILE* to, const std::string& text) {
  if (mpi.rank() == 0) std::fputs(text.c_str(), to), std::fflush(to);
}

int Run(worker::MpiSession& mpi, int argc, char** argv) {
  if (!mpi.status().ok()) {
    std::fprintf(stderr, "pwemoe-orchestrate: %s\n", mpi.status().ToString().c_str());
    return 1;
  }
  ParsedFlags flags;
  Status st = ParseFlags(kFlags, argc, argv, &flags);
  if (st.ok() && !flags.Has("--help") && !flags.Has("--version") && flags.positional.size() != 1) {
    st = Status::InvalidArgument("expected one experiment file, found " + std::to_string(flags.positional.size()) +
                                 " arguments (usage: " + kUsage + ")");
  }
  if (!st.ok()) return Say(mpi, stderr, "pwemoe-orchestrate: " + st.message() + "\n"), st.ExitCode();
  if (flags.Has("--help")) return Say(mpi, stdout, FlagHelp(kUsage, kDescription, kFlags)), 0;
  if (flags.Has("--version")) return Say(mpi, stdout, std::string("pwemoe ") + PWEMOE_VERSION + "\n"), 0;
  st = SetupLogging(flags.Get("--log-level"), mpi.rank(), mpi.size());
  if (!st.ok()) return Say(mpi, stderr, "pwemoe-orchestrate: " + st.message() + "\n"), st.ExitCode();

  // Every rank validates the same file, so every rank stops on the same errors.
  config::ExperimentConfig cfg;
  st = config::LoadExperiment(flags.positional[0], flags.GetAll("--set"), &cfg);
  if (!st.ok()) {
    Say(mpi, stderr, "pwemoe-orchestrate: invalid experiment configuration:\n" + st.message() + "\n");
    return st.ExitCode();
  }
  Plan plan;
  st = MakePlan(cfg, &plan);
  if (!st.ok()) return Say(mpi, stderr, "pwemoe-orchestrate: " + st.message() + "\n"), st.ExitCode();
  spdlog::debug("experiment {}: {} units, {} ranks", cfg.experiment.name, plan.units.size(), mpi.size());

  if (flags.Has("--dry-run")) {
    Say(mpi, stdout, "# resolved configuration of " + cfg.source_path + "\n" + config::ToToml(cfg) + "\n" +
                         DescribePlan(cfg, plan, flags.Has("--list-units")));
    return 0;
  }
  Say(mpi, stderr,
      "pwemoe-orchestrate: this build validates and plans experiments but cannot execute them yet "
      "(the scheduler and workers land with the MPI orchestrator); rerun with --dry-run\n");
  return 1;
}

}  // namespace
}  // namespace pwemoe::orchestrator

int main(int argc, char** argv) {
  pwemoe::worker::MpiSession mpi(&argc, &argv);
  return pwemoe::orchestrator::Run(mpi, argc, argv);
}
