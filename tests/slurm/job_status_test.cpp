// ParseJobStatus / JobExitStatus on lines as scontrol -o show job prints them (Slurm 22.05), and
// WaitForJob against a scripted stand-in for scontrol.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "slurm/job_status.h"

namespace pwemoe::slurm {
namespace {

std::string Line(const std::string& state, const std::string& reason, int restarts, const std::string& exit_code) {
  return "JobId=7 JobName=micro UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=1 Nice=0 "
         "Account=(null) QOS=(null) JobState=" + state + " Reason=" + reason +
         " Dependency=(null) Requeue=1 Restarts=" + std::to_string(restarts) +
         " BatchFlag=1 Reboot=0 ExitCode=" + exit_code + " DerivedExitCode=0:9 RunTime=00:00:08 "
         "TimeLimit=00:10:00 Command=/tmp/out/slurm/job.sbatch WorkDir=/tmp StdOut=/tmp/out/slurm/slurm-7.out\n";
}

TEST(JobStatus, ParsesTheFieldsPwemoeSubmitFollows) {
  struct Case {
    std::string line;
    std::string state, reason;
    int restarts, exit_code, exit_signal, tool_exit;
    bool final;
  };
  const std::vector<Case> cases = {
      {Line("PENDING", "BeginTime", 1, "0:0"), "PENDING", "BeginTime", 1, 0, 0, 1, false},
      {Line("RUNNING", "None", 0, "0:0"), "RUNNING", "None", 0, 0, 0, 1, false},
      {Line("COMPLETING", "None", 0, "0:0"), "COMPLETING", "None", 0, 0, 0, 1, false},
      {Line("COMPLETED", "None", 2, "0:0"), "COMPLETED", "None", 2, 0, 0, 0, true},
      {Line("FAILED", "NonZeroExitCode", 0, "75:0"), "FAILED", "NonZeroExitCode", 0, 75, 0, 75, true},
      {Line("FAILED", "NonZeroExitCode", 0, "2:0"), "FAILED", "NonZeroExitCode", 0, 2, 0, 2, true},
      {Line("CANCELLED", "None", 0, "0:15"), "CANCELLED", "None", 0, 0, 15, 143, true},
      {Line("CANCELLED", "None", 0, "0:0"), "CANCELLED", "None", 0, 0, 0, 1, true},
      {Line("TIMEOUT", "TimeLimit", 0, "0:0"), "TIMEOUT", "TimeLimit", 0, 0, 0, 1, true},
      {"JobState=OUT_OF_MEMORY ExitCode=0:125", "OUT_OF_MEMORY", "", 0, 0, 125, 253, true},
  };
  for (const Case& c : cases) {
    JobStatus s;
    ASSERT_TRUE(ParseJobStatus(c.line, &s).ok()) << c.line;
    EXPECT_EQ(s.state, c.state) << c.line;
    EXPECT_EQ(s.reason, c.reason) << c.line;
    EXPECT_EQ(s.restarts, c.restarts) << c.line;
    EXPECT_EQ(s.exit_code, c.exit_code) << c.line;  // not DerivedExitCode
    EXPECT_EQ(s.exit_signal, c.exit_signal) << c.line;
    EXPECT_EQ(IsFinalState(s.state), c.final) << c.line;
    if (c.final) {
      EXPECT_EQ(JobExitStatus(s), c.tool_exit) << c.line;
    }
  }
}

TEST(JobStatus, MalformedLinesAreErrorsNamingTheField) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"slurm_load_jobs error: Invalid job id specified", "JobState"},
      {"JobState=RUNNING", "ExitCode"},
      {"JobState=RUNNING ExitCode=x:0", "ExitCode"},
      {"JobState=RUNNING DerivedExitCode=0:0", "ExitCode"},
      {"JobState=RUNNING Restarts=many ExitCode=0:0", "Restarts"},
      {"JobState= ExitCode=0:0", "JobState"},
  };
  for (const auto& [line, field] : cases) {
    JobStatus s;
    s.state = "untouched";
    Status st = ParseJobStatus(line, &s);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << line;
    EXPECT_NE(st.message().find(field), std::string::npos) << st.message();
    EXPECT_EQ(s.state, "untouched") << line;
  }
}

