#include "results/store/h5_node.h"

#include "pwemoe/h5/attribute.h"
#include "pwemoe/h5/check.h"
#include "pwemoe/h5/strings.h"

namespace pwemoe::results {


namespace {


Status Bad(const std::string& path, const std::string& what) {
  return Status::Corrupt(path + ": " + what);
}

std::string DimsText(const std::vector<hsize_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

// Opens the object `name` below `node`, which must be of identifier type `want`.
Status OpenObject(const Node& node, const std::string& name, H5I_type_t want, const char* what,
                  h5::ObjectId* object) {
  bool exists = false;
  PWEMOE_RETURN_IF_ERROR(HasLink(node, name, &exists));
  if (!exists) return Bad(node.Child(name), std::string("missing (expected a ") + what + ")");
  H5_CHECK(object->Reset(H5Oopen(node.id, name.c_str(), H5P_DEFAULT)));
  H5I_type_t type;
  H5_CHECK(type = H5Iget_type(object->get()));
  if (type != want) return Bad(node.Child(name), std::string("is not a ") + what);
  return Status::Ok();
}

// A dataset's type class and shape, with its size checked against node.max_bytes.
struct DatasetInfo {
  H5T_class_t type_class = H5T_NO_CLASS;
  std::vector<hsize_t> dims;  // empty for a scalar
  size_t count = 0;           // values
};

Status Inspect(const Node& node, const std::string& name, hid_t dataset, DatasetInfo* info) {
  const std::string path = node.Child(name);
  h5::TypeId type;
  H5_CHECK(type.Reset(H5Dget_type(dataset)));
  H5_CHECK(info->type_class = H5Tget_class(type.get()));
  size_t type_size;
  H5_CHECK(type_size = H5Tget_size(type.get()));
  h5::SpaceId space;
  H5_CHECK(space.Reset(H5Dget_space(dataset)));
  H5S_class_t space_class;
  H5_CHECK(space_class = H5Sget_simple_extent_type(space.get()));
  if (space_class == H5S_NULL) return Bad(path, "has a null dataspace (no values)");
  int rank;
  H5_CHECK(rank = H5Sget_simple_extent_ndims(space.get()));
  info->dims.assign(static_cast<size_t>(rank), 0);
  if (rank > 0) H5_CHECK(H5Sget_simple_extent_dims(space.get(), info->dims.data(), nullptr));
  uint64_t count = 1;
  for (hsize_t d : info->dims) {
    if (d != 0 && count > node.max_bytes / d) {
      return Bad(path, "shape " + DimsText(info->dims) + " is larger than the file");
    }
    count *= d;
  }
  if (count > 0 && count > node.max_bytes / type_size) {
    return Bad(path, "shape " + DimsText(info->dims) + " is larger than the file");
  }
  info->count = static_cast<size_t>(count);
  return Status::Ok();
}

Status ExpectClass(const Node& node, const std::string& name, const DatasetInfo& info,
                   H5T_class_t want, const char* what) {
  if (info.type_class == want) return Status::Ok();
  return Bad(node.Child(name), std::string("expected ") + what + ", found another type class");
}

Status ExpectRank(const Node& node, const std::string& name, const DatasetInfo& info, size_t rank,
                  int64_t length) {
  if (info.dims.size() != rank) {
    return Bad(node.Child(name), "expected rank " + std::to_string(rank) + ", found shape " +
                                     DimsText(info.dims));
  }
  if (length >= 0 && info.dims[0] != static_cast<hsize_t>(length)) {
    return Bad(node.Child(name), "expected " + std::to_string(length) + " rows, found shape " +
                                     DimsText(info.dims));
  }
  return Status::Ok();
}

template <typename T>
Status ReadNumeric(const Node& node, const std::string& name, H5T_class_t want, const char* what,
                   hid_t mem_type, size_t rank, int64_t length, std::vector<T>* out,
                   std::vector<hsize_t>* dims = nullptr) {
  h5::ObjectId dataset;
  PWEMOE_RETURN_IF_ERROR(OpenObject(node, name, H5I_DATASET, "dataset", &dataset));
  DatasetInfo info;
  PWEMOE_RETURN_IF_ERROR(Inspect(node, name, dataset.get(), &info));
  PWEMOE_RETURN_IF_ERROR(ExpectClass(node, name, info, want, what));
  PWEMOE_RETURN_IF_ERROR(ExpectRank(node, name, info, rank, length));
  out->assign(info.count, T{});
  if (info.count > 0) {
    H5_CHECK(H5Dread(dataset.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out->data()));
  }
  if (dims != nullptr) *dims = info.dims;
  return Status::Ok();
}

}  // namespace

std::string Node::Child(const std::string& name) const {
  return path == "/" ? "/" + name : path + "/" + name;
}

Status HasLink(const Node& node, const std::string& name, bool* exists) {
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
    return Status::Internal("HasLink: '" + name + "' is not a single link name");
  }
  htri_t found;
  H5_CHECK(found = H5Lexists(node.id, name.c_str(), H5P_DEFAULT));
  *exists = found > 0;
  return Status::Ok();
}

namespace {

herr_t CollectName(hid_t, const char* name, const H5L_info_t*, void* data) {
  static_cast<std::vector<std::string>*>(data)->push_back(name);
  return 0;
}

}  // namespace

Status ListLinks(const Node& node, std::vector<std::string>* names) {
  names->clear();
  H5_CHECK(H5Literate(node.id, H5_INDEX_NAME, H5_ITER_INC, nullptr, &CollectName, names));
  return Status::Ok();
}

Status OpenGroup(const Node& parent, const std::string& name, h5::GroupId* group, Node* child) {
  h5::ObjectId object;
  PWEMOE_RETURN_IF_ERROR(OpenObject(parent, name, H5I_GROUP, "group", &object));
  H5_CHECK(group->Reset(H5Gopen2(parent.id, name.c_str(), H5P_DEFAULT)));
  child->id = group->get();
  child->path = parent.Child(name);
  child->max_bytes = parent.max_bytes;
  return Status::Ok();
}

Status ReadI64Column(const Node& node, const std::string& name, int64_t length,
                     std::vector<int64_t>* out) {
  return ReadNumeric(node, name, H5T_INTEGER, "integers", H5T_NATIVE_INT64, 1, length, out);
}

Status ReadF64Column(const Node& node, const std::string& name, int64_t length,
                     std::vector<double>* out) {
  return ReadNumeric(node, name, H5T_FLOAT, "floats", H5T_NATIVE_DOUBLE, 1, length, out);
}

Status ReadF64Matrix(const Node& node, const std::string& name, int64_t rows,
                     std::vector<std::vector<double>>* out) {
  std::vector<double> flat;
  std::vector<hsize_t> dims;
  PWEMOE_RETURN_IF_ERROR(
      ReadNumeric(node, name, H5T_FLOAT, "floats", H5T_NATIVE_DOUBLE, 2, rows, &flat, &dims));
  const size_t width = static_cast<size_t>(dims[1]);
  out->assign(static_cast<size_t>(dims[0]), {});
  for (size_t i = 0; i < out->size(); ++i) {
    (*out)[i].assign(flat.begin() + static_cast<ptrdiff_t>(i * width),
                     flat.begin() + static_cast<ptrdiff_t>((i + 1) * width));
  }
  return Status::Ok();
}

Status ReadF32Tensor(const Node& node, const std::string& name, std::vector<int64_t>* shape,
                     std::vector<float>* values) {
  h5::ObjectId dataset;
  PWEMOE_RETURN_IF_ERROR(OpenObject(node, name, H5I_DATASET, "dataset", &dataset));
  DatasetInfo info;
  PWEMOE_RETURN_IF_ERROR(Inspect(node, name, dataset.get(), &info));
  PWEMOE_RETURN_IF_ERROR(ExpectClass(node, name, info, H5T_FLOAT, "floats"));
  values->assign(info.count, 0.0f);
  if (info.count > 0) {
    H5_CHECK(H5Dread(dataset.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                     values->data()));
  }
  shape->assign(info.dims.begin(), info.dims.end());
  return Status::Ok();
}

Status ReadStringColumn(const Node& node, const std::string& name, int64_t length,
                        std::vector<std::string>* out) {
  h5::ObjectId dataset;
  PWEMOE_RETURN_IF_ERROR(OpenObject(node, name, H5I_DATASET, "dataset", &dataset));
  DatasetInfo info;
  PWEMOE_RETURN_IF_ERROR(Inspect(node, name, dataset.get(), &info));
  PWEMOE_RETURN_IF_ERROR(ExpectClass(node, name, info, H5T_STRING, "strings"));
  PWEMOE_RETURN_IF_ERROR(ExpectRank(node, name, info, 1, length));
  h5::TypeId type;
  H5_CHECK(type.Reset(H5Dget_type(dataset.get())));
  htri_t variable;
  H5_CHECK(variable = H5Tis_variable_str(type.get()));
  if (variable == 0) return Bad(node.Child(name), "expected variable-length strings");
  out->clear();
  if (info.count == 0) return Status::Ok();
  h5::SpaceId space;
  H5_CHECK(space.Reset(H5Dget_space(dataset.get())));
  return h5::ReadVariableStrings(dataset.get(), /*is_attribute=*/false, type.get(), space.get(),
                                 info.count, out);
}

namespace {

// Corrupt when attribute `name` (if present) claims more bytes than the file holds, so that the
// pwemoe/h5/attribute.h readers never allocate for a damaged header.
Status CheckAttributeSize(const Node& node, const std::string& name) {
  bool exists = false;
  PWEMOE_RETURN_IF_ERROR(h5::HasAttribute(node.id, name, &exists));
  if (!exists) return Status::Ok();  // the reader reports it missing
  h5::AttributeId attr;
  H5_CHECK(attr.Reset(H5Aopen(node.id, name.c_str(), H5P_DEFAULT)));
  h5::TypeId type;
  H5_CHECK(type.Reset(H5Aget_type(attr.get())));
  size_t size;
  H5_CHECK(size = H5Tget_size(type.get()));
  h5::SpaceId space;
  H5_CHECK(space.Reset(H5Aget_space(attr.get())));
  hssize_t points;
  H5_CHECK(points = H5Sget_simple_extent_npoints(space.get()));
  if (points > 0 && static_cast<uint64_t>(points) > node.max_bytes / size) {
    return Status::Corrupt(node.path + ": attribute '" + name + "': " + std::to_string(points) +
                           " values, more than the file holds");
  }
  return Status::Ok();
}

}  // namespace

Status ReadAttrString(const Node& node, const std::string& name, std::string* out) {
  PWEMOE_RETURN_IF_ERROR(CheckAttributeSize(node, name));
  return h5::ReadString(node.id, name, out).WithContext(node.path);
}

Status ReadAttrStrings(const Node& node, const std::string& name, std::vector<std::string>* out) {
  PWEMOE_RETURN_IF_ERROR(CheckAttributeSize(node, name));
  return h5::ReadStrings(node.id, name, out).WithContext(node.path);
}

Status ReadAttrInt(const Node& node, const std::string& name, int64_t* out) {
  PWEMOE_RETURN_IF_ERROR(CheckAttributeSize(node, name));
  return h5::ReadInt(node.id, name, out).WithContext(node.path);
}

Status ReadAttrU64(const Node& node, const std::string& name, uint64_t* out) {
  PWEMOE_RETURN_IF_ERROR(CheckAttributeSize(node, name));
  return h5::ReadU64(node.id, name, out).WithContext(node.path);
}

Status ReadAttrF64(const Node& node, const std::string& name, double* out) {
  PWEMOE_RETURN_IF_ERROR(CheckAttributeSize(node, name));
  return h5::ReadF64(node.id, name, out).WithContext(node.path);
}

Status ReadDatasetAttrString(const Node& node, const std::string& dataset, const std::string& name,
                             std::string* out) {
  h5::ObjectId object;
  PWEMOE_RETURN_IF_ERROR(OpenObject(node, dataset, H5I_DATASET, "dataset", &object));
  return ReadAttrString(Node{object.get(), node.Child(dataset), node.max_bytes}, name, out);
}

}  // namespace pwemoe::results
