#include "comm/group_comm.h"

#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <functional>
#include <mutex>
#include <string>

namespace pwemoe::comm {

void SumInRankOrder(const float* const* parts, int count, size_t n, float* out) {
  for (size_t i = 0; i < n; ++i) {
    float acc = parts[0][i];
    for (int r = 1; r < count; ++r) acc += parts[r][i];
    out[i] = acc;
  }
}

void SumInRankOrder(const double* const* parts, int count, size_t n, double* out) {
  for (size_t i = 0; i < n; ++i) {
    double acc = parts[0][i];
    for (int r = 1; r < count; ++r) acc += parts[r][i];
    out[i] = acc;
  }
}

void SumRowsInRankOrder(const float* rows, int count, size_t n, float* out) {
  std::vector<const float*> parts;
  for (int r = 0; r < count; ++r) parts.push_back(rows + static_cast<size_t>(r) * n);
  SumInRankOrder(parts.data(), count, n, out);
}

void SumRowsInRankOrder(const double* rows, int count, size_t n, double* out) {
  std::vector<const double*> parts;
  for (int r = 0; r < count; ++r) parts.push_back(rows + static_cast<size_t>(r) * n);
  SumInRankOrder(parts.data(), count, n, out);
}

namespace {

// What one rank asked for in the current collective, published for the others.
enum class Op { kAllReduceFloat, kAllReduceDouble, kBroadcast, kBarrier };

struct Call {
  Op op = Op::kBarrier;
  size_t count = 0;  // elements (all-reduce) or bytes (broadcast)
  int root = 0;
  void* data = nullptr;
};

std::string Describe(const Call& c) {
  const char* names[] = {"AllReduceSum(float)", "AllReduceSum(double)", "Broadcast", "Barrier"};
  return std::string(names[static_cast<int>(c.op)]) + " count " + std::to_string(c.count) +
         " root " + std::to_string(c.root);
}

// State shared by the communicators of one local group: a reusable barrier and the call each
// rank published for the current collective.
class LocalShared {
 public:
  explicit LocalShared(int size) : size_(size), calls_(size) {}
  int size() const { return size_; }
  Call& call(int rank) { return calls_[rank]; }

  // Blocks until every rank has called Wait (a generation-counting barrier). What a rank wrote
  // before Wait is visible to every rank after it (the mutex orders the memory).
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    const uint64_t generation = generation_;
    if (++arrived_ == size_) {
      arrived_ = 0;
      ++generation_;
      cv_.notify_all();
      return;
    }
    cv_.wait(lock, [&] { return generation_ != generation; });
  }

  // OK when every rank published the same op, count and root, and a broadcast's root is a rank.
  // Every rank reaches the same verdict, since all read the same calls.
  Status CheckSameCall() const {
    for (int r = 1; r < size_; ++r) {
      const Call& a = calls_[0];
      const Call& b = calls_[r];
      if (a.op != b.op || a.count != b.count || a.root != b.root) {
        return Status::Internal("local group: rank 0 called " + Describe(a) + " but rank " +
                                std::to_string(r) + " called " + Describe(b));
      }
    }
    const Call& c = calls_[0];
    if (c.op == Op::kBroadcast && (c.root < 0 || c.root >= size_)) {
      return Status::InvalidArgument("Broadcast root " + std::to_string(c.root) +
                                     " is not a rank of a group of " + std::to_string(size_));
    }
    return Status::Ok();
  }

 private:
  const int size_;
  std::vector<Call> calls_;
  std::mutex mu_;
  std::condition_variable cv_;
  int arrived_ = 0;
  uint64_t generation_ = 0;
};

class LocalGroupComm final : public GroupComm {
 public:
  LocalGroupComm(std::shared_ptr<LocalShared> shared, int rank)
      : shared_(std::move(shared)), rank_(rank) {}
  int rank() const override { return rank_; }
  int size() const override { return shared_->size(); }
  bool device_memory() const override { return false; }
  Status AllReduceSum(float* data, size_t n) override;
  Status AllReduceSum(double* data, size_t n) override;
  Status Broadcast(void* data, size_t bytes, int root) override;
  Status Barrier() override {
    return Collective({Op::kBarrier, 0, 0, nullptr}, [] {});
  }

 private:
  // Runs one collective: publishes this rank's call, waits for every rank, checks that all made
  // the same call, runs `read` (which may read every rank's published data but writes only this
  // rank's memory), then waits again so that no rank changes its data while another reads it.
  Status Collective(const Call& mine, const std::function<void()>& read) {
    shared_->call(rank_) = mine;
    shared_->Wait();
    Status st = shared_->CheckSameCall();
    if (st.ok()) read();
    shared_->Wait();
    return st;
  }

  std::shared_ptr<LocalShared> shared_;
  const int rank_;
  std::vector<float> float_sum_;  // this rank's result, copied into its data after the collective
  std::vector<double> double_sum_;
};

Status LocalGroupComm::AllReduceSum(float* data, size_t n) {
  float_sum_.resize(n);
  Status st = Collective({Op::kAllReduceFloat, n, 0, data}, [&] {
    std::vector<const float*> parts;
    for (int r = 0; r < size(); ++r) parts.push_back(static_cast<float*>(shared_->call(r).data));
    SumInRankOrder(parts.data(), size(), n, float_sum_.data());
  });
  if (st.ok() && n > 0) std::memcpy(data, float_sum_.data(), n * sizeof(float));
  return st;
}

Status LocalGroupComm::AllReduceSum(double* data, size_t n) {
  double_sum_.resize(n);
  Status st = Collective({Op::kAllReduceDouble, n, 0, data}, [&] {
    std::vector<const double*> parts;
    for (int r = 0; r < size(); ++r) parts.push_back(static_cast<double*>(shared_->call(r).data));
    SumInRankOrder(parts.data(), size(), n, double_sum_.data());
  });
  if (st.ok() && n > 0) std::memcpy(data, double_sum_.data(), n * sizeof(double));
  return st;
}

Status LocalGroupComm::Broadcast(void* data, size_t bytes, int root) {
  return Collective({Op::kBroadcast, bytes, root, data}, [&] {
    if (rank_ != root && bytes > 0) std::memcpy(data, shared_->call(root).data, bytes);
  });
}

}  // namespace

std::vector<std::unique_ptr<GroupComm>> MakeLocalGroup(int n) {
  std::vector<std::unique_ptr<GroupComm>> group;
  if (n < 1) return group;
  auto shared = std::make_shared<LocalShared>(n);
  for (int r = 0; r < n; ++r) group.push_back(std::make_unique<LocalGroupComm>(shared, r));
  return group;
}

}  // namespace pwemoe::comm
