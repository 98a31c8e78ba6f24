// Reading variable-length strings, from an attribute or a dataset: the one place that copies
// HDF5's string pointers into std::string and hands the memory back to HDF5.
//
// Thread safety: callers hold LockHdf5() (pwemoe/h5/check.h).
#pragma once

#include <hdf5.h>

#include <cstddef>
#include <string>
#include <vector>

#include "pwemoe/util/status.h"

namespace pwemoe::h5 {

// Reads the `count` variable-length strings of `object` (an attribute when `is_attribute`, else a
// dataset; its dataspace is `space`) as memory type `mem_type` into *out (a null string reads as
// ""), then reclaims HDF5's buffers, also when the read fails. IoError on a failed call.
Status ReadVariableStrings(hid_t object, bool is_attribute, hid_t mem_type, hid_t space,
                           size_t count, std::vector<std::string>* out);

}  // namespace pwemoe::h5
