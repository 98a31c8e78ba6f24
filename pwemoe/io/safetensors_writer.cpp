#include "pwemoe/io/safetensors_writer.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include "pwemoe/util/files.h"

namespace pwemoe::io {

namespace {

using json = nlohmann::json;

// Well-formed UTF-8: no stray continuation bytes, overlong forms, surrogates or code points past
// U+10FFFF (what the JSON header must hold).
bool IsUtf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 0;
    if (len == 0 || i + len > s.size()) return false;
    uint32_t cp = len == 1 ? c : c & (0xFFu >> (len + 1));
    for (size_t k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    static const uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

Status CheckMetadata(const std::map<std::string, std::string>& metadata) {
  for (const auto& [key, value] : metadata) {
    if (!IsUtf8(key) || !IsUtf8(value)) {
      return Status::InvalidArgument("metadata entry '" + key + "' is not valid UTF-8");
    }
  }
  return Status::Ok();
}

Status CheckTensor(const TensorToWrite& t, std::set<std::string>* names) {
  std::string where = "tensor '" + t.name + "': ";
  if (t.name.empty()) return Status::InvalidArgument("a tensor has an empty name");
  if (t.name == "__metadata__") return Status::InvalidArgument(where + "the name is reserved");
  if (!IsUtf8(t.name)) return Status::InvalidArgument(where + "the name is not valid UTF-8");
  if (!names->insert(t.name).second) return Status::InvalidArgument(where + "name appears twice");
  uint64_t numel = 1;
  for (int64_t dim : t.shape) {
    if (dim < 0) {
      return Status::InvalidArgument(where + "negative dimension " + std::to_string(dim));
    }
    if (__builtin_mul_overflow(numel, static_cast<uint64_t>(dim), &numel)) {
      return Status::InvalidArgument(where + "shape product overflows");
    }
  }
  uint64_t expected;
  if (__builtin_mul_overflow(numel, static_cast<uint64_t>(DTypeSize(t.dtype)), &expected) ||
      expected != t.nbytes) {
    return Status::InvalidArgument(where + std::to_string(t.nbytes) + " bytes given but shape x " +
                                   DTypeName(t.dtype) + " needs " + std::to_string(numel) + " x " +
                                   std::to_string(DTypeSize(t.dtype)));
  }
  if (t.data == nullptr && t.nbytes > 0) return Status::InvalidArgument(where + "null data");
  return Status::Ok();
}

// Largest element size first, then by name: the reference implementation's data order.
std::vector<size_t> DataOrder(const std::vector<TensorToWrite>& tensors) {
  std::vector<size_t> order(tensors.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    size_t sa = DTypeSize(tensors[a].dtype), sb = DTypeSize(tensors[b].dtype);
    if (sa != sb) return sa > sb;
    return tensors[a].name < tensors[b].name;
  });
  return order;
}

}  // namespace

Status BuildSafetensorsHeader(const std::vector<TensorToWrite>& tensors,
                              const std::map<std::string, std::string>& metadata,
                              std::string* header, std::vector<size_t>* data_order) {
  std::set<std::string> names;
  for (const TensorToWrite& t : tensors) PWEMOE_RETURN_IF_ERROR(CheckTensor(t, &names));
  PWEMOE_RETURN_IF_ERROR(CheckMetadata(metadata));
  std::vector<size_t> order = DataOrder(tensors);
  json doc = json::object();
  if (!metadata.empty()) doc["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (size_t i : order) {
    const TensorToWrite& t = tensors[i];
    doc[t.name] = {{"dtype", DTypeName(t.dtype)},
                   {"shape", t.shape},
                   {"data_offsets", json::array({offset, offset + t.nbytes})}};
    offset += t.nbytes;
  }
  *header = doc.dump();  // keys come out sorted; every string was checked to be UTF-8
  header->append((8 - header->size() % 8) % 8, ' ');
  *data_order = std::move(order);
  return Status::Ok();
}

Status WriteSafetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                        const std::map<std::string, std::string>& metadata) {
  std::string header;
  std::vector<size_t> order;
  Status st = BuildSafetensorsHeader(tensors, metadata, &header, &order);
  if (!st.ok()) return st.WithContext(path);
  std::unique_ptr<AtomicFile> file;
  PWEMOE_RETURN_IF_ERROR(AtomicFile::Create(path, &file));
  uint64_t header_len = header.size();
  uint8_t length_bytes[8];
  std::memcpy(length_bytes, &header_len, 8);  // little-endian host
  PWEMOE_RETURN_IF_ERROR(file->Append(length_bytes, 8));
  PWEMOE_RETURN_IF_ERROR(file->Append(header.data(), header.size()));
  for (size_t i : order) PWEMOE_RETURN_IF_ERROR(file->Append(tensors[i].data, tensors[i].nbytes));
  return file->Commit();
}

}  // namespace pwemoe::io
