#include "pwemoe/io/safetensors.h"

#include <gtest/gtest.h>

#include <cstring>

#include "io_testing.h"

namespace pwemoe::io {
namespace {

using testing::MakeTempDir;
using testing::SafetensorsBytes;
using testing::WriteBytes;

TEST(Safetensors, ReadsTensorsInFileOrderWithMetadata) {
  // Header lists "b" first, but its bytes come second.
  std::string header = R"({"b":{"dtype":"I32","shape":[1,2],"data_offsets":[8,16]},)"
                       R"("__metadata__":{"format":"pt","note":"x"},)"
                       R"("a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}})";
  std::string path = MakeTempDir() + "/m.safetensors";
  WriteBytes(path, SafetensorsBytes(header, 16));
  std::unique_ptr<SafetensorsReader> reader;
  ASSERT_TRUE(SafetensorsReader::Open(path, &reader).ok());
  EXPECT_EQ(reader->path(), path);
  ASSERT_EQ(reader->tensors().size(), 2u);
  const TensorInfo& a = reader->tensors()[0];
  const TensorInfo& b = reader->tensors()[1];
  EXPECT_EQ(a.name, "a");
  EXPECT_EQ(a.dtype, DType::kF64);
  EXPECT_EQ(a.shape, std::vector<int64_t>({1}));
  EXPECT_EQ(b.name, "b");
  EXPECT_EQ(b.dtype, DType::kI32);
  EXPECT_EQ(b.shape, std::vector<int64_t>({1, 2}));
  EXPECT_EQ(b.numel, 2u);
  EXPECT_EQ(b.nbytes, 8u);
  EXPECT_EQ(b.data[0], 8);  // data bytes count 0, 1, 2, ...
  EXPECT_EQ(b.data[7], 15);
  EXPECT_EQ(reader->Find("b"), &b);
  EXPECT_EQ(reader->Find("c"), nullptr);
  EXPECT_EQ(reader->metadata().at("format"), "pt");
  EXPECT_EQ(reader->metadata().size(), 2u);
}

TEST(Safetensors, AcceptsScalarsZeroSizeTensorsAndPadding) {
  std::string header = R"({"empty":{"dtype":"F32","shape":[0,4],"data_offsets":[2,2]},)"
                       R"("s":{"dtype":"F16","shape":[],"data_offsets":[0,2]},)"
                       R"("tail":{"dtype":"BOOL","shape":[0],"data_offsets":[2,2]}}        )";
  std::unique_ptr<SafetensorsReader> reader;
  std::string bytes = SafetensorsBytes(header, 2);
  Status st = SafetensorsReader::FromBuffer("buf", reinterpret_cast<const uint8_t*>(bytes.data()),
                                            bytes.size(), &reader);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(reader->tensors().size(), 3u);
  EXPECT_EQ(reader->tensors()[0].name, "s");
  EXPECT_EQ(reader->tensors()[0].numel, 1u);
  EXPECT_EQ(reader->tensors()[1].name, "empty");
  EXPECT_EQ(reader->tensors()[1].numel, 0u);
  EXPECT_EQ(reader->tensors()[2].name, "tail");
  EXPECT_TRUE(reader->metadata().empty());
}

TEST(Safetensors, AcceptsAnEmptyHeader) {
  std::string bytes = SafetensorsBytes("{}      ", 0);
  std::unique_ptr<SafetensorsReader> reader;
  ASSERT_TRUE(SafetensorsReader::FromBuffer("e", reinterpret_cast<const uint8_t*>(bytes.data()),
                                            bytes.size(), &reader)
                  .ok());
  EXPECT_TRUE(reader->tensors().empty());
}

TEST(Safetensors, AcceptsLargeShapeWithAZeroDimension) {
  // The product would overflow, but a zero dimension makes the tensor empty.
  std::string header = R"({"z":{"dtype":"F32","shape":[9223372036854775807,9223372036854775807,0],)"
                       R"("data_offsets":[0,0]}})";
  std::string bytes = SafetensorsBytes(header, 0);
  std::unique_ptr<SafetensorsReader> reader;
  Status st = SafetensorsReader::FromBuffer("z", reinterpret_cast<const uint8_t*>(bytes.data()),
                                            bytes.size(), &reader);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(reader->tensors()[0].numel, 0u);
}

TEST(Safetensors, MissingFileIsNotFound) {
  std::string path = MakeTempDir() + "/absent.safetensors";
  std::unique_ptr<SafetensorsReader> reader;
  Status st = SafetensorsReader::Open(path, &reader);
  EXPECT_EQ(st.code(), Status::Code::kNotFound);
  EXPECT_NE(st.message().find(path), std::string::npos);
  EXPECT_EQ(reader, nullptr);
}

TEST(Safetensors, FolderIsIoError) {
  std::string dir = MakeTempDir();
  std::unique_ptr<SafetensorsReader> reader;
  Status st = SafetensorsReader::Open(dir, &reader);
  EXPECT_EQ(st.code(), Status::Code::kIoError);
  EXPECT_NE(st.message().find(dir), std::string::npos);
}

}  // namespace
}  // namespace pwemoe::io
