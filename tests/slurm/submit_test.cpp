// RenderBatchScript: a table of [slurm] settings, each rendered and checked for its #SBATCH lines,
// with `bash -n`, and for leftover placeholders; quoting checked by having bash echo values back.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "config/experiment_config.h"
#include "slurm/submit.h"
#include "../testing/run_command.h"

namespace pwemoe::slurm {
namespace {

namespace fs = std::filesystem;

// A valid experiment over the built-in benchmark (whose files need not exist yet).
std::string ExperimentText(const std::string& slurm_table) {
  return "[experiment]\nname = \"sub\"\noutput_dir = \"/tmp/pwemoe-submit-test/out\"\n"
         "[benchmark]\ndir = \"/tmp/pwemoe-submit-test/bench\"\nsize = \"micro\"\n"
         "[tasks]\nnames = [\"clothing\", \"digits\"]\n"
         "[slurm]\n" + slurm_table;
}

Status Render(const std::string& slurm_table, const std::vector<std::string>& overrides,
              std::string* script, const JobCommand& command = {"/opt/pwemoe/bin/pwemoe-orchestrate",
                                                                "/home/u/exp.toml", {}}) {
  config::ExperimentConfig cfg;
  Status st = config::ParseExperiment(ExperimentText(slurm_table), "test.toml", overrides, &cfg);
  if (!st.ok()) return st.WithContext("config");
  return RenderBatchScript(cfg, command, script);
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/pwemoe-submit-test-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string Write(const std::string& name, const std::string& text) const {
    std::string p = path_ + "/" + name;
    std::ofstream(p) << text;
    return p;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Runs `command` through /bin/sh; its standard output and standard error into *out.
int Shell(const std::string& command, std::string* out) {
  pwemoe::testing::CommandRun run = pwemoe::testing::RunCommand(command);
  *out = run.out;
  return run.code;
}

std::vector<std::string> SbatchLines(const std::string& script) {
  std::vector<std::string> lines;
  std::istringstream in(script);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("#SBATCH", 0) == 0) lines.push_back(line);
  }
  return lines;
}

bool Contains(const std::vector<std::string>& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

struct RenderCase {
  std::string name;
  std::string slurm_table;
  std::vector<std::string> want;     // #SBATCH lines that must be there
  std::vector<std::string> not_want; // prefixes of #SBATCH lines that must not be there
};

TEST(RenderBatchScriptTest, TableOfSettings) {
  const std::vector<RenderCase> cases = {
      {"defaults", "",
       {"#SBATCH --job-name=sub", "#SBATCH --nodes=1", "#SBATCH --ntasks-per-node=1",
        "#SBATCH --cpus-per-task=1", "#SBATCH --mem=8G", "#SBATCH --time=01:00:00",
        "#SBATCH --signal=B:TERM@120", "#SBATCH --requeue", "#SBATCH --open-mode=append",
        "#SBATCH --output=/tmp/pwemoe-submit-test/out/slurm/slurm-%j.out"},
       {"#SBATCH --partition", "#SBATCH --account", "#SBATCH --qos", "#SBATCH --gpus-per-node"}},
      {"sizes", "nodes = 3\ntasks_per_node = 4\ncpus_per_task = 2\nmem = \"512M\"\ntime = \"1-00:00:00\"\n"
                "signal_grace = 90\nrequeue = false\n",
       {"#SBATCH --nodes=3", "#SBATCH --ntasks-per-node=4", "#SBATCH --cpus-per-task=2",
        "#SBATCH --mem=512M", "#SBATCH --time=1-00:00:00", "#SBATCH --signal=B:TERM@90",
        "#SBATCH --no-requeue"},
       {"#SBATCH --requeue"}},
      {"partition only", "partition = \"gpu\"\n", {"#SBATCH --partition=gpu"},
       {"#SBATCH --account", "#SBATCH --qos"}},
      {"partition account qos", "partition = \"gpu\"\naccount = \"proj-42\"\nqos = \"high\"\n",
       {"#SBATCH --partition=gpu", "#SBATCH --account=proj-42", "#SBATCH --qos=high"}, {}},
      {"empty strings", "partition = \"\"\naccount = \"\"\nqos = \"\"\n", {},
       {"#SBATCH --partition", "#SBATCH --account", "#SBATCH --qos"}},
      {"odd partition quoted", "partition = \"a b'c\"\n", {"#SBATCH --partition='a b'\\''c'"}, {}},
      {"gpus", "gpus_per_node = 4\n", {"#SBATCH --gpus-per-node=4"}, {}},
      {"no gpus", "gpus_per_node = 0\n", {}, {"#SBATCH --gpus-per-node"}},
      {"extra", "extra = [\"--constraint=a100\", \"--exclusive\", \"--mail-type=END,FAIL\"]\n",
       {"#SBATCH --constraint=a100", "#SBATCH --exclusive", "#SBATCH --mail-type=END,FAIL"}, {}},
      {"mpirun", "launcher = \"mpirun\"\n", {}, {}},
  };
  TempDir dir;
  for (const RenderCase& c : cases) {
    SCOPED_TRACE(c.name);
    std::string script;
    Status st = Render(c.slurm_table, {}, &script);
    ASSERT_TRUE(st.ok()) << st.ToString();
    std::vector<std::string> lines = SbatchLines(script);
    for (const std::string& w : c.want) EXPECT_TRUE(Contains(lines, w)) << w << "\n" << script;
    for (const std::string& n : c.not_want) {
      for (const std::string& l : lines) EXPECT_NE(l.rfind(n, 0), 0u) << l;
    }
    EXPECT_FALSE(std::regex_search(script, std::regex("@[A-Z_]+@"))) << script;
    std::string out;
    EXPECT_EQ(Shell("bash -n " + dir.Write("job.sbatch", script), &out), 0) << out << script;
  }
}

TEST(RenderBatchScriptTest, ShellLinesAreQuoted) {
  std::string script;
  ASSERT_TRUE(Render("", {}, &script).ok());
  EXPECT_NE(script.find("launcher='srun'\n"), std::string::npos) << script;
  EXPECT_NE(script.find("orchestrate='/opt/pwemoe/bin/pwemoe-orchestrate'\n"), std::string::npos);
  EXPECT_NE(script.find("experiment='/home/u/exp.toml'\n"), std::string::npos);
  EXPECT_NE(script.find("requeue='--requeue'\n"), std::string::npos);
  EXPECT_NE(script.find("max_requeues='10'\n"), std::string::npos);
  EXPECT_NE(script.find("--mpi='pmix'"), std::string::npos);
  EXPECT_NE(script.find("--grace '60'"), std::string::npos);  // half of signal_grace 120
}

TEST(RenderBatchScriptTest, GraceIsAtLeastOne) {
  std::string script;
  ASSERT_TRUE(Render("signal_grace = 1\n", {}, &script).ok());
  EXPECT_NE(script.find("--grace '1'"), std::string::npos);
}

// Values with quotes, spaces, $ and backticks reach bash unchanged: the shell lines that set
// orchestrate/experiment and the --set arguments are run with `echo` in place of the launcher.
TEST(RenderBatchScriptTest, HostileValuesEchoBack) {
  const std::string orchestrate = "/opt/it's $(touch /tmp/pwned) `x`/pwemoe-orchestrate";
  const std::string experiment = "/home/o'brien/my exp.toml";
  std::string script;
  Status st = Render("", {"train.lr=0.005", "model.architecture=clip-vit"}, &script,
                     {orchestrate, experiment, {}});
  ASSERT_TRUE(st.ok()) << st.ToString();
  TempDir dir;
  std::string out;
  ASSERT_EQ(Shell("bash -n " + dir.Write("job.sbatch", script), &out), 0) << out;
  // Take the assignment lines and the launcher's argument list and print them.
  std::string assignments, args;
  std::istringstream in(script);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("orchestrate=", 0) == 0 || line.rfind("experiment=", 0) == 0) assignments += line + "\n";
    size_t at = line.find("--grace ");
    if (args.empty() && at != std::string::npos) args = line.substr(at, line.rfind('&') - at);
  }
  ASSERT_FALSE(args.empty()) << script;
  std::string probe = assignments + "printf '%s\\n' \"$orchestrate\" \"$experiment\" " + args + "\n";
  ASSERT_EQ(Shell("bash " + dir.Write("probe.sh", probe), &out), 0) << out;
  EXPECT_EQ(out, orchestrate + "\n" + experiment + "\n--grace\n60\n--set\ntrain.lr=0.005\n--set\n"
                     "model.architecture=clip-vit\n");
  EXPECT_FALSE(fs::exists("/tmp/pwned"));
}

TEST(RenderBatchScriptTest, QuoteInOverrideEchoesBack) {
  std::string script;
  // A string value with a single quote, on a key that takes any string.
  Status st = Render("", {"slurm.partition=it's"}, &script);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(Contains(SbatchLines(script), "#SBATCH --partition='it'\\''s'")) << script;
  TempDir dir;
  std::string out;
  ASSERT_EQ(Shell("bash -n " + dir.Write("job.sbatch", script), &out), 0) << out;
  std::string args;
  std::istringstream in(script);
  for (std::string line; std::getline(in, line);) {
    size_t at = line.find("--grace ");
    if (args.empty() && at != std::string::npos) args = line.substr(at, line.rfind('&') - at);
  }
  ASSERT_EQ(Shell("bash " + dir.Write("probe.sh", "printf '%s\\n' " + args + "\n"), &out), 0) << out;
  EXPECT_EQ(out, "--grace\n60\n--set\nslurm.partition=it's\n");
}

TEST(RenderBatchScriptTest, OrchestrateArgsFollowTheOverridesQuoted) {
  config::ExperimentConfig cfg;
  ASSERT_TRUE(config::ParseExperiment(ExperimentText(""), "test.toml", {"train.lr=0.01"}, &cfg).ok());
  JobCommand command{"/opt/bin/pwemoe-orchestrate", "/home/u/exp.toml", {"--units=train", "--log-level", "debug $HOME"}};
  std::string script;
  Status st = RenderBatchScript(cfg, command, &script);
  ASSERT_TRUE(st.ok()) << st.ToString();
  std::string args;
  std::istringstream in(script);
  for (std::string line; std::getline(in, line);) {
    size_t at = line.find("--grace ");
    if (args.empty() && at != std::string::npos) args = line.substr(at, line.rfind('&') - at);
  }
  TempDir dir;
  std::string out;
  ASSERT_EQ(Shell("bash " + dir.Write("probe.sh", "printf '%s\\n' " + args + "\n"), &out), 0) << out;
  EXPECT_EQ(out, "--grace\n60\n--set\ntrain.lr=0.01\n--units=train\n--log-level\ndebug $HOME\n");
  // The results check after the launcher gets the same arguments.
  EXPECT_NE(script.find("--check-done --set 'train.lr=0.01' '--units=train' '--log-level' 'debug $HOME'"),
            std::string::npos) << script;
}

TEST(RenderBatchScriptTest, ArgumentsThatWouldBreakAJobAreRefused) {
  config::ExperimentConfig cfg;
  ASSERT_TRUE(config::ParseExperiment(ExperimentText(""), "test.toml", {}, &cfg).ok());
  for (const std::string arg : {"--fresh", "--dry-run", "--check-done", "--help", "--version", "--grace=5"}) {
    JobCommand command{"/opt/bin/pwemoe-orchestrate", "/home/u/exp.toml", {"--units=eval", arg}};
    std::string script = "untouched";
    Status st = RenderBatchScript(cfg, command, &script);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << arg;
    EXPECT_NE(st.message().find(arg), std::string::npos) << st.message();
    EXPECT_EQ(script, "untouched");
  }
  JobCommand broken{"/opt/bin/pwemoe-orchestrate", "/home/u/exp.toml", {"--units=eval\nrm -rf /"}};
  std::string script;
  EXPECT_EQ(RenderBatchScript(cfg, broken, &script).code(), Status::Code::kInvalidArgument);
}

TEST(RenderBatchScriptTest, NewlinesAreRefusedNamingTheKey) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"partition = \"a\\nb\"\n", "slurm.partition"},
      {"account = \"a\\nb\"\n", "slurm.account"},
      {"qos = \"a\\rb\"\n", "slurm.qos"},
      {"extra = [\"--exclusive\", \"--comment=a\\n#SBATCH --x\"]\n", "slurm.extra[1]"},
  };
  for (const auto& [table, key] : cases) {
    SCOPED_TRACE(key);
    std::string script = "untouched";
    Status st = Render(table, {}, &script);
    ASSERT_EQ(st.code(), Status::Code::kInvalidArgument) << st.ToString();
    EXPECT_NE(st.message().find(key), std::string::npos) << st.message();
    EXPECT_EQ(script, "untouched");
  }
  std::string script;
  Status st = Render("", {}, &script, {"/bin/orch", "/home/u/a\nb.toml", {}});
  ASSERT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("experiment path"), std::string::npos) << st.message();
}

