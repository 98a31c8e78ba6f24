// pwemoe-report run as a process on results files the writer wrote: the four files in --out (or
// report/ beside the file) and their paths on stdout; errors naming the file or the flag, exit 1
// for an unreadable file or folder and 2 for a bad command line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "results/store/h5_writer.h"
#include "results/store/result_set.h"
#include "records_testing.h"
#include "../testing/run_command.h"

namespace pwemoe::tools {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using results::testing::TempDir;

using ReportRun = pwemoe::testing::CommandRun;

ReportRun Report(const std::string& args) {
  return pwemoe::testing::RunCommand(std::string(PWEMOE_REPORT) + " " + args);
}

// A results file with one trained, evaluated run and baselines on its subset.
std::string WriteSample(const TempDir& dir) {
  results::ResultSet set;
  set.Add(results::testing::MakeTrain(0, "ls/clothing+digits/seed0", false));
  set.Add(results::testing::MakeEval(1, "ls/clothing+digits/seed0", "clothing", 0, 4));
  set.Add(results::testing::MakeEval(2, "ls/clothing+digits/seed0", "digits", 0, 4));
  set.Add(results::testing::MakeBaseline(3, "digits", true));
  set.Add(results::testing::MakeBaseline(4, "clothing", true));
  const std::string path = dir.File("results.h5");
  EXPECT_TRUE(results::WriteResultsHdf5(path, results::testing::MakeHeader(), set).ok());
  return path;
}

TEST(ReportTool, WritesTheFourFilesAndPrintsTheirPaths) {
  TempDir dir;
  const std::string h5 = WriteSample(dir);
  const std::string out = dir.File("out");
  ReportRun run = Report(h5 + " --out " + out);
  ASSERT_EQ(run.code, 0) << run.out;
  for (const char* name : {"report.md", "report.html", "fronts.csv", "summary.json"}) {
    const std::string path = out + "/" + name;
    EXPECT_THAT(run.out, HasSubstr(path + "\n"));
    EXPECT_GT(fs::file_size(path), 100u) << path;
  }
  EXPECT_THAT(results::testing::ReadFile(out + "/report.md"), HasSubstr("ls/clothing+digits/seed0"));
  EXPECT_THAT(results::testing::ReadFile(out + "/report.html"), HasSubstr("<svg"));
}

TEST(ReportTool, DefaultFolderIsReportBesideTheFile) {
  TempDir dir;
  const std::string h5 = WriteSample(dir);
  ReportRun run = Report(h5);
  ASSERT_EQ(run.code, 0) << run.out;
  EXPECT_TRUE(fs::exists(dir.File("report/report.html")));
  // A second run replaces the files whole and leaves nothing else behind.
  run = Report(h5 + " --ref 0.1");
  ASSERT_EQ(run.code, 0) << run.out;
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir.File("report"))) files += entry.is_regular_file();
  EXPECT_EQ(files, 4u);
}

TEST(ReportTool, ErrorsNameTheFileOrFlag) {
  TempDir dir;
  ReportRun run = Report(dir.File("missing.h5"));
  EXPECT_EQ(run.code, 1);
  EXPECT_THAT(run.out, HasSubstr(dir.File("missing.h5")));
  results::testing::WriteFile(dir.File("garbage.h5"), "not an HDF5 file");
  run = Report(dir.File("garbage.h5"));
  EXPECT_EQ(run.code, 1);
  EXPECT_THAT(run.out, HasSubstr("garbage.h5"));
  run = Report("");
  EXPECT_EQ(run.code, 2);
  EXPECT_THAT(run.out, HasSubstr("usage"));
  const std::string h5 = WriteSample(dir);
  run = Report(h5 + " --ref 1.5");
  EXPECT_EQ(run.code, 2);
  EXPECT_THAT(run.out, HasSubstr("--ref"));
  results::testing::WriteFile(dir.File("a-file"), "x");
  run = Report(h5 + " --out " + dir.File("a-file"));
  EXPECT_EQ(run.code, 1);
  EXPECT_THAT(run.out, HasSubstr("a-file"));
}

}  // namespace
}  // namespace pwemoe::tools
