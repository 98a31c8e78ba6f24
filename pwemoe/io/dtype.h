// Element types of safetensors files, their sizes and names, and conversions of the 16-bit float
// formats (IEEE half F16, bfloat16 BF16) to and from F32.
//
// Every function is pure and thread-safe. Byte buffers are little-endian (the safetensors byte
// order, and the only host byte order pwemoe builds for) and may have any alignment.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "pwemoe/util/status.h"

namespace pwemoe::io {

// The safetensors dtypes pwemoe reads and writes.
enum class DType : uint8_t { kF64, kF32, kF16, kBF16, kI64, kI32, kI16, kI8, kU8, kBool };

// The safetensors spelling of a dtype: "F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8",
// "U8", "BOOL".
const char* DTypeName(DType dtype);

// Size of one element in bytes (BOOL is one byte).
size_t DTypeSize(DType dtype);

// Parses a safetensors dtype name (exact, case-sensitive). Returns false for anything else
// (including dtypes of the format that pwemoe does not support, such as F8_E4M3 or U16).
bool ParseDType(const std::string& name, DType* out);

// Every supported name, in the order of the enum (for "expected one of" messages).
std::vector<std::string> DTypeNames();

// Exact widening conversions: every finite value, signed zero, subnormal and infinity maps to the
// same real value; a NaN stays a NaN with its sign and the top bits of its payload.
float HalfToFloat(uint16_t bits);
float BFloat16ToFloat(uint16_t bits);

// Narrowing conversions with round-to-nearest-even; overflow gives infinity, underflow gives a
// subnormal or signed zero, NaN stays a (quiet) NaN with its sign. For every 16-bit pattern b that
// is not a NaN, FloatToHalf(HalfToFloat(b)) == b (likewise for BF16); NaN patterns survive with
// their payload when it is quiet.
uint16_t FloatToHalf(float value);
uint16_t FloatToBFloat16(float value);

// Converts `count` elements of dtype F16, BF16 or F32 starting at `src` (little-endian bytes, any
// alignment, count * DTypeSize(dtype) bytes readable) to floats at `dst` (count writable).
// Returns InvalidArgument for any other dtype and writes nothing then.
Status ConvertToFloat32(DType dtype, const uint8_t* src, size_t count, float* dst);

}  // namespace pwemoe::io
