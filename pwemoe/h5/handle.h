// Owning RAII wrappers for HDF5 identifiers, so that no file, group, object, dataset, dataspace,
// attribute, datatype or property list leaks on an error path.
//
// Thread safety: a handle is a plain value owned by one thread at a time; closing takes the
// process-wide HDF5 lock (see pwemoe/h5/check.h).
#pragma once

#include <hdf5.h>

#include <utility>

#include "pwemoe/h5/check.h"

namespace pwemoe::h5 {

// Owns one identifier closed by `Close` (H5Fclose, H5Dclose, ...). Empty when id < 0.
template <herr_t (*CloseFn)(hid_t)>
class Handle {
 public:
  Handle() = default;
  ~Handle() { Close(); }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, -1)) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      Close();
      id_ = std::exchange(other.id_, -1);
    }
    return *this;
  }

  // Closes the current identifier (if any), takes ownership of `id` (a negative id, a failed
  // call's result, leaves the handle empty) and returns `id`, so that H5_CHECK(h.Reset(H5Xopen(
  // ...))) both checks and keeps the result.
  hid_t Reset(hid_t id) {
    Close();
    id_ = id;
    return id;
  }

  // Closes the identifier now; the result of the close call (0 when empty). Use it where a
  // failing close matters (the writer's final H5Fclose); destruction ignores it.
  herr_t Close() {
    if (id_ < 0) return 0;
    auto lock = LockHdf5();
    herr_t result = CloseFn(id_);
    id_ = -1;
    return result;
  }

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }

 private:
  hid_t id_ = -1;
};

using FileId = Handle<H5Fclose>;
using DatasetId = Handle<H5Dclose>;
using SpaceId = Handle<H5Sclose>;
using AttributeId = Handle<H5Aclose>;
using TypeId = Handle<H5Tclose>;
using PlistId = Handle<H5Pclose>;
using GroupId = Handle<H5Gclose>;
using ObjectId = Handle<H5Oclose>;  // any object opened with H5Oopen

}  // namespace pwemoe::h5
