// The messages of the coordinator-worker protocol (the steps are in coordinator.h) and their
// bytes. Every message is one (kind, payload) pair on a comm::Link.
//
// Payload encoding: pwemoe/util/byte_codec.h (the journal's), a leading u32 protocol version,
// then the fields in declaration order. Records travel as results::Encode bytes, the same bytes
// the journal stores; router tensors as results::EncodeTensors.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pwemoe/util/status.h"
#include "results/store/records.h"

namespace pwemoe::orchestrator {

enum MessageKind : int {
  kReport = 1,  // worker -> coordinator: "I am free", with the outcome of the unit just run
  kAssign = 2,  // coordinator -> worker: run this unit
  kStop = 3,    // coordinator -> worker: no more work, leave the loop (empty payload)
};

constexpr uint32_t kProtocolVersion = 1;

// A worker's report. unit_id -1: no unit was run (the first request of a worker).
struct WorkerReport {
  int64_t unit_id = -1;
  bool failed = false;
  std::string error;             // failed: the unit's Status::ToString()
  uint32_t record_type = 0;      // results::RecordType of `record`; 0: no record (a training
                                 // group's rank other than 0, or an empty benchmark unit)
  std::string record;            // results::Encode(...) bytes
  bool stop_requested = false;   // this rank received SIGTERM or SIGINT
  double seconds = 0;            // wall time of the unit on this rank
};

// A unit for a worker. Evaluation units carry their run's trained routers.
struct Assignment {
  int64_t unit_id = -1;
  std::vector<results::NamedTensor> routers;
};

std::string EncodeReport(const WorkerReport& report);
std::string EncodeAssignment(const Assignment& assignment);

// Corrupt ("report: ..." / "assignment: ...") for truncated bytes, trailing bytes, implausible
// counts or another protocol version. *out unspecified on error.
Status DecodeReport(const std::string& bytes, WorkerReport* out);
Status DecodeAssignment(const std::string& bytes, Assignment* out);

}  // namespace pwemoe::orchestrator
