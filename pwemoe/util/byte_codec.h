// ByteWriter and ByteReader: the little-endian byte encoding shared by the journal's record codec
// (results/store/record_codec.h) and the orchestrator's messages (orchestrator/protocol.h): a
// leading u32 version, then integers as 8 bytes, doubles and floats as their IEEE bits, strings
// and vectors as a u64 count and their elements. Counts are checked against the bytes left before anything is
// allocated, so damaged input is Corrupt, never a huge allocation or a crash.
//
// Thread safety: plain values; one object per thread.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "pwemoe/util/status.h"

namespace pwemoe {

class ByteWriter {
 public:
  // Starts with `version` as a u32.
  explicit ByteWriter(uint32_t version) { U64(version, 4); }
  void U64(uint64_t v, int bytes = 8) {
    for (int i = 0; i < bytes; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  void I64(int64_t v) { U64(static_cast<uint64_t>(v)); }
  void F64(double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, 8);
    U64(bits);
  }
  void F32(float v) {
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    U64(bits, 4);
  }
  void Str(const std::string& s) {
    U64(s.size());
    out_ += s;
  }
  template <typename T, typename Fn>
  void Vec(const std::vector<T>& v, Fn fn) {
    U64(v.size());
    for (const T& x : v) fn(x);
  }
  void F64s(const std::vector<double>& v) { Vec(v, [this](double x) { F64(x); }); }
  void I64s(const std::vector<int64_t>& v) { Vec(v, [this](int64_t x) { I64(x); }); }
  void Strs(const std::vector<std::string>& v) { Vec(v, [this](const std::string& x) { Str(x); }); }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

class ByteReader {
 public:
  // Reads `bytes` (borrowed: kept alive by the caller); every error is Corrupt "<context>: ...".
  ByteReader(const std::string& bytes, std::string context) : bytes_(bytes), context_(std::move(context)) {}

  Status U64(uint64_t* v, int bytes = 8) {
    PWEMOE_RETURN_IF_ERROR(Need(static_cast<size_t>(bytes)));
    uint64_t x = 0;
    for (int i = 0; i < bytes; ++i) {
      x |= static_cast<uint64_t>(static_cast<unsigned char>(bytes_[pos_ + i])) << (8 * i);
    }
    pos_ += static_cast<size_t>(bytes);
    *v = x;
    return Status::Ok();
  }
  Status I64(int64_t* v) {
    uint64_t x;
    PWEMOE_RETURN_IF_ERROR(U64(&x));
    *v = static_cast<int64_t>(x);
    return Status::Ok();
  }
  Status F64(double* v) {
    uint64_t x;
    PWEMOE_RETURN_IF_ERROR(U64(&x));
    std::memcpy(v, &x, 8);
    return Status::Ok();
  }
  Status F32(float* v) {
    uint64_t x;
    PWEMOE_RETURN_IF_ERROR(U64(&x, 4));
    uint32_t bits = static_cast<uint32_t>(x);
    std::memcpy(v, &bits, 4);
    return Status::Ok();
  }
  // A count of elements of at least `min_size` bytes each, checked against what is left.
  Status Count(uint64_t* n, size_t min_size) {
    PWEMOE_RETURN_IF_ERROR(U64(n));
    if (*n > (bytes_.size() - pos_) / min_size) return Error("implausible count " + std::to_string(*n));
    return Status::Ok();
  }
  Status Str(std::string* s) {
    uint64_t n;
    PWEMOE_RETURN_IF_ERROR(Count(&n, 1));
    s->assign(bytes_, pos_, n);
    pos_ += n;
    return Status::Ok();
  }
  template <typename T, typename Fn>
  Status Vec(std::vector<T>* v, size_t min_size, Fn fn) {
    uint64_t n;
    PWEMOE_RETURN_IF_ERROR(Count(&n, min_size));
    v->assign(n, T());
    for (T& x : *v) PWEMOE_RETURN_IF_ERROR(fn(&x));
    return Status::Ok();
  }
  Status F64s(std::vector<double>* v) { return Vec(v, 8, [this](double* x) { return F64(x); }); }
  Status I64s(std::vector<int64_t>* v) { return Vec(v, 8, [this](int64_t* x) { return I64(x); }); }
  Status Strs(std::vector<std::string>* v) {
    return Vec(v, 8, [this](std::string* x) { return Str(x); });
  }
  // Reads the leading u32 version: Corrupt "<context>: <format> version V, this build reads
  // <version>" when it differs.
  Status Begin(uint32_t version, const char* format) {
    uint64_t found = 0;
    PWEMOE_RETURN_IF_ERROR(U64(&found, 4));
    if (found != version) {
      return Error(std::string(format) + " version " + std::to_string(found) + ", this build reads " +
                   std::to_string(version));
    }
    return Status::Ok();
  }
  Status End() {
    if (pos_ != bytes_.size()) {
      return Error(std::to_string(bytes_.size() - pos_) + " trailing bytes");
    }
    return Status::Ok();
  }

  // Corrupt "<context>: <msg>", for checks of the caller's own.
  Status Error(const std::string& msg) const { return Status::Corrupt(context_ + ": " + msg); }

 private:
  Status Need(size_t n) {
    if (bytes_.size() - pos_ < n) return Error("truncated at byte " + std::to_string(pos_));
    return Status::Ok();
  }
  const std::string& bytes_;
  const std::string context_;
  size_t pos_ = 0;
};

}  // namespace pwemoe