// A stand-in for scontrol that prints the next line of a script on each call (the last one
// forever after), so WaitForJob sees a job go PENDING, RUNNING, requeued, RUNNING, COMPLETED.
class FakeScontrol {
 public:
  explicit FakeScontrol(const std::vector<std::string>& lines) {
    char tmpl[] = "/tmp/pwemoe-job-status-XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::ofstream(dir_ + "/lines") << [&] {
      std::string all;
      for (const std::string& l : lines) all += l + "\n";
      return all;
    }();
    std::ofstream(dir_ + "/scontrol")
        << "#!/bin/sh\nd=" << dir_ << "\nn=$(cat $d/n 2>/dev/null || echo 0); n=$((n + 1)); echo $n > $d/n\n"
        << "total=$(wc -l < $d/lines); [ $n -gt $total ] && n=$total\n"
        << "echo \"$@\" >> $d/args\nline=$(sed -n \"${n}p\" $d/lines)\n"
        << "case $line in FAIL*) echo 'slurm_load_jobs error: Socket timed out' >&2; exit 1;; esac\n"
        << "echo \"$line\"\n";
    chmod((dir_ + "/scontrol").c_str(), 0755);
  }
  ~FakeScontrol() { std::filesystem::remove_all(dir_); }
  std::string path() const { return dir_ + "/scontrol"; }
  std::string args() const {
    std::ifstream in(dir_ + "/args");
    std::string first;
    std::getline(in, first);
    return first;
  }

 private:
  std::string dir_;
};

TEST(JobStatus, WaitFollowsARequeuedJobToItsEnd) {
  FakeScontrol fake({Line("PENDING", "None", 0, "0:0"), Line("RUNNING", "None", 0, "0:0"),
                     Line("RUNNING", "None", 0, "0:0"), "FAIL", Line("PENDING", "BeginTime", 1, "0:0"),
                     Line("RUNNING", "None", 1, "0:0"), Line("COMPLETED", "None", 1, "0:0")});
  WaitOptions options;
  options.scontrol = fake.path();
  options.poll_seconds = 0.01;
  std::vector<std::string> said;
  JobStatus s;
  ASSERT_TRUE(WaitForJob("7", options, [&](const std::string& l) { said.push_back(l); }, &s).ok());
  EXPECT_EQ(said, (std::vector<std::string>{"job 7: PENDING", "job 7: RUNNING", "job 7: PENDING (BeginTime), restart 1",
                                            "job 7: RUNNING, restart 1", "job 7: COMPLETED, restart 1"}));
  EXPECT_EQ(JobExitStatus(s), 0);
  EXPECT_EQ(fake.args(), "-o show job 7");
}

TEST(JobStatus, WaitGivesUpWhenScontrolKeepsFailing) {
  FakeScontrol fake({Line("RUNNING", "None", 0, "0:0"), "FAIL"});
  WaitOptions options;
  options.scontrol = fake.path();
  options.poll_seconds = 0.01;
  options.lost_after_seconds = 0.1;
  JobStatus s;
  Status st = WaitForJob("7", options, [](const std::string&) {}, &s);
  EXPECT_EQ(st.code(), Status::Code::kIoError);
  EXPECT_NE(st.message().find("lost track of job 7"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("Socket timed out"), std::string::npos) << st.message();
}

TEST(JobStatus, WaitWithoutScontrolIsNotFound) {
  WaitOptions options;
  options.scontrol = "/nonexistent/scontrol";
  JobStatus s;
  Status st = WaitForJob("7", options, [](const std::string&) {}, &s);
  EXPECT_EQ(st.code(), Status::Code::kNotFound);
  EXPECT_NE(st.message().find("/nonexistent/scontrol"), std::string::npos);
}

}  // namespace
}  // namespace pwemoe::slurm
