#include "pwemoe/io/safetensors.h"

#include <utility>

namespace pwemoe::io {

SafetensorsReader::SafetensorsReader(std::string path, std::unique_ptr<MappedFile> file,
                                     SafetensorsLayout layout)
    : path_(std::move(path)), file_(std::move(file)), layout_(std::move(layout)) {
  for (size_t i = 0; i < layout_.tensors.size(); ++i) by_name_[layout_.tensors[i].name] = i;
}

Status SafetensorsReader::Open(const std::string& path, std::unique_ptr<SafetensorsReader>* out) {
  std::unique_ptr<MappedFile> file;
  PWEMOE_RETURN_IF_ERROR(MappedFile::Open(path, &file));
  SafetensorsLayout layout;
  PWEMOE_RETURN_IF_ERROR(ParseSafetensors(path, file->data(), file->size(), &layout));
  out->reset(new SafetensorsReader(path, std::move(file), std::move(layout)));
  return Status::Ok();
}

Status SafetensorsReader::FromBuffer(const std::string& name, const uint8_t* data, size_t size,
                                     std::unique_ptr<SafetensorsReader>* out) {
  SafetensorsLayout layout;
  PWEMOE_RETURN_IF_ERROR(ParseSafetensors(name, data, size, &layout));
  out->reset(new SafetensorsReader(name, nullptr, std::move(layout)));
  return Status::Ok();
}

const TensorInfo* SafetensorsReader::Find(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &layout_.tensors[it->second];
}

}  // namespace pwemoe::io
