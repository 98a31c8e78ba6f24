// Dataset (torch-free reader): round trip of everything the writer stores, raw reads by range
// and by index, concurrent readers, and the normalization formula.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "pwemoe/data/dataset_reader.h"
#include "data_testing.h"

namespace pwemoe::data {
namespace {

using ::testing::HasSubstr;
using testing::MakeSample;
using testing::MakeTempDir;
using testing::Sample;
using testing::WriteSample;

class DatasetReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = MakeTempDir() + "/cars_test.h5";
    sample_ = MakeSample(13, {3, 5, 2}, 4);
    sample_.classes = {"café", "Škoda Octavia", "truck", "van"};
    sample_.task = "cars";
    sample_.split = "test";
    WriteSample(path_, sample_, /*piece=*/4);
    Status st = OpenDataset(path_, &dataset_);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  std::vector<uint8_t> Image(int64_t i) const {
    auto first = sample_.images.begin() + i * sample_.image_bytes();
    return std::vector<uint8_t>(first, first + sample_.image_bytes());
  }

  std::string path_;
  Sample sample_;
  Dataset dataset_;
};

TEST_F(DatasetReaderTest, InfoRoundTrips) {
  const DatasetInfo& info = dataset_.info();
  EXPECT_TRUE(dataset_.is_open());
  EXPECT_EQ(info.path, path_);
  EXPECT_EQ(info.size, 13);
  EXPECT_EQ(info.height, 3);
  EXPECT_EQ(info.width, 5);
  EXPECT_EQ(info.channels, 2);
  EXPECT_EQ(info.image_bytes(), 30);
  EXPECT_EQ(info.classes, sample_.classes);
  EXPECT_EQ(info.mean, sample_.mean);
  EXPECT_EQ(info.std, sample_.std);
  EXPECT_EQ(info.task, "cars");
  EXPECT_EQ(info.split, "test");
  EXPECT_EQ(dataset_.labels(), sample_.labels);
}

TEST_F(DatasetReaderTest, ImagesRoundTripBitExact) {
  std::vector<uint8_t> all(sample_.images.size());
  ASSERT_TRUE(dataset_.ReadImages(0, 13, all.data()).ok());
  EXPECT_EQ(all, sample_.images);
  std::vector<uint8_t> tail(3 * 30);
  ASSERT_TRUE(dataset_.ReadImages(10, 3, tail.data()).ok());
  EXPECT_TRUE(std::equal(tail.begin(), tail.end(), sample_.images.begin() + 10 * 30));
  EXPECT_TRUE(dataset_.ReadImages(13, 0, nullptr).ok());
}

TEST_F(DatasetReaderTest, RangeOutsideTheFileIsAnError) {
  std::vector<uint8_t> buffer(30 * 13);
  for (auto [begin, count] : {std::pair<int64_t, int64_t>{12, 2}, {-1, 1}, {0, -1}, {14, 0}}) {
    Status st = dataset_.ReadImages(begin, count, buffer.data());
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << begin << " " << count;
    EXPECT_THAT(st.message(), HasSubstr(path_));
  }
}

TEST_F(DatasetReaderTest, ReadImagesAtKeepsTheRequestedOrder) {
  std::vector<int64_t> indices{7, 2, 7, 12, 0, 1, 3};
  std::vector<uint8_t> out(indices.size() * 30);
  ASSERT_TRUE(dataset_.ReadImagesAt(indices, out.data()).ok());
  for (size_t i = 0; i < indices.size(); ++i) {
    std::vector<uint8_t> row(out.begin() + i * 30, out.begin() + (i + 1) * 30);
    EXPECT_EQ(row, Image(indices[i])) << "row " << i;
  }
  std::vector<int64_t> ascending{4, 5, 6, 9};
  ASSERT_TRUE(dataset_.ReadImagesAt(ascending, out.data()).ok());
  for (size_t i = 0; i < ascending.size(); ++i) {
    EXPECT_TRUE(
        std::equal(out.begin() + i * 30, out.begin() + (i + 1) * 30, Image(ascending[i]).begin()));
  }
}

TEST_F(DatasetReaderTest, ReadImagesAtNamesTheBadIndex) {
  std::vector<uint8_t> out(3 * 30);
  Status st = dataset_.ReadImagesAt({1, 13, 2}, out.data());
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr(path_));
  EXPECT_THAT(st.message(), HasSubstr("index 1 is 13"));
}

