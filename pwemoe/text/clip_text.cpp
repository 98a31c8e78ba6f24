#include "pwemoe/text/clip_text.h"

#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <cstdint>
#include <cstring>

// Unicode data. HF's Python code decides with Python's `unicodedata` (categories, NFC),
// `str.lower()` and the `regex` module (\p{L}, \p{N}, \s). Matching it needs the general category
// of every code point, canonical composition and full lower-casing with the final-sigma rule.
// glibc's wide-character classes under a UTF-8 locale do not give that: iswalpha() is glibc's
// "alpha" class, which also holds non-ASCII decimal digits and many combining marks (so it is not
// \p{L}), iswdigit() is only 0-9 (not \p{N}), towlower() is a simple one-to-one mapping (no
// "İ" -> "i̇", no final sigma), there is no NFC, and the answers depend on process-wide locale
// state. ICU's common library (libicuuc, a Debian package) has exactly these tables and a
// thread-safe API, so the tokenizer uses it. Results can differ from a given Python only for
// code points that one Unicode version assigns and the other does not (ICU 72 has Unicode 15.0;
// Python 3.11's unicodedata has 14.0).

namespace pwemoe::text {

namespace {

constexpr char32_t kInvalid = 0xFFFFFFFF;

// ICU strings index with int32_t; with CJK spacing a text can grow threefold.
constexpr size_t kMaxTextBytes = size_t{1} << 28;

// Decodes the code point at s[*i], advancing *i; kInvalid (advancing one byte) when the bytes there
// are not well-formed UTF-8.
char32_t NextCodePoint(const std::string& s, size_t* i) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  const size_t start = *i;
  const unsigned char b0 = p[start];
  *i = start + 1;
  if (b0 < 0x80) return b0;
  int extra;
  char32_t c;
  char32_t min;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    extra = 1, c = b0 & 0x1F, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    extra = 2, c = b0 & 0x0F, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    extra = 3, c = b0 & 0x07, min = 0x10000;
  } else {
    return kInvalid;
  }
  if (start + extra >= n) return kInvalid;  // truncated
  for (int k = 1; k <= extra; ++k) {
    const unsigned char b = p[start + k];
    if ((b & 0xC0) != 0x80) return kInvalid;
    c = (c << 6) | (b & 0x3F);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return kInvalid;
  *i = start + 1 + extra;
  return c;
}

void AppendUtf8(char32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// The code points of `s`, skipping bytes that are not well-formed UTF-8.
std::u32string DecodeLenient(const std::string& s) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const char32_t c = NextCodePoint(s, &i);
    if (c != kInvalid) out.push_back(c);
  }
  return out;
}

std::string Encode(const std::u32string& cps, size_t begin, size_t end) {
  std::string out;
  out.reserve(end - begin);
  for (size_t k = begin; k < end; ++k) AppendUtf8(cps[k], &out);
  return out;
}

uint32_t CategoryMask(char32_t c) { return U_GET_GC_MASK(static_cast<UChar32>(c)); }

bool IsLetter(char32_t c) { return (CategoryMask(c) & U_GC_L_MASK) != 0; }
bool IsNumber(char32_t c) { return (CategoryMask(c) & U_GC_N_MASK) != 0; }

// tokenization_utils._is_control: category C* other than tab, newline and carriage return.
bool IsBertControl(char32_t c) {
  if (c == U'\t' || c == U'\n' || c == U'\r') return false;
  return (CategoryMask(c) & U_GC_C_MASK) != 0;
}

// tokenization_utils._is_whitespace: space, tab, newline, carriage return, or category Zs.
bool IsBertWhitespace(char32_t c) {
  if (c == U' ' || c == U'\t' || c == U'\n' || c == U'\r') return true;
  return u_charType(static_cast<UChar32>(c)) == U_SPACE_SEPARATOR;
}

// BasicTokenizer._is_chinese_char.
bool IsCjkIdeograph(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
         (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

// Python's str.isspace() (what str.split() splits at): the White_Space property plus U+001C..U+001F
// (bidirectional class B or S).
bool IsPythonSpace(char32_t c) {
  return u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_WHITE_SPACE) ||
         (c >= 0x1C && c <= 0x1F);
}

// The regex module's \s: the White_Space property.
bool IsRegexSpace(char32_t c) {
  return u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_WHITE_SPACE);
}

char32_t Fold(char32_t c) {
  return static_cast<char32_t>(u_foldCase(static_cast<UChar32>(c), U_FOLD_CASE_DEFAULT));
}

// [^\s\p{L}\p{N}] under IGNORECASE: the regex module excludes a character when any case variant
// of it is in the class, so U+0345 COMBINING GREEK YPOGEGRAMMENI (Mn, folding to the letter ι)
// matches neither this class nor [\p{L}] and is skipped; [\p{L}] and [\p{N}] themselves are not
// widened by IGNORECASE. Checked against regex 2026.5.9 over all code points: U+0345 is the only
// character that the simple-fold test below removes.
bool IsOther(char32_t c) {
  if (IsLetter(c) || IsNumber(c) || IsRegexSpace(c)) return false;
  const char32_t f = Fold(c);
  return f == c || !(IsLetter(f) || IsNumber(f) || IsRegexSpace(f));
}

// Case-insensitive match of the ASCII literal `lit` at cps[pos...]; returns its length in code
// points, 0 when it does not match. IGNORECASE compares simple case folds, so "s" also matches
// U+017F LATIN SMALL LETTER LONG S (the only non-ASCII character that folds to a letter of the
// pattern's literals).
size_t MatchLiteral(const std::u32string& cps, size_t pos, const char* lit) {
  const size_t n = std::strlen(lit);
  if (pos + n > cps.size()) return 0;
  for (size_t k = 0; k < n; ++k) {
    const char32_t want = static_cast<unsigned char>(lit[k]);
    const char32_t got = cps[pos + k];
    if (got != want && Fold(got) != Fold(want)) return 0;
  }
  return n;
}

