// The LibTorch minibatch API: normalized NCHW batches against a hand computation, raw batches,
// the partial batch at the end, random minibatches in the requested order.
#include "pwemoe/data/dataset.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "data_testing.h"

namespace pwemoe::data {
namespace {

using ::testing::HasSubstr;
using testing::MakeSample;
using testing::MakeTempDir;
using testing::Sample;
using testing::WriteSample;

class DatasetTensorTest : public ::testing::Test {
 protected:
  static constexpr int64_t kN = 13, kH = 3, kW = 4, kC = 3;

  void SetUp() override {
    path_ = MakeTempDir() + "/eurosat_train.h5";
    sample_ = MakeSample(kN, {kH, kW, kC}, 5);
    WriteSample(path_, sample_, /*piece=*/5, WriterOptions{/*chunk_images=*/4, 1});
    Status st = OpenDataset(path_, &dataset_);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  uint8_t Pixel(int64_t n, int64_t y, int64_t x, int64_t c) const {
    return sample_.images[((n * kH + y) * kW + x) * kC + c];
  }

  // (pixel / 255 - mean) / std in float32, written out by hand.
  float Expected(int64_t n, int64_t c, int64_t y, int64_t x) const {
    float p = static_cast<float>(Pixel(n, y, x, c));
    return (p / 255.0f - static_cast<float>(sample_.mean[c])) / static_cast<float>(sample_.std[c]);
  }

  // Checks that row `row` of `pixels` holds image `n` normalized.
  void ExpectNormalizedRow(const torch::Tensor& pixels, int64_t row, int64_t n) const {
    auto a = pixels.accessor<float, 4>();
    for (int64_t c = 0; c < kC; ++c)
      for (int64_t y = 0; y < kH; ++y)
        for (int64_t x = 0; x < kW; ++x)
          ASSERT_EQ(a[row][c][y][x], Expected(n, c, y, x)) << n << " " << c << " " << y << " " << x;
  }

  std::string path_;
  Sample sample_;
  Dataset dataset_;
};

TEST_F(DatasetTensorTest, BatchIsNormalizedNchwExactly) {
  torch::Tensor pixels, labels;
  ASSERT_TRUE(ReadBatch(dataset_, 2, 5, &pixels, &labels).ok());
  EXPECT_EQ(pixels.sizes(), (std::vector<int64_t>{5, kC, kH, kW}));
  EXPECT_EQ(pixels.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(pixels.is_contiguous());
  for (int64_t row = 0; row < 5; ++row) ExpectNormalizedRow(pixels, row, 2 + row);
  EXPECT_EQ(labels.scalar_type(), torch::kInt64);
  EXPECT_EQ(labels.sizes(), (std::vector<int64_t>{5}));
  for (int64_t row = 0; row < 5; ++row)
    EXPECT_EQ(labels[row].item<int64_t>(), sample_.labels[2 + row]);
}

TEST_F(DatasetTensorTest, RawBatchesCoverTheFileBitExactWithAPartialLastBatch) {
  std::vector<uint8_t> images;
  std::vector<int64_t> labels;
  std::vector<int64_t> sizes;
  for (int64_t begin = 0; begin < kN; begin += 5) {
    torch::Tensor batch, batch_labels;
    ASSERT_TRUE(ReadBatchRaw(dataset_, begin, 5, &batch, &batch_labels).ok());
    EXPECT_EQ(batch.scalar_type(), torch::kUInt8);
    EXPECT_EQ(batch.size(1), kH);
    EXPECT_EQ(batch.size(3), kC);
    sizes.push_back(batch.size(0));
    images.insert(images.end(), batch.data_ptr<uint8_t>(),
                  batch.data_ptr<uint8_t>() + batch.numel());
    labels.insert(labels.end(), batch_labels.data_ptr<int64_t>(),
                  batch_labels.data_ptr<int64_t>() + batch_labels.numel());
  }
  EXPECT_EQ(sizes, (std::vector<int64_t>{5, 5, 3}));
  EXPECT_EQ(images, sample_.images);
  EXPECT_EQ(labels, sample_.labels);
}

TEST_F(DatasetTensorTest, PartialNormalizedBatchAtTheEnd) {
  torch::Tensor pixels, labels;
  ASSERT_TRUE(ReadBatch(dataset_, 10, 8, &pixels, &labels).ok());
  EXPECT_EQ(pixels.sizes(), (std::vector<int64_t>{3, kC, kH, kW}));
  for (int64_t row = 0; row < 3; ++row) ExpectNormalizedRow(pixels, row, 10 + row);
  ASSERT_TRUE(ReadBatch(dataset_, kN, 8, &pixels, &labels).ok());
  EXPECT_EQ(pixels.size(0), 0);
  EXPECT_EQ(labels.size(0), 0);
}

TEST_F(DatasetTensorTest, BatchOutsideTheFileIsAnError) {
  torch::Tensor pixels, labels;
  for (auto [begin, count] : {std::pair<int64_t, int64_t>{kN + 1, 1}, {-1, 2}, {0, -1}}) {
    Status st = ReadBatch(dataset_, begin, count, &pixels, &labels);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
    EXPECT_THAT(st.message(), HasSubstr(path_));
  }
}

TEST_F(DatasetTensorTest, IndicesComeBackInTheRequestedOrder) {
  const std::vector<int64_t> indices{7, 2, 7, 12, 0, 5};
  torch::Tensor pixels, labels, raw;
  ASSERT_TRUE(ReadIndices(dataset_, indices, &pixels, &labels).ok());
  ASSERT_TRUE(ReadIndicesRaw(dataset_, indices, &raw, nullptr).ok());
  EXPECT_EQ(pixels.sizes(), (std::vector<int64_t>{6, kC, kH, kW}));
  EXPECT_EQ(raw.sizes(), (std::vector<int64_t>{6, kH, kW, kC}));
  auto r = raw.accessor<uint8_t, 4>();
  for (size_t row = 0; row < indices.size(); ++row) {
    ExpectNormalizedRow(pixels, static_cast<int64_t>(row), indices[row]);
    EXPECT_EQ(labels[row].item<int64_t>(), sample_.labels[indices[row]]);
    EXPECT_EQ(r[row][1][2][0], Pixel(indices[row], 1, 2, 0));
  }
}

TEST_F(DatasetTensorTest, IndexOutOfRangeNamesFileAndIndex) {
  torch::Tensor pixels, labels;
  Status st = ReadIndices(dataset_, {0, 3, -2}, &pixels, &labels);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr(path_));
  EXPECT_THAT(st.message(), HasSubstr("index 2 is -2"));
}

TEST(DatasetTensorClosedTest, ReadsFromAClosedDatasetFail) {
  Dataset closed;
  torch::Tensor pixels, labels;
  EXPECT_EQ(ReadBatch(closed, 0, 1, &pixels, &labels).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(ReadIndices(closed, {0}, &pixels, &labels).code(), Status::Code::kInvalidArgument);
  EXPECT_FALSE(pixels.defined());
}

}  // namespace
}  // namespace pwemoe::data
