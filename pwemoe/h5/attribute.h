// Reading and writing small attributes (strings, string arrays, float arrays, integers, single
// uint64 and float64 values), the UTF-8 string type, and describing HDF5 datatypes in error
// messages. Used by both formats: the dataset files (pwemoe/data) and the results file
// (results/store).
//
// Writers store strings as variable-length UTF-8, floats as float64 and integers as int64 (or
// uint64 where named so); readers accept any HDF5 string (fixed or variable length), float or
// integer type, converted on read. Every error names the attribute ("attribute 'mean': ...") but not the file: callers
// add it.
//
// Thread safety: callers hold LockHdf5() (pwemoe/h5/check.h).
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

#include "pwemoe/h5/handle.h"
#include "pwemoe/util/status.h"

namespace pwemoe::h5 {

// Makes *type a fresh variable-length UTF-8 string datatype (the one string type pwemoe writes,
// for attributes and datasets alike).
Status MakeUtf8StringType(TypeId* type);

// A short name for a datatype in messages: "uint8", "int64", "float32", "string", "compound".
Status DescribeType(hid_t type, std::string* out);

// Whether `object` (a file or group) has an attribute called `name`.
Status HasAttribute(hid_t object, const std::string& name, bool* exists);

// Writers: each creates the attribute (which must not exist yet).
Status WriteString(hid_t object, const std::string& name, const std::string& value);
Status WriteStrings(hid_t object, const std::string& name, const std::vector<std::string>& values);
Status WriteDoubles(hid_t object, const std::string& name, const std::vector<double>& values);
Status WriteInt(hid_t object, const std::string& name, int64_t value);
// One value in a scalar dataspace: uint64 as H5T_STD_U64LE, double as H5T_IEEE_F64LE.
Status WriteU64(hid_t object, const std::string& name, uint64_t value);
Status WriteF64(hid_t object, const std::string& name, double value);

// Readers. Corrupt "attribute '<name>': missing" when absent, or "...: expected <what>, found
// <type or shape>" when the attribute has the wrong class or holds other than one value (the
// single-value readers) or more than one dimension (the array readers; a scalar reads as an
// array of one).
Status ReadString(hid_t object, const std::string& name, std::string* out);
Status ReadStrings(hid_t object, const std::string& name, std::vector<std::string>* out);
Status ReadDoubles(hid_t object, const std::string& name, std::vector<double>* out);
Status ReadInt(hid_t object, const std::string& name, int64_t* out);
// One value of integer class read as uint64 / of float class read as double.
Status ReadU64(hid_t object, const std::string& name, uint64_t* out);
Status ReadF64(hid_t object, const std::string& name, double* out);

}  // namespace pwemoe::h5