TEST_F(DatasetReaderTest, ConcurrentReadersSeeTheRightImages) {
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t, &mismatches] {
      std::vector<uint8_t> out(30);
      for (int round = 0; round < 200; ++round) {
        int64_t i = (round * 5 + t) % 13;
        Status st = round % 2 ? dataset_.ReadImages(i, 1, out.data())
                              : dataset_.ReadImagesAt({i}, out.data());
        if (!st.ok() || out != Image(i)) ++mismatches[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

TEST_F(DatasetReaderTest, MovedDatasetStaysReadableAndSourceIsClosed) {
  Dataset moved = std::move(dataset_);
  std::vector<uint8_t> out(30);
  EXPECT_TRUE(moved.ReadImages(4, 1, out.data()).ok());
  EXPECT_EQ(out, Image(4));
  EXPECT_FALSE(dataset_.is_open());  // NOLINT(bugprone-use-after-move): moved-from is closed
  EXPECT_EQ(dataset_.ReadImages(0, 1, out.data()).code(), Status::Code::kInvalidArgument);
}

TEST(DatasetReaderOptionalTest, TaskAndSplitMayBeAbsent) {
  std::string path = MakeTempDir() + "/plain.h5";
  WriteSample(path, MakeSample(2, {1, 1, 1}, 1));
  Dataset dataset;
  ASSERT_TRUE(OpenDataset(path, &dataset).ok());
  EXPECT_EQ(dataset.info().task, "");
  EXPECT_EQ(dataset.info().split, "");
}

TEST(DatasetReaderOptionalTest, DestroyingTheDatasetReleasesEveryHdf5Identifier) {
  std::string path = MakeTempDir() + "/ids.h5";
  WriteSample(path, MakeSample(5, {2, 2, 3}, 2));
  const int64_t ids_before = testing::OpenHdf5Ids();
  {
    Dataset dataset;
    ASSERT_TRUE(OpenDataset(path, &dataset).ok());
    std::vector<uint8_t> out(3 * 12);
    ASSERT_TRUE(dataset.ReadImagesAt({4, 0, 2}, out.data()).ok());
    EXPECT_GT(testing::OpenHdf5Ids(), ids_before);
  }
  EXPECT_EQ(testing::OpenHdf5Ids(), ids_before);
}

TEST(NormalizeImagesTest, MatchesTheFormulaInNchwOrder) {
  DatasetInfo info;
  info.height = 1;
  info.width = 2;
  info.channels = 3;
  info.mean = {0.48145466, 0.4578275, 0.40821073};
  info.std = {0.26862954, 0.26130258, 0.27577711};
  // Two images, pixels in NHWC: image n, pixel x, channel c.
  const uint8_t pixels[12] = {0, 128, 255, 1, 2, 3, 10, 20, 30, 200, 100, 50};
  float out[12];
  NormalizeImages(info, pixels, 2, out);
  auto expected = [&](int n, int c, int x) {
    uint8_t p = pixels[(n * 2 + x) * 3 + c];
    return (static_cast<float>(p) / 255.0f - static_cast<float>(info.mean[c])) /
           static_cast<float>(info.std[c]);
  };
  for (int n = 0; n < 2; ++n) {
    for (int c = 0; c < 3; ++c) {
      for (int x = 0; x < 2; ++x) {
        EXPECT_EQ(out[(n * 3 + c) * 2 + x], expected(n, c, x)) << n << " " << c << " " << x;
      }
    }
  }
  EXPECT_FLOAT_EQ(out[0], (0.0f - 0.48145466f) / 0.26862954f);
  EXPECT_FLOAT_EQ(out[2], (128.0f / 255.0f - 0.4578275f) / 0.26130258f);
}

}  // namespace
}  // namespace pwemoe::data
