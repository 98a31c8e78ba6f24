// GroupComm: the communicator of one training group (docs/DESIGN.md, "Work units and scheduling"), and its
// in-process implementation. The MPI one is in comm/mpi_group.h, the NCCL one in
// comm/nccl_group.h.
//
// Contract, for every implementation:
//  - Every rank of the group calls the same collectives, with the same sizes and root, in the
//    same order. A rank that skips a call leaves the others blocked in it.
//  - AllReduceSum is deterministic by construction: element i becomes
//    ((x_0[i] + x_1[i]) + x_2[i]) + ... + x_{n-1}[i], summed in rank order in the element type
//    (SumInRankOrder below, the one definition all implementations use). So the result is
//    bit-identical on every rank, from run to run, and across implementations for the same group
//    size and inputs.
//  - Memory: the caller owns every buffer and keeps it valid for the duration of the call; the
//    call returns only when the buffer holds its result. device_memory() says whether buffers must
//    be host or CUDA device memory.
//  - Errors come back as Status. After a failed collective the group is in an unknown state; the
//    caller stops using it.
//  - Thread safety: one object is used by one thread at a time (see each factory for which).
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "pwemoe/util/status.h"

namespace pwemoe::comm {

class GroupComm {
 public:
  virtual ~GroupComm() = default;

  // This process's (or thread's) rank in the group, 0 <= rank() < size().
  virtual int rank() const = 0;
  // Number of ranks in the group, >= 1.
  virtual int size() const = 0;
  // True when data pointers must point to CUDA device memory (NCCL); false for host memory.
  virtual bool device_memory() const = 0;

  // Replaces data[0..n) on every rank with the rank-ordered sum over the group.
  virtual Status AllReduceSum(float* data, size_t n) = 0;
  virtual Status AllReduceSum(double* data, size_t n) = 0;

  // Copies `bytes` bytes of rank `root`'s data into every other rank's data.
  // InvalidArgument (on every rank) when root is not a rank of the group.
  virtual Status Broadcast(void* data, size_t bytes, int root) = 0;

  // Returns once every rank of the group has entered Barrier.
  virtual Status Barrier() = 0;
};

// The one definition of a group sum: out[i] = ((parts[0][i] + parts[1][i]) + ...) +
// parts[count-1][i], accumulated in the element type. count >= 1; out may alias
// any of the parts (each element is read before it is written).
void SumInRankOrder(const float* const* parts, int count, size_t n, float* out);
void SumInRankOrder(const double* const* parts, int count, size_t n, double* out);

// The same sum over `count` rows stored one after another: row r is rows[r*n .. r*n + n).
// out must not overlap rows.
void SumRowsInRankOrder(const float* rows, int count, size_t n, float* out);
void SumRowsInRankOrder(const double* rows, int count, size_t n, double* out);

// In-process group of n ranks sharing state: element r has rank r. Each communicator is used by
// its own thread (the n threads together play the group); communicators may be destroyed in any
// order. n = 1 gives the trivial group for single-process code. n < 1 gives an empty vector.
std::vector<std::unique_ptr<GroupComm>> MakeLocalGroup(int n);

}  // namespace pwemoe::comm
