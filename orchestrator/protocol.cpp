#include "orchestrator/protocol.h"

#include <cstring>

namespace pwemoe::orchestrator {
namespace {

class Out {
 public:
  Out() { U(kProtocolVersion, 4); }
  void U(uint64_t v, int bytes = 8) {
    for (int i = 0; i < bytes; ++i) s_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  void I(int64_t v) { U(static_cast<uint64_t>(v)); }
  void D(double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, 8);
    U(bits);
  }
  void S(const std::string& v) {
    U(v.size());
    s_ += v;
  }
  void Tensors(const std::vector<results::NamedTensor>& tensors) {
    U(tensors.size());
    for (const results::NamedTensor& t : tensors) {
      S(t.name);
      U(t.shape.size());
      for (int64_t d : t.shape) I(d);
      U(t.values.size());
      const size_t at = s_.size();
      s_.resize(at + 4 * t.values.size());
      for (size_t i = 0; i < t.values.size(); ++i) {
        uint32_t bits;
        std::memcpy(&bits, &t.values[i], 4);
        for (int b = 0; b < 4; ++b) s_[at + 4 * i + b] = static_cast<char>((bits >> (8 * b)) & 0xff);
      }
    }
  }
  std::string Take() { return std::move(s_); }

 private:
  std::string s_;
};

class In {
 public:
  In(const std::string& s, const char* what) : s_(s), what_(what) {}
  Status U(uint64_t* v, int bytes = 8) {
    if (s_.size() - pos_ < static_cast<size_t>(bytes)) return Fail("truncated");
    uint64_t x = 0;
    for (int i = 0; i < bytes; ++i) x |= uint64_t{static_cast<unsigned char>(s_[pos_ + i])} << (8 * i);
    pos_ += static_cast<size_t>(bytes);
    *v = x;
    return Status::Ok();
  }
  Status I(int64_t* v) {
    uint64_t x = 0;
    PWEMOE_RETURN_IF_ERROR(U(&x));
    *v = static_cast<int64_t>(x);
    return Status::Ok();
  }
  Status D(double* v) {
    uint64_t x = 0;
    PWEMOE_RETURN_IF_ERROR(U(&x));
    std::memcpy(v, &x, 8);
    return Status::Ok();
  }
  // A count of elements of at least `min_bytes` each that must fit in what is left.
  Status Count(uint64_t* n, size_t min_bytes) {
    PWEMOE_RETURN_IF_ERROR(U(n));
    if (*n > (s_.size() - pos_) / min_bytes) return Fail("implausible count");
    return Status::Ok();
  }
  Status S(std::string* v) {
    uint64_t n = 0;
    PWEMOE_RETURN_IF_ERROR(Count(&n, 1));
    v->assign(s_, pos_, n);
    pos_ += n;
    return Status::Ok();
  }
  Status Tensors(std::vector<results::NamedTensor>* out) {
    uint64_t n = 0;
    PWEMOE_RETURN_IF_ERROR(Count(&n, 24));
    out->assign(n, {});
    for (results::NamedTensor& t : *out) {
      PWEMOE_RETURN_IF_ERROR(S(&t.name));
      uint64_t rank = 0, count = 0;
      PWEMOE_RETURN_IF_ERROR(Count(&rank, 8));
      t.shape.assign(rank, 0);
      for (int64_t& d : t.shape) PWEMOE_RETURN_IF_ERROR(I(&d));
      PWEMOE_RETURN_IF_ERROR(Count(&count, 4));
      t.values.resize(count);
      for (float& f : t.values) {
        uint64_t bits = 0;
        PWEMOE_RETURN_IF_ERROR(U(&bits, 4));
        const uint32_t b32 = static_cast<uint32_t>(bits);
        std::memcpy(&f, &b32, 4);
      }
    }
    return Status::Ok();
  }
  Status Begin() {
    uint64_t version = 0;
    PWEMOE_RETURN_IF_ERROR(U(&version, 4));
    if (version != kProtocolVersion) {
      return Fail("protocol version " + std::to_string(version) + ", expected " +
                  std::to_string(kProtocolVersion) + " (ranks run different builds?)");
    }
    return Status::Ok();
  }
  Status End() { return pos_ == s_.size() ? Status::Ok() : Fail("trailing bytes"); }
  Status Fail(const std::string& why) const {
    return Status::Corrupt(std::string(what_) + ": " + why + " at byte " + std::to_string(pos_));
  }

 private:
  const std::string& s_;
  const char* what_;
  size_t pos_ = 0;
};

}  // namespace

std::string EncodeReport(const WorkerReport& r) {
  Out o;
  o.I(r.unit_id);
  o.U(r.failed ? 1 : 0, 1);
  o.S(r.error);
  o.U(r.record_type, 4);
  o.S(r.record);
  o.U(r.stop_requested ? 1 : 0, 1);
  o.D(r.seconds);
  return o.Take();
}

std::string EncodeAssignment(const Assignment& a) {
  Out o;
  o.I(a.unit_id);
  o.Tensors(a.routers);
  return o.Take();
}

Status DecodeReport(const std::string& bytes, WorkerReport* r) {
  In in(bytes, "report");
  uint64_t failed = 0, type = 0, stop = 0;
  PWEMOE_RETURN_IF_ERROR(in.Begin());
  PWEMOE_RETURN_IF_ERROR(in.I(&r->unit_id));
  PWEMOE_RETURN_IF_ERROR(in.U(&failed, 1));
  PWEMOE_RETURN_IF_ERROR(in.S(&r->error));
  PWEMOE_RETURN_IF_ERROR(in.U(&type, 4));
  PWEMOE_RETURN_IF_ERROR(in.S(&r->record));
  PWEMOE_RETURN_IF_ERROR(in.U(&stop, 1));
  PWEMOE_RETURN_IF_ERROR(in.D(&r->seconds));
  if (failed > 1 || stop > 1) return in.Fail("flag out of range");
  r->failed = failed == 1;
  r->record_type = static_cast<uint32_t>(type);
  r->stop_requested = stop == 1;
  return in.End();
}

Status DecodeAssignment(const std::string& bytes, Assignment* a) {
  In in(bytes, "assignment");
  PWEMOE_RETURN_IF_ERROR(in.Begin());
  PWEMOE_RETURN_IF_ERROR(in.I(&a->unit_id));
  PWEMOE_RETURN_IF_ERROR(in.Tensors(&a->routers));
  return in.End();
}

}  // namespace pwemoe::orchestrator
