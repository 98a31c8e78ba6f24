#include "pwemoe/text/clip_tokenizer.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>
#include <utility>

#include "pwemoe/text/clip_text.h"
#include "pwemoe/text/prompts.h"

namespace pwemoe::text {

namespace {

using json = nlohmann::json;

// HF reads merges.txt lines [1, 49152 - 256 - 2 + 1): CLIP's vocabulary is 256 bytes, 256 bytes
// with "</w>", one token per merge and the two special tokens, 49408 in all.
constexpr size_t kMaxMerges = 49152 - 256 - 2;

constexpr int64_t kMaxId = 2147483647;

// 1-based line of byte `offset` in `text`.
size_t LineOf(const std::string& text, size_t offset) {
  return 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + offset, '\n'));
}

// The byte offset named by a CheckUtf8 message ("... (byte N)"); 0 when there is none.
size_t BadByteOf(const Status& st) {
  const std::string& m = st.message();
  const size_t at = m.rfind("(byte ");
  return at == std::string::npos ? 0 : std::stoull(m.substr(at + 6));
}

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::vector<std::string> SplitFields(const std::string& line) {
  std::vector<std::string> fields;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && IsAsciiSpace(line[i])) ++i;
    if (i == line.size()) break;
    const size_t begin = i;
    while (i < line.size() && !IsAsciiSpace(line[i])) ++i;
    fields.push_back(line.substr(begin, i - begin));
  }
  return fields;
}

// The UTF-8 characters of `s` (valid UTF-8).
std::vector<std::string> SplitChars(const std::string& s) {
  std::vector<std::string> chars;
  chars.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    const size_t n = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    chars.push_back(s.substr(i, n));
    i += n;
  }
  return chars;
}

std::string Quote(const std::string& s) {
  constexpr size_t kMax = 60;
  return "'" + (s.size() <= kMax ? s : s.substr(0, kMax) + "...") + "'";
}

using TokenIds = std::unordered_map<std::string, int64_t>;

// vocab.json: {"token": id, ...} into *vocab; Corrupt naming `name` otherwise.
Status ParseVocab(const std::string& name, const std::string& text, TokenIds* vocab) {
  if (Status st = CheckUtf8(text, name); !st.ok()) {
    return Status::Corrupt(st.message());
  }
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {
    return Status::Corrupt(name + ": invalid JSON: " + e.what());
  }
  if (!doc.is_object()) {
    return Status::Corrupt(name + ": expected a JSON object of token -> id, got " +
                           std::string(doc.type_name()));
  }
  vocab->reserve(doc.size());
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    const json& v = it.value();
    const bool in_range =
        v.is_number_integer() &&
        (v.is_number_unsigned() ? v.get<uint64_t>() <= static_cast<uint64_t>(kMaxId)
                                : v.get<int64_t>() >= 0);
    if (!in_range) {
      return Status::Corrupt(name + ": token " + Quote(it.key()) + ": id " + v.dump() +
                             " is not an integer in [0, 2147483647]");
    }
    (*vocab)[it.key()] = v.get<int64_t>();
  }
  return Status::Ok();
}

// One merge line "<first> <second>" of rank `rank` into *ranks; `where` is "<file>: line N".
Status AddMerge(const std::string& line, const std::string& where, int64_t rank,
                const std::string& vocab_name, const TokenIds& vocab, TokenIds* ranks) {
  const std::vector<std::string> fields = SplitFields(line);
  if (fields.size() != 2) {
    return Status::Corrupt(where + ": malformed merge " + Quote(line) +
                           " (expected two tokens separated by a space)");
  }
  const std::string merged = fields[0] + fields[1];
  if (vocab.find(merged) == vocab.end()) {
    return Status::Corrupt(where + ": merged token " + Quote(merged) + " missing from " +
                           vocab_name);
  }
  (*ranks)[fields[0] + " " + fields[1]] = rank;
  return Status::Ok();
}

