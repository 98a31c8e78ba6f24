// Row-wise I/O on datasets whose first dimension counts records (images or labels): a hyperslab
// of whole rows, so that files are streamed in pieces and never read or written at once.
//
// Thread safety: callers hold LockHdf5() (pwemoe/h5/check.h).
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <vector>

#include "pwemoe/util/status.h"

namespace pwemoe::h5 {

// Reads rows [start, start + count) of `dataset` (rank 1 + row_dims.size(), each row of shape
// `row_dims`) into `out`, converted to `mem_type`; `out` holds count rows. count 0 reads nothing.
Status ReadRows(hid_t dataset, hid_t mem_type, int64_t start, int64_t count,
                const std::vector<hsize_t>& row_dims, void* out);

// Grows the extendible `dataset` to start + count rows and writes `data` (count rows of shape
// `row_dims` in `mem_type`) at row `start`. count 0 writes nothing.
Status AppendRows(hid_t dataset, hid_t mem_type, int64_t start, int64_t count,
                  const std::vector<hsize_t>& row_dims, const void* data);

}  // namespace pwemoe::h5
