// Reading the result file back with the HDF5 C API, for the tests.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

namespace pwemoe::results::testing {

// An open HDF5 file (read-only); valid() false when it cannot be opened.
class H5File {
 public:
  explicit H5File(const std::string& path);
  ~H5File();
  bool valid() const { return id_ >= 0; }
  hid_t id() const { return id_; }

  bool Exists(const std::string& path) const;  // a link at `path` (every parent must exist)
  std::vector<hsize_t> Dims(const std::string& dataset) const;
  std::vector<double> F64(const std::string& dataset) const;
  std::vector<float> F32(const std::string& dataset) const;
  std::vector<int64_t> I64(const std::string& dataset) const;
  std::vector<std::string> Strings(const std::string& dataset) const;
  std::string AttrString(const std::string& object, const std::string& name) const;
  std::vector<std::string> AttrStrings(const std::string& object, const std::string& name) const;
  int64_t AttrInt(const std::string& object, const std::string& name) const;
  double AttrF64(const std::string& object, const std::string& name) const;  // a scalar
  uint64_t AttrU64(const std::string& object, const std::string& name) const;
  std::vector<std::string> Children(const std::string& group) const;  // sorted by name

 private:
  hid_t id_ = -1;
};

}  // namespace pwemoe::results::testing
