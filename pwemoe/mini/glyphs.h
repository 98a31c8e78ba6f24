// Glyphs of the built-in benchmark: characters rendered with FreeType from a fixed list of font
// files of Debian's font packages, drawn centred into a 28 x 28 canvas at a chosen size.
//
// The list is fixed (never a directory scan), so the images depend only on these files, not on
// whatever else is installed. Fonts are grouped by style: serif, sans, mono (upright, regular or
// bold), and italic (slanted: italic and oblique cuts of serif and sans families, plus the one
// calligraphic font, Z003). Mono italics are left out, so that each font has exactly one style.
//
// Thread safety: FontFiles() and FontStyleName() are pure. A GlyphRenderer owns a FreeType
// library and caches, and is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pwemoe/mini/image.h"
#include "pwemoe/util/status.h"

namespace pwemoe::mini {

enum class FontStyle { kSerif = 0, kSans = 1, kMono = 2, kItalic = 3 };
inline constexpr int kNumFontStyles = 4;

// "serif", "sans", "mono", "italic".
const char* FontStyleName(FontStyle style);

struct FontFile {
  const char* path;     // absolute path of the font file
  const char* package;  // the Debian package that installs it
  FontStyle style;
};

// The fixed list of fonts, in a fixed order (indices are stable within a version).
const std::vector<FontFile>& FontFiles();

// Indices into FontFiles() of the fonts of `style`, ascending.
std::vector<int> FontsOfStyle(FontStyle style);

class GlyphRenderer {
 public:
  // Starts FreeType for the fonts of FontFiles(); opens no font yet. Internal when FreeType
  // cannot start.
  static Status Create(std::unique_ptr<GlyphRenderer>* out);

  // The same for another list of fonts (tests use it to check the errors of a missing or broken
  // font file); `fonts` is copied, but its path and package strings must outlive the renderer.
  static Status CreateWithFonts(std::vector<FontFile> fonts, std::unique_ptr<GlyphRenderer>* out);
  ~GlyphRenderer();
  GlyphRenderer(const GlyphRenderer&) = delete;
  GlyphRenderer& operator=(const GlyphRenderer&) = delete;

  // Clears `*canvas` to 0 and draws character `c` (printable ASCII) of font `font` (an index
  // into the renderer's font list, FontFiles() unless CreateWithFonts) in white (anti-aliased, up to 255), scaled so that the font's capital
  // height (of 'H') is `cap_height` pixels (shrunk when the glyph would not fit in 26 x 26), with
  // the glyph's bounding box centred. The glyph is rendered once at a high resolution, cached, and
  // area-sampled down. NotFound naming the file and its Debian package when the font file is
  // missing; Corrupt naming the file when FreeType cannot load it or it lacks the character;
  // InvalidArgument for a bad index, character or size.
  Status Draw(int font, char c, double cap_height, Image* canvas);

  // The same for any printable Unicode code point (U+0021..U+007E, U+00A1..U+10FFFF; Greek and
  // Cyrillic letters, which every font of FontFiles() covers). Draw(font, c, ...) is
  // DrawCodepoint(font, c, ...) for printable ASCII. Errors as Draw's; the character is named as
  // 'A' or U+0391.
  Status DrawCodepoint(int font, uint32_t codepoint, double cap_height, Image* canvas);

 private:
  struct Impl;
  explicit GlyphRenderer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pwemoe::mini
