#include "pwemoe/io/dtype.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

namespace pwemoe::io {
namespace {

uint32_t Bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

// Independent value of a finite half: (-1)^s * 2^(e-15) * 1.m, or 2^-14 * 0.m for e == 0.
double HalfValue(uint16_t h) {
  int sign = (h >> 15) ? -1 : 1;
  int e = (h >> 10) & 0x1F;
  int m = h & 0x3FF;
  if (e == 0) return sign * std::ldexp(m, -24);
  return sign * std::ldexp(1024 + m, e - 25);
}

TEST(DType, NamesSizesAndParsing) {
  for (const std::string& name : DTypeNames()) {
    DType d;
    ASSERT_TRUE(ParseDType(name, &d)) << name;
    EXPECT_EQ(DTypeName(d), name);
  }
  DType d;
  EXPECT_TRUE(ParseDType("BF16", &d));
  EXPECT_EQ(DTypeSize(d), 2u);
  EXPECT_EQ(DTypeSize(DType::kBool), 1u);
  EXPECT_EQ(DTypeSize(DType::kF64), 8u);
  EXPECT_FALSE(ParseDType("f32", &d));
  EXPECT_FALSE(ParseDType("F8_E4M3", &d));
  EXPECT_FALSE(ParseDType("", &d));
}

TEST(DType, HalfToFloatSpecialValues) {
  EXPECT_EQ(Bits(HalfToFloat(0x0000)), Bits(0.0f));
  EXPECT_EQ(Bits(HalfToFloat(0x8000)), Bits(-0.0f));
  EXPECT_EQ(HalfToFloat(0x0001), std::ldexp(1.0f, -24));     // smallest subnormal
  EXPECT_EQ(HalfToFloat(0x03FF), std::ldexp(1023.0f, -24));  // largest subnormal
  EXPECT_EQ(HalfToFloat(0x0400), std::ldexp(1.0f, -14));     // smallest normal
  EXPECT_EQ(HalfToFloat(0x3C00), 1.0f);
  EXPECT_EQ(HalfToFloat(0xC000), -2.0f);
  EXPECT_EQ(HalfToFloat(0x7BFF), 65504.0f);
  EXPECT_EQ(HalfToFloat(0x7C00), std::numeric_limits<float>::infinity());
  EXPECT_EQ(HalfToFloat(0xFC00), -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(HalfToFloat(0x7E00)));
  EXPECT_TRUE(std::isnan(HalfToFloat(0x7C01)));
  EXPECT_TRUE(std::signbit(HalfToFloat(0xFE00)));
}

TEST(DType, HalfToFloatMatchesFormulaForEveryFiniteHalf) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    if (((h >> 10) & 0x1F) == 0x1F) continue;
    ASSERT_EQ(static_cast<double>(HalfToFloat(static_cast<uint16_t>(h))), HalfValue(h)) << h;
  }
}

TEST(DType, HalfRoundTripsEveryPattern) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    uint16_t bits = static_cast<uint16_t>(h);
    bool nan = (h & 0x7C00) == 0x7C00 && (h & 0x3FF) != 0;
    uint16_t back = FloatToHalf(HalfToFloat(bits));
    if (!nan) {
      ASSERT_EQ(back, bits) << h;
    } else {
      ASSERT_EQ(back, bits | 0x200) << h;  // quiet, same sign and payload
    }
  }
}

