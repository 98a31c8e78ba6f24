#include "pwemoe/mini/mini_data.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "mini_testing.h"
#include "pwemoe/data/dataset_reader.h"
#include "pwemoe/mini/tasks.h"

namespace pwemoe::mini {
namespace {

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

struct Content {
  data::DatasetInfo info;
  std::vector<uint8_t> pixels;
  std::vector<int64_t> labels;
};

Content ReadAll(const std::string& path) {
  Content c;
  data::Dataset ds;
  const Status st = data::OpenDataset(path, &ds);
  EXPECT_TRUE(st.ok()) << st.ToString();
  if (!st.ok()) return c;
  c.info = ds.info();
  c.labels = ds.labels();
  c.pixels.resize(c.info.size * c.info.image_bytes());
  EXPECT_TRUE(ds.ReadImages(0, c.info.size, c.pixels.data()).ok());
  return c;
}

// Writes the micro benchmark once for the whole suite: seed 0 twice (all tasks), and seed 1 for
// a subset.
class MiniData : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    DataOptions options;
    options.size = Size::kMicro;
    dir_a_ = new std::string(testing::MakeTempDir());
    dir_b_ = new std::string(testing::MakeTempDir());
    dir_c_ = new std::string(testing::MakeTempDir());
    progress_ = new std::vector<std::string>();
    Status st = WriteMiniData(options, *dir_a_,
                              [](const std::string& line) { progress_->push_back(line); });
    ASSERT_TRUE(st.ok()) << st.ToString();
    st = WriteMiniData(options, *dir_b_, nullptr);
    ASSERT_TRUE(st.ok()) << st.ToString();
    options.seed = 1;
    options.tasks = {"rotation", "digits"};
    st = WriteMiniData(options, *dir_c_, nullptr);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  static std::string File(const std::string& dir, const std::string& task,
                          const std::string& split) {
    return dir + "/data/" + task + "/" + split + ".h5";
  }
  static std::string* dir_a_;
  static std::string* dir_b_;
  static std::string* dir_c_;
  static std::vector<std::string>* progress_;
};
std::string* MiniData::dir_a_ = nullptr;
std::string* MiniData::dir_b_ = nullptr;
std::string* MiniData::dir_c_ = nullptr;
std::vector<std::string>* MiniData::progress_ = nullptr;

TEST(MiniSize, ParsesAndNames) {
  Size s = Size::kFull;
  ASSERT_TRUE(ParseSize("micro", &s).ok());
  EXPECT_EQ(s, Size::kMicro);
  EXPECT_STREQ(SizeName(s), "micro");
  ASSERT_TRUE(ParseSize("full", &s).ok());
  EXPECT_EQ(s, Size::kFull);
  EXPECT_STREQ(SizeName(s), "full");
  const Status st = ParseSize("mikro", &s);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("'mikro'"), std::string::npos) << st.message();
  EXPECT_EQ(s, Size::kFull);
}

TEST(MiniTasks, NamesAreFixed) {
  EXPECT_EQ(MiniTaskNames(),
            (std::vector<std::string>{"clothing", "digits", "letters", "rotation", "fonts",
                                      "inverted", "lowercase", "coarse"}));
}

TEST(MiniTasks, UnknownTaskSuggestsName) {
  DataOptions options;
  options.size = Size::kMicro;
  options.tasks = {"digit"};
  const std::string dir = testing::MakeTempDir();
  const Status st = WriteMiniData(options, dir, nullptr);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("did you mean 'digits'"), std::string::npos) << st.message();
  EXPECT_FALSE(Exists(dir + "/data"));
  options.tasks = {"digits", "letters", "digits"};
  EXPECT_EQ(WriteMiniData(options, dir, nullptr).code(), Status::Code::kInvalidArgument);
  EXPECT_FALSE(Exists(dir + "/data"));
}

TEST(MiniTasks, MissingFashionMnistNamesPackage) {
  DataOptions options;
  options.size = Size::kMicro;
  options.fashion_dir = testing::MakeTempDir();
  const Status st = WriteMiniData(options, testing::MakeTempDir(), nullptr);
  EXPECT_EQ(st.code(), Status::Code::kNotFound);
  EXPECT_NE(st.message().find("apt-get install dataset-fashion-mnist"), std::string::npos);
}

TEST(MiniTasks, FashionSlicesAreDisjoint) {
  std::vector<std::pair<int64_t, int64_t>> slices = {
      {PretrainTask().fashion_begin, PretrainTask().fashion_end}};
  std::set<uint64_t> streams = {PretrainTask().stream};
  for (const TaskDef& t : MiniTasks()) {
    streams.insert(t.stream);
    if (t.fashion_begin >= 0) slices.push_back({t.fashion_begin, t.fashion_end});
  }
  EXPECT_EQ(streams.size(), MiniTasks().size() + 1);
  std::sort(slices.begin(), slices.end());
  for (size_t i = 1; i < slices.size(); ++i) EXPECT_LE(slices[i - 1].second, slices[i].first);
  EXPECT_LE(slices.back().second, 60000);
}

