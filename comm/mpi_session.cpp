#include "comm/mpi_session.h"

#include <spdlog/spdlog.h>

#include <cstdlib>

#include "comm/check.h"

namespace pwemoe::comm {

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
  if (!initialized_) return;
  Status st = MPI_CHECK(MPI_Finalize());
  if (!st.ok()) spdlog::warn("{}", st.ToString());
}

void MpiSession::Abort(int exit_code) {
  if (initialized_) {
    Status st = MPI_CHECK(MPI_Abort(MPI_COMM_WORLD, exit_code));  // returns only on failure
    if (!st.ok()) spdlog::error("{}", st.ToString());
  }
  std::exit(exit_code);
}

}  // namespace pwemoe::comm