TEST(DType, FloatToHalfRoundsToNearestEven) {
  EXPECT_EQ(FloatToHalf(65504.0f), 0x7BFF);
  EXPECT_EQ(FloatToHalf(65519.996f), 0x7BFF);
  EXPECT_EQ(FloatToHalf(65520.0f), 0x7C00);  // tie rounds to even: infinity
  EXPECT_EQ(FloatToHalf(1e10f), 0x7C00);
  EXPECT_EQ(FloatToHalf(-1e10f), 0xFC00);
  EXPECT_EQ(FloatToHalf(1.0f + std::ldexp(1.0f, -11)), 0x3C00);      // tie, down to even
  EXPECT_EQ(FloatToHalf(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3C02);  // tie, up to even
  EXPECT_EQ(FloatToHalf(1.0f + std::ldexp(1.2f, -11)), 0x3C01);
  EXPECT_EQ(FloatToHalf(std::ldexp(1.0f, -25)), 0x0000);  // tie with zero
  EXPECT_EQ(FloatToHalf(std::ldexp(1.0001f, -25)), 0x0001);
  EXPECT_EQ(FloatToHalf(std::ldexp(1.5f, -24)), 0x0002);     // tie, up to even
  EXPECT_EQ(FloatToHalf(std::ldexp(2.5f, -24)), 0x0002);     // tie, down to even
  EXPECT_EQ(FloatToHalf(std::ldexp(1023.5f, -24)), 0x0400);  // carries into normal
  EXPECT_EQ(FloatToHalf(std::numeric_limits<float>::denorm_min()), 0x0000);
  EXPECT_EQ(FloatToHalf(-std::numeric_limits<float>::denorm_min()), 0x8000);
  EXPECT_EQ(FloatToHalf(std::numeric_limits<float>::infinity()), 0x7C00);
  EXPECT_EQ(FloatToHalf(std::numeric_limits<float>::quiet_NaN()) & 0x7E00, 0x7E00);
}

TEST(DType, BFloat16ConversionsAndRoundTrip) {
  EXPECT_EQ(BFloat16ToFloat(0x3F80), 1.0f);
  EXPECT_EQ(BFloat16ToFloat(0x0001), std::ldexp(1.0f, -133));  // subnormal
  EXPECT_EQ(BFloat16ToFloat(0xFF80), -std::numeric_limits<float>::infinity());
  EXPECT_EQ(FloatToBFloat16(1.0f + std::ldexp(1.0f, -8)), 0x3F80);        // tie, down to even
  EXPECT_EQ(FloatToBFloat16(1.0f + 3 * std::ldexp(1.0f, -8)), 0x3F82);    // tie, up to even
  EXPECT_EQ(FloatToBFloat16(std::numeric_limits<float>::max()), 0x7F80);  // overflows to inf
  EXPECT_EQ(FloatToBFloat16(-0.0f), 0x8000);
  for (uint32_t b = 0; b < 0x10000; ++b) {
    uint16_t bits = static_cast<uint16_t>(b);
    bool nan = (b & 0x7F80) == 0x7F80 && (b & 0x7F) != 0;
    ASSERT_EQ(FloatToBFloat16(BFloat16ToFloat(bits)), nan ? (bits | 0x40) : bits) << b;
    if (nan) {
      ASSERT_TRUE(std::isnan(BFloat16ToFloat(bits)));
    }
  }
}

TEST(DType, ConvertToFloat32HandlesUnalignedBytes) {
  uint8_t buffer[9] = {0};
  uint16_t halves[4] = {0x3C00, 0xC000, 0x0001, 0x7C00};
  std::memcpy(buffer + 1, halves, 8);
  float out[4];
  ASSERT_TRUE(ConvertToFloat32(DType::kF16, buffer + 1, 4, out).ok());
  EXPECT_EQ(out[0], 1.0f);
  EXPECT_EQ(out[1], -2.0f);
  EXPECT_EQ(out[2], std::ldexp(1.0f, -24));
  EXPECT_TRUE(std::isinf(out[3]));
  uint16_t bf[2] = {0x4040, 0xBF80};
  std::memcpy(buffer + 1, bf, 4);
  ASSERT_TRUE(ConvertToFloat32(DType::kBF16, buffer + 1, 2, out).ok());
  EXPECT_EQ(out[0], 3.0f);
  EXPECT_EQ(out[1], -1.0f);
  Status st = ConvertToFloat32(DType::kI32, buffer, 1, out);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("I32"), std::string::npos);
}

}  // namespace
}  // namespace pwemoe::io
