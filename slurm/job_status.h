// A Slurm job's state as `scontrol -o show job ID` prints it, and pwemoe-submit --wait's loop.
//
// Thread safety: ParseJobStatus and JobExitStatus are pure; WaitForJob runs commands and sleeps.
#pragma once

#include <functional>
#include <string>

#include "pwemoe/util/status.h"

namespace pwemoe::slurm {

struct JobStatus {
  std::string state;    // JobState: PENDING, RUNNING, COMPLETED, FAILED, ...
  std::string reason;   // Reason: None, BeginTime, Resources, ...
  int restarts = 0;     // Restarts: how often the job was requeued
  int exit_code = 0;    // ExitCode=<exit_code>:<exit_signal> of the batch script
  int exit_signal = 0;
};

// Reads one line of `scontrol -o show job ID` (space-separated Key=Value pairs). InvalidArgument
// naming the missing key when JobState or ExitCode is absent or malformed.
Status ParseJobStatus(const std::string& line, JobStatus* out);

// Whether the job has ended for good: COMPLETED, FAILED, CANCELLED, TIMEOUT, NODE_FAIL,
// OUT_OF_MEMORY, BOOT_FAIL, DEADLINE, PREEMPTED (a requeued job goes back to PENDING instead).
bool IsFinalState(const std::string& state);

// The exit status pwemoe-submit --wait returns for a final job: 0 when COMPLETED with exit code
// 0; the batch script's exit code when not 0; 128 + signal when a signal ended it; 1 otherwise
// (cancelled or ended by Slurm without a code).
int JobExitStatus(const JobStatus& status);

struct WaitOptions {
  std::string scontrol = "scontrol";
  double poll_seconds = 1;         // sbatch --wait polls at 2, 8 then 32 s; once a second here
  double lost_after_seconds = 60;  // scontrol failing this long in a row ends the wait
};

// Follows job `job_id` until IsFinalState, across requeues, calling say() with one line per
// change of state, reason or restart count ("job 12: RUNNING", "job 12: PENDING (BeginTime),
// restart 1"). Stores the final status. IoError when scontrol keeps failing for
// lost_after_seconds (the job is unknown to slurmctld, e.g. purged after MinJobAge, or
// slurmctld is down; the message holds scontrol's output); NotFound when scontrol is missing.
Status WaitForJob(const std::string& job_id, const WaitOptions& options,
                  const std::function<void(const std::string&)>& say, JobStatus* final_status);

}  // namespace pwemoe::slurm
