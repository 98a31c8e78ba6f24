// pwemoe's decoding and CLIP preprocessing against Pillow: each case of golden/manifest.txt
// (made by make_golden.py with Debian's Pillow) is decoded and preprocessed here and compared
// with Pillow's pixels. Required: PNG inputs decode exactly to Pillow's pixels, JPEG inputs to
// Pillow's hash (both go through libjpeg-turbo), and every preprocessed output is within a mean
// absolute difference of 1 grey level of Pillow's; from PNG inputs, bit for bit (the
// implementation follows Pillow's fixed-point arithmetic). The differences are printed.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "pwemoe/image/clip_preprocess.h"
#include "pwemoe/image/decode.h"

namespace pwemoe::image {
namespace {

const std::string kGoldenDir = std::string(PWEMOE_TEST_DATA_DIR) + "/golden/";

struct GoldenCase {
  std::string name;
  std::string input;
  int width = 0;
  int height = 0;
  std::string decoded;  // "-" for none
  std::string decoded_fnv;
  int shortest_edge = 0;
  int crop = 0;
  std::string output;
  std::string output_fnv;
};

// How gtest prints a case (instead of its raw bytes).
void PrintTo(const GoldenCase& c, std::ostream* os) {
  *os << c.name << " (" << c.input << ", " << c.shortest_edge << "/" << c.crop << ")";
}

std::vector<GoldenCase> LoadManifest() {
  std::vector<GoldenCase> cases;
  std::ifstream in(kGoldenDir + "manifest.txt");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    GoldenCase c;
    fields >> c.name >> c.input >> c.width >> c.height >> c.decoded >> c.decoded_fnv >>
        c.shortest_edge >> c.crop >> c.output >> c.output_fnv;
    if (fields) cases.push_back(c);
  }
  return cases;
}

std::string Fnv1a64(const std::vector<uint8_t>& bytes) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (uint8_t b : bytes) {
    h ^= b;
    h *= 0x100000001B3ull;
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(h));
  return text;
}

struct Difference {
  double mean = 0;
  int max = 0;
  size_t exact = 0;  // bytes equal
};

Difference Compare(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  Difference d;
  uint64_t sum = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    const int diff = std::abs(static_cast<int>(a[i]) - static_cast<int>(b[i]));
    sum += diff;
    d.max = std::max(d.max, diff);
    d.exact += diff == 0;
  }
  d.mean = a.empty() ? 0 : static_cast<double>(sum) / static_cast<double>(a.size());
  return d;
}

// A reference PNG read back and checked against the hash of the pixels Pillow wrote into it.
RgbImage LoadReference(const std::string& file, const std::string& fnv) {
  RgbImage ref;
  const Status st = DecodeImageFile(kGoldenDir + file, &ref);
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(Fnv1a64(ref.pixels), fnv) << file << " was not read back as Pillow wrote it";
  return ref;
}

class GoldenTest : public ::testing::TestWithParam<GoldenCase> {};

TEST(GoldenManifest, HasEveryKindOfInput) {
  const std::vector<GoldenCase> cases = LoadManifest();
  ASSERT_GE(cases.size(), 16u) << "golden/manifest.txt missing or short";
  int jpeg = 0, png = 0;
  for (const GoldenCase& c : cases) (c.input.find(".jpg") != std::string::npos ? jpeg : png)++;
  EXPECT_GE(jpeg, 5);
  EXPECT_GE(png, 10);
}

TEST_P(GoldenTest, DecodeAndPreprocessMatchPillow) {
  const GoldenCase& c = GetParam();
  RgbImage image;
  const Status st = DecodeImageFile(kGoldenDir + c.input, &image);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(image.width, c.width);
  ASSERT_EQ(image.height, c.height);

  // Decoded pixels: exactly Pillow's.
  if (c.decoded != "-") {
    const RgbImage ref = LoadReference(c.decoded, c.decoded_fnv);
    const Difference d = Compare(image.pixels, ref.pixels);
    EXPECT_EQ(d.max, 0) << c.input << ": decoded pixels differ from Pillow's (mean " << d.mean
                        << ")";
  }
  EXPECT_EQ(Fnv1a64(image.pixels), c.decoded_fnv)
      << c.input << ": decoded pixels differ from Pillow's";

  // Resize + center crop: within 1 grey level of Pillow's on average.
  ClipPreprocessor pre({c.shortest_edge, c.crop});
  std::vector<uint8_t> out(pre.output_bytes());
  const Status run = pre.Run(image, out.data());
  ASSERT_TRUE(run.ok()) << run.ToString();
  const RgbImage ref = LoadReference(c.output, c.output_fnv);
  ASSERT_EQ(ref.width, c.crop);
  ASSERT_EQ(ref.height, c.crop);
  const Difference d = Compare(out, ref.pixels);
  std::printf("[ golden   ] %-26s %3d/%3d: mean |diff| %.4f, max %d, exact %zu/%zu\n",
              c.name.c_str(), c.shortest_edge, c.crop, d.mean, d.max, d.exact, out.size());
  RecordProperty("mean_abs_diff", std::to_string(d.mean));
  RecordProperty("max_abs_diff", d.max);
  EXPECT_LE(d.mean, 1.0) << c.name;
  // From PNG inputs (decoded by Pillow without libjpeg) the arithmetic is Pillow's integer
  // arithmetic on the same weights, so nothing may differ at all; this also catches a wrong
  // kernel or rounding that the mean alone could let through.
  if (c.decoded != "-") {
    EXPECT_EQ(d.max, 0) << c.name;
  }
  // The same preprocessor run again (weights cached, buffers reused) gives the same bytes.
  std::vector<uint8_t> again(pre.output_bytes());
  ASSERT_TRUE(pre.Run(image, again.data()).ok());
  EXPECT_EQ(again, out);
}

std::string CaseName(const ::testing::TestParamInfo<GoldenCase>& info) {
  return info.param.name + "_" + std::to_string(info.param.shortest_edge) + "_" +
         std::to_string(info.param.crop);
}

INSTANTIATE_TEST_SUITE_P(Pillow, GoldenTest, ::testing::ValuesIn(LoadManifest()), CaseName);

}  // namespace
}  // namespace pwemoe::image
