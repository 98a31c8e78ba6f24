// The bytes of each record in the journal: a versioned, little-endian encoding of records.h.
//
// Layout of every encoded record: u32 codec version (kCodecVersion), then the fields in
// declaration order; integers as little-endian int64/uint64, doubles and floats as their IEEE
// bits (little-endian), strings and vectors as a u64 count followed by the elements. Encoding is
// deterministic: equal records give equal bytes.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pwemoe/util/byte_codec.h"
#include "pwemoe/util/status.h"
#include "results/store/records.h"

namespace pwemoe::results {

// The type tag of a journal record (journal.h stores it beside the payload).
enum class RecordType : uint32_t {
  kHeader = 1,
  kTrain = 2,
  kEval = 3,
  kBaseline = 4,
  kFailure = 5,
  kSession = 6,
};

// "header", "train", "eval", "baseline", "failure", "session", or "unknown".
const char* RecordTypeName(RecordType type);

constexpr uint32_t kCodecVersion = 1;

std::string Encode(const StoreHeader& header);
std::string Encode(const TrainRecord& record);
std::string Encode(const EvalRecord& record);
std::string Encode(const BaselineRecord& record);
std::string Encode(const FailureRecord& record);
std::string Encode(const SessionRecord& record);

// Decoders: Corrupt ("<type> record: ...") when the bytes are truncated, carry trailing bytes,
// an implausible count, or another codec version. `out` is unspecified on error.
Status Decode(const std::string& bytes, StoreHeader* out);
Status Decode(const std::string& bytes, TrainRecord* out);
Status Decode(const std::string& bytes, EvalRecord* out);
Status Decode(const std::string& bytes, BaselineRecord* out);
Status Decode(const std::string& bytes, FailureRecord* out);
Status Decode(const std::string& bytes, SessionRecord* out);

// A list of router tensors in the record encoding (u64 count, then per tensor its name, shape and
// float32 values), appended to `out`; used by the records and by the orchestrator's assignment
// message. The reader is Corrupt on truncation or an implausible count.
void EncodeTensors(const std::vector<NamedTensor>& tensors, ByteWriter* out);
Status DecodeTensors(ByteReader* in, std::vector<NamedTensor>* tensors);

}  // namespace pwemoe::results
