#include "pwemoe/mini/glyphs.h"

#include <ft2build.h>
#include FT_FREETYPE_H

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cmath>
#include <map>
#include <utility>

namespace pwemoe::mini {
namespace {

constexpr char kDejavu[] = "fonts-dejavu-core";
constexpr char kLiberation[] = "fonts-liberation";
constexpr char kFreefont[] = "fonts-freefont-ttf";
constexpr char kUrw[] = "fonts-urw-base35";

// Glyphs are rendered at this pixel size, then area-sampled down to the canvas.
constexpr int kRenderPixels = 64;
// The largest glyph box drawn in the canvas.
constexpr double kMaxBox = 26.0;

// 'A' for printable ASCII, else U+0391.
std::string CharName(uint32_t codepoint) {
  if (codepoint >= 0x21 && codepoint <= 0x7e) return "'" + std::string(1, static_cast<char>(codepoint)) + "'";
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(codepoint));
  return buf;
}

std::string FtError(FT_Error err) {
  const char* text = FT_Error_String(err);
  return text ? std::string(text) : "FreeType error " + std::to_string(err);
}

struct Bitmap {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;  // row-major, coverage 0..255
};

// Box-filter weights along one axis: canvas pixel k covers [(k - origin) / scale,
// (k + 1 - origin) / scale] of the glyph bitmap's n pixels; each glyph pixel weighs the part of
// it that the interval covers, over the interval's length (an exact area average).
struct AxisWeights {
  std::vector<int> begin;                  // per canvas pixel: first glyph pixel
  std::vector<std::vector<double>> weights;  // per canvas pixel: weights from `begin` on
};

AxisWeights BoxWeights(int n, double origin, double scale) {
  AxisWeights w;
  w.begin.resize(kSide);
  w.weights.resize(kSide);
  for (int k = 0; k < kSide; ++k) {
    const double lo = (k - origin) / scale;
    const double hi = (k + 1 - origin) / scale;
    const int first = std::max(0, static_cast<int>(std::floor(lo)));
    const int last = std::min(n, static_cast<int>(std::ceil(hi)));  // exclusive
    w.begin[k] = first;
    for (int j = first; j < last; ++j) {
      const double overlap = std::min(hi, j + 1.0) - std::max(lo, static_cast<double>(j));
      w.weights[k].push_back(std::max(overlap, 0.0) * scale);
    }
  }
  return w;
}

}  // namespace

const char* FontStyleName(FontStyle style) {
  switch (style) {
    case FontStyle::kSerif: return "serif";
    case FontStyle::kSans: return "sans";
    case FontStyle::kMono: return "mono";
    case FontStyle::kItalic: return "italic";
  }
  return "?";
}

