#include "results/record_codec.h"

#include <cstring>
#include <type_traits>

namespace pwemoe::results {

namespace {

class Writer {
 public:
  explicit Writer() { U64(kCodecVersion, 4); }
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
  void Tensors(const std::vector<NamedTensor>& v) {
    Vec(v, [this](const NamedTensor& t) {
      Str(t.name);
      I64s(t.shape);
      Vec(t.values, [this](float x) { F32(x); });
    });
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  Reader(const std::string& bytes, const char* what) : bytes_(bytes), what_(what) {}

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
  Status Tensors(std::vector<NamedTensor>* v) {
    return Vec(v, 24, [this](NamedTensor* t) {
      PWEMOE_RETURN_IF_ERROR(Str(&t->name));
      PWEMOE_RETURN_IF_ERROR(I64s(&t->shape));
      return Vec(&t->values, 4, [this](float* x) { return F32(x); });
    });
  }
  Status Begin() {
    uint64_t version;
    PWEMOE_RETURN_IF_ERROR(U64(&version, 4));
    if (version != kCodecVersion) {
      return Error("codec version " + std::to_string(version) + ", this build reads " +
                   std::to_string(kCodecVersion));
    }
    return Status::Ok();
  }
  Status End() {
    if (pos_ != bytes_.size()) {
      return Error(std::to_string(bytes_.size() - pos_) + " trailing bytes");
    }
    return Status::Ok();
  }

 private:
  Status Need(size_t n) {
    if (bytes_.size() - pos_ < n) return Error("truncated at byte " + std::to_string(pos_));
    return Status::Ok();
  }
  Status Error(const std::string& msg) {
    return Status::Corrupt(std::string(what_) + " record: " + msg);
  }
  const std::string& bytes_;
  const char* what_;
  size_t pos_ = 0;
};

}  // namespace

const char* RecordTypeName(RecordType type) {
  switch (type) {
    case RecordType::kHeader: return "header";
    case RecordType::kTrain: return "train";
    case RecordType::kEval: return "eval";
    case RecordType::kBaseline: return "baseline";
    case RecordType::kFailure: return "failure";
  }
  return "unknown";
}

std::string Encode(const StoreHeader& h) {
  Writer w;
  w.Str(h.config_hash);
  w.Str(h.experiment_toml);
  w.Str(h.software_version);
  w.Str(h.command_line);
  w.I64(h.num_units);
  return w.Take();
}

Status Decode(const std::string& bytes, StoreHeader* h) {
  Reader r(bytes, "header");
  PWEMOE_RETURN_IF_ERROR(r.Begin());
  PWEMOE_RETURN_IF_ERROR(r.Str(&h->config_hash));
  PWEMOE_RETURN_IF_ERROR(r.Str(&h->experiment_toml));
  PWEMOE_RETURN_IF_ERROR(r.Str(&h->software_version));
  PWEMOE_RETURN_IF_ERROR(r.Str(&h->command_line));
  PWEMOE_RETURN_IF_ERROR(r.I64(&h->num_units));
  return r.End();
}

std::string Encode(const TrainRecord& t) {
  Writer w;
  w.I64(t.unit_id);
  w.Str(t.run_name);
  w.Str(t.variant);
  w.Strs(t.tasks);
  w.U64(t.seed);
  w.Vec(t.steps, [&w](const TrainStep& s) {
    w.I64(s.step);
    w.F64(s.lr);
    w.F64s(s.ray);
    w.F64s(s.losses);
    w.F64s(s.loss_weights);
    w.F64(s.total_loss);
    w.F64s(s.epo_alpha);
    w.F64(s.epo_mu);
    w.Str(s.epo_mode);
  });
  w.Vec(t.checkpoints, [&w](const RouterCheckpoint& c) {
    w.I64(c.step);
    w.Tensors(c.tensors);
  });
  w.Tensors(t.final_router);
  w.F64(t.seconds);
  return w.Take();
}

Status Decode(const std::string& bytes, TrainRecord* t) {
  Reader r(bytes, "train");
  PWEMOE_RETURN_IF_ERROR(r.Begin());
  PWEMOE_RETURN_IF_ERROR(r.I64(&t->unit_id));
  PWEMOE_RETURN_IF_ERROR(r.Str(&t->run_name));
  PWEMOE_RETURN_IF_ERROR(r.Str(&t->variant));
  PWEMOE_RETURN_IF_ERROR(r.Strs(&t->tasks));
  PWEMOE_RETURN_IF_ERROR(r.U64(&t->seed));
  PWEMOE_RETURN_IF_ERROR(r.Vec(&t->steps, 8 * 8, [&r](TrainStep* s) {
    PWEMOE_RETURN_IF_ERROR(r.I64(&s->step));
    PWEMOE_RETURN_IF_ERROR(r.F64(&s->lr));
    PWEMOE_RETURN_IF_ERROR(r.F64s(&s->ray));
    PWEMOE_RETURN_IF_ERROR(r.F64s(&s->losses));
    PWEMOE_RETURN_IF_ERROR(r.F64s(&s->loss_weights));
    PWEMOE_RETURN_IF_ERROR(r.F64(&s->total_loss));
    PWEMOE_RETURN_IF_ERROR(r.F64s(&s->epo_alpha));
    PWEMOE_RETURN_IF_ERROR(r.F64(&s->epo_mu));
    return r.Str(&s->epo_mode);
  }));
  PWEMOE_RETURN_IF_ERROR(r.Vec(&t->checkpoints, 16, [&r](RouterCheckpoint* c) {
    PWEMOE_RETURN_IF_ERROR(r.I64(&c->step));
    return r.Tensors(&c->tensors);
  }));
  PWEMOE_RETURN_IF_ERROR(r.Tensors(&t->final_router));
  PWEMOE_RETURN_IF_ERROR(r.F64(&t->seconds));
  return r.End();
}

std::string Encode(const EvalRecord& e) {
  Writer w;
  w.I64(e.unit_id);
  w.Str(e.run_name);
  w.Str(e.task);
  w.I64s(e.ray_index);
  w.Strs(e.ray_label);
  w.Vec(e.rays, [&w](const std::vector<double>& ray) { w.F64s(ray); });
  w.F64s(e.accuracy);
  w.F64s(e.mean_loss);
  w.I64s(e.count);
  w.F64(e.seconds);
  return w.Take();
}

Status Decode(const std::string& bytes, EvalRecord* e) {
  Reader r(bytes, "eval");
  PWEMOE_RETURN_IF_ERROR(r.Begin());
  PWEMOE_RETURN_IF_ERROR(r.I64(&e->unit_id));
  PWEMOE_RETURN_IF_ERROR(r.Str(&e->run_name));
  PWEMOE_RETURN_IF_ERROR(r.Str(&e->task));
  PWEMOE_RETURN_IF_ERROR(r.I64s(&e->ray_index));
  PWEMOE_RETURN_IF_ERROR(r.Strs(&e->ray_label));
  PWEMOE_RETURN_IF_ERROR(
      r.Vec(&e->rays, 8, [&r](std::vector<double>* ray) { return r.F64s(ray); }));
  PWEMOE_RETURN_IF_ERROR(r.F64s(&e->accuracy));
  PWEMOE_RETURN_IF_ERROR(r.F64s(&e->mean_loss));
  PWEMOE_RETURN_IF_ERROR(r.I64s(&e->count));
  PWEMOE_RETURN_IF_ERROR(r.F64(&e->seconds));
  return r.End();
}

std::string Encode(const BaselineRecord& b) {
  Writer w;
  w.I64(b.unit_id);
  w.Str(b.method);
  w.Str(b.name);
  w.F64(b.lambda);
  w.Strs(b.subset);
  w.Str(b.task);
  w.Vec(b.rows, [&w](const BaselineRow& row) {
    w.I64(row.ray_index);
    w.F64s(row.ray);
    w.F64(row.accuracy);
    w.F64(row.mean_loss);
    w.I64(row.count);
  });
  w.F64(b.seconds);
  return w.Take();
}

Status Decode(const std::string& bytes, BaselineRecord* b) {
  Reader r(bytes, "baseline");
  PWEMOE_RETURN_IF_ERROR(r.Begin());
  PWEMOE_RETURN_IF_ERROR(r.I64(&b->unit_id));
  PWEMOE_RETURN_IF_ERROR(r.Str(&b->method));
  PWEMOE_RETURN_IF_ERROR(r.Str(&b->name));
  PWEMOE_RETURN_IF_ERROR(r.F64(&b->lambda));
  PWEMOE_RETURN_IF_ERROR(r.Strs(&b->subset));
  PWEMOE_RETURN_IF_ERROR(r.Str(&b->task));
  PWEMOE_RETURN_IF_ERROR(r.Vec(&b->rows, 40, [&r](BaselineRow* row) {
    PWEMOE_RETURN_IF_ERROR(r.I64(&row->ray_index));
    PWEMOE_RETURN_IF_ERROR(r.F64s(&row->ray));
    PWEMOE_RETURN_IF_ERROR(r.F64(&row->accuracy));
    PWEMOE_RETURN_IF_ERROR(r.F64(&row->mean_loss));
    return r.I64(&row->count);
  }));
  PWEMOE_RETURN_IF_ERROR(r.F64(&b->seconds));
  return r.End();
}

std::string Encode(const FailureRecord& f) {
  Writer w;
  w.I64(f.unit_id);
  w.Str(f.description);
  w.Str(f.message);
  w.Str(f.time);
  return w.Take();
}

Status Decode(const std::string& bytes, FailureRecord* f) {
  Reader r(bytes, "failure");
  PWEMOE_RETURN_IF_ERROR(r.Begin());
  PWEMOE_RETURN_IF_ERROR(r.I64(&f->unit_id));
  PWEMOE_RETURN_IF_ERROR(r.Str(&f->description));
  PWEMOE_RETURN_IF_ERROR(r.Str(&f->message));
  PWEMOE_RETURN_IF_ERROR(r.Str(&f->time));
  return r.End();
}

}  // namespace pwemoe::results
