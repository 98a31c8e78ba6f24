// The text steps of CLIP's tokenizer before byte-pair encoding, as Hugging Face transformers'
// slow `CLIPTokenizer` (models/clip/tokenization_clip.py) does them when ftfy is not installed.
// clip_tokenizer.h puts them together; they are declared here so that tests can check each step.
//
// All functions are pure and thread-safe.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "pwemoe/util/status.h"

namespace pwemoe::text {

// The special tokens that HF splits out of the text before anything else (its added tokens).
inline constexpr const char* kClipStartOfText = "<|startoftext|>";
inline constexpr const char* kClipEndOfText = "<|endoftext|>";

// Checks that `text` is well-formed UTF-8 (no overlong forms, surrogates or values past
// U+10FFFF). InvalidArgument "<what> is not valid UTF-8 (byte N)" when not.
Status CheckUtf8(const std::string& text, const std::string& what);

// One piece of `SplitSpecialTokens`: the text between special tokens, or a special token.
struct TextPiece {
  std::string text;
  bool special = false;
};

// Splits `text` at every exact (case-sensitive) occurrence of kClipStartOfText and
// kClipEndOfText, as HF's added-token split does (CLIP's special tokens strip no white space
// around them). Empty pieces are dropped. Works on bytes: UTF-8 need not be checked first.
std::vector<TextPiece> SplitSpecialTokens(const std::string& text);

// HF's clean-up without ftfy: BasicTokenizer(do_lower_case=True, strip_accents=False,
// do_split_on_punc=False, tokenize_chinese_chars=True).tokenize(text), joined with " ":
//   1. drop U+0000, U+FFFD and control characters (general category C*: Cc, Cf, Cs, Co, Cn)
//      except tab, newline and carriage return; those three and every Zs character become " ";
//   2. put " " on both sides of each CJK ideograph (BERT's ranges: U+4E00-9FFF, U+3400-4DBF,
//      U+20000-2A6DF, U+2A700-2B73F, U+2B740-2B81F, U+2B820-2CEAF, U+F900-FAFF, U+2F800-2FA1F);
//   3. NFC-normalize;
//   4. split at Python white space (str.split()), lower-case each word as Python's str.lower()
//      does (full Unicode lower-casing: "İ" -> "i̇", a final capital sigma -> "ς"), join with " ".
// The result has no leading, trailing or repeated white space. InvalidArgument when `text` is not
// valid UTF-8 or longer than 2^28 bytes.
Status ClipCleanText(const std::string& text, std::string* out);

// HF's pre-tokenizer: re.findall of
//   <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
// with re.IGNORECASE (the `regex` module) over `cleaned`, a ClipCleanText result: at each position
// the first alternative that matches wins (letter and other runs are greedy, a number is one code
// point); a position where none matches is skipped. Returns the matches in order. Characters not
// valid UTF-8 in `cleaned` are skipped.
std::vector<std::string> ClipPreTokenize(const std::string& cleaned);

// GPT-2/CLIP `bytes_to_unicode`: for each byte, the UTF-8 text of the code point that stands for
// it in the vocabulary. Printable bytes ('!'..'~', U+00A1..U+00AC, U+00AE..U+00FF) stand for
// themselves; the other 68 bytes, in increasing order, for U+0100, U+0101, ... U+0143.
const std::array<std::string, 256>& ClipByteEncoder();

// The byte-encoded form of `piece`: ClipByteEncoder applied to each of its bytes, concatenated.
std::string ClipByteEncode(const std::string& piece);

}  // namespace pwemoe::text
