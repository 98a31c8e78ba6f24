#include "pwemoe/h5/strings.h"

#include "pwemoe/h5/check.h"

namespace pwemoe::h5 {

namespace {

Status CopyStrings(hid_t object, bool is_attribute, hid_t mem_type, std::vector<char*>* pointers,
                   std::vector<std::string>* out) {
  if (is_attribute) {
    H5_CHECK(H5Aread(object, mem_type, pointers->data()));
  } else {
    H5_CHECK(H5Dread(object, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers->data()));
  }
  out->clear();
  for (const char* p : *pointers) out->emplace_back(p != nullptr ? p : "");
  return Status::Ok();
}

}  // namespace

Status ReadVariableStrings(hid_t object, bool is_attribute, hid_t mem_type, hid_t space,
                           size_t count, std::vector<std::string>* out) {
  std::vector<char*> pointers(count, nullptr);
  Status read = CopyStrings(object, is_attribute, mem_type, &pointers, out);
  H5_CHECK(H5Dvlen_reclaim(mem_type, space, H5P_DEFAULT, pointers.data()));
  return read;
}

}  // namespace pwemoe::h5
