#include "orchestrator/protocol.h"

#include "pwemoe/util/byte_codec.h"
#include "results/store/record_codec.h"

namespace pwemoe::orchestrator {

std::string EncodeReport(const WorkerReport& r) {
  ByteWriter w(kProtocolVersion);
  w.I64(r.unit_id);
  w.U64(r.failed ? 1 : 0, 1);
  w.Str(r.error);
  w.U64(r.record_type, 4);
  w.Str(r.record);
  w.U64(r.stop_requested ? 1 : 0, 1);
  w.F64(r.seconds);
  return w.Take();
}

std::string EncodeAssignment(const Assignment& a) {
  ByteWriter w(kProtocolVersion);
  w.I64(a.unit_id);
  results::EncodeTensors(a.routers, &w);
  return w.Take();
}

Status DecodeReport(const std::string& bytes, WorkerReport* r) {
  ByteReader in(bytes, "report");
  uint64_t failed = 0, type = 0, stop = 0;
  PWEMOE_RETURN_IF_ERROR(in.Begin(kProtocolVersion, "protocol"));
  PWEMOE_RETURN_IF_ERROR(in.I64(&r->unit_id));
  PWEMOE_RETURN_IF_ERROR(in.U64(&failed, 1));
  PWEMOE_RETURN_IF_ERROR(in.Str(&r->error));
  PWEMOE_RETURN_IF_ERROR(in.U64(&type, 4));
  PWEMOE_RETURN_IF_ERROR(in.Str(&r->record));
  PWEMOE_RETURN_IF_ERROR(in.U64(&stop, 1));
  PWEMOE_RETURN_IF_ERROR(in.F64(&r->seconds));
  if (failed > 1 || stop > 1) return in.Error("flag out of range");
  r->failed = failed == 1;
  r->record_type = static_cast<uint32_t>(type);
  r->stop_requested = stop == 1;
  return in.End();
}

Status DecodeAssignment(const std::string& bytes, Assignment* a) {
  ByteReader in(bytes, "assignment");
  PWEMOE_RETURN_IF_ERROR(in.Begin(kProtocolVersion, "protocol"));
  PWEMOE_RETURN_IF_ERROR(in.I64(&a->unit_id));
  PWEMOE_RETURN_IF_ERROR(results::DecodeTensors(&in, &a->routers));
  return in.End();
}

}  // namespace pwemoe::orchestrator
