#include "pwemoe/mini/mini_data.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "mini_testing.h"
#include "pwemoe/data/dataset_reader.h"
#include "pwemoe/mini/tasks.h"
#include "pwemoe/util/strings.h"

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

// Writes the micro benchmark once for the whole suite: seed 0 twice (every task), and seed 1 for
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
    options.tasks = AllMiniTaskNames();
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
  const std::vector<std::string> eight = {"clothing", "digits",   "letters",   "rotation",
                                          "fonts",    "inverted", "lowercase", "coarse"};
  EXPECT_EQ(MiniTaskNames(), eight);
  std::vector<std::string> twenty = eight;
  for (const char* t : {"greek", "cyrillic", "parity", "vowels", "case", "mirror", "weight", "size",
                        "blur", "quadrant", "footwear", "tops"}) {
    twenty.push_back(t);
  }
  EXPECT_EQ(AllMiniTaskNames(), twenty);
  for (size_t i = 0; i < twenty.size(); ++i) EXPECT_EQ(TaskIndex(twenty[i]), static_cast<int64_t>(i));
  EXPECT_EQ(TaskIndex("pretrain"), -1);
}

// Which tasks a benchmark is built with, from [benchmark] tasks and the experiment's task names.
TEST(MiniTasks, BenchmarkTasksFollowCountAndNames) {
  struct Case {
    int64_t count;
    std::vector<std::string> wanted;
    size_t tasks;           // 0: an error
    std::string message;    // part of the error
  };
  const std::vector<Case> cases = {
      {0, {}, 8, ""},
      {0, {"clothing", "coarse"}, 8, ""},
      {0, {"clothing", "greek"}, 20, ""},
      {0, {"tops"}, 20, ""},
      {20, {"clothing"}, 20, ""},
      {12, {"parity"}, 12, ""},
      {8, {"digits", "greek"}, 0, "set [benchmark] tasks = 20"},
      {0, {"greeks"}, 0, "did you mean 'greek'"},
      {21, {}, 0, "1 to 20"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::to_string(c.count) + " " + Join(c.wanted, ","));
    std::vector<std::string> out = {"stale"};
    const Status st = BenchmarkTasks(c.count, c.wanted, &out);
    if (c.tasks == 0) {
      EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
      EXPECT_NE(st.message().find(c.message), std::string::npos) << st.message();
      continue;
    }
    ASSERT_TRUE(st.ok()) << st.ToString();
    ASSERT_EQ(out.size(), c.tasks);
    EXPECT_TRUE(std::equal(out.begin(), out.end(), AllMiniTaskNames().begin()));
  }
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

// The first 8's clothing tasks and pretraining have disjoint slices; the 12 more draw from the
// 8's task slices, never from pretraining's.
TEST(MiniTasks, FashionSlicesAreDisjoint) {
  std::vector<std::pair<int64_t, int64_t>> slices = {
      {PretrainTask().fashion_begin, PretrainTask().fashion_end}};
  std::set<uint64_t> streams = {PretrainTask().stream};
  for (size_t i = 0; i < MiniTasks().size(); ++i) {
    const TaskDef& t = MiniTasks()[i];
    streams.insert(t.stream);
    if (t.fashion_begin < 0) continue;
    if (i < kDefaultTaskCount) {
      slices.push_back({t.fashion_begin, t.fashion_end});
    } else {
      EXPECT_GE(t.fashion_begin, PretrainTask().fashion_end) << t.name;
      EXPECT_LE(t.fashion_end, 60000) << t.name;
    }
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

// FNV-1a of the pixels, then of the labels as little-endian int64.
uint64_t ContentHash(const Content& c) {
  uint64_t h = 0xcbf29ce484222325ULL;
  auto add = [&h](const uint8_t* p, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      h ^= p[i];
      h *= 0x100000001b3ULL;
    }
  };
  add(c.pixels.data(), c.pixels.size());
  for (int64_t l : c.labels) {
    uint8_t bytes[8];
    for (int b = 0; b < 8; ++b) bytes[b] = static_cast<uint8_t>(static_cast<uint64_t>(l) >> (8 * b));
    add(bytes, 8);
  }
  return h;
}

// The 20-task benchmark keeps the default 8's files: these hashes are of the micro files that
// pwemoe-make-mini wrote before the 12 more tasks existed (seed 0).
TEST_F(MiniData, TheFirstEightKeepTheirPixels) {
  struct Pinned {
    const char* task;
    uint64_t train, test;
  };
  const Pinned pinned[] = {
      {"pretrain", 0x62b97462084c324dULL, 0xe5a6a658c294561eULL},
      {"clothing", 0x930fc52f8c53af03ULL, 0x0ce5aeadc2cbc52fULL},
      {"digits", 0x2b34afe7c1fd37acULL, 0x37504a190ba12c88ULL},
      {"letters", 0xdca7f83d8c8716f0ULL, 0x7aaca39f3bd6578bULL},
      {"rotation", 0xbae563050a230ab6ULL, 0x7c7630ad29a3163eULL},
      {"fonts", 0x080fb15abab9cd4cULL, 0x6d030d5a9d700684ULL},
      {"inverted", 0x50312c1d714120bbULL, 0xe3674d27d7272acbULL},
      {"lowercase", 0xb3b66d22b39806e6ULL, 0x73b39bcdb26a620dULL},
      {"coarse", 0x0f27ede803545a34ULL, 0xc13dc58c82eaee40ULL},
  };
  for (const Pinned& p : pinned) {
    EXPECT_EQ(ContentHash(ReadAll(File(*dir_a_, p.task, "train"))), p.train) << p.task;
    EXPECT_EQ(ContentHash(ReadAll(File(*dir_a_, p.task, "test"))), p.test) << p.task;
  }
}

// The 12 more tasks keep their files too: these hashes are of the micro files (seed 0) that the
// tasks made when they were added.
TEST_F(MiniData, TheTwelveMoreKeepTheirPixels) {
  struct Pinned {
    const char* task;
    uint64_t train, test;
  };
  const Pinned pinned[] = {
      {"greek", 0x7ab7d52432340eb3ULL, 0x001a5d0079250660ULL},
      {"cyrillic", 0x99cd30061e8d9a8dULL, 0x0ae53e4e122ddf4dULL},
      {"parity", 0xd5283aaae9a46168ULL, 0x00c0235ffa2067ebULL},
      {"vowels", 0x41042a7ad270ba27ULL, 0x5f875105a01dc85cULL},
      {"case", 0x4197255c6fa5337bULL, 0x9006830025311e93ULL},
      {"mirror", 0x6b173852f661640bULL, 0x1d23f9073f633c0aULL},
      {"weight", 0x0375f9772802630dULL, 0x89d4e6873fdfbff5ULL},
      {"size", 0x60a78e30af2fbd19ULL, 0x5e0ab32df0f25343ULL},
      {"blur", 0x7502fbb4dce5bcffULL, 0x08ce1ed926f264acULL},
      {"quadrant", 0x02a4b180fc4ba0daULL, 0xbdad9a59f76c2091ULL},
      {"footwear", 0xa360a727b7830076ULL, 0xcb2018da0f41fa8aULL},
      {"tops", 0x2293811817583f0cULL, 0xbf5dc63e07f2fb90ULL},
  };
  ASSERT_EQ(std::size(pinned), AllMiniTaskNames().size() - kDefaultTaskCount);
  for (const Pinned& p : pinned) {
    EXPECT_EQ(ContentHash(ReadAll(File(*dir_a_, p.task, "train"))), p.train) << p.task;
    EXPECT_EQ(ContentHash(ReadAll(File(*dir_a_, p.task, "test"))), p.test) << p.task;
  }
}

// footwear and tops keep only their Fashion-MNIST classes, labelled by position in the list.
TEST(MiniTasks, ClassFilteredTasksKeepTheirClassesAndLabels) {
  FashionMnist fm;
  ASSERT_TRUE(LoadFashionMnist("/usr/share/datasets/fashion-mnist", &fm).ok());
  std::unique_ptr<GlyphRenderer> glyphs;
  ASSERT_TRUE(GlyphRenderer::Create(&glyphs).ok());
  const Sources sources{&fm, glyphs.get()};
  for (const char* name : {"footwear", "tops"}) {
    const TaskDef& t = MiniTasks()[TaskIndex(name)];
    ASSERT_EQ(t.fashion_classes.size(), t.classes.size()) << name;
    Examples ex;
    ASSERT_TRUE(MakeExamples(t, Split::kTrain, SizesFor(Size::kFull).task_train, 0, sources, &ex).ok());
    std::set<int64_t> seen;
    for (int64_t i = 0; i < ex.count; ++i) {
      const int64_t k = ex.fashion_train_index[i];
      ASSERT_GE(k, 0);
      ASSERT_EQ(fm.train_labels.data[k], t.fashion_classes[ex.labels[i]]) << name << " example " << i;
      seen.insert(ex.labels[i]);
    }
    EXPECT_EQ(seen.size(), t.classes.size()) << name;
    // More than the kept classes' images is an error naming the task.
    const Status st = MakeExamples(t, Split::kTest, 9000, 0, sources, &ex);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
    EXPECT_NE(st.message().find(name), std::string::npos) << st.message();
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
