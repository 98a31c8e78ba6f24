#include "comm/collectives.h"

#include <algorithm>
#include <cstring>

#include "comm/check.h"

namespace pwemoe::comm {

Status AllReduceInt(MPI_Comm comm, ReduceOp op, int value, int* out) {
  const MPI_Op mpi_op = op == ReduceOp::kSum ? MPI_SUM : op == ReduceOp::kMin ? MPI_MIN : MPI_MAX;
  return MPI_CHECK(MPI_Allreduce(&value, out, 1, MPI_INT, mpi_op, comm));
}

Status Barrier(MPI_Comm comm) { return MPI_CHECK(MPI_Barrier(comm)); }

Status GatherHostNames(MPI_Comm comm, std::vector<std::string>* hosts) {
  hosts->clear();
  int rank = 0, size = 1;
  PWEMOE_RETURN_IF_ERROR(MPI_CHECK(MPI_Comm_rank(comm, &rank)));
  PWEMOE_RETURN_IF_ERROR(MPI_CHECK(MPI_Comm_size(comm, &size)));
  std::vector<char> mine(MPI_MAX_PROCESSOR_NAME, '\0');
  int len = 0;
  PWEMOE_RETURN_IF_ERROR(MPI_CHECK(MPI_Get_processor_name(mine.data(), &len)));
  std::vector<char> all(rank == 0 ? mine.size() * static_cast<size_t>(size) : 0);
  PWEMOE_RETURN_IF_ERROR(MPI_CHECK(MPI_Gather(mine.data(), MPI_MAX_PROCESSOR_NAME, MPI_CHAR,
                                              all.data(), MPI_MAX_PROCESSOR_NAME, MPI_CHAR, 0, comm)));
  for (int r = 0; rank == 0 && r < size; ++r) {
    const char* name = all.data() + static_cast<size_t>(r) * MPI_MAX_PROCESSOR_NAME;
    hosts->emplace_back(name, strnlen(name, MPI_MAX_PROCESSOR_NAME));
  }
  std::sort(hosts->begin(), hosts->end());
  hosts->erase(std::unique(hosts->begin(), hosts->end()), hosts->end());
  return Status::Ok();
}

}  // namespace pwemoe::comm
