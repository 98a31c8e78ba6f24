#include "pwemoe/io/safetensors_format.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "pwemoe/io/json_file.h"
#include "pwemoe/util/strings.h"

namespace pwemoe::io {

namespace {

using json = nlohmann::json;

constexpr const char* kMetadataKey = "__metadata__";

std::string Quote(const std::string& s) { return "'" + s + "'"; }

std::string Range(uint64_t begin, uint64_t end) {
  return "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
}

// A JSON integer that is >= 0 and fits in int64.
bool AsIndex(const json& v, uint64_t* out) {
  if (v.is_number_unsigned()) {
    *out = v.get<uint64_t>();
  } else if (v.is_number_integer() && v.get<int64_t>() >= 0) {
    *out = static_cast<uint64_t>(v.get<int64_t>());
  } else {
    return false;
  }
  return *out <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
}

// Reads the 8-byte length and checks that the header fits in the file.
Status ParseFrame(const std::string& name, const uint8_t* data, size_t size, uint64_t* header_len) {
  if (size < 8) {
    return Status::Corrupt(name + ": file is " + std::to_string(size) +
                           " bytes, too short for the 8-byte header length");
  }
  std::memcpy(header_len, data, 8);
  if (*header_len > size - 8) {
    return Status::Corrupt(name + ": header length " + std::to_string(*header_len) +
                           " runs past the end of the file (" + std::to_string(size) + " bytes)");
  }
  if (*header_len > kMaxSafetensorsHeaderBytes) {
    return Status::Corrupt(name + ": header length " + std::to_string(*header_len) +
                           " exceeds the limit of " + std::to_string(kMaxSafetensorsHeaderBytes));
  }
  return Status::Ok();
}

// Parses the JSON header; rejects NUL bytes (which the JSON lexer would take as end of input),
// duplicate top-level names and anything but an object.
Status ParseHeaderJson(const std::string& name, const char* text, size_t len, json* out) {
  if (const void* nul = std::memchr(text, '\0', len)) {
    size_t at = static_cast<size_t>(static_cast<const char*>(nul) - text);
    return Status::Corrupt(name + ": invalid JSON header: NUL byte at header offset " +
                           std::to_string(at));
  }
  std::set<std::string> seen;
  std::string duplicate;
  json::parser_callback_t on_event = [&](int depth, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::key && depth == 1 && duplicate.empty() &&
        !seen.insert(parsed.get<std::string>()).second) {
      duplicate = parsed.get<std::string>();
    }
    return true;
  };
  try {
    *out = json::parse(text, text + len, on_event);
  } catch (const json::exception& e) {
    return Status::Corrupt(name + ": invalid JSON header: " + e.what());
  }
  if (!out->is_object()) {
    return Status::Corrupt(name + ": header is " + DescribeJson(*out) + ", expected a JSON object");
  }
  if (!duplicate.empty()) {
    return Status::Corrupt(name + ": tensor " + Quote(duplicate) + ": name appears twice");
  }
  return Status::Ok();
}

Status ParseMetadata(const std::string& name, const json& v,
                     std::map<std::string, std::string>* out) {
  if (!v.is_object()) {
    return Status::Corrupt(name + ": __metadata__ is " + DescribeJson(v) +
                           ", expected an object of strings");
  }
  for (const auto& item : v.items()) {
    if (!item.value().is_string()) {
      return Status::Corrupt(name + ": __metadata__ key " + Quote(item.key()) + " is " +
                             DescribeJson(item.value()) + ", expected a string");
    }
    (*out)[item.key()] = item.value().get<std::string>();
  }
  return Status::Ok();
}

Status ParseDTypeField(const std::string& where, const json& entry, DType* out) {
  auto it = entry.find("dtype");
  if (it == entry.end()) return Status::Corrupt(where + "missing \"dtype\"");
  if (!it->is_string()) {
    return Status::Corrupt(where + "\"dtype\" is " + DescribeJson(*it) + ", expected a string");
  }
  if (!ParseDType(it->get<std::string>(), out)) {
    return Status::Corrupt(where + "unknown dtype " + DescribeJson(*it) + " (expected one of " +
                           Join(DTypeNames(), ", ") + ")");
  }
  return Status::Ok();
}

// Fills shape and numel; numel * dtype size must fit in uint64 (and numel in int64).
Status ParseShape(const std::string& where, const json& entry, TensorInfo* t) {
  auto it = entry.find("shape");
  if (it == entry.end()) return Status::Corrupt(where + "missing \"shape\"");
  if (!it->is_array()) {
    return Status::Corrupt(where + "\"shape\" is " + DescribeJson(*it) + ", expected an array");
  }
  bool has_zero = false;
  for (size_t i = 0; i < it->size(); ++i) {
    uint64_t dim;
    if (!AsIndex((*it)[i], &dim)) {
      return Status::Corrupt(where + "shape[" + std::to_string(i) + "] is " +
                             DescribeJson((*it)[i]) + ", expected a non-negative integer");
    }
    t->shape.push_back(static_cast<int64_t>(dim));
    has_zero = has_zero || dim == 0;
  }
  uint64_t numel = 1;
  for (int64_t dim : t->shape) {
    if (has_zero) break;
    if (__builtin_mul_overflow(numel, static_cast<uint64_t>(dim), &numel) ||
        numel > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Status::Corrupt(where + "shape product overflows (too many elements)");
    }
  }
  t->numel = has_zero ? 0 : numel;
  uint64_t bytes;
  if (__builtin_mul_overflow(t->numel, static_cast<uint64_t>(DTypeSize(t->dtype)), &bytes)) {
    return Status::Corrupt(where + "byte count of the shape overflows");
  }
  return Status::Ok();
}

Status ParseOffsets(const std::string& where, const json& entry, uint64_t data_size,
                    TensorInfo* t) {
  auto it = entry.find("data_offsets");
  if (it == entry.end()) return Status::Corrupt(where + "missing \"data_offsets\"");
  if (!it->is_array() || it->size() != 2) {
    std::string got =
        it->is_array() ? "an array of " + std::to_string(it->size()) + " items" : DescribeJson(*it);
    return Status::Corrupt(where + "\"data_offsets\" is " + got + ", expected [begin, end]");
  }
  uint64_t* bounds[2] = {&t->begin, &t->end};
  for (size_t i = 0; i < 2; ++i) {
    if (!AsIndex((*it)[i], bounds[i])) {
      return Status::Corrupt(where + "data_offsets[" + std::to_string(i) + "] is " +
                             DescribeJson((*it)[i]) + ", expected a non-negative integer");
    }
  }
  if (t->begin > t->end) {
    return Status::Corrupt(where + "data_offsets " + Range(t->begin, t->end) + " has begin > end");
  }
  uint64_t expected = t->numel * DTypeSize(t->dtype);
  if (t->end - t->begin != expected) {
    return Status::Corrupt(where + "data_offsets " + Range(t->begin, t->end) + " hold " +
                           std::to_string(t->end - t->begin) + " bytes but shape x " +
                           DTypeName(t->dtype) + " needs " + std::to_string(expected));
  }
  if (t->end > data_size) {
    return Status::Corrupt(where + "data_offsets " + Range(t->begin, t->end) +
                           " run past the end of the data section (" + std::to_string(data_size) +
                           " bytes): file truncated?");
  }
  t->nbytes = static_cast<size_t>(t->end - t->begin);
  return Status::Ok();
}

Status ParseEntry(const std::string& name, const std::string& tensor, const json& entry,
                  uint64_t data_size, TensorInfo* t) {
  std::string where = name + ": tensor " + Quote(tensor) + ": ";
  if (!entry.is_object()) {
    return Status::Corrupt(where + "entry is " + DescribeJson(entry) +
                           ", expected an object with dtype, shape and data_offsets");
  }
  t->name = tensor;
  PWEMOE_RETURN_IF_ERROR(ParseDTypeField(where, entry, &t->dtype));
  PWEMOE_RETURN_IF_ERROR(ParseShape(where, entry, t));
  return ParseOffsets(where, entry, data_size, t);
}

// Sorts into file order and checks that the tensors tile [0, data_size) exactly.
Status CheckTiling(const std::string& name, uint64_t data_size, std::vector<TensorInfo>* tensors) {
  std::sort(tensors->begin(), tensors->end(), [](const TensorInfo& a, const TensorInfo& b) {
    if (a.begin != b.begin) return a.begin < b.begin;
    if (a.end != b.end) return a.end < b.end;
    return a.name < b.name;
  });
  uint64_t cursor = 0;
  const TensorInfo* prev = nullptr;
  for (const TensorInfo& t : *tensors) {
    std::string at =
        name + ": tensor " + Quote(t.name) + " (data_offsets " + Range(t.begin, t.end) + ")";
    if (t.begin < cursor) {
      return Status::Corrupt(at + " overlaps tensor " + Quote(prev->name) + " (data_offsets " +
                             Range(prev->begin, prev->end) + ")");
    }
    if (t.begin > cursor) {
      return Status::Corrupt(at + " leaves a gap of " + std::to_string(t.begin - cursor) +
                             " unused bytes after " +
                             (prev ? "tensor " + Quote(prev->name) : "the header"));
    }
    cursor = t.end;
    prev = &t;
  }
  if (cursor < data_size) {
    return Status::Corrupt(
        name + ": " + std::to_string(data_size - cursor) + " unused bytes after " +
        (prev ? "the last tensor " + Quote(prev->name) : "the header (no tensors)"));
  }
  return Status::Ok();
}

}  // namespace

Status ParseSafetensors(const std::string& name, const uint8_t* data, size_t size,
                        SafetensorsLayout* out) {
  uint64_t header_len = 0;
  PWEMOE_RETURN_IF_ERROR(ParseFrame(name, data, size, &header_len));
  json header;
  PWEMOE_RETURN_IF_ERROR(
      ParseHeaderJson(name, reinterpret_cast<const char*>(data + 8), header_len, &header));
  const uint8_t* data_start = data + 8 + header_len;
  uint64_t data_size = size - 8 - header_len;
  SafetensorsLayout layout;
  for (const auto& item : header.items()) {
    if (item.key() == kMetadataKey) {
      PWEMOE_RETURN_IF_ERROR(ParseMetadata(name, item.value(), &layout.metadata));
      continue;
    }
    TensorInfo t;
    PWEMOE_RETURN_IF_ERROR(ParseEntry(name, item.key(), item.value(), data_size, &t));
    layout.tensors.push_back(std::move(t));
  }
  PWEMOE_RETURN_IF_ERROR(CheckTiling(name, data_size, &layout.tensors));
  for (TensorInfo& t : layout.tensors) t.data = data_start + t.begin;
  *out = std::move(layout);
  return Status::Ok();
}

}  // namespace pwemoe::io
