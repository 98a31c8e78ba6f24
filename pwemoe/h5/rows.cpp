#include "pwemoe/h5/rows.h"

#include "pwemoe/h5/check.h"
#include "pwemoe/h5/handle.h"

namespace pwemoe::h5 {

namespace {

// Selects rows [start, start + count) in the dataset's file space and makes a matching memory
// space.
Status SelectRows(hid_t dataset, int64_t start, int64_t count, const std::vector<hsize_t>& row_dims,
                  SpaceId* file_space, SpaceId* mem_space) {
  std::vector<hsize_t> offset(row_dims.size() + 1, 0);
  std::vector<hsize_t> block{static_cast<hsize_t>(count)};
  offset[0] = static_cast<hsize_t>(start);
  block.insert(block.end(), row_dims.begin(), row_dims.end());
  H5_CHECK(file_space->Reset(H5Dget_space(dataset)));
  H5_CHECK(H5Sselect_hyperslab(file_space->get(), H5S_SELECT_SET, offset.data(), nullptr,
                               block.data(), nullptr));
  H5_CHECK(
      mem_space->Reset(H5Screate_simple(static_cast<int>(block.size()), block.data(), nullptr)));
  return Status::Ok();
}

}  // namespace

Status ReadRows(hid_t dataset, hid_t mem_type, int64_t start, int64_t count,
                const std::vector<hsize_t>& row_dims, void* out) {
  if (count == 0) return Status::Ok();
  SpaceId file_space, mem_space;
  PWEMOE_RETURN_IF_ERROR(SelectRows(dataset, start, count, row_dims, &file_space, &mem_space));
  H5_CHECK(H5Dread(dataset, mem_type, mem_space.get(), file_space.get(), H5P_DEFAULT, out));
  return Status::Ok();
}

Status AppendRows(hid_t dataset, hid_t mem_type, int64_t start, int64_t count,
                  const std::vector<hsize_t>& row_dims, const void* data) {
  if (count == 0) return Status::Ok();
  std::vector<hsize_t> extent{static_cast<hsize_t>(start + count)};
  extent.insert(extent.end(), row_dims.begin(), row_dims.end());
  H5_CHECK(H5Dset_extent(dataset, extent.data()));
  SpaceId file_space, mem_space;
  PWEMOE_RETURN_IF_ERROR(SelectRows(dataset, start, count, row_dims, &file_space, &mem_space));
  H5_CHECK(H5Dwrite(dataset, mem_type, mem_space.get(), file_space.get(), H5P_DEFAULT, data));
  return Status::Ok();
}

}  // namespace pwemoe::h5
