#include "pwemoe/h5/attribute.h"

#include "pwemoe/h5/check.h"
#include "pwemoe/h5/handle.h"
#include "pwemoe/h5/strings.h"

namespace pwemoe::h5 {

namespace {

Status Bad(const std::string& name, const std::string& what) {
  return Status::Corrupt("attribute '" + name + "': " + what);
}

Status OpenAttribute(hid_t object, const std::string& name, AttributeId* attr) {
  bool exists = false;
  PWEMOE_RETURN_IF_ERROR(HasAttribute(object, name, &exists));
  if (!exists) return Bad(name, "missing");
  H5_CHECK(attr->Reset(H5Aopen(object, name.c_str(), H5P_DEFAULT)));
  return Status::Ok();
}

// The attribute's type, which must be of class `want` (`expected` names it in the error).
Status TypeOfClass(hid_t attr, const std::string& name, H5T_class_t want, const char* expected,
                   TypeId* type) {
  H5_CHECK(type->Reset(H5Aget_type(attr)));
  H5T_class_t found_class;
  H5_CHECK(found_class = H5Tget_class(type->get()));
  if (found_class == want) return Status::Ok();
  std::string found;
  PWEMOE_RETURN_IF_ERROR(DescribeType(type->get(), &found));
  return Bad(name, std::string("expected ") + expected + ", found " + found);
}

// The number of values of a scalar or 1-D attribute (and its dataspace).
Status CountValues(hid_t attr, const std::string& name, SpaceId* space, size_t* count) {
  H5_CHECK(space->Reset(H5Aget_space(attr)));
  int rank;
  H5_CHECK(rank = H5Sget_simple_extent_ndims(space->get()));
  if (rank > 1) {
    return Bad(name, "expected a scalar or a 1-D array, found rank " + std::to_string(rank));
  }
  hssize_t points;
  H5_CHECK(points = H5Sget_simple_extent_npoints(space->get()));
  *count = static_cast<size_t>(points);
  return Status::Ok();
}

Status ExpectOne(const std::string& name, const char* what, size_t count) {
  if (count == 1) return Status::Ok();
  return Bad(name,
             std::string("expected one ") + what + ", found " + std::to_string(count) + " values");
}

Status ReadFixedStrings(hid_t attr, hid_t file_type, hid_t mem, size_t count,
                        std::vector<std::string>* out) {
  size_t size;
  H5_CHECK(size = H5Tget_size(file_type));
  H5T_str_t pad;
  H5_CHECK(pad = H5Tget_strpad(file_type));
  H5_CHECK(H5Tset_size(mem, size));
  H5_CHECK(H5Tset_strpad(mem, pad));
  std::vector<char> buffer(count * size);
  H5_CHECK(H5Aread(attr, mem, buffer.data()));
  out->clear();
  for (size_t i = 0; i < count; ++i) {
    std::string s(buffer.data() + i * size, size);
    s.resize(s.find('\0') == std::string::npos ? s.size() : s.find('\0'));
    if (pad == H5T_STR_SPACEPAD) s.resize(s.find_last_not_of(' ') + 1);
    out->push_back(std::move(s));
  }
  return Status::Ok();
}

Status MakeSpace(size_t count, bool scalar, SpaceId* space) {
  if (scalar) {
    H5_CHECK(space->Reset(H5Screate(H5S_SCALAR)));
  } else {
    hsize_t dims[1] = {count};
    H5_CHECK(space->Reset(H5Screate_simple(1, dims, nullptr)));
  }
  return Status::Ok();
}

Status CreateAndWrite(hid_t object, const std::string& name, hid_t file_type, hid_t space,
                      hid_t mem_type, const void* data) {
  AttributeId attr;
  H5_CHECK(
      attr.Reset(H5Acreate2(object, name.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT)));
  H5_CHECK(H5Awrite(attr.get(), mem_type, data));
  H5_CHECK(attr.Close());
  return Status::Ok();
}

Status WriteStringValues(hid_t object, const std::string& name,
                         const std::vector<std::string>& values, bool scalar) {
  std::vector<const char*> pointers;
  for (const std::string& v : values) pointers.push_back(v.c_str());
  TypeId type;
  PWEMOE_RETURN_IF_ERROR(MakeUtf8StringType(&type));
  SpaceId space;
  PWEMOE_RETURN_IF_ERROR(MakeSpace(values.size(), scalar, &space));
  return CreateAndWrite(object, name, type.get(), space.get(), type.get(), pointers.data());
}

const char* ClassName(H5T_class_t type_class) {
  switch (type_class) {
    case H5T_STRING: return "string";
    case H5T_COMPOUND: return "compound";
    case H5T_ENUM: return "enum";
    case H5T_ARRAY: return "array";
    case H5T_VLEN: return "variable-length sequence";
    case H5T_OPAQUE: return "opaque";
    case H5T_BITFIELD: return "bitfield";
    case H5T_REFERENCE: return "reference";
    case H5T_TIME: return "time";
    default: return "unknown type";
  }
}

// Reads attribute `name`, of class `want` and holding exactly one value, as `mem_type` into
// *out (`expected` and `what` name the kind of value in errors).
Status ReadSingle(hid_t object, const std::string& name, H5T_class_t want, const char* expected,
                  const char* what, hid_t mem_type, void* out) {
  AttributeId attr;
  PWEMOE_RETURN_IF_ERROR(OpenAttribute(object, name, &attr));
  TypeId type;
  PWEMOE_RETURN_IF_ERROR(TypeOfClass(attr.get(), name, want, expected, &type));
  SpaceId space;
  size_t count = 0;
  PWEMOE_RETURN_IF_ERROR(CountValues(attr.get(), name, &space, &count));
  PWEMOE_RETURN_IF_ERROR(ExpectOne(name, what, count));
  H5_CHECK(H5Aread(attr.get(), mem_type, out));
  return Status::Ok();
}

}  // namespace

Status MakeUtf8StringType(TypeId* type) {
  H5_CHECK(type->Reset(H5Tcopy(H5T_C_S1)));
  H5_CHECK(H5Tset_size(type->get(), H5T_VARIABLE));
  H5_CHECK(H5Tset_cset(type->get(), H5T_CSET_UTF8));
  return Status::Ok();
}

Status DescribeType(hid_t type, std::string* out) {
  H5T_class_t type_class;
  H5_CHECK(type_class = H5Tget_class(type));
  if (type_class != H5T_INTEGER && type_class != H5T_FLOAT) {
    *out = ClassName(type_class);
    return Status::Ok();
  }
  size_t size;
  H5_CHECK(size = H5Tget_size(type));
  std::string bits = std::to_string(size * 8);
  if (type_class == H5T_FLOAT) {
    *out = "float" + bits;
    return Status::Ok();
  }
  H5T_sign_t sign;
  H5_CHECK(sign = H5Tget_sign(type));
  *out = (sign == H5T_SGN_NONE ? "uint" : "int") + bits;
  return Status::Ok();
}

Status HasAttribute(hid_t object, const std::string& name, bool* exists) {
  htri_t found;
  H5_CHECK(found = H5Aexists(object, name.c_str()));
  *exists = found > 0;
  return Status::Ok();
}

Status WriteString(hid_t object, const std::string& name, const std::string& value) {
  return WriteStringValues(object, name, {value}, /*scalar=*/true);
}

Status WriteStrings(hid_t object, const std::string& name, const std::vector<std::string>& values) {
  return WriteStringValues(object, name, values, /*scalar=*/false);
}

Status WriteDoubles(hid_t object, const std::string& name, const std::vector<double>& values) {
  SpaceId space;
  PWEMOE_RETURN_IF_ERROR(MakeSpace(values.size(), /*scalar=*/false, &space));
  return CreateAndWrite(object, name, H5T_IEEE_F64LE, space.get(), H5T_NATIVE_DOUBLE,
                        values.data());
}

Status WriteInt(hid_t object, const std::string& name, int64_t value) {
  SpaceId space;
  PWEMOE_RETURN_IF_ERROR(MakeSpace(1, /*scalar=*/true, &space));
  return CreateAndWrite(object, name, H5T_STD_I64LE, space.get(), H5T_NATIVE_INT64, &value);
}

Status WriteU64(hid_t object, const std::string& name, uint64_t value) {
  SpaceId space;
  PWEMOE_RETURN_IF_ERROR(MakeSpace(1, /*scalar=*/true, &space));
  return CreateAndWrite(object, name, H5T_STD_U64LE, space.get(), H5T_NATIVE_UINT64, &value);
}

Status WriteF64(hid_t object, const std::string& name, double value) {
  SpaceId space;
  PWEMOE_RETURN_IF_ERROR(MakeSpace(1, /*scalar=*/true, &space));
  return CreateAndWrite(object, name, H5T_IEEE_F64LE, space.get(), H5T_NATIVE_DOUBLE, &value);
}

Status ReadStrings(hid_t object, const std::string& name, std::vector<std::string>* out) {
  AttributeId attr;
  PWEMOE_RETURN_IF_ERROR(OpenAttribute(object, name, &attr));
  TypeId type;
  PWEMOE_RETURN_IF_ERROR(TypeOfClass(attr.get(), name, H5T_STRING, "strings", &type));
  SpaceId space;
  size_t count = 0;
  PWEMOE_RETURN_IF_ERROR(CountValues(attr.get(), name, &space, &count));
  out->clear();
  if (count == 0) return Status::Ok();
  htri_t variable;
  H5_CHECK(variable = H5Tis_variable_str(type.get()));
  H5T_cset_t cset;
  H5_CHECK(cset = H5Tget_cset(type.get()));
  TypeId mem;
  H5_CHECK(mem.Reset(H5Tcopy(H5T_C_S1)));
  H5_CHECK(H5Tset_cset(mem.get(), cset));
  if (!variable) return ReadFixedStrings(attr.get(), type.get(), mem.get(), count, out);
  H5_CHECK(H5Tset_size(mem.get(), H5T_VARIABLE));
  return ReadVariableStrings(attr.get(), /*is_attribute=*/true, mem.get(), space.get(), count,
                             out);
}

Status ReadString(hid_t object, const std::string& name, std::string* out) {
  std::vector<std::string> values;
  PWEMOE_RETURN_IF_ERROR(ReadStrings(object, name, &values));
  PWEMOE_RETURN_IF_ERROR(ExpectOne(name, "string", values.size()));
  *out = values[0];
  return Status::Ok();
}

Status ReadDoubles(hid_t object, const std::string& name, std::vector<double>* out) {
  AttributeId attr;
  PWEMOE_RETURN_IF_ERROR(OpenAttribute(object, name, &attr));
  TypeId type;
  PWEMOE_RETURN_IF_ERROR(TypeOfClass(attr.get(), name, H5T_FLOAT, "float values", &type));
  SpaceId space;
  size_t count = 0;
  PWEMOE_RETURN_IF_ERROR(CountValues(attr.get(), name, &space, &count));
  out->assign(count, 0.0);
  if (count > 0) H5_CHECK(H5Aread(attr.get(), H5T_NATIVE_DOUBLE, out->data()));
  return Status::Ok();
}

Status ReadInt(hid_t object, const std::string& name, int64_t* out) {
  return ReadSingle(object, name, H5T_INTEGER, "an integer", "integer", H5T_NATIVE_INT64, out);
}

Status ReadU64(hid_t object, const std::string& name, uint64_t* out) {
  return ReadSingle(object, name, H5T_INTEGER, "an integer", "integer", H5T_NATIVE_UINT64, out);
}

Status ReadF64(hid_t object, const std::string& name, double* out) {
  return ReadSingle(object, name, H5T_FLOAT, "a float", "float", H5T_NATIVE_DOUBLE, out);
}

}  // namespace pwemoe::h5
