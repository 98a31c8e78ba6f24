#include "comm/nccl_group.h"

#include <spdlog/spdlog.h>

#include <string>
#include <utility>
#include <vector>

#include "comm/check.h"
#include "comm/communicator.h"

namespace pwemoe::comm {

namespace {

// Rank-ordered sum of `count` contiguous host rows of n elements into out (one per element type).
using SumRowsFn = void (*)(const void* rows, int count, size_t n, void* out);

void LogIfError(const Status& st) {
  if (!st.ok()) spdlog::warn("NCCL group teardown: {}", st.ToString());
}

class NcclGroupComm final : public GroupComm {
 public:
  explicit NcclGroupComm(OwnedComm comm) : comm_(std::move(comm)) {}
  ~NcclGroupComm() override;
  NcclGroupComm(const NcclGroupComm&) = delete;
  NcclGroupComm& operator=(const NcclGroupComm&) = delete;

  // Rank and size from the MPI communicator, the unique id from rank 0, the NCCL communicator.
  Status Init();
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  bool device_memory() const override { return true; }
  Status AllReduceSum(float* data, size_t n) override;
  Status AllReduceSum(double* data, size_t n) override;
  Status Broadcast(void* data, size_t bytes, int root) override;
  Status Barrier() override { return MPI_CHECK(MPI_Barrier(comm_.get())); }

 private:
  // All-gather to the device scratch, rank-ordered sum on the host with `sum`, copy back.
  Status AllReduce(void* data, size_t n, ncclDataType_t type, size_t elem_bytes, SumRowsFn sum);
  // Grows the device scratch to at least `bytes`.
  Status EnsureScratch(size_t bytes);
  Status Sync() { return CUDA_CHECK(cudaStreamSynchronize(stream_)); }

  OwnedComm comm_;  // freed last, after the NCCL communicator
  ncclComm_t nccl_ = nullptr;
  cudaStream_t stream_ = nullptr;
  int rank_ = 0;
  int size_ = 1;
  void* scratch_ = nullptr;  // device: every rank's buffer, in rank order
  size_t scratch_bytes_ = 0;
  std::vector<unsigned char> host_;  // host: the gathered rows, then their sum
};

NcclGroupComm::~NcclGroupComm() {
  if (nccl_ != nullptr) LogIfError(NCCL_CHECK(ncclCommDestroy(nccl_)));
  if (stream_ != nullptr) LogIfError(CUDA_CHECK(cudaStreamDestroy(stream_)));
  if (scratch_ != nullptr) LogIfError(CUDA_CHECK(cudaFree(scratch_)));
  LogIfError(comm_.Free());
}

Status NcclGroupComm::Init() {
  PWEMOE_RETURN_IF_ERROR(MPI_CHECK(MPI_Comm_rank(comm_.get(), &rank_)));
  PWEMOE_RETURN_IF_ERROR(MPI_CHECK(MPI_Comm_size(comm_.get(), &size_)));
  // Rank 0 sends a flag with the id, so that its failure does not leave the others waiting.
  struct IdMessage {
    int ok = 0;
    ncclUniqueId id = {};
  } msg;
  Status st;
  if (rank_ == 0) {
    st = NCCL_CHECK(ncclGetUniqueId(&msg.id));
    msg.ok = st.ok() ? 1 : 0;
  }
  PWEMOE_RETURN_IF_ERROR(MPI_CHECK(MPI_Bcast(&msg, sizeof msg, MPI_BYTE, 0, comm_.get())));
  if (msg.ok == 0) {
    return st.ok() ? Status::IoError("NCCL group: its rank 0 could not create the unique id") : st;
  }
  PWEMOE_RETURN_IF_ERROR(CUDA_CHECK(cudaStreamCreate(&stream_)));
  return NCCL_CHECK(ncclCommInitRank(&nccl_, size_, msg.id, rank_));
}

Status NcclGroupComm::EnsureScratch(size_t bytes) {
  if (bytes <= scratch_bytes_) return Status::Ok();
  if (scratch_ != nullptr) PWEMOE_RETURN_IF_ERROR(CUDA_CHECK(cudaFree(scratch_)));
  scratch_ = nullptr;
  scratch_bytes_ = 0;
  PWEMOE_RETURN_IF_ERROR(CUDA_CHECK(cudaMalloc(&scratch_, bytes)));
  scratch_bytes_ = bytes;
  return Status::Ok();
}

Status NcclGroupComm::AllReduce(void* data, size_t n, ncclDataType_t type, size_t elem_bytes,
                                SumRowsFn sum) {
  const size_t bytes = n * elem_bytes;
  const size_t all_bytes = bytes * static_cast<size_t>(size_);
  if (bytes == 0) return Status::Ok();
  PWEMOE_RETURN_IF_ERROR(EnsureScratch(all_bytes));
  PWEMOE_RETURN_IF_ERROR(NCCL_CHECK(ncclAllGather(data, scratch_, n, type, nccl_, stream_)));
  host_.resize(all_bytes + bytes);
  PWEMOE_RETURN_IF_ERROR(CUDA_CHECK(
      cudaMemcpyAsync(host_.data(), scratch_, all_bytes, cudaMemcpyDeviceToHost, stream_)));
  PWEMOE_RETURN_IF_ERROR(Sync());
  unsigned char* result = host_.data() + all_bytes;
  sum(host_.data(), size_, n, result);
  PWEMOE_RETURN_IF_ERROR(
      CUDA_CHECK(cudaMemcpyAsync(data, result, bytes, cudaMemcpyHostToDevice, stream_)));
  return Sync();
}

Status NcclGroupComm::AllReduceSum(float* data, size_t n) {
  return AllReduce(
      data, n, ncclFloat32, sizeof(float), [](const void* rows, int count, size_t len, void* out) {
        SumRowsInRankOrder(static_cast<const float*>(rows), count, len, static_cast<float*>(out));
      });
}

Status NcclGroupComm::AllReduceSum(double* data, size_t n) {
  return AllReduce(
      data, n, ncclFloat64, sizeof(double), [](const void* rows, int count, size_t len, void* out) {
        SumRowsInRankOrder(static_cast<const double*>(rows), count, len, static_cast<double*>(out));
      });
}

Status NcclGroupComm::Broadcast(void* data, size_t bytes, int root) {
  if (root < 0 || root >= size_) {
    return Status::InvalidArgument("Broadcast root " + std::to_string(root) +
                                   " is not a rank of a group of " + std::to_string(size_));
  }
  if (bytes == 0) return Status::Ok();
  PWEMOE_RETURN_IF_ERROR(
      NCCL_CHECK(ncclBroadcast(data, data, bytes, ncclUint8, root, nccl_, stream_)));
  return Sync();
}

}  // namespace

Status MakeNcclGroups(int ranks_per_group, MPI_Comm parent, std::unique_ptr<GroupComm>* out) {
  OwnedComm comm;
  PWEMOE_RETURN_IF_ERROR(SplitConsecutive(parent, ranks_per_group, &comm));
  auto group = std::make_unique<NcclGroupComm>(std::move(comm));
  PWEMOE_RETURN_IF_ERROR(group->Init());
  int device = -1;
  PWEMOE_RETURN_IF_ERROR(CUDA_CHECK(cudaGetDevice(&device)));
  spdlog::info("NCCL group: rank {}/{} on CUDA device {}", group->rank(), group->size(), device);
  *out = std::move(group);
  return Status::Ok();
}

}  // namespace pwemoe::comm
