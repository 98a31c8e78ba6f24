#include "comm/mpi_group.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "comm/check.h"
#include "comm/communicator.h"

namespace pwemoe::comm {
namespace {

// Elements (or bytes, for Broadcast) per MPI call: keeps counts within int and bounds the scratch.
constexpr size_t kChunkElements = size_t{1} << 20;
constexpr size_t kChunkBytes = size_t{1} << 30;

// Rank-ordered sum of `count` contiguous rows of n elements into out (one per element type).
using SumRowsFn = void (*)(const void* rows, int count, size_t n, void* out);

class MpiGroupComm final : public GroupComm {
 public:
  explicit MpiGroupComm(OwnedComm comm) : comm_(std::move(comm)) {}
  MpiGroupComm(const MpiGroupComm&) = delete;
  MpiGroupComm& operator=(const MpiGroupComm&) = delete;

  // Reads rank and size from the communicator.
  Status Init() {
    PWEMOE_RETURN_IF_ERROR(MPI_CHECK(MPI_Comm_rank(comm_.get(), &rank_)));
    return MPI_CHECK(MPI_Comm_size(comm_.get(), &size_));
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  bool device_memory() const override { return false; }
  Status AllReduceSum(float* data, size_t n) override;
  Status AllReduceSum(double* data, size_t n) override;
  Status Broadcast(void* data, size_t bytes, int root) override;
  Status Barrier() override { return MPI_CHECK(MPI_Barrier(comm_.get())); }

 private:
  // Gather each chunk to rank 0, sum it there with `sum`, broadcast it back.
  Status AllReduce(void* data, size_t n, MPI_Datatype type, size_t elem_bytes, SumRowsFn sum);

  OwnedComm comm_;  // freed when the group is destroyed
  int rank_ = 0;
  int size_ = 1;
  std::vector<unsigned char> gathered_;  // rank 0: every rank's chunk, in rank order
};

Status MpiGroupComm::AllReduce(void* data, size_t n, MPI_Datatype type, size_t elem_bytes,
                               SumRowsFn sum) {
  auto* bytes = static_cast<unsigned char*>(data);
  for (size_t done = 0; done < n; done += kChunkElements) {
    const size_t count = std::min(kChunkElements, n - done);
    const int icount = static_cast<int>(count);
    unsigned char* chunk = bytes + done * elem_bytes;
    if (rank_ == 0) gathered_.resize(static_cast<size_t>(size_) * count * elem_bytes);
    PWEMOE_RETURN_IF_ERROR(
        MPI_CHECK(MPI_Gather(chunk, icount, type, gathered_.data(), icount, type, 0, comm_.get())));
    if (rank_ == 0) sum(gathered_.data(), size_, count, chunk);
    PWEMOE_RETURN_IF_ERROR(MPI_CHECK(MPI_Bcast(chunk, icount, type, 0, comm_.get())));
  }
  return Status::Ok();
}

Status MpiGroupComm::AllReduceSum(float* data, size_t n) {
  return AllReduce(
      data, n, MPI_FLOAT, sizeof(float), [](const void* rows, int count, size_t len, void* out) {
        SumRowsInRankOrder(static_cast<const float*>(rows), count, len, static_cast<float*>(out));
      });
}

Status MpiGroupComm::AllReduceSum(double* data, size_t n) {
  return AllReduce(
      data, n, MPI_DOUBLE, sizeof(double), [](const void* rows, int count, size_t len, void* out) {
        SumRowsInRankOrder(static_cast<const double*>(rows), count, len, static_cast<double*>(out));
      });
}

Status MpiGroupComm::Broadcast(void* data, size_t bytes, int root) {
  if (root < 0 || root >= size_) {
    return Status::InvalidArgument("Broadcast root " + std::to_string(root) +
                                   " is not a rank of a group of " + std::to_string(size_));
  }
  auto* p = static_cast<unsigned char*>(data);
  for (size_t done = 0; done < bytes; done += kChunkBytes) {
    const int count = static_cast<int>(std::min(kChunkBytes, bytes - done));
    PWEMOE_RETURN_IF_ERROR(MPI_CHECK(MPI_Bcast(p + done, count, MPI_BYTE, root, comm_.get())));
  }
  return Status::Ok();
}

}  // namespace

Status MakeMpiGroups(int ranks_per_group, MPI_Comm parent, std::unique_ptr<GroupComm>* out) {
  OwnedComm comm;
  PWEMOE_RETURN_IF_ERROR(SplitConsecutive(parent, ranks_per_group, &comm));
  auto group = std::make_unique<MpiGroupComm>(std::move(comm));
  PWEMOE_RETURN_IF_ERROR(group->Init());
  spdlog::debug("MPI group: rank {}/{}", group->rank(), group->size());
  *out = std::move(group);
  return Status::Ok();
}

}  // namespace pwemoe::comm
