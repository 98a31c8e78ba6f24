// pwemoe-hv run as a process: the volume from a file and from standard input, --maximize, the
// shortest round-trip output, exact or estimate by --exact-budget and saying which, errors naming
// line and column with exit code 2, an unreadable file with exit code 1, and --help listing every
// flag.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "../testing/run_command.h"

namespace pwemoe::tools {
namespace {

using HvRun = pwemoe::testing::CommandRun;

// A file name in the test temp folder of this process alone: ctest runs the tests of this binary
// as parallel processes, which shared one "hv_stdin.txt" and read each other's input (a failure
// seen once under ctest -j2).
std::string TempFile(const std::string& name) {
  return ::testing::TempDir() + "/" + std::to_string(::getpid()) + "_" + name;
}

// Runs `pwemoe-hv <args>` through the shell, with `input` on standard input.
HvRun Hv(const std::string& args, const std::string& input = "") {
  const std::string in = TempFile("hv_stdin.txt");
  std::ofstream(in) << input;
  return pwemoe::testing::RunCommand(std::string(PWEMOE_HV) + " " + args + " < " + in);
}

TEST(HvTool, VolumeFromFileAndStdin) {
  const std::string file = TempFile("hv_points.csv");
  std::ofstream(file) << "# loss1,loss2\n1,3\n\n2,2\n3,1\n  # comment\n2.5,2.5\n";
  HvRun run = Hv("--ref 4,4 " + file);
  EXPECT_EQ(run.code, 0) << run.out;
  EXPECT_EQ(run.out, "6\n");
  run = Hv("--ref 4,4 --minimize", "1,3\n2,2\n3,1\n");
  EXPECT_EQ(run.out, "6\n");
  run = Hv("--ref 4,4 -", "1,3\r\n2,2\r\n3,1\r\n");
  EXPECT_EQ(run.out, "6\n");
  run = Hv("--ref 0,0 --maximize", "0.5,0.25\n0.25,0.5\n");
  EXPECT_EQ(run.out, "0.1875\n");
  run = Hv("--ref 1,1,1", "");  // no points: no volume
  EXPECT_EQ(run.out, "0\n");
}

TEST(HvTool, PrintsShortestRoundTrip) {
  HvRun run = Hv("--ref 1", "0.9\n");  // 1 - 0.9 = 0.09999999999999998
  EXPECT_EQ(run.code, 0);
  EXPECT_EQ(run.out, "0.09999999999999998\n");
  EXPECT_EQ(std::strtod(run.out.c_str(), nullptr), 1 - 0.9);
}

// Points on the positive orthant of the unit sphere in 6 objectives (minimised against 1.1): WFG
// territory, so --exact-budget 0 must give the estimate.
std::string SpherePoints(int n) {
  std::string text;
  uint64_t state = 12345;
  auto uniform = [&state]() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) * 0x1.0p-53;
  };
  for (int i = 0; i < n; ++i) {
    double x[6], norm = 0;
    for (double& v : x) {
      v = uniform() + 1e-3;
      norm += v * v;
    }
    for (int j = 0; j < 6; ++j) text += (j ? "," : "") + std::to_string(x[j] / std::sqrt(norm));
    text += "\n";
  }
  return text;
}

