#include "pwemoe/io/dtype.h"

#include <cstring>

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "pwemoe reads safetensors bytes in place: it needs a little-endian host");

namespace pwemoe::io {

namespace {

struct DTypeInfo {
  DType dtype;
  const char* name;
  size_t size;
};

constexpr DTypeInfo kDTypes[] = {
    {DType::kF64, "F64", 8},   {DType::kF32, "F32", 4}, {DType::kF16, "F16", 2},
    {DType::kBF16, "BF16", 2}, {DType::kI64, "I64", 8}, {DType::kI32, "I32", 4},
    {DType::kI16, "I16", 2},   {DType::kI8, "I8", 1},   {DType::kU8, "U8", 1},
    {DType::kBool, "BOOL", 1},
};

uint32_t FloatBits(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

float BitsFloat(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

// Rounds `value >> shift` to nearest, ties to even (shift in [1, 31]).
uint32_t ShiftRoundEven(uint32_t value, int shift) {
  uint32_t kept = value >> shift;
  uint32_t rest = value & ((1u << shift) - 1);
  uint32_t half = 1u << (shift - 1);
  if (rest > half || (rest == half && (kept & 1u))) ++kept;
  return kept;
}

}  // namespace

const char* DTypeName(DType dtype) { return kDTypes[static_cast<int>(dtype)].name; }

size_t DTypeSize(DType dtype) { return kDTypes[static_cast<int>(dtype)].size; }

bool ParseDType(const std::string& name, DType* out) {
  for (const DTypeInfo& info : kDTypes) {
    if (name == info.name) {
      *out = info.dtype;
      return true;
    }
  }
  return false;
}

std::vector<std::string> DTypeNames() {
  std::vector<std::string> names;
  for (const DTypeInfo& info : kDTypes) names.push_back(info.name);
  return names;
}

float HalfToFloat(uint16_t bits) {
  uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  uint32_t exp = (bits >> 10) & 0x1Fu;
  uint32_t mant = bits & 0x3FFu;
  if (exp == 0x1F) return BitsFloat(sign | 0x7F800000u | (mant << 13));  // inf, NaN
  if (exp != 0) return BitsFloat(sign | ((exp + 112) << 23) | (mant << 13));
  if (mant == 0) return BitsFloat(sign);
  // Subnormal: mant * 2^-24; normalise so the leading one becomes the implicit bit.
  uint32_t float_exp = 113;
  while ((mant & 0x400u) == 0) {
    mant <<= 1;
    --float_exp;
  }
  return BitsFloat(sign | (float_exp << 23) | ((mant & 0x3FFu) << 13));
}

float BFloat16ToFloat(uint16_t bits) { return BitsFloat(static_cast<uint32_t>(bits) << 16); }

uint16_t FloatToHalf(float value) {
  uint32_t f = FloatBits(value);
  uint32_t sign = (f >> 16) & 0x8000u;
  uint32_t exp = (f >> 23) & 0xFFu;
  uint32_t mant = f & 0x7FFFFFu;
  if (exp == 0xFF) {
    if (mant == 0) return static_cast<uint16_t>(sign | 0x7C00u);
    return static_cast<uint16_t>(sign | 0x7E00u | (mant >> 13));
  }
  int e = static_cast<int>(exp) - 127;
  if (e > 15) return static_cast<uint16_t>(sign | 0x7C00u);
  if (e >= -14) {
    // Normal half; a carry out of the mantissa bumps the exponent, up to infinity.
    uint32_t h = (static_cast<uint32_t>(e + 15) << 10) | (mant >> 13);
    uint32_t rest = mant & 0x1FFFu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;
    return static_cast<uint16_t>(sign | h);
  }
  if (e < -25) return static_cast<uint16_t>(sign);
  // Subnormal half: value / 2^-24 = (mant | implicit one) * 2^(e + 1).
  return static_cast<uint16_t>(sign | ShiftRoundEven(mant | 0x800000u, -(e + 1)));
}

uint16_t FloatToBFloat16(float value) {
  uint32_t f = FloatBits(value);
  if ((f & 0x7F800000u) == 0x7F800000u && (f & 0x7FFFFFu) != 0) {
    return static_cast<uint16_t>((f >> 16) | 0x40u);  // quiet NaN, sign and payload top kept
  }
  uint32_t bias = 0x7FFFu + ((f >> 16) & 1u);
  return static_cast<uint16_t>((f + bias) >> 16);
}

Status ConvertToFloat32(DType dtype, const uint8_t* src, size_t count, float* dst) {
  if (dtype == DType::kF32) {
    if (count != 0) std::memcpy(dst, src, count * sizeof(float));
    return Status::Ok();
  }
  if (dtype != DType::kF16 && dtype != DType::kBF16) {
    return Status::InvalidArgument(std::string("cannot convert dtype ") + DTypeName(dtype) +
                                   " to F32: only F16, BF16 and F32 convert");
  }
  float (*widen)(uint16_t) = dtype == DType::kF16 ? HalfToFloat : BFloat16ToFloat;
  for (size_t i = 0; i < count; ++i) {
    uint16_t bits;
    std::memcpy(&bits, src + 2 * i, sizeof bits);
    dst[i] = widen(bits);
  }
  return Status::Ok();
}

}  // namespace pwemoe::io
