#include "slurm/job_status.h"

#include <chrono>
#include <regex>
#include <set>
#include <thread>

#include "slurm/command.h"

namespace pwemoe::slurm {
namespace {

// The value of " Key=" in `line` (up to the next space), or false.
bool Field(const std::string& line, const std::string& key, std::string* value) {
  const std::string needle = key + "=";
  for (size_t at = line.find(needle); at != std::string::npos; at = line.find(needle, at + 1)) {
    if (at > 0 && line[at - 1] != ' ') continue;  // "ExitCode=" inside "DerivedExitCode="
    const size_t begin = at + needle.size();
    const size_t end = line.find_first_of(" \n", begin);
    *value = line.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
    return true;
  }
  return false;
}

}  // namespace

Status ParseJobStatus(const std::string& line, JobStatus* out) {
  JobStatus s;
  if (!Field(line, "JobState", &s.state) || s.state.empty()) {
    return Status::InvalidArgument("scontrol show job: no JobState in '" + line + "'");
  }
  Field(line, "Reason", &s.reason);
  std::string text;
  if (Field(line, "Restarts", &text)) {
    if (!std::regex_match(text, std::regex("[0-9]{1,9}"))) {
      return Status::InvalidArgument("scontrol show job: Restarts=" + text + " is not a count");
    }
    s.restarts = std::stoi(text);
  }
  std::smatch m;
  if (!Field(line, "ExitCode", &text) || !std::regex_match(text, m, std::regex("([0-9]{1,3}):([0-9]{1,3})"))) {
    return Status::InvalidArgument("scontrol show job: no ExitCode=N:S in '" + line + "'");
  }
  s.exit_code = std::stoi(m[1]);
  s.exit_signal = std::stoi(m[2]);
  *out = s;
  return Status::Ok();
}

bool IsFinalState(const std::string& state) {
  static const std::set<std::string> kFinal = {"COMPLETED", "FAILED",    "CANCELLED", "TIMEOUT",  "NODE_FAIL",
                                               "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE", "PREEMPTED"};
  return kFinal.count(state) > 0;
}

int JobExitStatus(const JobStatus& s) {
  if (s.exit_code != 0) return s.exit_code;
  if (s.exit_signal != 0) return 128 + s.exit_signal;
  return s.state == "COMPLETED" ? 0 : 1;
}

Status WaitForJob(const std::string& job_id, const WaitOptions& options,
                  const std::function<void(const std::string&)>& say, JobStatus* final_status) {
  using Clock = std::chrono::steady_clock;
  const auto period = std::chrono::duration<double>(options.poll_seconds);
  std::string last;
  auto failing_since = Clock::now();
  bool failing = false;
  for (;;) {
    std::string out;
    int exit_status = 0;
    Status st = RunCommand({options.scontrol, "-o", "show", "job", job_id}, true, &out, &exit_status);
    if (st.code() == Status::Code::kNotFound) return st;
    JobStatus s;
    if (st.ok() && exit_status == 0) st = ParseJobStatus(out, &s);
    else if (st.ok()) st = Status::IoError(options.scontrol + " -o show job " + job_id + " exited " +
                                           std::to_string(exit_status) + ": " + out);
    if (!st.ok()) {
      if (!failing) failing = true, failing_since = Clock::now();
      if (Clock::now() - failing_since >= std::chrono::duration<double>(options.lost_after_seconds)) {
        return Status::IoError("lost track of job " + job_id + ": " + st.message());
      }
    } else {
      failing = false;
      std::string line = "job " + job_id + ": " + s.state;
      if (!s.reason.empty() && s.reason != "None") line += " (" + s.reason + ")";
      if (s.restarts > 0) line += ", restart " + std::to_string(s.restarts);
      if (line != last) say(line), last = line;
      if (IsFinalState(s.state)) {
        *final_status = s;
        return Status::Ok();
      }
    }
    std::this_thread::sleep_for(period);
  }
}

}  // namespace pwemoe::slurm
