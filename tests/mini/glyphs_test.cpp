#include "pwemoe/mini/glyphs.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <string>

#include <gtest/gtest.h>

namespace pwemoe::mini {
namespace {

int Sum(const Image& img) {
  int s = 0;
  for (uint8_t p : img) s += p;
  return s;
}

TEST(Glyphs, EveryFontRendersDeterministically) {
  std::unique_ptr<GlyphRenderer> renderer;
  ASSERT_TRUE(GlyphRenderer::Create(&renderer).ok());
  const auto& fonts = FontFiles();
  for (int f = 0; f < static_cast<int>(fonts.size()); ++f) {
    SCOPED_TRACE(fonts[f].path);
    for (char c : std::string("A7gx")) {
      Image a, b;
      const Status st = renderer->Draw(f, c, 16.0, &a);
      ASSERT_TRUE(st.ok()) << st.ToString();
      EXPECT_GT(Sum(a), 255 * 15) << c;
      EXPECT_GE(*std::max_element(a.begin(), a.end()), 200) << c;  // thin strokes stay grey
      // A fresh renderer gives the same pixels.
      std::unique_ptr<GlyphRenderer> other;
      ASSERT_TRUE(GlyphRenderer::Create(&other).ok());
      ASSERT_TRUE(other->Draw(f, c, 16.0, &b).ok());
      EXPECT_EQ(a, b) << c;
      // The glyph is centred: the border rows and columns stay empty.
      for (int i = 0; i < kSide; ++i) {
        EXPECT_EQ(a[i], 0);
        EXPECT_EQ(a[(kSide - 1) * kSide + i], 0);
        EXPECT_EQ(a[i * kSide], 0);
        EXPECT_EQ(a[i * kSide + kSide - 1], 0);
      }
    }
  }
}

TEST(Glyphs, SizeFollowsCapitalHeight) {
  std::unique_ptr<GlyphRenderer> renderer;
  ASSERT_TRUE(GlyphRenderer::Create(&renderer).ok());
  Image small, large, lower;
  ASSERT_TRUE(renderer->Draw(0, 'H', 10.0, &small).ok());
  ASSERT_TRUE(renderer->Draw(0, 'H', 20.0, &large).ok());
  ASSERT_TRUE(renderer->Draw(0, 'x', 20.0, &lower).ok());
  EXPECT_GT(Sum(large), 2 * Sum(small));
  EXPECT_LT(Sum(lower), Sum(large));  // a lower-case letter stays smaller than a capital
}

TEST(Glyphs, StylesAreFixedAndCoverEveryPackage) {
  std::set<std::string> packages;
  for (const FontFile& f : FontFiles()) {
    packages.insert(f.package);
    EXPECT_EQ(std::string(f.path).rfind("/usr/share/fonts/", 0), 0u) << f.path;
  }
  EXPECT_EQ(packages, (std::set<std::string>{"fonts-dejavu-core", "fonts-liberation",
                                             "fonts-freefont-ttf", "fonts-urw-base35"}));
  for (int s = 0; s < kNumFontStyles; ++s) {
    EXPECT_GE(FontsOfStyle(FontStyle(s)).size(), 6u) << FontStyleName(FontStyle(s));
  }
}

// The 20-task benchmark's Greek and Cyrillic capitals exist in every font of the list.
TEST(Glyphs, EveryFontHasGreekAndCyrillicCapitals) {
  std::unique_ptr<GlyphRenderer> renderer;
  ASSERT_TRUE(GlyphRenderer::Create(&renderer).ok());
  std::vector<uint32_t> codes;
  for (uint32_t c = 0x391; c <= 0x3A9; ++c) {
    if (c != 0x3A2) codes.push_back(c);
  }
  for (uint32_t c = 0x410; c <= 0x42F; ++c) codes.push_back(c);
  for (int f = 0; f < static_cast<int>(FontFiles().size()); ++f) {
    for (uint32_t c : codes) {
      Image img;
      const Status st = renderer->DrawCodepoint(f, c, 16.0, &img);
      ASSERT_TRUE(st.ok()) << FontFiles()[f].path << " U+" << std::hex << c << ": " << st.ToString();
      ASSERT_GT(Sum(img), 0);
    }
  }
  // ASCII through either call is the same glyph.
  Image a, b;
  ASSERT_TRUE(renderer->Draw(3, 'Q', 15.0, &a).ok());
  ASSERT_TRUE(renderer->DrawCodepoint(3, 'Q', 15.0, &b).ok());
  EXPECT_EQ(a, b);
}

TEST(Glyphs, RejectsBadArguments) {
  std::unique_ptr<GlyphRenderer> renderer;
  ASSERT_TRUE(GlyphRenderer::Create(&renderer).ok());
  Image img;
  EXPECT_EQ(renderer->Draw(-1, 'A', 16, &img).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(renderer->Draw(static_cast<int>(FontFiles().size()), 'A', 16, &img).code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(renderer->Draw(0, ' ', 16, &img).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(renderer->Draw(0, 'A', 0, &img).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(renderer->DrawCodepoint(0, 0x85, 16, &img).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(renderer->DrawCodepoint(0, 0x110000, 16, &img).code(), Status::Code::kInvalidArgument);
  // A code point the font lacks names the file and the character.
  const Status missing = renderer->DrawCodepoint(0, 0x4E00, 16, &img);
  EXPECT_EQ(missing.code(), Status::Code::kCorrupt);
  EXPECT_NE(missing.message().find("U+4E00"), std::string::npos) << missing.message();
  EXPECT_EQ(renderer->Draw(0, 'A', 30, &img).code(), Status::Code::kInvalidArgument);
}

TEST(Glyphs, MissingFontNamesFileAndPackage) {
  std::unique_ptr<GlyphRenderer> renderer;
  ASSERT_TRUE(GlyphRenderer::CreateWithFonts(
                  {{"/nonexistent/NoSuchFont.ttf", "fonts-nothing", FontStyle::kSans}}, &renderer)
                  .ok());
  Image img;
  const Status st = renderer->Draw(0, 'A', 16, &img);
  EXPECT_EQ(st.code(), Status::Code::kNotFound);
  EXPECT_NE(st.message().find("/nonexistent/NoSuchFont.ttf"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("apt-get install fonts-nothing"), std::string::npos) << st.message();
}

TEST(Glyphs, BrokenFontIsCorrupt) {
  const std::string path = ::testing::TempDir() + "pwemoe_mini_broken_font.ttf";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fputs("not a font", f);
  std::fclose(f);
  std::unique_ptr<GlyphRenderer> renderer;
  ASSERT_TRUE(GlyphRenderer::CreateWithFonts({{path.c_str(), "x", FontStyle::kSans}}, &renderer)
                  .ok());
  Image img;
  const Status st = renderer->Draw(0, 'A', 16, &img);
  EXPECT_EQ(st.code(), Status::Code::kCorrupt);
  EXPECT_NE(st.message().find(path), std::string::npos) << st.message();
}

}  // namespace
}  // namespace pwemoe::mini
