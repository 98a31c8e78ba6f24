// Link: the point-to-point message transport between the coordinator and the workers (the
// protocol itself is in orchestrator/coordinator.h). Two implementations: in-process queues
// (MakeLocalLinks: tests, and rank 0's own worker thread) and MPI (MakeMpiLinks, in
// comm/mpi_link.h: this header is transport-neutral and does not include <mpi.h>).
//
// A message is (peer, kind, payload): `peer` is the other end's rank (0 is the coordinator; the
// worker on rank 0 is peer 0 of the coordinator), `kind` a small non-negative integer the
// protocol defines, `payload` opaque bytes. Messages between two ends arrive in the order they
// were sent. Send copies the payload; it may block until the receiver takes large messages.
//
// Waiting never spins: Receive polls with sleeps that grow from microseconds to a few
// milliseconds while nothing arrives (a blocking MPI call would busy-wait on every idle rank).
//
// Thread safety: each Link object is used by one thread at a time. The MPI links of one process
// (MakeMpiLinks) touch MPI only from the coordinator link's thread (rank 0) or the worker link's
// thread (other ranks); the rank-0 worker link uses no MPI, so MPI_THREAD_FUNNELED suffices when
// that thread is the one that initialised MPI.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "pwemoe/util/status.h"

namespace pwemoe::comm {

struct Message {
  int peer = -1;
  int kind = 0;
  std::string payload;
};

class Link {
 public:
  virtual ~Link() = default;
  // Sends one message to `peer`. IoError (naming the peer) when the transport fails; InvalidArgument
  // for a peer this end cannot reach or a negative kind.
  virtual Status Send(int peer, int kind, const std::string& payload) = 0;
  // Waits up to `timeout_seconds` (0: just look) for the next message from any peer this end can
  // hear. *got tells whether *out was filled. IoError when the transport fails.
  virtual Status Receive(double timeout_seconds, Message* out, bool* got) = 0;
};

// In-process links: element 0 is the coordinator's end, elements 1..n its workers' ends, worker
// i+1 of the vector having rank i (so worker rank r is peer r of the coordinator, and the
// coordinator is peer 0 of every worker). n >= 1. The ends may be used from n+1 threads.
std::vector<std::unique_ptr<Link>> MakeLocalLinks(int num_workers);

}  // namespace pwemoe::comm
