#include "pwemoe/io/tensor_io.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "pwemoe/io/safetensors_writer.h"
#include "io_testing.h"

namespace pwemoe::io {
namespace {

using testing::MakeTempDir;
using testing::SafetensorsBytes;
using testing::WriteBytes;

bool SameBytes(const torch::Tensor& a, const torch::Tensor& b) {
  if (a.scalar_type() != b.scalar_type() || a.sizes() != b.sizes()) return false;
  torch::Tensor ca = a.contiguous(), cb = b.contiguous();
  size_t n = static_cast<size_t>(ca.numel()) * ca.element_size();
  return n == 0 || std::memcmp(ca.data_ptr(), cb.data_ptr(), n) == 0;
}

// A tensor of every supported dtype, with random bits (NaN patterns included for floats).
TensorMap EveryDtype() {
  torch::manual_seed(7);
  TensorMap m;
  for (const std::string& name : DTypeNames()) {
    DType d;
    EXPECT_TRUE(ParseDType(name, &d));
    torch::ScalarType type = ToTorchDType(d);
    torch::Tensor t;
    if (d == DType::kBool) {
      t = torch::randint(0, 2, {3, 5}).to(torch::kBool);
    } else {
      torch::Tensor bytes =
          torch::randint(0, 256, {static_cast<int64_t>(15 * DTypeSize(d))}, torch::kUInt8);
      t = torch::empty({3, 5}, type);
      std::memcpy(t.data_ptr(), bytes.data_ptr(), bytes.numel());
    }
    m["w." + name] = t;
  }
  m["scalar"] = torch::tensor(3.5, torch::kFloat64).reshape({});
  m["empty"] = torch::empty({0, 7}, torch::kInt32);
  return m;
}

TEST(TensorIo, RoundTripIsBitExactForEveryDtype) {
  TensorMap in = EveryDtype();
  std::string path = MakeTempDir() + "/all.safetensors";
  ASSERT_TRUE(SaveTensors(path, in, {{"format", "pt"}}).ok());
  TensorMap out;
  LoadOptions keep;
  keep.keep_dtype = true;
  Status st = LoadTensors(path, &out, keep);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(out.size(), in.size());
  for (const auto& [name, t] : in) {
    ASSERT_TRUE(out.count(name)) << name;
    EXPECT_TRUE(SameBytes(t, out[name])) << name;
  }
}

TEST(TensorIo, HalfTypesLoadAsFloat32ByDefault) {
  TensorMap in;
  in["h"] = torch::tensor({1.0, -2.5, 65504.0, 6e-8, 0.0}).to(torch::kFloat16);
  in["b"] = torch::tensor({1.0, -3e38, 1e-40}).to(torch::kBFloat16);
  in["i"] = torch::tensor({1, 2}, torch::kInt64);
  std::string path = MakeTempDir() + "/half.safetensors";
  ASSERT_TRUE(SaveTensors(path, in).ok());
  TensorMap out;
  ASSERT_TRUE(LoadTensors(path, &out).ok());
  EXPECT_EQ(out["h"].scalar_type(), torch::kFloat32);
  EXPECT_EQ(out["b"].scalar_type(), torch::kFloat32);
  EXPECT_EQ(out["i"].scalar_type(), torch::kInt64);
  EXPECT_TRUE(SameBytes(out["h"], in["h"].to(torch::kFloat32)));
  EXPECT_TRUE(SameBytes(out["b"], in["b"].to(torch::kFloat32)));
}

TEST(TensorIo, HalfConversionsMatchLibTorch) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    c10::Half half(static_cast<uint16_t>(h), c10::Half::from_bits());
    c10::BFloat16 bf(static_cast<uint16_t>(h), c10::BFloat16::from_bits());
    float ours = HalfToFloat(static_cast<uint16_t>(h)), theirs = static_cast<float>(half);
    ASSERT_TRUE(std::memcmp(&ours, &theirs, 4) == 0 || (std::isnan(ours) && std::isnan(theirs)))
        << h;
    float ours_bf = BFloat16ToFloat(static_cast<uint16_t>(h)), theirs_bf = static_cast<float>(bf);
    ASSERT_EQ(std::memcmp(&ours_bf, &theirs_bf, 4), 0) << h;  // bit-identical, NaNs included
  }
}

