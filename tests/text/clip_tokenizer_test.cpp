// Tests of the CLIP tokenizer against Hugging Face's slow CLIPTokenizer (no ftfy).
//
// transformers is not installed where these tests were written (and CI has no network), so every
// expected token and id below was derived by hand from HF's algorithm
// (models/clip/tokenization_clip.py): the clean-up of BasicTokenizer(strip_accents=False,
// do_split_on_punc=False), the pre-tokenizer pattern, bytes_to_unicode, "</w>" on the last
// character of a word, and the loop that merges the lowest-ranked pair present. The comments next
// to the cases show the derivation. The behaviour of Python's `regex` module that these cases pin
// down (IGNORECASE, U+0345, U+017F) was checked with regex 2026.5.9 and Python 3.11.
#include "pwemoe/text/clip_tokenizer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "pwemoe/text/clip_text.h"

namespace pwemoe::text {
namespace {

using Tokens = std::vector<std::string>;
using Ids = std::vector<int64_t>;

// ---- a small vocabulary laid out as CLIP's -----------------------------------------------------
//
// openai/CLIP's vocabulary (kept by HF's vocab.json): ids 0..255 are the 256 byte characters of
// bytes_to_unicode — the printable bytes '!'..'~', 0xA1..0xAC, 0xAE..0xFF in increasing order,
// then the 68 others in increasing order —, 256..511 the same characters with "</w>", then one id
// per merge in rank order, then <|startoftext|> and <|endoftext|>. With it the ids of single
// characters are CLIP's own: "a</w>" is 320 and ".</w>" is 269, as in CLIP's encoding of
// "a photo of a cat." = 49406 320 1125 539 320 2368 269 49407.

std::vector<int> ByteOrder() {
  std::vector<int> order;
  for (int b = 0; b < 256; ++b) {
    if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE) order.push_back(b);
  }
  for (int b = 0; b < 256; ++b) {
    if (!((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE)) order.push_back(b);
  }
  return order;
}

int64_t ByteId(int byte, bool end_of_word) {
  const std::vector<int> order = ByteOrder();
  for (size_t i = 0; i < order.size(); ++i) {
    if (order[i] == byte) return static_cast<int64_t>(i) + (end_of_word ? 256 : 0);
  }
  return -1;
}

// vocab.json for `merges` ("first second", rank order); the bytes in `missing` are left out (both
// forms), the other ids stay where CLIP's layout puts them.
std::string VocabJson(const std::vector<std::string>& merges, const std::set<int>& missing = {}) {
  nlohmann::json v = nlohmann::json::object();
  const std::vector<int> order = ByteOrder();
  const auto& enc = ClipByteEncoder();
  for (size_t i = 0; i < order.size(); ++i) {
    if (missing.count(order[i])) continue;
    v[enc[order[i]]] = i;
    v[enc[order[i]] + "</w>"] = 256 + i;
  }
  for (size_t r = 0; r < merges.size(); ++r) {
    const size_t sp = merges[r].find(' ');
    v[merges[r].substr(0, sp) + merges[r].substr(sp + 1)] = 512 + r;
  }
  v["<|startoftext|>"] = 512 + merges.size();
  v["<|endoftext|>"] = 513 + merges.size();
  return v.dump();
}

std::string MergesText(const std::vector<std::string>& merges) {
  std::string text = "#version: 0.2\n";
  for (const std::string& m : merges) text += m + "\n";
  return text;
}

// The merges of most tests; the result of rank r has id 512 + r.
const std::vector<std::string>& TestMerges() {
  static const std::vector<std::string> merges = {
      "h e",         // 0 -> "he" (512)
      "l l",         // 1 -> "ll"
      "he ll",       // 2 -> "hell"
      "hell o</w>",  // 3 -> "hello</w>" (515)
      "b c",         // 4 -> "bc"
      "a b",         // 5 -> "ab"
      "p h",         // 6 -> "ph"
      "o t",         // 7 -> "ot"
      "ph ot",       // 8 -> "phot"
      "phot o</w>",  // 9 -> "photo</w>" (521)
      "' s</w>",     // 10 -> "'s</w>" (522)
      "o f</w>",     // 11 -> "of</w>" (523)
      "t h",         // 12 -> "th"
      "th e</w>",    // 13 -> "the</w>" (525)
      "! !",         // 14 -> "!!"
      "Ã ©</w>",     // 15 -> "Ã©</w>": "é" is C3 A9, bytes that stand for themselves
      "c a",         // 16 -> "ca"
      "ca f",        // 17 -> "caf"
  };
  return merges;
}
constexpr int64_t kBos = 512 + 18;  // 530
constexpr int64_t kEos = 513 + 18;  // 531
constexpr int64_t kHello = 515;
constexpr int64_t kPhoto = 521;
constexpr int64_t kOf = 523;
constexpr int64_t kThe = 525;
constexpr int64_t kA = 320;       // "a</w>", as in CLIP
constexpr int64_t kPeriod = 269;  // ".</w>", as in CLIP

ClipTokenizer MakeTokenizer(const std::vector<std::string>& merges = TestMerges(),
                            const ClipTokenizerOptions& options = {},
                            const std::set<int>& missing = {}) {
  ClipTokenizer t;
  Status st = ClipTokenizer::FromText("vocab.json", VocabJson(merges, missing), "merges.txt",
                                      MergesText(merges), options, &t);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return t;
}

Tokens MustTokenize(const ClipTokenizer& t, const std::string& text) {
  Tokens tokens;
  Status st = t.Tokenize(text, &tokens);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return tokens;
}

std::string MakeTempDir() {
  static std::atomic<int> counter{0};
  const auto dir =
      std::filesystem::temp_directory_path() /
      ("pwemoe_text_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
  ASSERT_TRUE(out.good()) << path;
}

// ---- bytes_to_unicode --------------------------------------------------------------------------

TEST(ClipByteEncoder, IsGpt2Table) {
  const auto& enc = ClipByteEncoder();
  EXPECT_EQ(enc['a'], "a");
  EXPECT_EQ(enc['!'], "!");
  EXPECT_EQ(enc['~'], "~");
  EXPECT_EQ(enc[0xA1], "\u00A1");
  EXPECT_EQ(enc[0xFF], "\u00FF");
  // The 68 others, in increasing order, from U+0100: 0x00 -> U+0100, ' ' (0x20) -> U+0120 "Ġ",
  // '\n' -> U+010A "Ċ", 0x7F -> U+0121, 0x80 -> U+0122, 0xA0 -> U+0142, 0xAD -> U+0143.
  EXPECT_EQ(enc[0x00], "\u0100");
  EXPECT_EQ(enc[' '], "\u0120");
  EXPECT_EQ(enc['\n'], "\u010A");
  EXPECT_EQ(enc[0x7F], "\u0121");
  EXPECT_EQ(enc[0x80], "\u0122");
  EXPECT_EQ(enc[0xA0], "\u0142");
  EXPECT_EQ(enc[0xAD], "\u0143");
  EXPECT_EQ(std::set<std::string>(enc.begin(), enc.end()).size(), 256u);
  EXPECT_EQ(ClipByteEncode("é!"), "\u00C3\u00A9!");  // C3 A9 21
}

TEST(ClipTokenizer, SingleCharacterIdsAreClips) {
  ClipTokenizer t = MakeTokenizer();
  int64_t id = -1;
  ASSERT_TRUE(t.Lookup("a</w>", &id));
  EXPECT_EQ(id, kA);
  ASSERT_TRUE(t.Lookup(".</w>", &id));
  EXPECT_EQ(id, kPeriod);
  ASSERT_TRUE(t.Lookup("!", &id));
  EXPECT_EQ(id, 0);
  EXPECT_EQ(t.bos_id(), kBos);
  EXPECT_EQ(t.eos_id(), kEos);
  EXPECT_EQ(t.pad_id(), kEos);
  EXPECT_EQ(t.vocab_size(), 512 + 18 + 2);
  EXPECT_EQ(t.num_merges(), 18);
  EXPECT_EQ(t.context_length(), 77);
}

// ---- clean-up ----------------------------------------------------------------------------------

struct CleanCase {
  std::string text;
  std::string cleaned;
  const char* why;
};

TEST(ClipCleanText, Table) {
  const std::vector<CleanCase> cases = {
      {"", "", "empty"},
      {"  \t\n ", "", "white space only"},
      {"A  Photo\tOF\r\nthe  CAT ", "a photo of the cat", "collapsed, stripped, lower-cased"},
      {"a\u00A0photo\u3000of", "a photo of", "Zs characters are white space"},
      {"a\u2028b", "a b", "U+2028 (Zl) survives _clean_text, str.split() splits at it"},
      {"pho\u200Bto", "photo", "U+200B (Cf) is a control character: dropped, words join"},
      {"pho\u00ADto", "photo", "soft hyphen (Cf) dropped"},
      {std::string("pho\0to", 6), "photo", "NUL dropped"},
      {"pho\x01to", "photo", "Cc dropped"},
      {"a\vb\fc", "abc", "\\v and \\f are Cc, not BERT white space: dropped"},
      {"pho\uFFFDto", "photo", "U+FFFD dropped"},
      {"a\uE000b\u0378c", "abc", "private use (Co) and unassigned (Cn) dropped"},
      {"CAFE\u0301", "caf\u00E9", "NFC composes E + U+0301 to \u00C9, then lower-cased"},
      {"\u039F\u0394\u039F\u03A3", "\u03BF\u03B4\u03BF\u03C2", "final capital sigma -> \u03C2"},
      {"\u03A3\u0391", "\u03C3\u03B1", "non-final capital sigma -> \u03C3"},
      {"\u0130", "i\u0307", "\u0130 lower-cases to two code points, as str.lower()"},
      {"\u01C4", "\u01C6", "DŽ -> dž"},
      {"\uFB01", "\uFB01", "NFC keeps compatibility ligatures"},
      {"\u4E2D\u6587ok", "\u4E2D \u6587 ok", "CJK ideographs spaced"},
      {"<|startoftext|>", "<|startoftext|>", "nothing special here"},
  };
  for (const CleanCase& c : cases) {
    std::string out;
    Status st = ClipCleanText(c.text, &out);
    ASSERT_TRUE(st.ok()) << c.why << ": " << st.ToString();
    EXPECT_EQ(out, c.cleaned) << c.why;
  }
}

TEST(ClipCleanText, RefusesInvalidUtf8) {
  std::string out;
  for (const std::string bad : {"a\xC3", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xFF"}) {
    Status st = ClipCleanText(bad, &out);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << st.ToString();
    EXPECT_NE(st.message().find("not valid UTF-8"), std::string::npos) << st.ToString();
  }
}

// ---- pre-tokenizer -----------------------------------------------------------------------------

struct SplitCase {
  std::string text;
  Tokens words;
  const char* why;
};

TEST(ClipPreTokenize, Table) {
  const std::vector<SplitCase> cases = {
      {"a photo of a cat.", {"a", "photo", "of", "a", "cat", "."}, "letters and punctuation"},
      {"it's", {"it", "'s"}, "contraction 's"},
      {"don't", {"don", "'t"}, "'t"},
      {"they're", {"they", "'re"}, "'re"},
      {"we've", {"we", "'ve"}, "'ve"},
      {"i'm", {"i", "'m"}, "'m"},
      {"we'll", {"we", "'ll"}, "'ll"},
      {"he'd", {"he", "'d"}, "'d"},
      {"'x", {"'", "x"}, "an apostrophe without a contraction is punctuation"},
      {"''s", {"''", "s"}, "the punctuation run is greedy and takes the second quote"},
      {"!'s", {"!'", "s"}, "same after '!'"},
      {"hi!!! ...?", {"hi", "!!!", "...?"}, "punctuation runs"},
      {"a.b", {"a", ".", "b"}, "punctuation between letters"},
      {"$100", {"$", "1", "0", "0"}, "one token per digit"},
      {"route66", {"route", "6", "6"}, "digits after letters"},
      {"3rd", {"3", "rd"}, "letters after a digit"},
      {"\u00BD\u00B2\u216B", {"\u00BD", "\u00B2", "\u216B"}, "No and Nl are \\p{N}: one each"},
      {"caf\u00E9", {"caf\u00E9"}, "non-ASCII letters are \\p{L}"},
      {"na\u00EFve-\u00FCn\u00EFcode", {"na\u00EFve", "-", "\u00FCn\u00EFcode"}, "hyphen splits"},
      {"\u4E2D \u6587", {"\u4E2D", "\u6587"}, "CJK"},
      {"ab\u0301c", {"ab", "\u0301", "c"}, "a combining mark (Mn) is neither L nor N"},
      {"a\u0345b", {"a", "b"}, "U+0345 matches no alternative under IGNORECASE: skipped"},
      {"'\u017F", {"'\u017F"}, "IGNORECASE: 's' also matches U+017F (long s)"},
      {"<|startoftext|>hi<|endoftext|>", {"<|startoftext|>", "hi", "<|endoftext|>"}, "specials"},
      {"<|\u017Ftartoftext|>", {"<|\u017Ftartoftext|>"}, "special alternative, case-insensitive"},
      {"\U0001F642\U0001F642", {"\U0001F642\U0001F642"}, "symbols (So) form a run"},
  };
  for (const SplitCase& c : cases) EXPECT_EQ(ClipPreTokenize(c.text), c.words) << c.why;
}

// ---- special-token split -----------------------------------------------------------------------

TEST(SplitSpecialTokens, SplitsExactOccurrences) {
  auto pieces = SplitSpecialTokens("a<|endoftext|><|startoftext|> b<|ENDOFTEXT|>");
  ASSERT_EQ(pieces.size(), 4u);
  EXPECT_EQ(pieces[0].text, "a");
  EXPECT_FALSE(pieces[0].special);
  EXPECT_EQ(pieces[1].text, "<|endoftext|>");
  EXPECT_TRUE(pieces[1].special);
  EXPECT_EQ(pieces[2].text, "<|startoftext|>");
  EXPECT_TRUE(pieces[2].special);
  EXPECT_EQ(pieces[3].text, " b<|ENDOFTEXT|>");  // case-sensitive
  EXPECT_FALSE(pieces[3].special);
  EXPECT_TRUE(SplitSpecialTokens("").empty());
}

// ---- tokens ------------------------------------------------------------------------------------

struct TokenCase {
  std::string text;
  Tokens tokens;
  const char* why;
};

TEST(ClipTokenizer, TokenizeTable) {
  ClipTokenizer t = MakeTokenizer();
  const std::vector<TokenCase> cases = {
      // h e l l o</w>: rank 0 (h e) -> he l l o</w>; rank 1 (l l) -> he ll o</w>; rank 2 -> hell
      // o</w>; rank 3 -> hello</w>.
      {"hello", {"hello</w>"}, "merges chained"},
      // "world": no pair of w o r l d</w> has a rank.
      {"Hello   WORLD", {"hello</w>", "w", "o", "r", "l", "d</w>"}, "case, white space"},
      // a b c d</w>: (b c) rank 4 beats (a b) rank 5 -> a bc d</w>; no ranked pair left.
      {"abcd", {"a", "bc", "d</w>"}, "lowest rank first"},
      // photo: p h o t o</w> -> (p h) 6 -> ph o t o</w> -> (o t) 7 -> ph ot o</w> -> 8 -> phot
      // o</w>
      // -> 9 -> photo</w>. of: o f</w> -> 11. the: t h e</w> -> (t h) 12 -> th e</w> -> 13.
      {"a photo of the hello.",
       {"a</w>", "photo</w>", "of</w>", "the</w>", "hello</w>", ".</w>"},
       "words"},
      // "it" "'s": i t</w> (no merge); ' s</w> -> rank 10.
      {"it's", {"i", "t</w>", "'s</w>"}, "contraction is its own word"},
      {"X'S", {"x</w>", "'s</w>"}, "contraction after lower-casing"},
      // "x" "'" "z": three words of one character.
      {"x'z", {"x</w>", "'</w>", "z</w>"}, "apostrophe alone is a word"},
      // "hi" "!!!": ! ! !</w> -> (! !) rank 14 at 0, then !</w> stays -> !! !</w>.
      {"hi!!!", {"h", "i</w>", "!!", "!</w>"}, "punctuation run, merged left to right"},
      {"2024", {"2</w>", "0</w>", "2</w>", "4</w>"}, "digits split one per token"},
      // c a f Ã ©</w>: (Ã ©</w>) 15 -> c a f Ã©</w>; (c a) 16 -> ca f Ã©</w>;
      // (ca f) 17 -> caf Ã©</w>.
      {"caf\u00E9", {"caf", "\u00C3\u00A9</w>"}, "non-ASCII letter, byte-level"},
      {"CAFE\u0301", {"caf", "\u00C3\u00A9</w>"}, "NFC then lower-case"},
      // h e l l o h e l l o</w> -> he..he.. -> he ll o he ll o</w> -> hell o hell o</w> -> rank 3
      // only where o</w> ends the word.
      {"hellohello", {"hell", "o", "hello</w>"}, "every occurrence merged"},
      // "ü" is C3 BC: Ã ¼</w>, no merge.
      {"\u00FC", {"\u00C3", "\u00BC</w>"}, "byte characters"},
      // A space inside a word cannot happen; " " (0x20) as a byte appears only in pieces of other
      // characters: U+2020 "†" is E2 80 A0 -> â (E2) U+0122 (80) U+0142 (A0).
      {"\u2020", {"\u00E2", "\u0122", "\u0142</w>"}, "non-printable bytes"},
      {" \t\n", {}, "nothing"},
  };
  for (const TokenCase& c : cases) EXPECT_EQ(MustTokenize(t, c.text), c.tokens) << c.why;
}

TEST(ClipTokenizer, LongWord) {
  ClipTokenizer t = MakeTokenizer();
  std::string word;
  Tokens expected;
  for (int i = 0; i < 40; ++i) {
    word += "hello";
    if (i < 39) {
      expected.push_back("hell");
      expected.push_back("o");
    }
  }
  expected.push_back("hello</w>");
  EXPECT_EQ(MustTokenize(t, word), expected);
}

TEST(ClipTokenizer, MergesAppliedInRankOrder) {
  std::vector<std::string> swapped = TestMerges();
  std::swap(swapped[4], swapped[5]);  // now (a b) ranks before (b c)
  ClipTokenizer t = MakeTokenizer(swapped);
  EXPECT_EQ(MustTokenize(t, "abcd"), (Tokens{"ab", "c", "d</w>"}));
  // A repeated merge takes the rank of its last line (HF builds a dict): (b c) at ranks 0 and 2,
  // (a b) at 1 -> (a b) first.
  ClipTokenizer r = MakeTokenizer({"b c", "a b", "b c"});
  EXPECT_EQ(MustTokenize(r, "abcd"), (Tokens{"ab", "c", "d</w>"}));
}

TEST(ClipTokenizer, UnknownBytesBecomeEndOfText) {
  ClipTokenizer t = MakeTokenizer(TestMerges(), {}, /*missing=*/{0xBC});
  Ids ids;
  ASSERT_TRUE(t.EncodeIds("\u00FC", &ids).ok());  // C3 BC
  EXPECT_EQ(ids, (Ids{ByteId(0xC3, false), kEos}));
}

// ---- ids for the model -------------------------------------------------------------------------

TEST(ClipTokenizer, EncodePadsWithEndOfTextAndGivesEosIndex) {
  ClipTokenizerOptions opts;
  opts.context_length = 8;
  ClipTokenizer t = MakeTokenizer(TestMerges(), opts);
  ClipTextInput in;
  ASSERT_TRUE(t.Encode("Hello", &in).ok());
  EXPECT_EQ(in.input_ids, (Ids{kBos, kHello, kEos, kEos, kEos, kEos, kEos, kEos}));
  EXPECT_EQ(in.attention_mask, (Ids{1, 1, 1, 0, 0, 0, 0, 0}));
  EXPECT_EQ(in.length, 3);
  EXPECT_EQ(in.eos_index, 2);
  EXPECT_FALSE(in.truncated);

  opts.pad_token = "!";  // id 0
  ClipTokenizer bang = MakeTokenizer(TestMerges(), opts);
  ASSERT_TRUE(bang.Encode("Hello", &in).ok());
  EXPECT_EQ(in.input_ids, (Ids{kBos, kHello, kEos, 0, 0, 0, 0, 0}));
  EXPECT_EQ(in.eos_index, 2);
}

TEST(ClipTokenizer, EncodeDefaultContextLength) {
  ClipTokenizer t = MakeTokenizer();
  ClipTextInput in;
  ASSERT_TRUE(t.Encode("a photo of the hello.", &in).ok());
  ASSERT_EQ(in.input_ids.size(), 77u);
  EXPECT_EQ(Ids(in.input_ids.begin(), in.input_ids.begin() + 8),
            (Ids{kBos, kA, kPhoto, kOf, kThe, kHello, kPeriod, kEos}));
  EXPECT_EQ(Ids(in.input_ids.begin() + 8, in.input_ids.end()), Ids(69, kEos));
  EXPECT_EQ(in.length, 8);
  EXPECT_EQ(in.eos_index, 7);
}

TEST(ClipTokenizer, TruncationKeepsEndToken) {
  ClipTokenizerOptions opts;
  opts.context_length = 8;
  ClipTokenizer t = MakeTokenizer(TestMerges(), opts);
  ClipTextInput in;
  ASSERT_TRUE(t.Encode("a a a a a a", &in).ok());  // 6 tokens: fits exactly
  EXPECT_EQ(in.input_ids, (Ids{kBos, kA, kA, kA, kA, kA, kA, kEos}));
  EXPECT_FALSE(in.truncated);
  EXPECT_EQ(in.eos_index, 7);
  ASSERT_TRUE(t.Encode("a a a a a a a a a a", &in).ok());  // 10 tokens: the last 4 go
  EXPECT_EQ(in.input_ids, (Ids{kBos, kA, kA, kA, kA, kA, kA, kEos}));
  EXPECT_TRUE(in.truncated);
  EXPECT_EQ(in.length, 8);
  EXPECT_EQ(in.eos_index, 7);
  EXPECT_EQ(in.attention_mask, Ids(8, 1));

  // 79 tokens into 77 positions: 75 kept.
  ClipTokenizer t77 = MakeTokenizer();
  std::string word;
  for (int i = 0; i < 40; ++i) word += "hello";
  ASSERT_TRUE(t77.Encode(word, &in).ok());
  EXPECT_TRUE(in.truncated);
  EXPECT_EQ(in.length, 77);
  EXPECT_EQ(in.eos_index, 76);
  EXPECT_EQ(in.input_ids[76], kEos);
  int64_t hell = -1;
  ASSERT_TRUE(t77.Lookup("hell", &hell));
  EXPECT_EQ(in.input_ids[75], hell);  // tokens alternate hell, o: the 75th is "hell"
}

TEST(ClipTokenizer, StartAndEndTokensInText) {
  ClipTokenizerOptions opts;
  opts.context_length = 8;
  ClipTokenizer t = MakeTokenizer(TestMerges(), opts);
  ClipTextInput in;
  ASSERT_TRUE(t.Encode("", &in).ok());
  EXPECT_EQ(in.input_ids, (Ids{kBos, kEos, kEos, kEos, kEos, kEos, kEos, kEos}));
  EXPECT_EQ(in.length, 2);
  EXPECT_EQ(in.eos_index, 1);

  EXPECT_EQ(MustTokenize(t, "a<|endoftext|>b"), (Tokens{"a</w>", "<|endoftext|>", "b</w>"}));
  EXPECT_EQ(MustTokenize(t, "a <|endoftext|> b"), (Tokens{"a</w>", "<|endoftext|>", "b</w>"}));
  EXPECT_EQ(MustTokenize(t, "<|startoftext|>a"), (Tokens{"<|startoftext|>", "a</w>"}));
  // Split out before the clean-up, so "." stays a word of its own.
  EXPECT_EQ(MustTokenize(t, ".<|endoftext|>"), (Tokens{".</w>", "<|endoftext|>"}));
  // Not an exact occurrence: lower-cased by the clean-up, then matched by the pattern's first
  // alternatives, and left whole by bpe() (HF's cache holds both special tokens).
  EXPECT_EQ(MustTokenize(t, "<|ENDOFTEXT|>"), (Tokens{"<|endoftext|>"}));

  // The model pools at the first end token.
  ASSERT_TRUE(t.Encode("a<|endoftext|>b", &in).ok());
  EXPECT_EQ(in.input_ids, (Ids{kBos, kA, kEos, ByteId('b', true), kEos, kEos, kEos, kEos}));
  EXPECT_EQ(ByteId('b', true), 321);
  EXPECT_EQ(in.length, 5);
  EXPECT_EQ(in.eos_index, 2);
}

// ---- loading and errors ------------------------------------------------------------------------

Status FromText(const std::string& vocab, const std::string& merges,
                const ClipTokenizerOptions& opts = {}) {
  ClipTokenizer t;
  return ClipTokenizer::FromText("dir/vocab.json", vocab, "dir/merges.txt", merges, opts, &t);
}

void ExpectError(const Status& st, Status::Code code, const std::string& part) {
  EXPECT_EQ(st.code(), code) << st.ToString();
  EXPECT_NE(st.message().find(part), std::string::npos) << st.ToString() << "\nwanted: " << part;
}

TEST(ClipTokenizer, LoadsFolder) {
  const std::string dir = MakeTempDir();
  WriteFile(dir + "/vocab.json", VocabJson(TestMerges()));
  WriteFile(dir + "/merges.txt", MergesText(TestMerges()));
  ClipTokenizer t;
  Status st = ClipTokenizer::Load(dir, &t);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(MustTokenize(t, "a photo"), (Tokens{"a</w>", "photo</w>"}));
  std::filesystem::remove_all(dir);
}

TEST(ClipTokenizer, MissingFilesAreNamed) {
  ClipTokenizer t;
  const std::string dir = MakeTempDir();
  ExpectError(ClipTokenizer::Load(dir + "/nope", &t), Status::Code::kNotFound, dir + "/nope");
  WriteFile(dir + "/merges.txt", MergesText(TestMerges()));
  ExpectError(ClipTokenizer::Load(dir, &t), Status::Code::kNotFound, dir + "/vocab.json");
  std::filesystem::remove(dir + "/merges.txt");
  WriteFile(dir + "/vocab.json", VocabJson(TestMerges()));
  ExpectError(ClipTokenizer::Load(dir, &t), Status::Code::kNotFound, dir + "/merges.txt");
  std::filesystem::remove_all(dir);
}

TEST(ClipTokenizer, MalformedVocabulary) {
  const std::string merges = MergesText({"h e"});
  ExpectError(FromText("{\"a\": 1", merges), Status::Code::kCorrupt,
              "dir/vocab.json: invalid JSON");
  ExpectError(FromText("[1, 2]", merges), Status::Code::kCorrupt,
              "dir/vocab.json: expected a JSON object");
  ExpectError(FromText("{\"a\": \"x\"}", merges), Status::Code::kCorrupt, "token 'a': id \"x\"");
  ExpectError(FromText("{\"a\": -1}", merges), Status::Code::kCorrupt, "token 'a': id -1");
  ExpectError(FromText("{\"a\": 1.5}", merges), Status::Code::kCorrupt, "token 'a': id 1.5");
  ExpectError(FromText("\"\xFF\"", merges), Status::Code::kCorrupt,
              "dir/vocab.json is not valid UTF-8");

  nlohmann::json v = nlohmann::json::parse(VocabJson({"h e"}));
  v.erase("<|startoftext|>");
  ExpectError(FromText(v.dump(), merges), Status::Code::kCorrupt,
              "dir/vocab.json: token '<|startoftext|>' missing from the vocabulary");
  v = nlohmann::json::parse(VocabJson({"h e"}));
  v.erase("<|endoftext|>");
  ExpectError(FromText(v.dump(), merges), Status::Code::kCorrupt, "token '<|endoftext|>' missing");
  ClipTokenizerOptions opts;
  opts.pad_token = "<pad>";
  ExpectError(FromText(VocabJson({"h e"}), merges, opts), Status::Code::kCorrupt,
              "dir/vocab.json: pad token '<pad>' missing");
}

TEST(ClipTokenizer, MalformedMerges) {
  const std::string vocab = VocabJson({"h e", "l l"});
  ExpectError(FromText(vocab, "#version: 0.2\nh e\nl l x\n"), Status::Code::kCorrupt,
              "dir/merges.txt: line 3: malformed merge 'l l x'");
  ExpectError(FromText(vocab, "#version: 0.2\nh e\nll\n"), Status::Code::kCorrupt,
              "dir/merges.txt: line 3: malformed merge 'll'");
  ExpectError(FromText(vocab, "#version: 0.2\nh e\n\nl l\n"), Status::Code::kCorrupt,
              "dir/merges.txt: line 3: malformed merge ''");
  // Leading blank lines are stripped (as HF strips the text) but still counted.
  ExpectError(FromText(vocab, "\n\n#version: 0.2\nh e\nbad\n"), Status::Code::kCorrupt,
              "dir/merges.txt: line 5: malformed merge 'bad'");
  ExpectError(FromText(vocab, "#version: 0.2\nx y\n"), Status::Code::kCorrupt,
              "dir/merges.txt: line 2: merged token 'xy' missing from dir/vocab.json");
  ExpectError(FromText(vocab, "#version: 0.2\nh e\nl \xC3\n"), Status::Code::kCorrupt,
              "dir/merges.txt: line 3 is not valid UTF-8");
}

TEST(ClipTokenizer, MergesFileAsHfReadsIt) {
  const std::string vocab = VocabJson({"h e", "l l"});
  ClipTokenizer t;
  // The first line is skipped whatever it holds, as HF does: here it loses the merge (h e).
  ASSERT_TRUE(ClipTokenizer::FromText("v", vocab, "m", "h e\nl l\n", {}, &t).ok());
  EXPECT_EQ(t.num_merges(), 1);
  EXPECT_EQ(MustTokenize(t, "hello"), (Tokens{"h", "e", "ll", "o</w>"}));
  // CRLF line ends and trailing blank lines.
  ASSERT_TRUE(
      ClipTokenizer::FromText("v", vocab, "m", "#version: 0.2\r\nh e\r\nl l\r\n\r\n\n", {}, &t)
          .ok());
  EXPECT_EQ(t.num_merges(), 2);
  EXPECT_EQ(MustTokenize(t, "hello"), (Tokens{"he", "ll", "o</w>"}));
  // At most 49152 - 256 - 2 = 48894 merges are read; what follows is not even looked at.
  std::string many = "#version: 0.2\n";
  for (int i = 0; i < 48894; ++i) many += "h e\n";
  ASSERT_TRUE(ClipTokenizer::FromText("v", vocab, "m", many + "not a merge\n", {}, &t).ok());
  EXPECT_EQ(t.num_merges(), 1);
  std::string fewer = "#version: 0.2\n";
  for (int i = 0; i < 48893; ++i) fewer += "h e\n";
  ExpectError(ClipTokenizer::FromText("v", vocab, "m", fewer + "not a merge\n", {}, &t),
              Status::Code::kCorrupt, "m: line 48895: malformed merge");
}

TEST(ClipTokenizer, BadArguments) {
  ClipTokenizerOptions opts;
  opts.context_length = 1;
  ExpectError(FromText(VocabJson({}), MergesText({}), opts), Status::Code::kInvalidArgument,
              "context_length must be at least 2");

  ClipTokenizer t = MakeTokenizer();
  Tokens tokens;
  ExpectError(t.Tokenize("a\xC3(", &tokens), Status::Code::kInvalidArgument,
              "text is not valid UTF-8 (byte 1)");
  ClipTextInput in;
  ExpectError(t.Encode("\xFF", &in), Status::Code::kInvalidArgument, "not valid UTF-8");

  ClipTokenizer empty;
  ExpectError(empty.Encode("a", &in), Status::Code::kInternal, "before it was loaded");
}

}  // namespace
}  // namespace pwemoe::text
