// MPI links: rank 0's coordinator end hears MPI and its own worker's mailbox; other ranks' worker
// ends talk to rank 0 by MPI. Polling with back-off sleeps, never a blocking receive.
#include "comm/mpi_link.h"

#include <chrono>
#include <climits>
#include <thread>

#include "comm/link.h"
#include "comm/link_internal.h"
#include "comm/check.h"

namespace pwemoe::comm {

void BackOff(int* round) {
  constexpr int kSpins = 50;
  const int r = (*round)++;
  if (r < kSpins) return;
  const int shift = std::min(r - kSpins, 7);  // 20 us << 7 = 2.56 ms
  std::this_thread::sleep_for(std::chrono::microseconds(20 << shift));
}

namespace {

using Clock = std::chrono::steady_clock;

// One probe for a message from `source` (MPI_ANY_SOURCE allowed); receives it when present.
Status TryReceiveMpi(MPI_Comm comm, int source, Message* out, bool* got) {
  int flag = 0;
  MPI_Status probe;
  PWEMOE_RETURN_IF_ERROR(MPI_CHECK(MPI_Iprobe(source, MPI_ANY_TAG, comm, &flag, &probe)));
  *got = flag != 0;
  if (!flag) return Status::Ok();
  int count = 0;
  PWEMOE_RETURN_IF_ERROR(MPI_CHECK(MPI_Get_count(&probe, MPI_BYTE, &count)));
  out->peer = probe.MPI_SOURCE;
  out->kind = probe.MPI_TAG;
  out->payload.assign(static_cast<size_t>(count), '\0');
  return MPI_CHECK(MPI_Recv(out->payload.data(), count, MPI_BYTE, probe.MPI_SOURCE, probe.MPI_TAG, comm,
                            MPI_STATUS_IGNORE));
}

Status SendMpi(MPI_Comm comm, int peer, int kind, const std::string& payload) {
  if (kind < 0 || kind >= 32767) return Status::InvalidArgument("link: message kind out of range");
  if (payload.size() > static_cast<size_t>(INT_MAX)) {
    return Status::InvalidArgument("link: a message of " + std::to_string(payload.size()) +
                                   " bytes is larger than one MPI message may be");
  }
  Status st = MPI_CHECK(MPI_Send(payload.data(), static_cast<int>(payload.size()), MPI_BYTE, peer, kind, comm));
  return st.WithContext("link: sending to rank " + std::to_string(peer));
}

// Rank 0's coordinator end.
class CoordinatorMpiLink final : public Link {
 public:
  CoordinatorMpiLink(MPI_Comm comm, int size, std::shared_ptr<Mailbox> to_coordinator,
                     std::shared_ptr<Mailbox> to_worker)
      : comm_(comm), size_(size), inbox_(std::move(to_coordinator)), local_(std::move(to_worker)) {}

  Status Send(int peer, int kind, const std::string& payload) override {
    if (peer < 0 || peer >= size_) return Status::InvalidArgument("link: no rank " + std::to_string(peer));
    if (peer == 0) return local_->Post(Message{0, kind, payload});
    return SendMpi(comm_, peer, kind, payload);
  }

  Status Receive(double timeout_seconds, Message* out, bool* got) override {
    const Clock::time_point deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                          std::chrono::duration<double>(timeout_seconds));
    int round = 0;
    while (true) {
      // Alternate which source is looked at first, so neither can starve the other.
      first_local_ = !first_local_;
      for (int i = 0; i < 2; ++i) {
        if ((i == 0) == first_local_) {
          if ((*got = inbox_->Take(0, out))) return Status::Ok();
        } else if (size_ > 1) {
          PWEMOE_RETURN_IF_ERROR(TryReceiveMpi(comm_, MPI_ANY_SOURCE, out, got));
          if (*got) return Status::Ok();
        }
      }
      if (Clock::now() >= deadline) return Status::Ok();
      BackOff(&round);
    }
  }

 private:
  MPI_Comm comm_;
  int size_;
  std::shared_ptr<Mailbox> inbox_;  // from rank 0's worker
  std::shared_ptr<Mailbox> local_;  // to rank 0's worker
  bool first_local_ = false;
};

// Rank 0's own worker: mailboxes only.
class LocalWorkerLink final : public Link {
 public:
  LocalWorkerLink(std::shared_ptr<Mailbox> to_coordinator, std::shared_ptr<Mailbox> to_worker)
      : outbox_(std::move(to_coordinator)), inbox_(std::move(to_worker)) {}
  Status Send(int peer, int kind, const std::string& payload) override {
    if (peer != 0) return Status::InvalidArgument("link: a worker only talks to rank 0");
    return outbox_->Post(Message{0, kind, payload});
  }
  Status Receive(double timeout_seconds, Message* out, bool* got) override {
    *got = inbox_->Take(timeout_seconds, out);
    return Status::Ok();
  }

 private:
  std::shared_ptr<Mailbox> outbox_, inbox_;
};

// A worker on rank >= 1.
class WorkerMpiLink final : public Link {
 public:
  explicit WorkerMpiLink(MPI_Comm comm) : comm_(comm) {}
  Status Send(int peer, int kind, const std::string& payload) override {
    if (peer != 0) return Status::InvalidArgument("link: a worker only talks to rank 0");
    return SendMpi(comm_, 0, kind, payload);
  }
  Status Receive(double timeout_seconds, Message* out, bool* got) override {
    const Clock::time_point deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                          std::chrono::duration<double>(timeout_seconds));
    int round = 0;
    while (true) {
      PWEMOE_RETURN_IF_ERROR(TryReceiveMpi(comm_, 0, out, got));
      if (*got || Clock::now() >= deadline) return Status::Ok();
      BackOff(&round);
    }
  }

 private:
  MPI_Comm comm_;
};

}  // namespace

Status MakeMpiLinks(MPI_Comm world, std::unique_ptr<Link>* coordinator, std::unique_ptr<Link>* local_worker) {
  int rank = 0, size = 1;
  PWEMOE_RETURN_IF_ERROR(MPI_CHECK(MPI_Comm_rank(world, &rank)));
  PWEMOE_RETURN_IF_ERROR(MPI_CHECK(MPI_Comm_size(world, &size)));
  coordinator->reset();
  if (rank != 0) {
    *local_worker = std::make_unique<WorkerMpiLink>(world);
    return Status::Ok();
  }
  auto up = std::make_shared<Mailbox>();
  auto down = std::make_shared<Mailbox>();
  *coordinator = std::make_unique<CoordinatorMpiLink>(world, size, up, down);
  *local_worker = std::make_unique<LocalWorkerLink>(up, down);
  return Status::Ok();
}

Status PollingBroadcast(MPI_Comm comm, int* value) {
  MPI_Request request;
  PWEMOE_RETURN_IF_ERROR(MPI_CHECK(MPI_Ibcast(value, 1, MPI_INT, 0, comm, &request)));
  int round = 0;
  while (true) {
    int done = 0;
    PWEMOE_RETURN_IF_ERROR(MPI_CHECK(MPI_Test(&request, &done, MPI_STATUS_IGNORE)));
    if (done) return Status::Ok();
    BackOff(&round);
  }
}

}  // namespace pwemoe::comm