TEST(HvTool, ExactWithinTheBudgetEstimateOtherwiseAndSaysWhich) {
  const std::string points = SpherePoints(40);
  const std::string ref = "--ref 1.1,1.1,1.1,1.1,1.1,1.1 ";
  HvRun exact = Hv(ref + "--exact-budget inf --json", points);
  ASSERT_EQ(exact.code, 0) << exact.out;
  const auto e = nlohmann::json::parse(exact.out);
  EXPECT_EQ(e["method"], "exact");
  EXPECT_EQ(e["lo"], e["value"]);
  EXPECT_EQ(e["choice"], "unlimited");  // no prediction: always exact
  EXPECT_TRUE(e["predicted_seconds"].is_null());
  HvRun estimate = Hv(ref + "--exact-budget 0 --json --seed 3", points);
  ASSERT_EQ(estimate.code, 0) << estimate.out;
  const auto m = nlohmann::json::parse(estimate.out);
  EXPECT_EQ(m["method"], "estimate");
  EXPECT_EQ(m["seed"], 3);
  EXPECT_EQ(m["confidence"], 0.99);
  EXPECT_GT(m["samples"].get<uint64_t>(), 0u);
  EXPECT_EQ(m["choice"], "zero budget");
  EXPECT_LE(m["lo"].get<double>(), e["value"].get<double>());  // 99% interval, this seed
  EXPECT_GE(m["hi"].get<double>(), e["value"].get<double>());
  // The same seed gives the same estimate; the plain output starts with it and says what it is.
  HvRun text = Hv(ref + "--exact-budget 0 --seed 3", points);
  EXPECT_EQ(std::strtod(text.out.c_str(), nullptr), m["value"].get<double>()) << text.out;
  EXPECT_NE(text.out.find(" estimate ["), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("99% confidence"), std::string::npos) << text.out;
  HvRun fixed = Hv(ref + "--exact-budget 0 --samples 5000 --json", points);
  EXPECT_EQ(nlohmann::json::parse(fixed.out)["samples"], 5000) << fixed.out;
  // A finite budget at d >= 5: WFG timed on subsamples first; 40 points are cheap.
  HvRun probed = Hv(ref + "--exact-budget 10 --json", points);
  const auto p = nlohmann::json::parse(probed.out);
  EXPECT_EQ(p["method"], "exact") << probed.out;
  EXPECT_EQ(p["choice"], "probed") << probed.out;
  EXPECT_EQ(p["value"], e["value"]);
  EXPECT_GE(p["probe_seconds"].get<double>(), 0.0);
}

TEST(HvTool, BadEstimateFlagsAreExitCode2) {
  for (const char* flags : {"--exact-budget -1", "--exact-budget x", "--confidence 1",
                            "--rel-error 0", "--samples 0", "--seed -2"}) {
    HvRun run = Hv(std::string("--ref 1,1 ") + flags, "0.5,0.5\n");
    EXPECT_EQ(run.code, 2) << flags << ": " << run.out;
  }
  HvRun run = Hv("--ref 1,1 --exact-budget x", "0.5,0.5\n");
  EXPECT_NE(run.out.find("--exact-budget: expected a number in [0.0, inf], got 'x'"),
            std::string::npos) << run.out;
}

TEST(HvTool, BadInputNamesLineAndColumn) {
  HvRun run = Hv("--ref 4,4", "1,3\n2, abc\n");
  EXPECT_EQ(run.code, 2);
  EXPECT_EQ(run.out, "pwemoe-hv: <stdin>: line 2, column 4: 'abc' is not a number\n");
  run = Hv("--ref 4,4", "1,3\n2,2,2\n");
  EXPECT_EQ(run.code, 2);
  EXPECT_NE(run.out.find("line 2: 3 values, line 1 has 2"), std::string::npos) << run.out;
  run = Hv("--ref 4,4,4", "1,3\n");
  EXPECT_EQ(run.code, 2);
  EXPECT_NE(run.out.find("--ref has 3 values, the points have 2"), std::string::npos) << run.out;
  run = Hv("--ref 4,x", "1,3\n");
  EXPECT_EQ(run.code, 2);
  EXPECT_NE(run.out.find("--ref: column 3: 'x' is not a number"), std::string::npos) << run.out;
  run = Hv("", "1,3\n");
  EXPECT_EQ(run.code, 2);
  EXPECT_NE(run.out.find("--ref is required"), std::string::npos) << run.out;
  run = Hv("--ref 1 --maximize --minimize", "");
  EXPECT_EQ(run.code, 2);
  run = Hv("--ref 1 --maximise", "");
  EXPECT_EQ(run.code, 2);
  EXPECT_NE(run.out.find("--maximize"), std::string::npos) << run.out;  // did you mean
}

TEST(HvTool, UnreadableFileIsExitCode1) {
  HvRun run = Hv("--ref 1,1 " + ::testing::TempDir() + "/no_such_points.csv");
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.out.find("no_such_points.csv: cannot open for reading"), std::string::npos);
}

TEST(HvTool, HelpListsEveryFlag) {
  HvRun run = Hv("--help");
  EXPECT_EQ(run.code, 0);
  for (const char* flag : {"--ref", "--maximize", "--minimize", "--exact-budget SECONDS",
                           "--rel-error", "--samples", "--confidence", "--seed", "--json", "--help",
                           "--version"}) {
    EXPECT_NE(run.out.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace pwemoe::tools