TEST(MiniTasks, PretrainAndTaskTrainSetsShareNoImage) {
  FashionMnist fm;
  ASSERT_TRUE(LoadFashionMnist("/usr/share/datasets/fashion-mnist", &fm).ok());
  std::unique_ptr<GlyphRenderer> glyphs;
  ASSERT_TRUE(GlyphRenderer::Create(&glyphs).ok());
  const Sources sources{&fm, glyphs.get()};
  const SplitSizes full = SizesFor(Size::kFull);
  Examples pre;
  ASSERT_TRUE(MakeExamples(PretrainTask(), Split::kTrain, full.pretrain_train, 0, sources, &pre).ok());
  std::set<int64_t> pre_images(pre.fashion_train_index.begin(), pre.fashion_train_index.end());
  pre_images.erase(-1);
  EXPECT_GT(pre_images.size(), 1000u);  // about a tenth of the 12000 pretraining images
  for (const TaskDef& t : MiniTasks()) {
    if (t.fashion_begin < 0) continue;
    Examples ex;
    ASSERT_TRUE(MakeExamples(t, Split::kTrain, full.task_train, 0, sources, &ex).ok());
    for (int64_t idx : ex.fashion_train_index) {
      ASSERT_GE(idx, 0) << t.name;
      ASSERT_EQ(pre_images.count(idx), 0u) << t.name << " image " << idx;
    }
    // Test splits never use the train file.
    ASSERT_TRUE(MakeExamples(t, Split::kTest, 50, 0, sources, &ex).ok());
    for (int64_t idx : ex.fashion_train_index) ASSERT_EQ(idx, -1) << t.name;
  }
}

TEST_F(MiniData, EveryFileOpensWithRightClassesAndLabels) {
  const SplitSizes sizes = SizesFor(Size::kMicro);
  std::vector<TaskDef> all = MiniTasks();
  all.push_back(PretrainTask());
  data::DatasetInfo pretrain_info = ReadAll(File(*dir_a_, "pretrain", "train")).info;
  for (const TaskDef& t : all) {
    for (const std::string split : {"train", "test"}) {
      SCOPED_TRACE(t.name + " " + split);
      const Content c = ReadAll(File(*dir_a_, t.name, split));
      ASSERT_EQ(c.info.height, 28);
      ASSERT_EQ(c.info.width, 28);
      ASSERT_EQ(c.info.channels, 1);
      EXPECT_EQ(c.info.classes, t.classes);
      EXPECT_EQ(c.info.task, t.name);
      EXPECT_EQ(c.info.split, split);
      EXPECT_EQ(c.info.mean, pretrain_info.mean);
      EXPECT_EQ(c.info.std, pretrain_info.std);
      const bool pre = t.name == "pretrain";
      const bool train = split == "train";
      EXPECT_EQ(c.info.size, pre ? (train ? sizes.pretrain_train : sizes.pretrain_test)
                                 : (train ? sizes.task_train : sizes.task_test));
      std::set<int64_t> seen;
      for (int64_t l : c.labels) {
        ASSERT_GE(l, 0);
        ASSERT_LT(l, static_cast<int64_t>(t.classes.size()));
        seen.insert(l);
      }
      if (train && !pre) {
        EXPECT_EQ(seen.size(), t.classes.size());
      }
      // Images are not blank.
      const auto [lo, hi] = std::minmax_element(c.pixels.begin(), c.pixels.end());
      EXPECT_EQ(*lo, 0);
      EXPECT_EQ(*hi, 255);
    }
  }
  EXPECT_GT(pretrain_info.mean[0], 0.05);
  EXPECT_LT(pretrain_info.mean[0], 0.6);
  EXPECT_EQ(progress_->size(), 2 * all.size());
}

TEST_F(MiniData, SameSeedGivesIdenticalArrays) {
  std::vector<std::string> names = MiniTaskNames();
  names.push_back("pretrain");
  for (const std::string& task : names) {
    for (const std::string split : {"train", "test"}) {
      const Content a = ReadAll(File(*dir_a_, task, split));
      const Content b = ReadAll(File(*dir_b_, task, split));
      EXPECT_EQ(a.pixels, b.pixels) << task << " " << split;
      EXPECT_EQ(a.labels, b.labels) << task << " " << split;
    }
  }
}

TEST_F(MiniData, OtherSeedDiffersAndSubsetWritesOnlyItsTasks) {
  for (const std::string task : {"rotation", "digits", "pretrain"}) {
    for (const std::string split : {"train", "test"}) {
      const Content a = ReadAll(File(*dir_a_, task, split));
      const Content c = ReadAll(File(*dir_c_, task, split));
      EXPECT_NE(a.pixels, c.pixels) << task << " " << split;
    }
  }
  for (const std::string task : {"clothing", "letters", "fonts", "inverted", "lowercase", "coarse"}) {
    EXPECT_FALSE(Exists(*dir_c_ + "/data/" + task)) << task;
  }
}

// Generation time of the full size (not a test; run with --gtest_also_run_disabled_tests).
TEST(MiniTiming, DISABLED_FullSize) {
  for (Size size : {Size::kMicro, Size::kFull}) {
    DataOptions options;
    options.size = size;
    const auto start = std::chrono::steady_clock::now();
    const Status st = WriteMiniData(options, testing::MakeTempDir(), nullptr);
    ASSERT_TRUE(st.ok()) << st.ToString();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%s: %.2f s\n", SizeName(size), s);
  }
}

}  // namespace
}  // namespace pwemoe::mini
