#include "pwemoe/io/json_file.h"

#include <cstring>
#include <memory>

#include "pwemoe/io/mapped_file.h"

namespace pwemoe::io {

Status ReadJsonFile(const std::string& path, nlohmann::json* out) {
  std::unique_ptr<MappedFile> file;
  PWEMOE_RETURN_IF_ERROR(MappedFile::Open(path, &file));
  const char* text = reinterpret_cast<const char*>(file->data());
  if (file->size() > 0 && std::memchr(text, '\0', file->size()) != nullptr) {
    return Status::Corrupt(path + ": invalid JSON: the file contains a NUL byte");
  }
  try {
    *out = nlohmann::json::parse(text, text + file->size());
  } catch (const nlohmann::json::exception& e) {
    return Status::Corrupt(path + ": invalid JSON: " + e.what());
  }
  return Status::Ok();
}

std::string DescribeJson(const nlohmann::json& value) {
  if (!value.is_primitive()) return std::string("a JSON ") + value.type_name();
  std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return text;
}

}  // namespace pwemoe::io
