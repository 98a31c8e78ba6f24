// pwemoe-submit's core: the batch script of an experiment, rendered from slurm/pwemoe.sbatch
// (embedded at build time, so the binary needs no source tree) and the experiment's [slurm] table.
//
// Quoting: every value that lands on a shell line of the script is single-quoted (' written as
// '\''), so no string of the TOML or of --set is ever run as shell code. Values on "#SBATCH" lines
// are read by sbatch's own parser: they go in verbatim when they hold only [A-Za-z0-9_./:%+=,@-],
// single-quoted otherwise (sbatch strips the quotes); a backslash there is refused, since sbatch
// and the shell read it differently. slurm.extra entries are whole sbatch options and go in
// verbatim, one "#SBATCH" line each. Placeholders in comment lines become their bare names.
//
// Thread safety: pure functions over their arguments.
#pragma once

#include <string>
#include <vector>

#include "config/experiment_config.h"
#include "pwemoe/util/status.h"

namespace pwemoe::slurm {

// How often the rendered job may requeue itself (@MAX_REQUEUES@).
constexpr int kMaxRequeues = 10;
// srun's --mpi plugin (@MPI_PLUGIN@): Open MPI 4.1 under Slurm 22.05 needs pmix (slurm/NOTES.md).
constexpr char kMpiPlugin[] = "pmix";

// What the job runs beyond the configuration: absolute paths, and further orchestrator arguments.
struct JobCommand {
  std::string orchestrate;  // pwemoe-orchestrate (@ORCHESTRATE@)
  std::string experiment;   // the experiment TOML (@EXPERIMENT@)
  // Further pwemoe-orchestrate arguments (--units, --log-level, ...), after the --set overrides
  // in @ARGS@; see CheckOrchestrateArg.
  std::vector<std::string> args;
};

// InvalidArgument when `arg` may not be passed on to the job's orchestrator: --fresh (every
// requeue would start over), --dry-run, --check-done, --help, --version (the job would do no
// work) and --grace (the script sets it from slurm.signal_grace).
Status CheckOrchestrateArg(const std::string& arg);

// The template text (slurm/pwemoe.sbatch as it was at build time).
const std::string& BatchTemplate();

// <output_dir>/slurm/job.sbatch: where pwemoe-submit keeps the rendered script.
std::string JobScriptPath(const config::ExperimentConfig& cfg);
// <output_dir>/slurm/slurm-%j.out (@OUTPUT@; Slurm replaces %j by the job id).
std::string SlurmOutputPath(const config::ExperimentConfig& cfg);
// <output_dir>/results.h5.
std::string ResultsPath(const config::ExperimentConfig& cfg);

// `value` in single quotes, each ' written as '\'' ("" becomes '').
std::string ShellQuote(const std::string& value);

// Fills every placeholder of BatchTemplate() from `cfg` (validated by config::LoadExperiment) and
// `command`, into *script. cfg.overrides are passed on to the orchestrator as --set arguments, so
// the job runs the configuration that was validated; then command.args (checked with
// CheckOrchestrateArg). InvalidArgument naming the key ("slurm.qos",
// "experiment.output_dir", "--set", "orchestrate path", ...) when a value holds a newline, a
// carriage return or a NUL byte, or a value on an #SBATCH line holds a backslash; Internal when
// the template holds a placeholder this function does not know. *script is untouched on error.
Status RenderBatchScript(const config::ExperimentConfig& cfg, const JobCommand& command,
                         std::string* script);

// As above, from the template text `tmpl` instead of BatchTemplate() (for tests).
Status RenderBatchScriptFrom(const std::string& tmpl, const config::ExperimentConfig& cfg,
                             const JobCommand& command, std::string* script);

}  // namespace pwemoe::slurm
