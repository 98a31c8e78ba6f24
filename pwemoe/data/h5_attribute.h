// Reading and writing the small attributes of the dataset format (strings, string arrays,
// float arrays, integers) and describing HDF5 datatypes in error messages.
//
// Writers store strings as variable-length UTF-8, floats as float64 and integers as int64;
// readers accept any HDF5 string (fixed or variable length), float or integer type, converted
// on read. Every error names the attribute ("attribute 'mean': ...") but not the file: callers
// add it.
//
// Thread safety: callers hold LockHdf5() (h5_check.h).
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

#include "pwemoe/util/status.h"

namespace pwemoe::data::h5 {

// A short name for a datatype in messages: "uint8", "int64", "float32", "string", "compound".
Status DescribeType(hid_t type, std::string* out);

// Whether `object` (a file or group) has an attribute called `name`.
Status HasAttribute(hid_t object, const std::string& name, bool* exists);

// Writers: each creates the attribute (which must not exist yet).
Status WriteString(hid_t object, const std::string& name, const std::string& value);
Status WriteStrings(hid_t object, const std::string& name, const std::vector<std::string>& values);
Status WriteDoubles(hid_t object, const std::string& name, const std::vector<double>& values);
Status WriteInt(hid_t object, const std::string& name, int64_t value);

// Readers. Corrupt "attribute '<name>': missing" when absent, or "...: expected <what>, found
// <type or shape>" when the attribute has the wrong class or holds other than one value (the
// single-value readers) or more than one dimension (the array readers; a scalar reads as an
// array of one).
Status ReadString(hid_t object, const std::string& name, std::string* out);
Status ReadStrings(hid_t object, const std::string& name, std::vector<std::string>* out);
Status ReadDoubles(hid_t object, const std::string& name, std::vector<double>* out);
Status ReadInt(hid_t object, const std::string& name, int64_t* out);

}  // namespace pwemoe::data::h5
