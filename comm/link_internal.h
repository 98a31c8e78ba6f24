// Pieces shared by the link implementations (comm/link.h); not part of the interface.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>

#include "comm/link.h"

namespace pwemoe::comm {

// A thread-safe queue of messages with a timed wait.
class Mailbox {
 public:
  Status Post(Message message);
  // Takes the oldest message, waiting up to timeout_seconds for one; false when none came.
  bool Take(double timeout_seconds, Message* out);

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Message> queue_;
};

// Sleeps for the next step of a polling back-off: nothing the first `kSpins` calls, then
// 20 us doubling up to 2 ms. `*round` counts the calls since the last message.
void BackOff(int* round);

}  // namespace pwemoe::comm