TEST(TensorIo, NarrowingMatchesLibTorchAcrossFloats) {
  for (uint64_t bits = 0; bits < (1ull << 32); bits += 9973) {
    uint32_t b = static_cast<uint32_t>(bits);
    float f;
    std::memcpy(&f, &b, 4);
    if (std::isnan(f)) continue;
    ASSERT_EQ(FloatToHalf(f), c10::Half(f).x) << b;
    ASSERT_EQ(FloatToBFloat16(f), c10::BFloat16(f).x) << b;
  }
}

TEST(TensorIo, LoadsShardedFolder) {
  std::string dir = MakeTempDir();
  TensorMap s1, s2;
  s1["vision_model.a"] = torch::arange(6, torch::kFloat32).reshape({2, 3});
  s2["vision_model.b"] = torch::tensor({1.5, 2.5}).to(torch::kFloat16);
  ASSERT_TRUE(SaveTensors(dir + "/model-00001-of-00002.safetensors", s1).ok());
  ASSERT_TRUE(SaveTensors(dir + "/model-00002-of-00002.safetensors", s2).ok());
  WriteBytes(dir + "/model.safetensors.index.json",
             R"({"weight_map":{"vision_model.a":"model-00001-of-00002.safetensors",)"
             R"("vision_model.b":"model-00002-of-00002.safetensors"}})");
  TensorMap out;
  Status st = LoadTensors(dir, &out);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(SameBytes(out["vision_model.a"], s1["vision_model.a"]));
  EXPECT_TRUE(SameBytes(out["vision_model.b"], torch::tensor({1.5f, 2.5f})));
}

TEST(TensorIo, SavesNonContiguousTensors) {
  TensorMap in;
  in["t"] = torch::arange(12, torch::kInt32).reshape({3, 4}).t();
  std::string path = MakeTempDir() + "/t.safetensors";
  ASSERT_TRUE(SaveTensors(path, in).ok());
  TensorMap out;
  ASSERT_TRUE(LoadTensors(path, &out).ok());
  EXPECT_TRUE(torch::equal(out["t"], in["t"]));
}

TEST(TensorIo, SaveRejectsUnsupportedTensors) {
  std::string path = MakeTempDir() + "/bad.safetensors";
  TensorMap undefined;
  undefined["u"] = torch::Tensor();
  Status st = SaveTensors(path, undefined);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("tensor 'u'"), std::string::npos);
  TensorMap complex;
  complex["c"] = torch::zeros({2}, torch::kComplexFloat);
  st = SaveTensors(path, complex);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("tensor 'c'"), std::string::npos);
  EXPECT_NE(st.message().find(path), std::string::npos);
}

TEST(TensorIo, RejectsBoolBytesOtherThanZeroAndOne) {
  std::string path = MakeTempDir() + "/bool.safetensors";
  WriteBytes(path, SafetensorsBytes(R"({"m":{"dtype":"BOOL","shape":[4],"data_offsets":[0,4]}})",
                                    std::string("\x00\x01\x02\x01", 4)));
  TensorMap out;
  Status st = LoadTensors(path, &out);
  EXPECT_EQ(st.code(), Status::Code::kCorrupt);
  EXPECT_NE(st.message().find(path + ": tensor 'm'"), std::string::npos) << st.message();
}

TEST(TensorIo, MissingPathIsNotFound) {
  TensorMap out;
  Status st = LoadTensors(MakeTempDir() + "/none.safetensors", &out);
  EXPECT_EQ(st.code(), Status::Code::kNotFound);
}

}  // namespace
}  // namespace pwemoe::io
