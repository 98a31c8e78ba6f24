#include "worker/mpi_session.h"

#include <cstdlib>

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

}  // namespace pwemoe::worker
