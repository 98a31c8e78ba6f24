// CLIP's byte-level BPE tokenizer, as Hugging Face transformers' slow `CLIPTokenizer`
// (models/clip/tokenization_clip.py) encodes text when ftfy is not installed, loaded from a
// checkpoint folder's `vocab.json` and `merges.txt`. No LibTorch: ids are plain integers.
//
// Encoding a text, step by step (clip_text.h has each step):
//   1. split out exact occurrences of "<|startoftext|>" and "<|endoftext|>" (HF's added tokens);
//      each becomes its own id;
//   2. every other piece: clean-up (control characters dropped, white space collapsed, CJK
//      ideographs spaced, NFC, lower-cased), then the pre-tokenizer pattern
//      <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
//      (case-insensitive), so letter runs, single digits, contractions and runs of punctuation
//      become words;
//   3. each word's UTF-8 bytes are mapped to vocabulary characters (`bytes_to_unicode`), "</w>"
//      is appended to its last character, and the merges of merges.txt are applied, always the
//      lowest-ranked (earliest in the file) pair present first, every occurrence of it left to
//      right, until no pair of the word has a rank; the words "<|startoftext|>" and
//      "<|endoftext|>" that the pattern can match are left whole, without "</w>";
//   4. each token is looked up in vocab.json; a token not there (a byte the vocabulary lacks)
//      becomes the unknown token, which for CLIP is "<|endoftext|>".
// For the model: [<|startoftext|>] + the ids, cut to context_length - 2 + [<|endoftext|>], then
// padded with the pad token ("<|endoftext|>" unless told otherwise) up to context_length — what
// `tokenizer(text, padding="max_length", truncation=True, max_length=77)` returns.
//
// Pooling. HF's CLIPTextTransformer takes the pooled output at the first position whose id is
// eos_token_id (configs written after transformers PR #24773), or at argmax(input_ids) (older
// configs, with eos_token_id = 2): with CLIP's vocabulary, where "<|endoftext|>" has the highest id
// (49407), both are the first "<|endoftext|>", which `ClipTextInput::eos_index` gives. The caller
// must pool at eos_index; it is the appended end token unless the text itself contains
// "<|endoftext|>". Because the text tower's attention is causal, that output does not depend on
// the padding after it (its value or its length).
//
// Thread safety: a loaded ClipTokenizer is immutable; its const methods may be called from several
// threads at once.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "pwemoe/util/status.h"

namespace pwemoe::text {

struct ClipTokenizerOptions {
  // Positions of the text model (max_position_embeddings, tokenizer model_max_length): 77 for
  // every released CLIP. At least 2.
  int64_t context_length = 77;
  // Token that fills the positions after the end token. HF's CLIPTokenizer defaults to
  // "<|endoftext|>"; some checkpoints' tokenizer_config.json name another one (e.g. "!").
  std::string pad_token = "<|endoftext|>";
};

// One text, ready for the CLIP text tower.
struct ClipTextInput {
  std::vector<int64_t> input_ids;       // context_length ids: start, text, end, padding
  std::vector<int64_t> attention_mask;  // 1 for the first `length` positions, then 0
  int64_t length = 0;                   // ids before the padding (start and end tokens included)
  int64_t eos_index = 0;                // first position holding the end-token id: pool here
  bool truncated = false;               // the text had more than context_length - 2 tokens
};

class ClipTokenizer {
 public:
  // An empty tokenizer; every method but the loaders returns Internal until one of them succeeds.
  ClipTokenizer() = default;

  // Loads `<folder>/vocab.json` and `<folder>/merges.txt`. NotFound naming the missing file (or
  // the folder), IoError when one cannot be read, otherwise as FromText.
  static Status Load(const std::string& folder, const ClipTokenizerOptions& options,
                     ClipTokenizer* out);
  static Status Load(const std::string& folder, ClipTokenizer* out);

  // Same, from two given files.
  static Status LoadFiles(const std::string& vocab_path, const std::string& merges_path,
                          const ClipTokenizerOptions& options, ClipTokenizer* out);

  // Builds the tokenizer from the two files' contents; `vocab_name` and `merges_name` (paths)
  // start every message. InvalidArgument when options.context_length < 2. Corrupt for:
  //   vocab.json: not UTF-8, invalid JSON, not an object, an id that is not an integer in
  //     [0, 2^31), "<|startoftext|>", "<|endoftext|>" or the pad token missing ("<name>: token
  //     '<|startoftext|>' missing from the vocabulary");
  //   merges.txt: not UTF-8 ("line N"), or a merge line (any line after the first, which is the
  //     "#version" header and is skipped as HF skips it; blank lines at the file's start and end
  //     are ignored as HF strips them) that does not hold exactly two tokens ("<name>: line N:
  //     malformed merge ..."), or whose merged token is missing from vocab.json ("<name>: line N:
  //     merged token 'ab' missing from <vocab_name>").
  // As HF, only the first 48894 merges (49152 - 256 - 2) are read; lines after them are ignored.
  // A repeated merge takes the rank of its last occurrence, as in HF's dict.
  static Status FromText(const std::string& vocab_name, const std::string& vocab_json,
                         const std::string& merges_name, const std::string& merges_text,
                         const ClipTokenizerOptions& options, ClipTokenizer* out);

  // HF `tokenizer.tokenize(text)`: the BPE tokens ("a</w>", "photo</w>", ...), special tokens
  // found in the text included. InvalidArgument when `text` is not valid UTF-8.
  Status Tokenize(const std::string& text, std::vector<std::string>* tokens) const;

  // HF `tokenizer.encode(text, add_special_tokens=False)`: the ids of Tokenize's tokens, not cut.
  Status EncodeIds(const std::string& text, std::vector<int64_t>* ids) const;

  // HF `tokenizer(text, padding="max_length", truncation=True, max_length=context_length)`, with
  // the position to pool at (see the top of this file).
  Status Encode(const std::string& text, ClipTextInput* out) const;

  // The id of `token` in vocab.json; false when it is not there.
  bool Lookup(const std::string& token, int64_t* id) const;

  int64_t bos_id() const { return bos_id_; }
  int64_t eos_id() const { return eos_id_; }  // also the unknown-token id
  int64_t pad_id() const { return pad_id_; }
  int64_t context_length() const { return context_length_; }
  int64_t vocab_size() const { return static_cast<int64_t>(vocab_.size()); }
  int64_t num_merges() const { return static_cast<int64_t>(ranks_.size()); }

 private:
  // The BPE tokens of one byte-encoded word (step 3).
  std::vector<std::string> Bpe(const std::string& word) const;
  Status CheckLoaded() const;

  std::unordered_map<std::string, int64_t> vocab_;
  std::unordered_map<std::string, int64_t> ranks_;  // "<first> <second>" -> rank
  int64_t bos_id_ = -1;
  int64_t eos_id_ = -1;
  int64_t pad_id_ = -1;
  int64_t context_length_ = 77;
};

}  // namespace pwemoe::text
