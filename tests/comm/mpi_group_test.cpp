// The MPI (and, with --nccl, NCCL) group communicator under mpirun; ctest runs it with label mpi.
//
//   comm_mpi_group_test <ranks_per_group> [--nccl] [--inject-mismatch]
//
// Checks: groups are consecutive blocks of world ranks; sums are bit-identical to the in-process
// group's and to the rank-ordered serial sum, on every rank and on a repeated call; broadcast,
// barrier and errors; the split of the world by colour (rank 0 apart) and its freeing, the set-up
// collectives, and MPI_CHECK's message. Every rank runs every collective in the same order whatever fails, and all
// ranks exit 1 if any check failed on any rank. --inject-mismatch corrupts one expected value on
// world rank 1, to show that a mismatch fails the run.
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>

#include "comm/check.h"
#include "comm/collectives.h"
#include "comm/communicator.h"
#include "comm/group_comm.h"
#include "comm/mpi_group.h"
#include "comm/mpi_session.h"
#include "tests/comm/group_testing.h"
#ifdef PWEMOE_HAVE_NCCL
#include "comm/cuda_device.h"
#include "comm/nccl_group.h"
#endif

namespace pwemoe::comm {
namespace {

using testing::Bits;
using testing::DoubleInput;
using testing::FloatInput;
using testing::SerialSum;

int g_world_rank = 0;
int g_failures = 0;

void Check(bool ok, const std::string& what) {
  if (ok) return;
  ++g_failures;
  std::fprintf(stderr, "world rank %d: FAILED: %s\n", g_world_rank, what.c_str());
}

void CheckOk(const Status& st, const std::string& what) {
  Check(st.ok(), what + ": " + st.ToString());
}

// Runs op on `bytes` of host data, staged through device memory when the group needs it.
Status OnGroupMemory(GroupComm& g, void* host, size_t bytes,
                     const std::function<Status(void*)>& op) {
#ifdef PWEMOE_HAVE_NCCL
  if (g.device_memory()) {
    void* dev = nullptr;
    PWEMOE_RETURN_IF_ERROR(CUDA_CHECK(cudaMalloc(&dev, bytes == 0 ? 1 : bytes)));
    Status st = CUDA_CHECK(cudaMemcpy(dev, host, bytes, cudaMemcpyHostToDevice));
    if (st.ok()) st = op(dev);
    if (st.ok()) st = CUDA_CHECK(cudaMemcpy(host, dev, bytes, cudaMemcpyDeviceToHost));
    Status freed = CUDA_CHECK(cudaFree(dev));
    return st.ok() ? freed : st;
  }
#endif
  return op(host);
}

Status AllReduce(GroupComm& g, std::vector<float>* v) {
  return OnGroupMemory(g, v->data(), v->size() * sizeof(float),
                       [&](void* p) { return g.AllReduceSum(static_cast<float*>(p), v->size()); });
}

Status AllReduce(GroupComm& g, std::vector<double>* v) {
  return OnGroupMemory(g, v->data(), v->size() * sizeof(double),
                       [&](void* p) { return g.AllReduceSum(static_cast<double*>(p), v->size()); });
}

Status Broadcast(GroupComm& g, void* data, size_t bytes, int root) {
  return OnGroupMemory(g, data, bytes, [&](void* p) { return g.Broadcast(p, bytes, root); });
}

// The in-process group's result for `size` ranks with FloatInput(rank, n, seed), one thread each.
std::vector<float> LocalGroupSum(int size, size_t n, uint32_t seed) {
  std::vector<std::unique_ptr<GroupComm>> group = MakeLocalGroup(size);
  std::vector<std::vector<float>> bufs;
  for (int r = 0; r < size; ++r) bufs.push_back(FloatInput(r, n, seed));
  std::vector<Status> status(size);
  std::vector<std::thread> threads;
  for (int r = 0; r < size; ++r) {
    threads.emplace_back([&, r] { status[r] = group[r]->AllReduceSum(bufs[r].data(), n); });
  }
  for (std::thread& t : threads) t.join();
  for (int r = 0; r < size; ++r) CheckOk(status[r], "local group all-reduce");
  return bufs[0];
}

void CheckSplit(GroupComm& g, int world_rank, int world_size, int per_group) {
  const int first = world_rank / per_group * per_group;
  const int expected_size = std::min(per_group, world_size - first);
  Check(g.rank() == world_rank - first, "group rank " + std::to_string(g.rank()));
  Check(g.size() == expected_size, "group size " + std::to_string(g.size()));
  std::vector<double> members = {static_cast<double>(world_rank), 1.0};
  CheckOk(AllReduce(g, &members), "all-reduce of world ranks");
  double expected = 0;
  for (int r = first; r < first + expected_size; ++r) expected += r;
  Check(members[0] == expected && members[1] == expected_size, "group members' world ranks");
}

void CheckFloatSums(GroupComm& g, size_t n, uint32_t seed, bool inject_mismatch) {
  std::vector<std::vector<float>> inputs;
  for (int r = 0; r < g.size(); ++r) inputs.push_back(FloatInput(r, n, seed));
  const std::vector<float> serial = SerialSum(inputs);
  std::vector<float> local = LocalGroupSum(g.size(), n, seed);
  if (inject_mismatch) local[n / 2] = std::nextafter(local[n / 2], 1e30f);
  std::vector<float> first = inputs[g.rank()], second = inputs[g.rank()];
  CheckOk(AllReduce(g, &first), "float all-reduce");
  CheckOk(AllReduce(g, &second), "repeated float all-reduce");
  const std::string what = " (n " + std::to_string(n) + ")";
  Check(Bits(first) == Bits(local), "float sum differs from the in-process group's" + what);
  Check(Bits(first) == Bits(serial), "float sum differs from the rank-ordered serial sum" + what);
  Check(Bits(second) == Bits(first), "repeated float all-reduce differs" + what);
  std::vector<float> from_root = first;
  CheckOk(Broadcast(g, from_root.data(), n * sizeof(float), 0), "broadcast of the sum");
  Check(Bits(from_root) == Bits(first), "float sum differs from the group rank 0's" + what);
  if (g.size() == 3) Check(first[0] == 0.0f, "1e8 + 1 - 1e8 in rank order is not 0");
}

void CheckDoubleSums(GroupComm& g, size_t n, uint32_t seed) {
  std::vector<std::vector<double>> inputs;
  for (int r = 0; r < g.size(); ++r) inputs.push_back(DoubleInput(r, n, seed));
  std::vector<double> mine = inputs[g.rank()];
  CheckOk(AllReduce(g, &mine), "double all-reduce");
  Check(Bits(mine) == Bits(SerialSum(inputs)), "double sum differs from the serial sum");
  if (g.size() == 3) Check(mine[0] == 0.0, "1e17 + 1 - 1e17 in rank order is not 0");
}

void CheckBroadcastBarrierErrors(GroupComm& g) {
  const int root = g.size() - 1;
  std::vector<char> bytes(1001, g.rank() == root ? 'x' : 0);
  CheckOk(Broadcast(g, bytes.data(), bytes.size(), root), "broadcast");
  Check(bytes == std::vector<char>(1001, 'x'), "broadcast content");
  int x = 0;
  Check(g.Broadcast(&x, sizeof x, g.size()).code() == Status::Code::kInvalidArgument,
        "broadcast from a root outside the group is not InvalidArgument");
  std::vector<float> empty;
  CheckOk(AllReduce(g, &empty), "zero-length all-reduce");
  CheckOk(g.Barrier(), "barrier");
}

// SplitByColor with rank 0 apart (a negative colour) and the others together, as the
// orchestrator splits off its workers; then the handle frees it.
void CheckSplitByColor(int world_rank, int world_size) {
  OwnedComm workers;
  CheckOk(SplitByColor(MPI_COMM_WORLD, world_rank == 0 ? -1 : 1, &workers), "split by colour");
  if (world_rank == 0) {
    Check(workers.is_null(), "rank 0 of a negative colour got a communicator");
  } else if (!workers.is_null()) {
    int rank = -1, size = 0;
    CheckOk(MPI_CHECK(MPI_Comm_rank(workers.get(), &rank)), "rank in the split");
    CheckOk(MPI_CHECK(MPI_Comm_size(workers.get(), &size)), "size of the split");
    Check(rank == world_rank - 1 && size == world_size - 1,
          "split rank " + std::to_string(rank) + " of " + std::to_string(size));
    int sum = 0;
    CheckOk(AllReduceInt(workers.get(), ReduceOp::kSum, world_rank, &sum), "sum over the split");
    Check(sum == world_size * (world_size - 1) / 2, "sum over the split " + std::to_string(sum));
  } else {
    Check(false, "a rank of colour 1 got no communicator");
  }
  CheckOk(workers.Free(), "freeing the split");
  Check(workers.is_null(), "a freed handle is not null");
  CheckOk(workers.Free(), "freeing a null handle");
}

// AllReduceInt's three operations, the barrier, and what MPI_CHECK says of an error code.
void CheckCollectivesAndCheckMacro(int world_rank, int world_size) {
  int low = -1, high = -1;
  CheckOk(AllReduceInt(MPI_COMM_WORLD, ReduceOp::kMin, world_rank, &low), "min over the world");
  CheckOk(AllReduceInt(MPI_COMM_WORLD, ReduceOp::kMax, world_rank, &high), "max over the world");
  Check(low == 0 && high == world_size - 1, "min and max over the world");
  CheckOk(Barrier(MPI_COMM_WORLD), "world barrier");
  std::vector<std::string> hosts;
  CheckOk(GatherHostNames(MPI_COMM_WORLD, &hosts), "host names");
  Check(world_rank == 0 ? !hosts.empty() : hosts.empty(), "host names on rank 0 only");
  Check(MPI_CHECK(MPI_SUCCESS).ok(), "MPI_CHECK of MPI_SUCCESS");
  const Status st = MPI_CHECK(MPI_ERR_COMM);
  Check(st.code() == Status::Code::kIoError, "MPI_CHECK of an error is not IoError");
  Check(st.message().find("MPI_ERR_COMM failed: ") != std::string::npos &&
            st.message().find("mpi_group_test.cpp:") != std::string::npos,
        "MPI_CHECK's message names the call and the place: " + st.message());
}

int Run(int argc, char** argv, const MpiSession& mpi) {
  const int per_group = argc > 1 ? std::atoi(argv[1]) : 0;
  bool nccl = false, inject = false;
  for (int i = 2; i < argc; ++i) {
    nccl = nccl || std::strcmp(argv[i], "--nccl") == 0;
    inject = inject || std::strcmp(argv[i], "--inject-mismatch") == 0;
  }
  std::unique_ptr<GroupComm> group;
  Status st = Status::InvalidArgument("--nccl needs a build with PWEMOE_HAVE_NCCL");
  if (!nccl) st = MakeMpiGroups(per_group, MPI_COMM_WORLD, &group);
#ifdef PWEMOE_HAVE_NCCL
  if (nccl && VisibleCudaDevices() == 0) {  // the same answer on every rank of this machine
    if (mpi.rank() == 0) std::printf("SKIPPED: no CUDA device is visible\n");
    return 77;
  }
  int device = -1;
  if (nccl) st = BindDevice(MPI_COMM_WORLD, &device);
  if (nccl && st.ok()) st = MakeNcclGroups(per_group, MPI_COMM_WORLD, &group);
#endif
  if (!st.ok()) {
    std::fprintf(stderr, "world rank %d: %s\n", mpi.rank(), st.ToString().c_str());
    return 1;  // set-up failed: the other ranks cannot be relied on to be in step
  }
  CheckSplit(*group, mpi.rank(), mpi.size(), per_group);
  CheckFloatSums(*group, 1000, 11, inject && mpi.rank() == 1);
  CheckFloatSums(*group, (size_t{1} << 20) + 5, 12, false);  // crosses a chunk boundary
  CheckDoubleSums(*group, 1000, 13);
  CheckBroadcastBarrierErrors(*group);
  group.reset();  // frees the group's communicator before MPI_Finalize
  CheckSplitByColor(mpi.rank(), mpi.size());
  CheckCollectivesAndCheckMacro(mpi.rank(), mpi.size());
  int any_failed = 0, failed = g_failures > 0 ? 1 : 0;
  CheckOk(MPI_CHECK(MPI_Allreduce(&failed, &any_failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD)),
          "agreeing on the exit code");
  if (mpi.rank() == 0) {
    std::printf("%s: %d ranks, groups of %d%s\n", any_failed ? "FAILED" : "PASSED", mpi.size(),
                per_group, nccl ? " over NCCL" : "");
  }
  return any_failed || g_failures > 0 ? 1 : 0;
}

}  // namespace
}  // namespace pwemoe::comm

int main(int argc, char** argv) {
  pwemoe::comm::MpiSession mpi(&argc, &argv);
  if (!mpi.status().ok()) {
    std::fprintf(stderr, "%s\n", mpi.status().ToString().c_str());
    return 1;
  }
  pwemoe::comm::g_world_rank = mpi.rank();
  return pwemoe::comm::Run(argc, argv, mpi);
}
