#include "comm/communicator.h"

#include <spdlog/spdlog.h>

#include <string>
#include <utility>

#include "comm/check.h"

namespace pwemoe::comm {

OwnedComm::~OwnedComm() { FreeOrWarn(); }

OwnedComm::OwnedComm(OwnedComm&& other) noexcept
    : comm_(std::exchange(other.comm_, MPI_COMM_NULL)) {}

OwnedComm& OwnedComm::operator=(OwnedComm&& other) noexcept {
  if (this != &other) {
    FreeOrWarn();
    comm_ = std::exchange(other.comm_, MPI_COMM_NULL);
  }
  return *this;
}

Status OwnedComm::Free() {
  if (comm_ == MPI_COMM_NULL) return Status::Ok();
  int finalized = 0;
  Status st = MPI_CHECK(MPI_Finalized(&finalized));
  if (st.ok() && !finalized) st = MPI_CHECK(MPI_Comm_free(&comm_));
  comm_ = MPI_COMM_NULL;  // after MPI_Finalize (or a failed free) there is nothing left to free
  return st;
}

void OwnedComm::FreeOrWarn() {
  Status st = Free();
  if (!st.ok()) spdlog::warn("freeing an MPI communicator: {}", st.ToString());
}

Status SplitByColor(MPI_Comm parent, int color, OwnedComm* out) {
  int rank = 0;
  PWEMOE_RETURN_IF_ERROR(MPI_CHECK(MPI_Comm_rank(parent, &rank)));
  MPI_Comm raw = MPI_COMM_NULL;
  PWEMOE_RETURN_IF_ERROR(
      MPI_CHECK(MPI_Comm_split(parent, color < 0 ? MPI_UNDEFINED : color, rank, &raw)));
  OwnedComm split(raw);
  if (!split.is_null()) {
    PWEMOE_RETURN_IF_ERROR(MPI_CHECK(MPI_Comm_set_errhandler(split.get(), MPI_ERRORS_RETURN)));
  }
  *out = std::move(split);
  return Status::Ok();
}

Status SplitConsecutive(MPI_Comm parent, int ranks_per_group, OwnedComm* group) {
  if (ranks_per_group < 1) {
    return Status::InvalidArgument("ranks per group must be at least 1, got " +
                                   std::to_string(ranks_per_group));
  }
  int rank = 0;
  PWEMOE_RETURN_IF_ERROR(MPI_CHECK(MPI_Comm_rank(parent, &rank)));
  return SplitByColor(parent, rank / ranks_per_group, group);
}

}  // namespace pwemoe::comm
