// The one place where HDF5 return codes become Status values, and the process-wide HDF5 lock.
//
// Every HDF5 call in pwemoe/data goes through H5_CHECK(expr): when the call reports failure (a
// negative hid_t/herr_t/htri_t/enum, or 0 for the size_t-returning calls such as H5Tget_size),
// the enclosing function returns an IoError that records the call's text, the source file and
// line, and the messages of HDF5's error stack. HDF5's automatic printing of that stack to stderr
// is switched off by LockHdf5(); callers add the dataset file's name with Status::WithContext.
//
// Thread safety: HDF5 builds differ (Debian's serial libhdf5 happens to be built thread-safe,
// many cluster builds are not), so pwemoe/data serializes all its HDF5 calls on one process-wide
// recursive mutex, taken by LockHdf5(). Any other code in the process that calls HDF5 while
// pwemoe/data may be in use from another thread must hold LockHdf5() as well.
#pragma once

#include <hdf5.h>

#include <mutex>
#include <string>
#include <type_traits>

#include "pwemoe/util/status.h"

namespace pwemoe::h5 {

// Takes the process-wide HDF5 lock (recursive: nested calls in one thread are fine) and makes
// sure HDF5 does not print errors to stderr in this thread (its error stacks are per thread).
std::unique_lock<std::recursive_mutex> LockHdf5();

// True when `value`, the result of an HDF5 call, reports failure: negative for signed results
// and enums (hid_t, herr_t, htri_t, H5T_class_t, ...), zero for unsigned ones (size_t).
template <typename T>
bool Failed(T value) {
  if constexpr (std::is_enum_v<T>) {
    return static_cast<std::underlying_type_t<T>>(value) < 0;
  } else if constexpr (std::is_unsigned_v<T>) {
    return value == 0;
  } else {
    return value < 0;
  }
}

// The IoError for a failed call: "HDF5 call <call> failed (<file>:<line>): <error stack>".
// Reads the calling thread's HDF5 error stack, so call it right after the failing call.
Status CallFailure(const char* call, const char* file, int line);

// The descriptions on the calling thread's HDF5 error stack, outermost first, joined by ": "
// (consecutive repeats dropped); "no HDF5 error message" when the stack is empty.
std::string ErrorStackText();

}  // namespace pwemoe::h5

// Evaluates `expr` (an HDF5 call, possibly inside an assignment such as `n = H5Xget(...)` or a
// handle's Reset) once; on failure returns h5::CallFailure from the enclosing function, which
// must return Status.
#define H5_CHECK(expr)                                                   \
  do {                                                                   \
    if (::pwemoe::h5::Failed(expr))                                \
      return ::pwemoe::h5::CallFailure(#expr, __FILE__, __LINE__); \
  } while (0)