const std::vector<FontFile>& FontFiles() {
  static const std::vector<FontFile> fonts = {
      // serif
      {"/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", kDejavu, FontStyle::kSerif},
      {"/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf", kDejavu, FontStyle::kSerif},
      {"/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf", kLiberation, FontStyle::kSerif},
      {"/usr/share/fonts/truetype/liberation/LiberationSerif-Bold.ttf", kLiberation, FontStyle::kSerif},
      {"/usr/share/fonts/truetype/freefont/FreeSerif.ttf", kFreefont, FontStyle::kSerif},
      {"/usr/share/fonts/opentype/urw-base35/NimbusRoman-Regular.otf", kUrw, FontStyle::kSerif},
      {"/usr/share/fonts/opentype/urw-base35/C059-Roman.otf", kUrw, FontStyle::kSerif},
      {"/usr/share/fonts/opentype/urw-base35/P052-Roman.otf", kUrw, FontStyle::kSerif},
      {"/usr/share/fonts/opentype/urw-base35/URWBookman-Light.otf", kUrw, FontStyle::kSerif},
      // sans
      {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", kDejavu, FontStyle::kSans},
      {"/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", kDejavu, FontStyle::kSans},
      {"/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf", kLiberation, FontStyle::kSans},
      {"/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf", kLiberation, FontStyle::kSans},
      {"/usr/share/fonts/truetype/freefont/FreeSans.ttf", kFreefont, FontStyle::kSans},
      {"/usr/share/fonts/opentype/urw-base35/NimbusSans-Regular.otf", kUrw, FontStyle::kSans},
      {"/usr/share/fonts/opentype/urw-base35/NimbusSansNarrow-Regular.otf", kUrw, FontStyle::kSans},
      {"/usr/share/fonts/opentype/urw-base35/URWGothic-Book.otf", kUrw, FontStyle::kSans},
      // mono
      {"/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", kDejavu, FontStyle::kMono},
      {"/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf", kDejavu, FontStyle::kMono},
      {"/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf", kLiberation, FontStyle::kMono},
      {"/usr/share/fonts/truetype/liberation/LiberationMono-Bold.ttf", kLiberation, FontStyle::kMono},
      {"/usr/share/fonts/truetype/freefont/FreeMono.ttf", kFreefont, FontStyle::kMono},
      {"/usr/share/fonts/truetype/freefont/FreeMonoBold.ttf", kFreefont, FontStyle::kMono},
      {"/usr/share/fonts/opentype/urw-base35/NimbusMonoPS-Regular.otf", kUrw, FontStyle::kMono},
      {"/usr/share/fonts/opentype/urw-base35/NimbusMonoPS-Bold.otf", kUrw, FontStyle::kMono},
      // italic (italic and oblique serif and sans cuts, and the calligraphic Z003)
      {"/usr/share/fonts/truetype/liberation/LiberationSerif-Italic.ttf", kLiberation, FontStyle::kItalic},
      {"/usr/share/fonts/truetype/liberation/LiberationSans-Italic.ttf", kLiberation, FontStyle::kItalic},
      {"/usr/share/fonts/truetype/freefont/FreeSerifItalic.ttf", kFreefont, FontStyle::kItalic},
      {"/usr/share/fonts/truetype/freefont/FreeSansOblique.ttf", kFreefont, FontStyle::kItalic},
      {"/usr/share/fonts/opentype/urw-base35/NimbusRoman-Italic.otf", kUrw, FontStyle::kItalic},
      {"/usr/share/fonts/opentype/urw-base35/NimbusSans-Italic.otf", kUrw, FontStyle::kItalic},
      {"/usr/share/fonts/opentype/urw-base35/C059-Italic.otf", kUrw, FontStyle::kItalic},
      {"/usr/share/fonts/opentype/urw-base35/P052-Italic.otf", kUrw, FontStyle::kItalic},
      {"/usr/share/fonts/opentype/urw-base35/Z003-MediumItalic.otf", kUrw, FontStyle::kItalic},
  };
  return fonts;
}

std::vector<int> FontsOfStyle(FontStyle style) {
  std::vector<int> out;
  const auto& fonts = FontFiles();
  for (int i = 0; i < static_cast<int>(fonts.size()); ++i) {
    if (fonts[i].style == style) out.push_back(i);
  }
  return out;
}

struct GlyphRenderer::Impl {
  std::vector<FontFile> fonts;
  FT_Library library = nullptr;
  std::map<int, FT_Face> faces;                 // open faces by font index
  std::map<std::pair<int, int>, Bitmap> cache;  // rendered glyphs by (font, character)
  std::map<int, int> cap_heights;               // rendered height of 'H' by font

  ~Impl() {
    for (auto& entry : faces) FT_Done_Face(entry.second);
    if (library) FT_Done_FreeType(library);
  }

  Status Face(int font, FT_Face* out) {
    auto it = faces.find(font);
    if (it != faces.end()) {
      *out = it->second;
      return Status::Ok();
    }
    const FontFile& file = fonts[font];
    struct stat st;
    if (::stat(file.path, &st) != 0) {
      return Status::NotFound(std::string(file.path) + ": font file not found; install it with: "
                              "apt-get install " + file.package);
    }
    FT_Face face = nullptr;
    FT_Error err = FT_New_Face(library, file.path, 0, &face);
    if (err) {
      return Status::Corrupt(std::string(file.path) + ": FreeType cannot load the font: " +
                             FtError(err));
    }
    err = FT_Set_Pixel_Sizes(face, 0, kRenderPixels);
    if (err) {
      FT_Done_Face(face);
      return Status::Corrupt(std::string(file.path) + ": cannot set the pixel size: " +
                             FtError(err));
    }
    faces[font] = face;
    *out = face;
    return Status::Ok();
  }

  Status Glyph(int font, uint32_t codepoint, const Bitmap** out) {
    const auto key = std::make_pair(font, static_cast<int>(codepoint));
    const std::string c = CharName(codepoint);
    auto it = cache.find(key);
    if (it != cache.end()) {
      *out = &it->second;
      return Status::Ok();
    }
    FT_Face face = nullptr;
    PWEMOE_RETURN_IF_ERROR(Face(font, &face));
    const char* path = fonts[font].path;
    const FT_UInt index = FT_Get_Char_Index(face, static_cast<FT_ULong>(key.second));
    if (index == 0) {
      return Status::Corrupt(std::string(path) + ": the font has no glyph for " + c);
    }
    // No hinting: outlines scaled as drawn, the same in every FreeType build configuration.
    FT_Error err = FT_Load_Glyph(face, index, FT_LOAD_NO_HINTING | FT_LOAD_NO_BITMAP);
    if (!err) err = FT_Render_Glyph(face->glyph, FT_RENDER_MODE_NORMAL);
    if (err) {
      return Status::Corrupt(std::string(path) + ": cannot render " + c + ": " + FtError(err));
    }
    const FT_Bitmap& bm = face->glyph->bitmap;
    if (bm.pixel_mode != FT_PIXEL_MODE_GRAY || bm.rows == 0 || bm.width == 0 || bm.pitch <= 0) {
      return Status::Corrupt(std::string(path) + ": " + c +
                             " rendered to an empty or non-grayscale bitmap");
    }
    Bitmap b;
    b.width = static_cast<int>(bm.width);
    b.height = static_cast<int>(bm.rows);
    b.pixels.resize(static_cast<size_t>(b.width) * b.height);
    const int scale_max = bm.num_grays > 1 ? bm.num_grays - 1 : 255;
    for (int y = 0; y < b.height; ++y) {
      const unsigned char* row = bm.buffer + static_cast<ptrdiff_t>(y) * bm.pitch;
      for (int x = 0; x < b.width; ++x) {
        b.pixels[static_cast<size_t>(y) * b.width + x] =
            static_cast<uint8_t>(scale_max == 255 ? row[x] : row[x] * 255 / scale_max);
      }
    }
    auto inserted = cache.emplace(key, std::move(b));
    *out = &inserted.first->second;
    return Status::Ok();
  }

  Status CapHeight(int font, int* out) {
    auto it = cap_heights.find(font);
    if (it == cap_heights.end()) {
      const Bitmap* h = nullptr;
      PWEMOE_RETURN_IF_ERROR(Glyph(font, 'H', &h));
      it = cap_heights.emplace(font, h->height).first;
    }
    *out = it->second;
    return Status::Ok();
  }
};

GlyphRenderer::GlyphRenderer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GlyphRenderer::~GlyphRenderer() = default;

Status GlyphRenderer::Create(std::unique_ptr<GlyphRenderer>* out) {
  return CreateWithFonts(FontFiles(), out);
}

Status GlyphRenderer::CreateWithFonts(std::vector<FontFile> fonts,
                                      std::unique_ptr<GlyphRenderer>* out) {
  auto impl = std::make_unique<Impl>();
  impl->fonts = std::move(fonts);
  const FT_Error err = FT_Init_FreeType(&impl->library);
  if (err) return Status::Internal("cannot start FreeType: " + FtError(err));
  out->reset(new GlyphRenderer(std::move(impl)));
  return Status::Ok();
}

Status GlyphRenderer::Draw(int font, char c, double cap_height, Image* canvas) {
  if (c < 0x21 || c > 0x7e) {
    return Status::InvalidArgument("character code " + std::to_string(static_cast<int>(c)) +
                                   " is not printable ASCII");
  }
  return DrawCodepoint(font, static_cast<uint32_t>(c), cap_height, canvas);
}

Status GlyphRenderer::DrawCodepoint(int font, uint32_t codepoint, double cap_height,
                                    Image* canvas) {
  if (font < 0 || font >= static_cast<int>(impl_->fonts.size())) {
    return Status::InvalidArgument("font index " + std::to_string(font) + " outside [0, " +
                                   std::to_string(impl_->fonts.size()) + ")");
  }
  if (codepoint < 0x21 || codepoint > 0x10FFFF || (codepoint >= 0x7f && codepoint < 0xa1)) {
    return Status::InvalidArgument("character " + CharName(codepoint) + " is not a printable code point");
  }
  if (!(cap_height > 0.0) || cap_height > kMaxBox) {
    return Status::InvalidArgument("capital height " + std::to_string(cap_height) +
                                   " outside (0, 26]");
  }
  const Bitmap* glyph = nullptr;
  PWEMOE_RETURN_IF_ERROR(impl_->Glyph(font, codepoint, &glyph));
  int cap = 0;
  PWEMOE_RETURN_IF_ERROR(impl_->CapHeight(font, &cap));
  double scale = cap_height / cap;
  scale = std::min({scale, kMaxBox / glyph->width, kMaxBox / glyph->height});
  // Canvas position p shows glyph position (p - origin) / scale; each canvas pixel is the area
  // average of the glyph pixels under it (separable: columns first, then rows).
  const double origin_x = 0.5 * kSide - 0.5 * glyph->width * scale;
  const double origin_y = 0.5 * kSide - 0.5 * glyph->height * scale;
  const AxisWeights wx = BoxWeights(glyph->width, origin_x, scale);
  const AxisWeights wy = BoxWeights(glyph->height, origin_y, scale);
  std::vector<double> columns(static_cast<size_t>(glyph->height) * kSide);  // [glyph row][x]
  for (int i = 0; i < glyph->height; ++i) {
    const uint8_t* row = glyph->pixels.data() + static_cast<size_t>(i) * glyph->width;
    for (int x = 0; x < kSide; ++x) {
      double sum = 0.0;
      const auto& weights = wx.weights[x];
      for (size_t j = 0; j < weights.size(); ++j) sum += weights[j] * row[wx.begin[x] + j];
      columns[static_cast<size_t>(i) * kSide + x] = sum;
    }
  }
  for (int y = 0; y < kSide; ++y) {
    const auto& weights = wy.weights[y];
    for (int x = 0; x < kSide; ++x) {
      double sum = 0.0;
      for (size_t i = 0; i < weights.size(); ++i) {
        sum += weights[i] * columns[static_cast<size_t>(wy.begin[y] + i) * kSide + x];
      }
      (*canvas)[y * kSide + x] = static_cast<uint8_t>(std::floor(std::min(255.0, sum) + 0.5));
    }
  }
  return Status::Ok();
}

}  // namespace pwemoe::mini
