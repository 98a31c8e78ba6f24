// pwemoe-submit: submits an experiment as a Slurm batch job.
//
// Validates the experiment exactly as pwemoe-orchestrate does (same loader, same --set, same
// error output), renders slurm/pwemoe.sbatch from its [slurm] table (slurm/submit.h), writes the
// script to <output_dir>/slurm/job.sbatch (atomically) and runs `sbatch --parsable` on it. The
// job runs pwemoe-orchestrate from the folder of pwemoe-submit, on the same experiment file with
// the same --set overrides, and requeues itself after a time-limit warning or a preemption; a
// requeued job resumes where it stopped. --dry-run prints the script and submits nothing.
//
// Exit codes: 0 submitted (or printed); 2 a bad command line or configuration; 1 anything else
// (sbatch missing or failing: its own error output goes out unchanged).
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "config/experiment_config.h"
#include "pwemoe/util/files.h"
#include "pwemoe/util/tool.h"
#include "slurm/command.h"
#include "slurm/job_status.h"
#include "slurm/submit.h"

namespace pwemoe::tools {
namespace {

namespace fs = std::filesystem;

const ToolSpec kSpec =
    ToolSpec{
        "pwemoe-submit",
        "pwemoe-submit EXPERIMENT.toml [--dry-run | --wait] [--set KEY=VALUE]...",
        "Validates the experiment like pwemoe-orchestrate, renders its Slurm batch script from the\n"
        "[slurm] table and submits it with sbatch. The script is kept at <output_dir>/slurm/job.sbatch\n"
        "(resubmit by hand with plain sbatch); the job's output goes to\n"
        "<output_dir>/slurm/slurm-<job id>.out. The job requeues itself when stopped by its time limit\n"
        "or a preemption and resumes where it stopped.\n"
        "Exit codes: 0 submitted; 1 sbatch missing or failed; 2 bad command line or configuration.\n"
        "With --wait: the job's own exit status once it has ended (0 when every unit is done, 75 when\n"
        "it stopped with work left and did not requeue), 1 when it cannot be followed.",
        {
            {"--dry-run", "", "", "print the batch script to standard output and submit nothing"},
            {"--set", "KEY=VALUE", "", "override a configuration key, e.g. --set train.lr=0.005 (passed on to the job)", true},
            {"--orchestrate-arg", "ARG", "", "an argument for the job's pwemoe-orchestrate, e.g. --orchestrate-arg=--units=train", true},
            {"--wait", "", "", "after submitting, follow the job once a second (across requeues) and exit with its exit status"},
            {"--sbatch", "PATH", "sbatch", "the sbatch command (looked up on PATH unless it holds a '/')"},
            {"--scontrol", "PATH", "scontrol", "the scontrol command --wait polls"},
        }};

// pwemoe-orchestrate in the folder of this executable.
Status OrchestratePath(std::string* out) {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return Status::IoError("cannot find this executable (/proc/self/exe): " + ec.message());
  *out = (self.parent_path() / "pwemoe-orchestrate").string();
  return Status::Ok();
}

// Runs `sbatch --parsable script`; its standard output (trimmed) into *job_id. Its standard error
// goes out unchanged.
Status RunSbatch(const std::string& sbatch, const std::string& script, std::string* job_id) {
  std::string out;
  int exit_status = 0;
  Status st = slurm::RunCommand({sbatch, "--parsable", script}, false, &out, &exit_status);
  if (st.code() == Status::Code::kNotFound) {
    return Status::NotFound("'" + sbatch + "' not found: install Slurm (sbatch on PATH, or --sbatch PATH), "
                            "or use --dry-run to print the batch script; it was written to " + script);
  }
  if (!st.ok()) return st;
  if (exit_status != 0) {
    std::fputs(out.c_str(), stdout);
    return Status::IoError("sbatch refused the job (exit status " + std::to_string(exit_status) +
                           "); the script is " + script);
  }
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) out.pop_back();
  // --parsable prints "ID" or "ID;CLUSTER".
  *job_id = out.substr(0, out.find(';'));
  if (job_id->empty() || job_id->find_first_not_of("0123456789_") != std::string::npos) {
    return Status::IoError("sbatch printed no job id ('" + out + "'); the script is " + script);
  }
  return Status::Ok();
}

// --wait: follows the job to its end; *exit_code the tool's exit status then.
Status WaitFor(const std::string& job_id, const std::string& scontrol, const std::string& output,
               int* exit_code) {
  slurm::WaitOptions options;
  options.scontrol = scontrol;
  slurm::JobStatus final_status;
  Status st = slurm::WaitForJob(job_id, options, [](const std::string& line) {
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  }, &final_status);
  if (!st.ok()) {
    std::fprintf(stderr, "%s: the job's output: %s\n", kSpec.name, output.c_str());
    return st.WithContext("--wait");
  }
  const int code = slurm::JobExitStatus(final_status);
  std::printf("job %s ended %s, exit code %d:%d; pwemoe-submit exits %d (output: %s)\n", job_id.c_str(),
              final_status.state.c_str(), final_status.exit_code, final_status.exit_signal, code, output.c_str());
  *exit_code = code;
  return Status::Ok();
}

Status Run(ToolContext* ctx) {
  const ParsedFlags& flags = ctx->flags;
  if (flags.positional.size() != 1) {
    return UsageError(kSpec, "expected one experiment file, found " +
                                 std::to_string(flags.positional.size()) + " arguments");
  }
  config::ExperimentConfig cfg;
  Status st = config::LoadExperiment(flags.positional[0], flags.GetAll("--set"), &cfg);
  if (!st.ok()) {  // reported here, in the form pwemoe-orchestrate uses: one problem a line
    std::fprintf(stderr, "%s: invalid experiment configuration:\n%s\n", kSpec.name,
                 st.message().c_str());
    ctx->exit_code = st.ExitCode();
    return Status::Ok();
  }
  slurm::JobCommand command;
  PWEMOE_RETURN_IF_ERROR(OrchestratePath(&command.orchestrate));
  std::error_code ec;
  command.experiment = fs::absolute(flags.positional[0], ec).lexically_normal().string();
  if (ec) return Status::IoError(flags.positional[0] + ": " + ec.message());
  command.args = flags.GetAll("--orchestrate-arg");
  std::string script;
  PWEMOE_RETURN_IF_ERROR(slurm::RenderBatchScript(cfg, command, &script));
  if (flags.Has("--dry-run")) {
    std::fputs(script.c_str(), stdout);
    return Status::Ok();
  }
  if (!fs::exists(command.orchestrate)) {
    return Status::NotFound(command.orchestrate + ": not found (the job runs the "
                            "pwemoe-orchestrate next to pwemoe-submit; build it)");
  }
  const std::string path = slurm::JobScriptPath(cfg);
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec) return Status::IoError(fs::path(path).parent_path().string() + ": " + ec.message());
  PWEMOE_RETURN_IF_ERROR(WriteFileAtomically(path, script));
  std::string job_id;
  PWEMOE_RETURN_IF_ERROR(RunSbatch(flags.Get("--sbatch"), path, &job_id));
  std::string output = slurm::SlurmOutputPath(cfg);
  output.replace(output.find("%j"), 2, job_id);
  std::printf("submitted job %s\n  script:  %s\n  output:  %s\n  results: %s\n", job_id.c_str(),
              path.c_str(), output.c_str(), slurm::ResultsPath(cfg).c_str());
  std::fflush(stdout);
  if (!flags.Has("--wait")) return Status::Ok();
  return WaitFor(job_id, flags.Get("--scontrol"), output, &ctx->exit_code);
}

}  // namespace
}  // namespace pwemoe::tools

PWEMOE_TOOL_MAIN(pwemoe::tools::kSpec, pwemoe::tools::Run)
