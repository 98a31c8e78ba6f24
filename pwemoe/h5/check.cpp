#include "pwemoe/h5/check.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace pwemoe::h5 {

namespace {

std::recursive_mutex& Hdf5Mutex() {
  static std::recursive_mutex mutex;
  return mutex;
}

herr_t CollectDescription(unsigned, const H5E_error2_t* error, void* client_data) {
  auto* out = static_cast<std::vector<std::string>*>(client_data);
  const char* desc =
      error->desc != nullptr && error->desc[0] != '\0' ? error->desc : error->func_name;
  if (desc != nullptr && (out->empty() || out->back() != desc)) out->push_back(desc);
  return 0;
}

const char* BaseName(const char* path) {
  const char* slash = std::strrchr(path, '/');
  return slash != nullptr ? slash + 1 : path;
}

}  // namespace

std::unique_lock<std::recursive_mutex> LockHdf5() {
  std::unique_lock<std::recursive_mutex> lock(Hdf5Mutex());
  thread_local bool silenced = false;
  if (!silenced) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    silenced = true;
  }
  return lock;
}

std::string ErrorStackText() {
  std::vector<std::string> descriptions;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, &CollectDescription, &descriptions);
  if (descriptions.empty()) return "no HDF5 error message";
  std::string text;
  for (const std::string& d : descriptions) text += (text.empty() ? "" : ": ") + d;
  std::replace(text.begin(), text.end(), '\n', ' ');  // HDF5 puts a newline after the time
  return text;
}

Status CallFailure(const char* call, const char* file, int line) {
  return Status::IoError(std::string("HDF5 call ") + call + " failed (" + BaseName(file) + ":" +
                         std::to_string(line) + "): " + ErrorStackText());
}

}  // namespace pwemoe::h5
