#include "worker/mpi_session.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "worker/mpi_check.h"

namespace pwemoe::worker {

Status MpiStatus(int rc, const char* call, const char* file, int line) {
  if (rc == MPI_SUCCESS) return Status::Ok();
  char text[MPI_MAX_ERROR_STRING] = {0};
  int len = 0;
  if (MPI_Error_string(rc, text, &len) != MPI_SUCCESS) len = 0;
  return Status::IoError(std::string(call) + " failed: " + std::string(text, len) + " (" + file +
                         ":" + std::to_string(line) + ")");
}

MpiSession::MpiSession(int* argc, char*** argv) {
  int provided = 0;
  status_ = MPI_CHECK(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided));
  if (!status_.ok()) return;
  initialized_ = true;
  status_ = MPI_CHECK(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));
  if (status_.ok()) status_ = MPI_CHECK(MPI_Comm_rank(MPI_COMM_WORLD, &rank_));
  if (status_.ok()) status_ = MPI_CHECK(MPI_Comm_size(MPI_COMM_WORLD, &size_));
}

MpiSession::~MpiSession() {
  if (initialized_) MPI_Finalize();
}

void MpiSession::Abort(int exit_code) {
  if (initialized_) MPI_Abort(MPI_COMM_WORLD, exit_code);
  std::exit(exit_code);
}

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

}  // namespace pwemoe::worker
