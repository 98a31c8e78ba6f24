// Regression test for the fuzzer's corpus (tests/io/corpus/): every file, valid or not, must open
// or fail with a Corrupt status naming it; nothing may crash or read out of bounds.
#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

#include "pwemoe/io/safetensors.h"

namespace pwemoe::io {
namespace {

TEST(SafetensorsCorpus, EveryFileOpensOrFailsCleanly) {
  std::string dir = std::string(PWEMOE_TEST_DATA_DIR) + "/corpus";
  size_t files = 0, valid = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::string path = entry.path().string();
    SCOPED_TRACE(path);
    ++files;
    std::unique_ptr<SafetensorsReader> reader;
    Status st = SafetensorsReader::Open(path, &reader);
    if (!st.ok()) {
      EXPECT_EQ(st.code(), Status::Code::kCorrupt) << st.ToString();
      EXPECT_EQ(st.message().rfind(path + ": ", 0), 0u) << st.message();
      continue;
    }
    ++valid;
    for (const TensorInfo& t : reader->tensors()) {
      if (t.dtype == DType::kF16 || t.dtype == DType::kBF16 || t.dtype == DType::kF32) {
        std::vector<float> out(t.numel);
        EXPECT_TRUE(ConvertToFloat32(t.dtype, t.data, t.numel, out.data()).ok());
      }
    }
  }
  EXPECT_GE(files, 10u);
  EXPECT_GE(valid, 1u);
}

}  // namespace
}  // namespace pwemoe::io
