// Checked reads of the objects of a results file (SCHEMA.md), for the reader (h5_reader.h).
//
// A Node is an open group (or the file) together with its path in the file, so that every error
// names the object at fault: Corrupt "/runs/a/train/step: expected an integer column, found
// float64" for content that does not match the schema, or IoError (H5_CHECK) when an HDF5 call
// fails. Callers add the file's name. No read allocates more than the file could hold: a dataset
// that claims more stored bytes than the file's size is Corrupt before anything is allocated.
//
// Thread safety: callers hold h5::LockHdf5() (pwemoe/h5/check.h) for every call and for the
// lifetime of the Node's handle.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

#include "pwemoe/h5/handle.h"
#include "pwemoe/util/status.h"

namespace pwemoe::results {

struct Node {
  hid_t id = -1;           // an open file or group (not owned)
  std::string path;        // "/" or "/runs/a"
  uint64_t max_bytes = 0;  // the file's size: the most one dataset can hold

  // The path of the child link `name` ("/runs" + "a" -> "/runs/a").
  std::string Child(const std::string& name) const;
};

// Opens the group `name` below `parent` into *group and describes it in *child. Corrupt when the
// link is missing or is not a group.
Status OpenGroup(const Node& parent, const std::string& name, h5::GroupId* group, Node* child);

// Whether `node` has a link called `name`.
Status HasLink(const Node& node, const std::string& name, bool* exists);

// The names of `node`'s links, in HDF5's name order (ascending bytes).
Status ListLinks(const Node& node, std::vector<std::string>* names);

// 1-D columns. Corrupt when missing, of another type class (integer / float / string) or rank,
// or (when `length` >= 0) of another length.
Status ReadI64Column(const Node& node, const std::string& name, int64_t length,
                     std::vector<int64_t>* out);
Status ReadF64Column(const Node& node, const std::string& name, int64_t length,
                     std::vector<double>* out);
// Variable-length strings only (what the writer writes).
Status ReadStringColumn(const Node& node, const std::string& name, int64_t length,
                        std::vector<std::string>* out);

// A 2-D float dataset of `rows` rows, as rows of its width (a NaN-padded table stays padded).
Status ReadF64Matrix(const Node& node, const std::string& name, int64_t rows,
                     std::vector<std::vector<double>>* out);

// A float dataset of any rank (a scalar dataspace reads as shape {}), converted to float32.
Status ReadF32Tensor(const Node& node, const std::string& name, std::vector<int64_t>* shape,
                     std::vector<float>* values);

// Attributes of `node` (pwemoe/h5/attribute.h's readers with the node's path in errors).
Status ReadAttrString(const Node& node, const std::string& name, std::string* out);
Status ReadAttrStrings(const Node& node, const std::string& name, std::vector<std::string>* out);
Status ReadAttrInt(const Node& node, const std::string& name, int64_t* out);
// A scalar (or one-value) attribute of integer class read as uint64 / of float class as double.
Status ReadAttrU64(const Node& node, const std::string& name, uint64_t* out);
Status ReadAttrF64(const Node& node, const std::string& name, double* out);

// The attribute `name` of the dataset `dataset` below `node` (a string).
Status ReadDatasetAttrString(const Node& node, const std::string& dataset, const std::string& name,
                             std::string* out);

}  // namespace pwemoe::results
