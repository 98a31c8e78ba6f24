// Task data sources: a dataset file written with DatasetWriter, and in-memory tensors.
#include "pwemoe/train/task_data.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "pwemoe/data/dataset_writer.h"

namespace pwemoe::train {
namespace {

std::string WriteTinyDataset() {
  const std::string path = ::testing::TempDir() + "train_task_data_test.h5";
  std::unique_ptr<data::DatasetWriter> writer;
  EXPECT_TRUE(data::DatasetWriter::Create(path, {8, 8, 3}, {}, &writer).ok());
  std::vector<uint8_t> images(5 * 8 * 8 * 3);
  for (size_t k = 0; k < images.size(); ++k) images[k] = static_cast<uint8_t>(k * 37 % 256);
  std::vector<int64_t> labels = {0, 1, 2, 1, 0};
  EXPECT_TRUE(writer->SetClasses({"a", "b", "c"}).ok());
  EXPECT_TRUE(writer->SetNormalization({0.5, 0.5, 0.5}, {0.25, 0.25, 0.25}).ok());
  EXPECT_TRUE(writer->Append(images.data(), labels.data(), 5).ok());
  EXPECT_TRUE(writer->Close().ok());
  return path;
}

TEST(TaskData, DatasetFileReadsTheIndexedExamples) {
  auto dataset = std::make_shared<data::Dataset>();
  ASSERT_TRUE(data::OpenDataset(WriteTinyDataset(), dataset.get()).ok());
  TaskData task = DatasetTaskData(dataset);
  ASSERT_EQ(task.size, 5);
  torch::Tensor pixels, labels, expected_pixels;
  ASSERT_TRUE(task.read({3, 0, 3}, &pixels, &labels).ok());
  ASSERT_TRUE(data::ReadIndices(*dataset, {3, 0, 3}, &expected_pixels, nullptr).ok());
  EXPECT_TRUE(torch::equal(pixels, expected_pixels));
  EXPECT_EQ(pixels.sizes(), (std::vector<int64_t>{3, 3, 8, 8}));
  EXPECT_TRUE(torch::equal(labels, torch::tensor(std::vector<int64_t>{1, 0, 1})));
  EXPECT_FALSE(task.read({5}, &pixels, &labels).ok());
  EXPECT_EQ(DatasetTaskData(std::make_shared<data::Dataset>()).size, 0);
}

TEST(TaskData, TensorsReadByIndexAndRejectBadInput) {
  torch::Tensor pixels = torch::randn({4, 3, 8, 8});
  torch::Tensor labels = torch::tensor(std::vector<int64_t>{2, 0, 1, 2});
  TaskData task = TensorTaskData(pixels, labels);
  ASSERT_EQ(task.size, 4);
  torch::Tensor px, lb;
  ASSERT_TRUE(task.read({1, 1, 3}, &px, &lb).ok());
  EXPECT_TRUE(torch::equal(px[2], pixels[3]));
  EXPECT_TRUE(torch::equal(lb, torch::tensor(std::vector<int64_t>{0, 0, 2})));
  EXPECT_EQ(task.read({4}, &px, &lb).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(TensorTaskData(pixels, labels.slice(0, 0, 3)).size, 0);
}

}  // namespace
}  // namespace pwemoe::train
