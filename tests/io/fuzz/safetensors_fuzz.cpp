// libFuzzer harness: every input is a whole safetensors file, validated by the same code path as
// SafetensorsReader::Open (from the libFuzzer buffer, so ASan sees any read past its end). For a
// valid file every tensor byte is read and F16/BF16 tensors are converted, as loading would.
// Built only with -DPWEMOE_BUILD_FUZZ=ON and clang; scripts/fuzz.sh runs it.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "pwemoe/io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pwemoe::io;
  std::unique_ptr<SafetensorsReader> reader;
  pwemoe::Status st = SafetensorsReader::FromBuffer("fuzz", data, size, &reader);
  if (!st.ok()) {
    if (st.message().rfind("fuzz: ", 0) != 0) __builtin_trap();  // every error names the file
    return 0;
  }
  uint64_t total = 0;
  for (const TensorInfo& t : reader->tensors()) {
    if (reader->Find(t.name) != &t) __builtin_trap();
    volatile uint8_t sink = 0;
    for (size_t i = 0; i < t.nbytes; ++i) sink ^= t.data[i];
    total += t.nbytes;
    if (t.dtype == DType::kF16 || t.dtype == DType::kBF16) {
      std::vector<float> out(t.numel);
      if (!ConvertToFloat32(t.dtype, t.data, t.numel, out.data()).ok()) __builtin_trap();
    }
  }
  // The tensors tile the data section exactly.
  if (!reader->tensors().empty()) {
    const TensorInfo& last = reader->tensors().back();
    if (last.data + last.nbytes != data + size) __builtin_trap();
  }
  (void)total;
  return 0;
}
