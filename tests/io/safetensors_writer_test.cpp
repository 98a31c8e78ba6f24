#include "pwemoe/io/safetensors_writer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "pwemoe/io/safetensors.h"
#include "io_testing.h"

namespace pwemoe::io {
namespace {

using testing::MakeTempDir;
using testing::ReadBytes;

std::string Pattern(size_t n, int seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 31 + seed) & 0xFF);
  return s;
}

size_t FileCount(const std::string& dir) {
  size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) n += entry.exists() ? 1 : 0;
  return n;
}

TEST(SafetensorsWriter, RoundTripsEveryDtypeAndMetadata) {
  std::vector<std::string> names = DTypeNames();
  std::vector<std::string> buffers;
  std::vector<TensorToWrite> tensors;
  for (size_t i = 0; i < names.size(); ++i) {
    DType d;
    ASSERT_TRUE(ParseDType(names[i], &d));
    std::vector<int64_t> shape = {2, static_cast<int64_t>(i) + 1};
    size_t nbytes = 2 * (i + 1) * DTypeSize(d);
    std::string bytes = Pattern(nbytes, static_cast<int>(i));
    if (d == DType::kBool) {
      for (char& c : bytes) c &= 1;
    }
    buffers.push_back(bytes);
    tensors.push_back({"t." + names[i], d, shape, nullptr, nbytes});
  }
  for (size_t i = 0; i < tensors.size(); ++i) tensors[i].data = buffers[i].data();
  tensors.push_back({"scalar", DType::kF32, {}, buffers[1].data(), 4});
  tensors.push_back({"empty", DType::kI64, {3, 0}, nullptr, 0});
  std::string path = MakeTempDir() + "/all.safetensors";
  ASSERT_TRUE(WriteSafetensors(path, tensors, {{"format", "pt"}, {"k", "v"}}).ok());

  std::unique_ptr<SafetensorsReader> reader;
  Status st = SafetensorsReader::Open(path, &reader);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(reader->metadata(), (std::map<std::string, std::string>{{"format", "pt"}, {"k", "v"}}));
  ASSERT_EQ(reader->tensors().size(), tensors.size());
  for (const TensorToWrite& t : tensors) {
    const TensorInfo* info = reader->Find(t.name);
    ASSERT_NE(info, nullptr) << t.name;
    EXPECT_EQ(info->dtype, t.dtype);
    EXPECT_EQ(info->shape, t.shape);
    ASSERT_EQ(info->nbytes, t.nbytes);
    if (t.nbytes > 0) {
      EXPECT_EQ(std::memcmp(info->data, t.data, t.nbytes), 0) << t.name;
    }
  }
}

TEST(SafetensorsWriter, HeaderIsSortedPaddedAndDataAligned) {
  uint8_t u8[3] = {1, 2, 3};
  double f64[1] = {1.5};
  float f32[2] = {1, 2};
  std::string path = MakeTempDir() + "/h.safetensors";
  ASSERT_TRUE(WriteSafetensors(path, {{"b", DType::kU8, {3}, u8, 3},
                                      {"c", DType::kF32, {2}, f32, 8},
                                      {"a", DType::kF64, {1}, f64, 8}})
                  .ok());
  std::string bytes = ReadBytes(path);
  uint64_t len;
  std::memcpy(&len, bytes.data(), 8);
  ASSERT_EQ(len % 8, 0u);
  std::string header = bytes.substr(8, len);
  std::string json = R"({"a":{"data_offsets":[0,8],"dtype":"F64","shape":[1]},)"
                     R"("b":{"data_offsets":[16,19],"dtype":"U8","shape":[3]},)"
                     R"("c":{"data_offsets":[8,16],"dtype":"F32","shape":[2]}})";
  ASSERT_GE(len, json.size());
  EXPECT_LT(len - json.size(), 8u);
  EXPECT_EQ(header, json + std::string(len - json.size(), ' '));
  EXPECT_EQ(bytes.size(), 8 + len + 19);
  std::unique_ptr<SafetensorsReader> reader;
  ASSERT_TRUE(SafetensorsReader::Open(path, &reader).ok());
  for (const TensorInfo& t : reader->tensors()) {
    EXPECT_EQ((8 + len + t.begin) % DTypeSize(t.dtype), 0u) << t.name;
  }
}

TEST(SafetensorsWriter, WritesAnEmptyFile) {
  std::string path = MakeTempDir() + "/empty.safetensors";
  ASSERT_TRUE(WriteSafetensors(path, {}).ok());
  EXPECT_EQ(ReadBytes(path), std::string("\x08\0\0\0\0\0\0\0{}      ", 16));
}

TEST(SafetensorsWriter, RejectsBadTensorsAndLeavesNoFile) {
  float f[2] = {0, 0};
  struct Case {
    std::vector<TensorToWrite> tensors;
    const char* problem;
  } cases[] = {
      {{{"w", DType::kF32, {2}, f, 8}, {"w", DType::kF32, {2}, f, 8}}, "'w': name appears twice"},
      {{{"__metadata__", DType::kF32, {2}, f, 8}}, "reserved"},
      {{{"", DType::kF32, {2}, f, 8}}, "empty name"},
      {{
           {"w", DType::kF32, {3}, f, 8},
       },
       "'w': 8 bytes given"},
      {{{"w", DType::kF32, {-2}, f, 8}}, "'w': negative dimension"},
      {{{"w", DType::kF32, {2}, nullptr, 8}}, "'w': null data"},
      {{{"bad\xff", DType::kF32, {2}, f, 8}}, "not valid UTF-8"},
  };
  std::string dir = MakeTempDir();
  for (const Case& c : cases) {
    Status st = WriteSafetensors(dir + "/x.safetensors", c.tensors);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << c.problem;
    EXPECT_NE(st.message().find(c.problem), std::string::npos) << st.message();
    EXPECT_NE(st.message().find(dir + "/x.safetensors"), std::string::npos) << st.message();
  }
  Status st = WriteSafetensors(dir + "/m.safetensors", {}, {{"k", "\xc0\x80"}});
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(FileCount(dir), 0u);
}

TEST(SafetensorsWriter, ReplacesExistingFileAtomically) {
  std::string dir = MakeTempDir();
  std::string path = dir + "/r.safetensors";
  uint8_t a[1] = {7}, b[2] = {8, 9};
  ASSERT_TRUE(WriteSafetensors(path, {{"a", DType::kU8, {1}, a, 1}}).ok());
  ASSERT_TRUE(WriteSafetensors(path, {{"b", DType::kU8, {2}, b, 2}}).ok());
  EXPECT_EQ(FileCount(dir), 1u);  // no temporary left behind
  std::unique_ptr<SafetensorsReader> reader;
  ASSERT_TRUE(SafetensorsReader::Open(path, &reader).ok());
  ASSERT_NE(reader->Find("b"), nullptr);
  EXPECT_EQ(reader->Find("a"), nullptr);
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::owner_read,
            std::filesystem::perms::owner_read);
}

TEST(SafetensorsWriter, MissingFolderIsIoErrorNamingThePath) {
  std::string path = MakeTempDir() + "/no/such/dir/x.safetensors";
  Status st = WriteSafetensors(path, {});
  EXPECT_EQ(st.code(), Status::Code::kIoError);
  EXPECT_NE(st.message().find(path), std::string::npos);
}

}  // namespace
}  // namespace pwemoe::io