// merges.txt into *ranks ("<first> <second>" -> rank), as HF takes it:
// read().strip().split("\n")[1 : kMaxMerges + 1]. Every merged token must be in `vocab`.
Status ParseMerges(const std::string& name, const std::string& text, const std::string& vocab_name,
                   const TokenIds& vocab, TokenIds* ranks) {
  if (Status st = CheckUtf8(text, name); !st.ok()) {
    return Status::Corrupt(name + ": line " + std::to_string(LineOf(text, BadByteOf(st))) +
                           " is not valid UTF-8");
  }
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && IsAsciiSpace(text[begin])) ++begin;
  while (end > begin && IsAsciiSpace(text[end - 1])) --end;
  size_t line_no = LineOf(text, begin);
  size_t pos = begin;
  size_t index = 0;  // line index within the stripped text; line 0 is the header
  while (pos < end && index <= kMaxMerges) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos || nl > end) nl = end;
    if (index > 0) {
      PWEMOE_RETURN_IF_ERROR(AddMerge(text.substr(pos, nl - pos),
                                      name + ": line " + std::to_string(line_no),
                                      static_cast<int64_t>(index - 1), vocab_name, vocab, ranks));
    }
    pos = nl + 1;
    ++index;
    ++line_no;
  }
  return Status::Ok();
}

}  // namespace

Status ClipTokenizer::Load(const std::string& folder, const ClipTokenizerOptions& options,
                           ClipTokenizer* out) {
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec)) {
    return Status::NotFound(folder +
                            ": no such folder (a CLIP tokenizer folder holds vocab.json "
                            "and merges.txt)");
  }
  const std::filesystem::path dir(folder);
  return LoadFiles((dir / "vocab.json").string(), (dir / "merges.txt").string(), options, out);
}

Status ClipTokenizer::Load(const std::string& folder, ClipTokenizer* out) {
  return Load(folder, ClipTokenizerOptions(), out);
}

Status ClipTokenizer::LoadFiles(const std::string& vocab_path, const std::string& merges_path,
                                const ClipTokenizerOptions& options, ClipTokenizer* out) {
  std::string vocab_json;
  std::string merges_text;
  PWEMOE_RETURN_IF_ERROR(ReadFileText(vocab_path, &vocab_json));
  PWEMOE_RETURN_IF_ERROR(ReadFileText(merges_path, &merges_text));
  return FromText(vocab_path, vocab_json, merges_path, merges_text, options, out);
}

Status ClipTokenizer::FromText(const std::string& vocab_name, const std::string& vocab_json,
                               const std::string& merges_name, const std::string& merges_text,
                               const ClipTokenizerOptions& options, ClipTokenizer* out) {
  if (options.context_length < 2) {
    return Status::InvalidArgument(
        "CLIP tokenizer: context_length must be at least 2 (start and "
        "end tokens), got " +
        std::to_string(options.context_length));
  }
  ClipTokenizer t;
  t.context_length_ = options.context_length;
  PWEMOE_RETURN_IF_ERROR(ParseVocab(vocab_name, vocab_json, &t.vocab_));
  const std::pair<const char*, int64_t*> required[] = {{kClipStartOfText, &t.bos_id_},
                                                       {kClipEndOfText, &t.eos_id_}};
  for (const auto& [token, id] : required) {
    if (!t.Lookup(token, id)) {
      return Status::Corrupt(vocab_name + ": token " + Quote(token) +
                             " missing from the vocabulary");
    }
  }
  if (!t.Lookup(options.pad_token, &t.pad_id_)) {
    return Status::Corrupt(vocab_name + ": pad token " + Quote(options.pad_token) +
                           " missing from the vocabulary");
  }
  PWEMOE_RETURN_IF_ERROR(ParseMerges(merges_name, merges_text, vocab_name, t.vocab_, &t.ranks_));
  *out = std::move(t);
  return Status::Ok();
}

Status ClipTokenizer::CheckLoaded() const {
  if (bos_id_ < 0) return Status::Internal("ClipTokenizer used before it was loaded");
  return Status::Ok();
}