std::string LowerPython(const std::string& word) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(word.data(), static_cast<int32_t>(word.size())));
  u.toLower(icu::Locale::getRoot());
  std::string out;
  u.toUTF8String(out);
  return out;
}

}  // namespace

Status CheckUtf8(const std::string& text, const std::string& what) {
  for (size_t i = 0; i < text.size();) {
    const size_t at = i;
    if (NextCodePoint(text, &i) == kInvalid) {
      return Status::InvalidArgument(what + " is not valid UTF-8 (byte " + std::to_string(at) +
                                     ")");
    }
  }
  return Status::Ok();
}

std::vector<TextPiece> SplitSpecialTokens(const std::string& text) {
  const std::string specials[2] = {kClipStartOfText, kClipEndOfText};
  std::vector<TextPiece> pieces;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t best = std::string::npos;
    int which = -1;
    for (int k = 0; k < 2; ++k) {
      const size_t at = text.find(specials[k], pos);
      if (at < best) best = at, which = k;
    }
    if (best == std::string::npos) break;
    if (best > pos) pieces.push_back({text.substr(pos, best - pos), false});
    pieces.push_back({specials[which], true});
    pos = best + specials[which].size();
  }
  if (pos < text.size()) pieces.push_back({text.substr(pos), false});
  return pieces;
}

Status ClipCleanText(const std::string& text, std::string* out) {
  PWEMOE_RETURN_IF_ERROR(CheckUtf8(text, "text"));
  if (text.size() > kMaxTextBytes) {
    return Status::InvalidArgument("text of " + std::to_string(text.size()) +
                                   " bytes is too long (at most " + std::to_string(kMaxTextBytes) +
                                   ")");
  }
  // 1 and 2: _clean_text, then _tokenize_chinese_chars.
  std::string spaced;
  spaced.reserve(text.size() + 8);
  for (size_t i = 0; i < text.size();) {
    const char32_t c = NextCodePoint(text, &i);
    if (c == 0 || c == 0xFFFD || IsBertControl(c)) continue;
    if (IsBertWhitespace(c)) {
      spaced.push_back(' ');
    } else if (IsCjkIdeograph(c)) {
      spaced.push_back(' ');
      AppendUtf8(c, &spaced);
      spaced.push_back(' ');
    } else {
      AppendUtf8(c, &spaced);
    }
  }
  // 3: NFC.
  UErrorCode err = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(err);
  if (U_FAILURE(err)) {
    return Status::Internal(std::string("ICU NFC normalizer unavailable: ") + u_errorName(err));
  }
  icu::UnicodeString normalized =
      nfc->normalize(icu::UnicodeString::fromUTF8(
                         icu::StringPiece(spaced.data(), static_cast<int32_t>(spaced.size()))),
                     err);
  if (U_FAILURE(err)) {
    return Status::Internal(std::string("ICU NFC normalization failed: ") + u_errorName(err));
  }
  std::string nfc_text;
  normalized.toUTF8String(nfc_text);
  // 4: whitespace_tokenize, lower() per word, " ".join.
  const std::u32string cps = DecodeLenient(nfc_text);
  out->clear();
  size_t k = 0;
  while (k < cps.size()) {
    while (k < cps.size() && IsPythonSpace(cps[k])) ++k;
    if (k == cps.size()) break;
    const size_t begin = k;
    while (k < cps.size() && !IsPythonSpace(cps[k])) ++k;
    if (!out->empty()) out->push_back(' ');
    out->append(LowerPython(Encode(cps, begin, k)));
  }
  return Status::Ok();
}

std::vector<std::string> ClipPreTokenize(const std::string& cleaned) {
  static const char* const kLiterals[] = {
      "<|startoftext|>", "<|endoftext|>", "'s", "'t", "'re", "'ve", "'m", "'ll", "'d"};
  const std::u32string cps = DecodeLenient(cleaned);
  std::vector<std::string> matches;
  size_t pos = 0;
  while (pos < cps.size()) {
    size_t len = 0;
    for (const char* lit : kLiterals) {
      len = MatchLiteral(cps, pos, lit);
      if (len > 0) break;
    }
    if (len == 0 && IsLetter(cps[pos])) {
      while (pos + len < cps.size() && IsLetter(cps[pos + len])) ++len;
    }
    if (len == 0 && IsNumber(cps[pos])) len = 1;
    if (len == 0 && IsOther(cps[pos])) {
      while (pos + len < cps.size() && IsOther(cps[pos + len])) ++len;
    }
    if (len == 0) {
      ++pos;  // white space (or U+0345): no alternative matches here
      continue;
    }
    matches.push_back(Encode(cps, pos, pos + len));
    pos += len;
  }
  return matches;
}

const std::array<std::string, 256>& ClipByteEncoder() {
  static const std::array<std::string, 256> table = [] {
    std::array<std::string, 256> t;
    char32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
      AppendUtf8(printable ? static_cast<char32_t>(b) : next++, &t[b]);
    }
    return t;
  }();
  return table;
}

std::string ClipByteEncode(const std::string& piece) {
  const auto& table = ClipByteEncoder();
  std::string out;
  out.reserve(piece.size() * 2);
  for (unsigned char b : piece) out += table[b];
  return out;
}

}  // namespace pwemoe::text
