// pwemoe-hv run as a process: the volume from a file and from standard input, --maximize, the
// shortest round-trip output, errors naming line and column with exit code 2, an unreadable file
// with exit code 1, and --help listing every flag.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

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
  for (const char* flag : {"--ref", "--maximize", "--minimize", "--help", "--version"}) {
    EXPECT_NE(run.out.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace pwemoe::tools
