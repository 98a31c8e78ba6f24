// In-process links: one mailbox (queue + condition variable) per end.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>

#include "comm/link.h"
#include "comm/link_internal.h"

namespace pwemoe::comm {

Status Mailbox::Post(Message message) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(message));
  }
  ready_.notify_one();
  return Status::Ok();
}

bool Mailbox::Take(double timeout_seconds, Message* out) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (queue_.empty() && timeout_seconds > 0) {
    ready_.wait_for(lock, std::chrono::duration<double>(timeout_seconds), [this] { return !queue_.empty(); });
  }
  if (queue_.empty()) return false;
  *out = std::move(queue_.front());
  queue_.pop_front();
  return true;
}

namespace {

// An end with its own mailbox and the mailboxes of the peers it may send to.
class LocalLink final : public Link {
 public:
  LocalLink(int self, std::shared_ptr<std::vector<Mailbox>> boxes, bool coordinator)
      : self_(self), boxes_(std::move(boxes)), coordinator_(coordinator) {}

  Status Send(int peer, int kind, const std::string& payload) override {
    if (kind < 0) return Status::InvalidArgument("link: negative message kind");
    // The coordinator (box 0) sends to worker rank r (box r + 1); a worker only to box 0.
    const int box = coordinator_ ? peer + 1 : 0;
    const bool reachable = coordinator_ ? peer >= 0 && box < static_cast<int>(boxes_->size()) : peer == 0;
    if (!reachable) return Status::InvalidArgument("link: no peer " + std::to_string(peer));
    return (*boxes_)[box].Post(Message{self_, kind, payload});
  }

  Status Receive(double timeout_seconds, Message* out, bool* got) override {
    *got = (*boxes_)[coordinator_ ? 0 : self_ + 1].Take(timeout_seconds, out);
    return Status::Ok();
  }

 private:
  const int self_;  // this end's rank as its peers see it
  std::shared_ptr<std::vector<Mailbox>> boxes_;
  const bool coordinator_;
};

}  // namespace

std::vector<std::unique_ptr<Link>> MakeLocalLinks(int num_workers) {
  std::vector<std::unique_ptr<Link>> links;
  if (num_workers < 1) return links;
  auto boxes = std::make_shared<std::vector<Mailbox>>(num_workers + 1);
  links.push_back(std::make_unique<LocalLink>(0, boxes, true));
  for (int r = 0; r < num_workers; ++r) links.push_back(std::make_unique<LocalLink>(r, boxes, false));
  return links;
}

}  // namespace pwemoe::comm
