// One experiment run on every rank of the job: steps 1 and 8 of the protocol (coordinator.h)
// around the coordinator and worker loops.
//
// Thread safety: call once per process, from the thread that initialised MPI.
#pragma once

#include <string>

#include "comm/mpi_session.h"
#include "config/experiment_config.h"
#include "orchestrator/coordinator.h"
#include "orchestrator/plan.h"

namespace pwemoe::orchestrator {

// Exit codes of pwemoe-orchestrate beyond Status::ExitCode (0, 1, 2).
constexpr int kExitGatesFailed = 3;   // the built-in benchmark failed its quality gates
constexpr int kExitInterrupted = 75;  // stopped before the end; rerun the same command to resume

struct RunOptions {
  bool fresh = false;  // move an existing output aside instead of resuming
  CoordinatorOptions coordinator;
  std::string command_line;  // stored in the results file
  bool report = true;        // write <output_dir>/report (results/report/report_files.h) at the end
};

// The results file's stem: <output_dir>/results (".journal" and ".h5" are added).
std::string ResultsStem(const config::ExperimentConfig& config);

// The hash that identifies an experiment's results: of the resolved configuration without its
// [slurm] and [report] sections and experiment.output_dir (how a job is submitted, how its numbers
// are summarised and where its output goes do not change its numbers).
std::string ResultsConfigHash(const config::ExperimentConfig& config);

// Resolves compute.precision "auto" for this process (model::ChoosePrecision on the device the
// run will use: a CUDA device when the build has CUDA, one is visible and cluster.device is not
// "cpu"; else the CPU), so the resolved configuration, the results file and the configuration
// hash name the precision that is computed. *note (replaced) is the line to log, or empty. Errors
// as ChoosePrecision (the configuration validated the setting already).
Status ResolveCompute(config::ExperimentConfig* config, std::string* note);

// --check-done, without MPI: whether the results store of the experiment holds a result for every
// unit of `plan` (of the kinds in options.coordinator.kinds; empty: all). Prints "<stem>: N of M
// units done" and returns 0 when all are done, kExitInterrupted when work remains (also when there
// are no results yet), 2 when the output belongs to another configuration, 1 when it cannot be
// read. Opens the store like a resume would (repairing a damaged journal tail) and takes its lock
// for that time: do not call it while pwemoe-orchestrate runs on the same output.
int CheckDone(const config::ExperimentConfig& config, const Plan& plan, const RunOptions& options);

// Runs the experiment on this rank and returns the process exit code (see main.cpp). On rank 0:
// builds the benchmark if configured, opens the result store (resuming, or refusing another
// configuration's output unless options.fresh), runs the coordinator with a worker thread beside
// it, writes the HDF5 file and the report (when options.report, also after a stop: a partial
// report of what is done) and prints where they are. On other ranks: the worker loop. Every rank
// learns rank 0's set-up outcome first, so all stop together on a set-up error.
int RunExperiment(comm::MpiSession& mpi, const config::ExperimentConfig& config, const Plan& plan,
                  const RunOptions& options);

}  // namespace pwemoe::orchestrator