TEST(RenderBatchScriptTest, BackslashOnSbatchLineIsRefused) {
  std::string script;
  Status st = Render("partition = \"a\\\\b\"\n", {}, &script);
  ASSERT_EQ(st.code(), Status::Code::kInvalidArgument) << st.ToString();
  EXPECT_NE(st.message().find("slurm.partition"), std::string::npos);
}

TEST(RenderBatchScriptTest, UnknownPlaceholderIsInternal) {
  config::ExperimentConfig cfg;
  ASSERT_TRUE(config::ParseExperiment(ExperimentText(""), "t.toml", {}, &cfg).ok());
  std::string script;
  Status st = RenderBatchScriptFrom("#!/bin/bash\nx=@NO_SUCH@\n", cfg, {"/a", "/b", {}}, &script);
  EXPECT_EQ(st.code(), Status::Code::kInternal);
  EXPECT_NE(st.message().find("@NO_SUCH@"), std::string::npos);
}

TEST(RenderBatchScriptTest, EmbeddedTemplateIsTheSourceFile) {
  std::ifstream in(std::string(PWEMOE_SOURCE_DIR) + "/slurm/pwemoe.sbatch");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(BatchTemplate(), text.str());
}

TEST(ShellQuoteTest, Cases) {
  EXPECT_EQ(ShellQuote(""), "''");
  EXPECT_EQ(ShellQuote("abc"), "'abc'");
  EXPECT_EQ(ShellQuote("it's"), "'it'\\''s'");
  EXPECT_EQ(ShellQuote("$x `y` \"z\""), "'$x `y` \"z\"'");
}

}  // namespace
}  // namespace pwemoe::slurm
