// Every validation error of the safetensors reader, one row each: the file is written to disk,
// opened, and the error must be Corrupt and name the file, the tensor (when one is at fault) and
// the problem.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cstring>

#include "pwemoe/io/safetensors.h"
#include "io_testing.h"

namespace pwemoe::io {
namespace {

using testing::MakeTempDir;
using testing::SafetensorsBytes;
using testing::WriteBytes;

struct MalformedCase {
  const char* name;
  std::string bytes;
  const char* tensor;   // "" when no tensor is at fault
  const char* problem;  // a phrase the message must contain
};

std::string Entry(const std::string& name, const std::string& dtype, const std::string& shape,
                  const std::string& offsets) {
  return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape +
         ",\"data_offsets\":" + offsets + "}";
}

std::string File(const std::string& entries, size_t data_size) {
  return SafetensorsBytes("{" + entries + "}", data_size);
}

std::string LengthOnly(uint64_t header_len, const std::string& rest) {
  std::string bytes(8, '\0');
  std::memcpy(bytes.data(), &header_len, 8);
  return bytes + rest;
}

std::vector<MalformedCase> Cases() {
  const std::string w8 = Entry("w", "F32", "[2]", "[0,8]");
  return {
      {"empty_file", "", "", "too short"},
      {"short_file", "abc", "", "too short"},
      {"header_length_past_end", LengthOnly(1000, "{}"), "", "runs past the end of the file"},
      {"header_length_huge", LengthOnly(~0ull, "{}"), "", "runs past the end of the file"},
      {"invalid_json", SafetensorsBytes("{\"w\": {", ""), "", "invalid JSON"},
      {"truncated_json", SafetensorsBytes("{\"w\":{\"dtype\":\"F3", ""), "", "invalid JSON"},
      {"json_trailing_garbage", SafetensorsBytes("{} x", ""), "", "invalid JSON"},
      {"nul_in_header", SafetensorsBytes(std::string("{}\0\0", 4), ""), "", "NUL byte"},
      {"header_not_object", SafetensorsBytes("[1,2]", ""), "", "expected a JSON object"},
      {"duplicate_name", File(w8 + "," + w8, 8), "w", "appears twice"},
      {"entry_not_object", File("\"w\":3", 0), "w", "expected an object"},
      {"missing_dtype", File("\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}", 8), "w",
       "missing \"dtype\""},
      {"missing_shape", File("\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}", 8), "w",
       "missing \"shape\""},
      {"missing_offsets", File("\"w\":{\"dtype\":\"F32\",\"shape\":[2]}", 8), "w",
       "missing \"data_offsets\""},
      {"dtype_not_string", File("\"w\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}", 4), "w",
       "\"dtype\" is 4"},
      {"unknown_dtype", File(Entry("w", "F8_E4M3", "[2]", "[0,2]"), 2), "w", "unknown dtype"},
      {"shape_not_array", File(Entry("w", "F32", "2", "[0,8]"), 8), "w", "expected an array"},
      {"negative_shape", File(Entry("w", "F32", "[-1]", "[0,4]"), 4), "w", "shape[0] is -1"},
      {"float_shape", File(Entry("w", "F32", "[1,2.5]", "[0,8]"), 8), "w", "shape[1] is 2.5"},
      {"string_shape", File(Entry("w", "F32", "[\"2\"]", "[0,8]"), 8), "w",
       "expected a non-negative integer"},
      {"shape_past_int64", File(Entry("w", "U8", "[9223372036854775808]", "[0,1]"), 1), "w",
       "shape[0]"},
      {"shape_overflow", File(Entry("w", "U8", "[4294967296,4294967296]", "[0,1]"), 1), "w",
       "overflows"},
      {"byte_count_overflow", File(Entry("w", "F64", "[4611686018427387904]", "[0,8]"), 8), "w",
       "overflows"},
      {"offsets_not_array", File(Entry("w", "F32", "[2]", "8"), 8), "w", "expected [begin, end]"},
      {"offsets_one_item", File(Entry("w", "F32", "[2]", "[0]"), 8), "w", "array of 1 items"},
      {"offsets_three_items", File(Entry("w", "F32", "[2]", "[0,4,8]"), 8), "w",
       "array of 3 items"},
      {"offsets_negative", File(Entry("w", "F32", "[2]", "[-8,0]"), 8), "w", "data_offsets[0]"},
      {"offsets_float", File(Entry("w", "F32", "[2]", "[0,8.0]"), 8), "w", "data_offsets[1]"},
      {"offsets_begin_after_end", File(Entry("w", "F32", "[2]", "[8,0]"), 8), "w", "begin > end"},
      {"byte_count_mismatch", File(Entry("w", "F32", "[2]", "[0,4]"), 4), "w", "needs 8"},
      {"offsets_past_end", File(Entry("w", "F32", "[4]", "[0,16]"), 8), "w",
       "past the end of the data"},
      {"truncated_data", File(w8 + "," + Entry("x", "F32", "[2]", "[8,16]"), 12), "x", "truncated"},
      {"overlap", File(w8 + "," + Entry("x", "F32", "[2]", "[4,12]"), 12), "x",
       "overlaps tensor 'w'"},
      {"same_offsets", File(w8 + "," + Entry("x", "I64", "[1]", "[0,8]"), 8), "x", "overlaps"},
      {"empty_tensor_inside_another", File(w8 + "," + Entry("e", "F32", "[0]", "[4,4]"), 8), "e",
       "overlaps tensor 'w'"},
      {"gap_between",
       File(Entry("w", "F32", "[1]", "[0,4]") + "," + Entry("x", "F32", "[1]", "[8,12]"), 12), "x",
       "gap of 4"},
      {"gap_at_start", File(Entry("w", "F32", "[1]", "[4,8]"), 8), "w", "after the header"},
      {"trailing_bytes", File(Entry("w", "F32", "[1]", "[0,4]"), 8), "w",
       "4 unused bytes after the last tensor"},
      {"data_without_tensors", File("", 8), "", "8 unused bytes"},
      {"metadata_not_object", File("\"__metadata__\":[1]," + w8, 8), "", "__metadata__ is"},
      {"metadata_value_not_string", File("\"__metadata__\":{\"k\":1}," + w8, 8), "k",
       "expected a string"},
  };
}

TEST(Safetensors, RejectsEveryMalformedFileWithAClearError) {
  std::string dir = MakeTempDir();
  for (const MalformedCase& c : Cases()) {
    SCOPED_TRACE(c.name);
    std::string path = dir + "/" + c.name + ".safetensors";
    WriteBytes(path, c.bytes);
    std::unique_ptr<SafetensorsReader> reader;
    Status st = SafetensorsReader::Open(path, &reader);
    ASSERT_EQ(st.code(), Status::Code::kCorrupt) << st.ToString();
    EXPECT_EQ(reader, nullptr);
    EXPECT_EQ(st.message().rfind(path + ": ", 0), 0u) << st.message();
    if (*c.tensor != '\0') {
      EXPECT_NE(st.message().find(std::string("'") + c.tensor + "'"), std::string::npos)
          << st.message();
    }
    EXPECT_NE(st.message().find(c.problem), std::string::npos) << st.message();
  }
}

TEST(Safetensors, RejectsOverlappingOffsets) {
  std::string bytes =
      File(Entry("a", "U8", "[4]", "[0,4]") + "," + Entry("b", "U8", "[4]", "[2,6]") + "," +
               Entry("c", "U8", "[2]", "[6,8]"),
           8);
  std::unique_ptr<SafetensorsReader> reader;
  Status st = SafetensorsReader::FromBuffer(
      "overlap.safetensors", reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), &reader);
  EXPECT_EQ(st.ToString(),
            "corrupt: overlap.safetensors: tensor 'b' (data_offsets [2, 6]) overlaps tensor 'a' "
            "(data_offsets [0, 4])");
}

TEST(Safetensors, RejectsHeaderOverTheSizeLimit) {
  // An untouched anonymous mapping: only the 8 length bytes are ever written or read.
  size_t size = kMaxSafetensorsHeaderBytes + 16;
  void* mem = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mem, MAP_FAILED);
  uint64_t header_len = kMaxSafetensorsHeaderBytes + 1;
  std::memcpy(mem, &header_len, 8);
  std::unique_ptr<SafetensorsReader> reader;
  Status st = SafetensorsReader::FromBuffer("big", static_cast<const uint8_t*>(mem), size, &reader);
  ::munmap(mem, size);
  EXPECT_EQ(st.code(), Status::Code::kCorrupt);
  EXPECT_NE(st.message().find("big: header length 100000001 exceeds the limit"), std::string::npos)
      << st.message();
}

TEST(Safetensors, AcceptsTilingInAnyHeaderOrder) {
  std::string bytes =
      File(Entry("c", "U8", "[2]", "[6,8]") + "," + Entry("a", "U8", "[4]", "[2,6]") + "," +
               Entry("b", "U8", "[2]", "[0,2]"),
           8);
  std::unique_ptr<SafetensorsReader> reader;
  Status st = SafetensorsReader::FromBuffer("ok", reinterpret_cast<const uint8_t*>(bytes.data()),
                                            bytes.size(), &reader);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(reader->tensors()[0].name, "b");
  EXPECT_EQ(reader->tensors()[1].name, "a");
  EXPECT_EQ(reader->tensors()[2].name, "c");
}

}  // namespace
}  // namespace pwemoe::io