bool ClipTokenizer::Lookup(const std::string& token, int64_t* id) const {
  auto it = vocab_.find(token);
  if (it == vocab_.end()) return false;
  *id = it->second;
  return true;
}

std::vector<std::string> ClipTokenizer::Bpe(const std::string& word) const {
  // HF's cache starts with the two special tokens, which it returns whole.
  if (word == kClipStartOfText || word == kClipEndOfText) return {word};
  std::vector<std::string> parts = SplitChars(word);
  parts.back() += "</w>";
  std::string key;
  while (parts.size() > 1) {
    int64_t best = INT64_MAX;
    size_t best_at = 0;
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      key.assign(parts[i]).append(" ").append(parts[i + 1]);
      auto it = ranks_.find(key);
      if (it != ranks_.end() && it->second < best) best = it->second, best_at = i;
    }
    if (best == INT64_MAX) break;
    const std::string first = parts[best_at];
    const std::string second = parts[best_at + 1];
    // Every occurrence of the pair, left to right, without overlaps.
    std::vector<std::string> merged;
    merged.reserve(parts.size());
    for (size_t i = 0; i < parts.size();) {
      if (i + 1 < parts.size() && parts[i] == first && parts[i + 1] == second) {
        merged.push_back(first + second);
        i += 2;
      } else {
        merged.push_back(std::move(parts[i]));
        i += 1;
      }
    }
    parts = std::move(merged);
  }
  return parts;
}

Status ClipTokenizer::Tokenize(const std::string& text, std::vector<std::string>* tokens) const {
  PWEMOE_RETURN_IF_ERROR(CheckLoaded());
  PWEMOE_RETURN_IF_ERROR(CheckUtf8(text, "text"));
  tokens->clear();
  std::string cleaned;
  for (const TextPiece& piece : SplitSpecialTokens(text)) {
    if (piece.special) {
      tokens->push_back(piece.text);
      continue;
    }
    PWEMOE_RETURN_IF_ERROR(ClipCleanText(piece.text, &cleaned));
    for (const std::string& word : ClipPreTokenize(cleaned)) {
      for (std::string& token : Bpe(ClipByteEncode(word))) tokens->push_back(std::move(token));
    }
  }
  return Status::Ok();
}

Status ClipTokenizer::EncodeIds(const std::string& text, std::vector<int64_t>* ids) const {
  std::vector<std::string> tokens;
  PWEMOE_RETURN_IF_ERROR(Tokenize(text, &tokens));
  ids->clear();
  ids->reserve(tokens.size());
  for (const std::string& token : tokens) {
    int64_t id = eos_id_;  // the unknown token
    Lookup(token, &id);
    ids->push_back(id);
  }
  return Status::Ok();
}

Status ClipTokenizer::Encode(const std::string& text, ClipTextInput* out) const {
  std::vector<int64_t> ids;
  PWEMOE_RETURN_IF_ERROR(EncodeIds(text, &ids));
  const size_t room = static_cast<size_t>(context_length_ - 2);
  const size_t kept = std::min(ids.size(), room);
  out->truncated = ids.size() > room;
  out->input_ids.clear();
  out->input_ids.reserve(static_cast<size_t>(context_length_));
  out->input_ids.push_back(bos_id_);
  out->input_ids.insert(out->input_ids.end(), ids.begin(),
                        ids.begin() + static_cast<std::ptrdiff_t>(kept));
  out->input_ids.push_back(eos_id_);
  out->length = static_cast<int64_t>(out->input_ids.size());
  out->input_ids.resize(static_cast<size_t>(context_length_), pad_id_);
  out->attention_mask.assign(static_cast<size_t>(context_length_), 0);
  std::fill(out->attention_mask.begin(), out->attention_mask.begin() + out->length, 1);
  out->eos_index =
      std::find(out->input_ids.begin(), out->input_ids.end(), eos_id_) - out->input_ids.begin();
  return Status::Ok();
}

}  // namespace pwemoe::text
