#include "h5_read.h"

#include <stdexcept>

#include "pwemoe/h5/attribute.h"
#include "pwemoe/h5/check.h"

namespace pwemoe::results::testing {

namespace {

void Check(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error("HDF5 read failed: " + what);
}

hsize_t Count(hid_t dataset) {
  hid_t space = H5Dget_space(dataset);
  hssize_t n = H5Sget_simple_extent_npoints(space);
  H5Sclose(space);
  return static_cast<hsize_t>(n);
}

template <typename T>
std::vector<T> ReadNumeric(hid_t file, const std::string& path, hid_t mem) {
  auto lock = h5::LockHdf5();
  hid_t d = H5Dopen2(file, path.c_str(), H5P_DEFAULT);
  Check(d >= 0, "open " + path);
  std::vector<T> out(Count(d));
  if (!out.empty()) Check(H5Dread(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) >= 0, path);
  H5Dclose(d);
  return out;
}

herr_t CollectName(hid_t, const char* name, const H5L_info_t*, void* data) {
  static_cast<std::vector<std::string>*>(data)->push_back(name);
  return 0;
}

}  // namespace

H5File::H5File(const std::string& path) {
  auto lock = h5::LockHdf5();
  id_ = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
}

H5File::~H5File() {
  auto lock = h5::LockHdf5();
  if (id_ >= 0) H5Fclose(id_);
}

bool H5File::Exists(const std::string& path) const {
  auto lock = h5::LockHdf5();
  return H5Lexists(id_, path.c_str(), H5P_DEFAULT) > 0;
}

std::vector<hsize_t> H5File::Dims(const std::string& path) const {
  auto lock = h5::LockHdf5();
  hid_t d = H5Dopen2(id_, path.c_str(), H5P_DEFAULT);
  Check(d >= 0, "open " + path);
  hid_t space = H5Dget_space(d);
  int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  H5Sclose(space);
  H5Dclose(d);
  return dims;
}

std::vector<double> H5File::F64(const std::string& p) const {
  return ReadNumeric<double>(id_, p, H5T_NATIVE_DOUBLE);
}
std::vector<float> H5File::F32(const std::string& p) const {
  return ReadNumeric<float>(id_, p, H5T_NATIVE_FLOAT);
}
std::vector<int64_t> H5File::I64(const std::string& p) const {
  return ReadNumeric<int64_t>(id_, p, H5T_NATIVE_INT64);
}

std::vector<std::string> H5File::Strings(const std::string& path) const {
  auto lock = h5::LockHdf5();
  hid_t d = H5Dopen2(id_, path.c_str(), H5P_DEFAULT);
  Check(d >= 0, "open " + path);
  hid_t type = H5Dget_type(d);
  Check(H5Tis_variable_str(type) > 0, path + " is not variable-length strings");
  Check(H5Tget_cset(type) == H5T_CSET_UTF8, path + " is not UTF-8");
  std::vector<char*> pointers(Count(d), nullptr);
  if (!pointers.empty()) {
    Check(H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()) >= 0, path);
  }
  std::vector<std::string> out;
  for (char* p : pointers) out.emplace_back(p != nullptr ? p : "");
  if (!pointers.empty()) {
    hid_t space = H5Dget_space(d);
    H5Dvlen_reclaim(type, space, H5P_DEFAULT, pointers.data());
    H5Sclose(space);
  }
  H5Tclose(type);
  H5Dclose(d);
  return out;
}

std::string H5File::AttrString(const std::string& object, const std::string& name) const {
  auto lock = h5::LockHdf5();
  hid_t o = H5Oopen(id_, object.c_str(), H5P_DEFAULT);
  Check(o >= 0, "open " + object);
  std::string out;
  Status s = h5::ReadString(o, name, &out);
  H5Oclose(o);
  Check(s.ok(), s.ToString());
  return out;
}

std::vector<std::string> H5File::AttrStrings(const std::string& object,
                                             const std::string& name) const {
  auto lock = h5::LockHdf5();
  hid_t o = H5Oopen(id_, object.c_str(), H5P_DEFAULT);
  Check(o >= 0, "open " + object);
  std::vector<std::string> out;
  Status s = h5::ReadStrings(o, name, &out);
  H5Oclose(o);
  Check(s.ok(), s.ToString());
  return out;
}

int64_t H5File::AttrInt(const std::string& object, const std::string& name) const {
  auto lock = h5::LockHdf5();
  hid_t o = H5Oopen(id_, object.c_str(), H5P_DEFAULT);
  Check(o >= 0, "open " + object);
  int64_t out = 0;
  Status s = h5::ReadInt(o, name, &out);
  H5Oclose(o);
  Check(s.ok(), s.ToString());
  return out;
}

double H5File::AttrF64(const std::string& object, const std::string& name) const {
  auto lock = h5::LockHdf5();
  hid_t a = H5Aopen_by_name(id_, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
  Check(a >= 0, "open attribute " + name);
  hid_t space = H5Aget_space(a);
  Check(H5Sget_simple_extent_type(space) == H5S_SCALAR, name + " is not a scalar");
  H5Sclose(space);
  double out = 0;
  Check(H5Aread(a, H5T_NATIVE_DOUBLE, &out) >= 0, name);
  H5Aclose(a);
  return out;
}

uint64_t H5File::AttrU64(const std::string& object, const std::string& name) const {
  auto lock = h5::LockHdf5();
  hid_t a = H5Aopen_by_name(id_, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
  Check(a >= 0, "open attribute " + name);
  uint64_t out = 0;
  Check(H5Aread(a, H5T_NATIVE_UINT64, &out) >= 0, name);
  H5Aclose(a);
  return out;
}

std::vector<std::string> H5File::Children(const std::string& group) const {
  auto lock = h5::LockHdf5();
  std::vector<std::string> names;
  Check(H5Literate_by_name(id_, group.c_str(), H5_INDEX_NAME, H5_ITER_INC, nullptr, &CollectName,
                           &names, H5P_DEFAULT) >= 0,
        "iterate " + group);
  return names;
}

}  // namespace pwemoe::results::testing
