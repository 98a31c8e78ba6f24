// pwemoe/mini/make_mini.h and pwemoe-make-mini on the micro size with a two-task subset (seconds):
// determinism for a seed, reuse of a complete folder, the manifest, the experiment layout, errors.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "mini_testing.h"
#include "pwemoe/io/tensor_io.h"
#include "pwemoe/mini/make_mini.h"
#include "pwemoe/model/clip_vit.h"
#include "pwemoe/moe/pool.h"

namespace pwemoe::mini {
namespace {

namespace fs = std::filesystem;

MakeOptions MicroOptions(const std::string& dir, uint64_t seed = 0) {
  MakeOptions o;
  o.out_dir = dir;
  o.data.size = Size::kMicro;
  o.data.seed = seed;
  o.data.tasks = {"digits", "rotation"};
  return o;
}

nlohmann::json ReadJson(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

// One micro benchmark shared by the suite (built once).
class MakeMiniTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    torch::set_num_threads(1);
    dir_ = new std::string(testing::MakeTempDir());
    result_ = new MakeResult();
    MakeOptions o = MicroOptions(*dir_);
    o.workers = 2;
    const Status st = MakeMini(o, [](const std::string&) {}, result_);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete result_;
  }
  static std::string* dir_;
  static MakeResult* result_;
};
std::string* MakeMiniTest::dir_ = nullptr;
MakeResult* MakeMiniTest::result_ = nullptr;

void ExpectSameTensors(const std::string& dir_a, const std::string& dir_b, const std::string& f) {
  io::TensorMap a, b;
  ASSERT_TRUE(io::LoadTensors(dir_a + "/" + f, &a).ok()) << f;
  ASSERT_TRUE(io::LoadTensors(dir_b + "/" + f, &b).ok()) << f;
  ASSERT_EQ(a.size(), b.size()) << f;
  for (const auto& [key, t] : a) EXPECT_TRUE(torch::equal(t, b.at(key))) << f << " " << key;
}

// The fixture fits 2 at a time, this one 1 at a time: the same bits.
TEST_F(MakeMiniTest, SameSeedGivesIdenticalModelsWhateverTheWorkers) {
  ASSERT_FALSE(result_->reused);
  const std::string other = testing::MakeTempDir();
  MakeResult again;
  MakeOptions o = MicroOptions(other);
  o.workers = 1;
  ASSERT_TRUE(MakeMini(o, [](const std::string&) {}, &again).ok());
  EXPECT_EQ(again.config_hash, result_->config_hash);
  for (const char* f : {"pretrained", "experts/digits", "experts/rotation",
                        "heads/digits.safetensors", "heads/rotation.safetensors"}) {
    ExpectSameTensors(*dir_, other, f);
  }
  EXPECT_EQ(again.quality.matrix, result_->quality.matrix);
  EXPECT_EQ(again.quality.pretrained, result_->quality.pretrained);
}

// A task's head and expert are seeded by its place among all tasks, not in the list: so the 8 of
// the 20-task benchmark are the default benchmark's.
TEST_F(MakeMiniTest, ATaskMakesTheSameModelsInAnyList) {
  const std::string alone = testing::MakeTempDir();
  MakeOptions o = MicroOptions(alone);
  o.data.tasks = {"rotation"};
  MakeResult r;
  ASSERT_TRUE(MakeMini(o, [](const std::string&) {}, &r).ok());
  for (const char* f : {"pretrained/model.safetensors", "experts/rotation/model.safetensors",
                        "heads/rotation.safetensors"}) {
    ExpectSameTensors(*dir_, alone, f);
  }
}

TEST_F(MakeMiniTest, RerunOfACompleteFolderIsANoOp) {
  const std::string model = *dir_ + "/pretrained/model.safetensors";
  const auto before = fs::last_write_time(model);
  MakeResult again;
  ASSERT_TRUE(MakeMini(MicroOptions(*dir_), [](const std::string&) {}, &again).ok());
  EXPECT_TRUE(again.reused);
  EXPECT_EQ(fs::last_write_time(model), before);
  // Another configuration of the same folder is not complete; a missing file makes it incomplete.
  EXPECT_TRUE(IsComplete(*dir_, result_->config_hash));
  EXPECT_FALSE(IsComplete(*dir_, ConfigHash(MicroOptions(*dir_, 1))));
  const std::string head = *dir_ + "/heads/rotation.safetensors";
  fs::rename(head, head + ".away");
  EXPECT_FALSE(IsComplete(*dir_, result_->config_hash));
  fs::rename(head + ".away", head);
  EXPECT_TRUE(IsComplete(*dir_, result_->config_hash));
}

TEST_F(MakeMiniTest, ManifestRecordsFiguresGatesAndFiles) {
  const nlohmann::json m = ReadJson(*dir_ + "/manifest.json");
  EXPECT_EQ(m.at("config_hash"), result_->config_hash);
  EXPECT_EQ(m.at("size"), "micro");
  EXPECT_EQ(m.at("tasks"), (std::vector<std::string>{"digits", "rotation"}));
  const auto& q = m.at("quality");
  ASSERT_EQ(q.at("expert_by_task_accuracy").size(), 2u);
  EXPECT_EQ(q.at("expert_by_task_accuracy")[1].size(), 2u);
  EXPECT_EQ(q.at("tasks").size(), 2u);
  EXPECT_EQ(q.at("gates").size(), 2u + 3u);  // per task, mean gain, TA above and below
  for (const auto& t : q.at("tasks")) {
    const double acc = t.at("expert_accuracy").get<double>();
    EXPECT_GE(acc, 0.0);
    EXPECT_LE(acc, 100.0);
  }
  EXPECT_FALSE(m.at("gates_enforced").get<bool>());
  for (const auto& f : m.at("files")) EXPECT_TRUE(fs::is_regular_file(*dir_ + "/" + f.get<std::string>())) << f;
  EXPECT_GT(m.at("timings_seconds").at("total").get<double>(), 0.0);
}

TEST_F(MakeMiniTest, FolderLoadsAsAnExperimentPool) {
  moe::PoolSpec spec;
  spec.pretrained = *dir_ + "/pretrained";
  for (const std::string t : {"digits", "rotation"}) {
    spec.tasks.push_back({t, *dir_ + "/experts/" + t, *dir_ + "/heads/" + t + ".safetensors"});
  }
  moe::ModelPool pool;
  const Status st = moe::LoadModelPool(spec, &pool);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(pool.pretrained.count(model::kVisualProjection));
  EXPECT_FALSE(pool.experts[0].count(model::kVisualProjection));  // vision-only experts
  EXPECT_EQ(pool.heads[0].num_classes(), 10);
  EXPECT_EQ(pool.heads[1].num_classes(), 4);
  // Experts differ from the pretrained model and from each other.
  const std::string key = model::ClipLayerPrefix(0) + "mlp.fc1.weight";
  EXPECT_FALSE(torch::equal(pool.experts[0].at(key), pool.pretrained.at(key)));
  EXPECT_FALSE(torch::equal(pool.experts[0].at(key), pool.experts[1].at(key)));
}

TEST(MakeMini, HashDependsOnEveryChoice) {
  const std::string h = ConfigHash(MicroOptions("x"));
  EXPECT_EQ(h.size(), 16u);
  EXPECT_EQ(ConfigHash(MicroOptions("y")), h);  // not the folder
  MakeOptions o = MicroOptions("x", 1);
  EXPECT_NE(ConfigHash(o), h);
  o = MicroOptions("x");
  o.data.size = Size::kFull;
  EXPECT_NE(ConfigHash(o), h);
  o = MicroOptions("x");
  o.data.tasks = {"rotation", "digits"};
  EXPECT_NE(ConfigHash(o), h);
  o = MicroOptions("x");
  o.threads = 3;
  EXPECT_NE(ConfigHash(o), h);
  o = MicroOptions("x");
  o.workers = 3;  // the files do not depend on it
  EXPECT_EQ(ConfigHash(o), h);
  // The default benchmark's hash is what it was before the 20 tasks existed, so existing
  // benchmark folders are reused; the 20-task one is another.
  MakeOptions d;
  d.data.size = Size::kMicro;
  EXPECT_EQ(ConfigHash(d), "e3dd832386bcb38d");
  d.data.tasks = MiniTaskNames();
  EXPECT_EQ(ConfigHash(d), "e3dd832386bcb38d");
  ASSERT_TRUE(FirstTasks(20, &d.data.tasks).ok());
  EXPECT_NE(ConfigHash(d), "e3dd832386bcb38d");
}

TEST(MakeMini, MalformedManifestMeansIncomplete) {
  const std::string dir = testing::MakeTempDir();
  const std::string hash = ConfigHash(MicroOptions(dir));
  for (const std::string& text : std::vector<std::string>{"", "not json", "[1, 2]", "{\"config_hash\": 7, \"files\": []}",
        "{\"config_hash\": \"" + hash + "\"}",
        "{\"config_hash\": \"" + hash + "\", \"files\": [3]}",
        "{\"config_hash\": \"" + hash + "\", \"files\": [\"missing.h5\"]}"}) {
    std::ofstream(dir + "/manifest.json") << text;
    EXPECT_FALSE(IsComplete(dir, hash)) << text;
  }
  std::ofstream(dir + "/manifest.json") << "{\"config_hash\": \"" + hash + "\", \"files\": []}";
  EXPECT_TRUE(IsComplete(dir, hash));
}

TEST(MakeMini, MissingFashionMnistIsNamed) {
  MakeOptions o = MicroOptions(testing::MakeTempDir());
  o.data.fashion_dir = "/nonexistent/fashion";
  MakeResult r;
  const Status st = MakeMini(o, [](const std::string&) {}, &r);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("/nonexistent/fashion"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("dataset-fashion-mnist"), std::string::npos) << st.message();
  EXPECT_FALSE(fs::exists(o.out_dir + "/manifest.json"));
}

// Runs pwemoe-make-mini with `args`; returns the exit code and stderr.
int RunTool(const std::string& args, std::string* err) {
  const std::string dir = testing::MakeTempDir();
  const std::string cmd = std::string(PWEMOE_BINARY_DIR) + "/bin/pwemoe-make-mini " + args +
                          " >" + dir + "/out 2>" + dir + "/err";
  const int status = std::system(cmd.c_str());
  std::ifstream in(dir + "/err");
  std::stringstream s;
  s << in.rdbuf();
  *err = s.str();
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(MakeMiniTool, BadCommandLinesExitTwoNamingTheValue) {
  std::string err;
  EXPECT_EQ(RunTool("--out /tmp/x --size huge", &err), 2);
  EXPECT_NE(err.find("huge"), std::string::npos) << err;
  EXPECT_EQ(RunTool("--size micro", &err), 2);
  EXPECT_NE(err.find("--out or --experiment is required"), std::string::npos) << err;
  EXPECT_EQ(RunTool("--experiment /nonexistent/x.toml", &err), 2);
  EXPECT_NE(err.find("/nonexistent/x.toml"), std::string::npos) << err;
  EXPECT_EQ(RunTool("--experiment " + std::string(PWEMOE_SOURCE_DIR) + "/experiments/mini.toml --seed 3", &err), 2);
  EXPECT_NE(err.find("--seed cannot be combined with --experiment"), std::string::npos) << err;
  EXPECT_EQ(RunTool("--out /tmp/x --seed -1", &err), 2);
  EXPECT_NE(err.find("--seed"), std::string::npos) << err;
  EXPECT_EQ(RunTool("--out /tmp/x --tasks digits,lettres --size micro", &err), 2);
  EXPECT_NE(err.find("letters"), std::string::npos) << err;  // did you mean
  EXPECT_EQ(RunTool("--out /tmp/x --tasks 21 --size micro", &err), 2);
  EXPECT_NE(err.find("--tasks: 21 tasks asked; the built-in benchmark has 1 to 20"), std::string::npos) << err;
  EXPECT_EQ(RunTool("--experiment " + std::string(PWEMOE_SOURCE_DIR) + "/experiments/mini20.toml --tasks 8", &err), 2);
  EXPECT_NE(err.find("--tasks cannot be combined with --experiment"), std::string::npos) << err;
  EXPECT_EQ(RunTool("--out /tmp/x --workers -1", &err), 2);
  EXPECT_NE(err.find("--workers"), std::string::npos) << err;
}

}  // namespace
}  // namespace pwemoe::mini
