// The h5py + pandas example of results/store/SCHEMA.md, run as written (only the file name replaced)
// with PWEMOE_PYTHON3 on a file the writer wrote. install-deps.sh installs python3-h5py and
// python3-pandas, so a missing interpreter or module fails this test instead of skipping it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>

#include "results/store/h5_writer.h"
#include "records_testing.h"

namespace pwemoe::results {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

// The first ```python block of SCHEMA.md ("" when there is none).
std::string PythonExample() {
  const std::string schema = testing::ReadFile(std::string(PWEMOE_SOURCE_DIR) + "/results/store/SCHEMA.md");
  const std::string open = "```python\n";
  const size_t begin = schema.find(open);
  if (begin == std::string::npos) return "";
  const size_t end = schema.find("```", begin + open.size());
  if (end == std::string::npos) return "";
  return schema.substr(begin + open.size(), end - begin - open.size());
}

TEST(SchemaExample, H5pyExampleReadsAWrittenFile) {
  std::string code = PythonExample();
  ASSERT_FALSE(code.empty()) << "no ```python block in results/store/SCHEMA.md";
  const std::string example_path = "results/mini.h5";
  const size_t at = code.find(example_path);
  ASSERT_NE(at, std::string::npos) << "the example no longer opens " << example_path;

  TempDir dir;
  ResultSet set;
  set.Add(testing::MakeTrain(0, "ls/clothing+digits/seed0", false));
  set.Add(testing::MakeTrain(1, "epo/clothing+digits/seed0", true));
  set.Add(testing::MakeBaseline(2, "digits", false));
  set.Add(testing::MakeBaseline(3, "clothing", true));
  set.Add(testing::MakeEval(4, "ls/clothing+digits/seed0", "digits", 0, 3));
  set.Add(testing::MakeEval(5, "ls/clothing+digits/seed0", "clothing", 0, 3));
  set.Add(testing::MakeEval(6, "untrained/run", "digits", 0, 2));
  set.Add(testing::MakeFailure(7, "numerical: NaN loss at step 40"));
  set.Add(SessionRecord{"2026-11-29T01:00:00Z", "pwemoe-orchestrate x.toml", "0.1.0", 3, {"node-a", "node-b"}});
  const std::string h5 = dir.File("mini.h5");
  ASSERT_TRUE(WriteResultsHdf5(h5, testing::MakeHeader(), set).ok());
  code.replace(at, example_path.size(), h5);
  const std::string script = dir.File("example.py");
  testing::WriteFile(script, code);

  const std::string out = dir.File("out.txt");
  const std::string cmd = std::string(PWEMOE_PYTHON3) + " " + script + " >" + out + " 2>&1";
  const int status = std::system(cmd.c_str());
  const std::string output = testing::ReadFile(out);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << PWEMOE_PYTHON3 << " (with h5py and pandas, see scripts/install-deps.sh) failed on the"
      << " SCHEMA.md example:\n" << output;
  EXPECT_THAT(output, HasSubstr("0.1.0 7 / 42"));               // version, units done / planned
  EXPECT_THAT(output, HasSubstr("ls/clothing+digits/seed0 LS"));  // each trained run
  EXPECT_THAT(output, HasSubstr("epo/clothing+digits/seed0 EPO"));
  EXPECT_THAT(output, HasSubstr("task-arithmetic:0.3"));        // the baselines pivot
  EXPECT_THAT(output, HasSubstr("weighted-task-arithmetic:0.3"));
  EXPECT_THAT(output, HasSubstr("NaN loss at step 40"));        // the failures table
  EXPECT_THAT(output, HasSubstr("front: [2] of 3 rays"));      // the trained run's front
  EXPECT_THAT(output, HasSubstr("node-a,node-b"));              // the sessions table
}

}  // namespace
}  // namespace pwemoe::results
