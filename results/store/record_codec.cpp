#include "results/store/record_codec.h"

namespace pwemoe::results {

void EncodeTensors(const std::vector<NamedTensor>& tensors, ByteWriter* out) {
  out->Vec(tensors, [out](const NamedTensor& t) {
    out->Str(t.name);
    out->I64s(t.shape);
    out->Vec(t.values, [out](float x) { out->F32(x); });
  });
}

Status DecodeTensors(ByteReader* in, std::vector<NamedTensor>* tensors) {
  return in->Vec(tensors, 24, [in](NamedTensor* t) {
    PWEMOE_RETURN_IF_ERROR(in->Str(&t->name));
    PWEMOE_RETURN_IF_ERROR(in->I64s(&t->shape));
    return in->Vec(&t->values, 4, [in](float* x) { return in->F32(x); });
  });
}

const char* RecordTypeName(RecordType type) {
  switch (type) {
    case RecordType::kHeader: return "header";
    case RecordType::kTrain: return "train";
    case RecordType::kEval: return "eval";
    case RecordType::kBaseline: return "baseline";
    case RecordType::kFailure: return "failure";
    case RecordType::kSession: return "session";
  }
  return "unknown";
}

std::string Encode(const StoreHeader& h) {
  ByteWriter w(kCodecVersion);
  w.Str(h.config_hash);
  w.Str(h.experiment_toml);
  w.Str(h.software_version);
  w.Str(h.command_line);
  w.I64(h.num_units);
  return w.Take();
}

Status Decode(const std::string& bytes, StoreHeader* h) {
  ByteReader r(bytes, "header record");
  PWEMOE_RETURN_IF_ERROR(r.Begin(kCodecVersion, "codec"));
  PWEMOE_RETURN_IF_ERROR(r.Str(&h->config_hash));
  PWEMOE_RETURN_IF_ERROR(r.Str(&h->experiment_toml));
  PWEMOE_RETURN_IF_ERROR(r.Str(&h->software_version));
  PWEMOE_RETURN_IF_ERROR(r.Str(&h->command_line));
  PWEMOE_RETURN_IF_ERROR(r.I64(&h->num_units));
  return r.End();
}

std::string Encode(const TrainRecord& t) {
  ByteWriter w(kCodecVersion);
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
    EncodeTensors(c.tensors, &w);
  });
  EncodeTensors(t.final_router, &w);
  w.F64(t.seconds);
  return w.Take();
}

Status Decode(const std::string& bytes, TrainRecord* t) {
  ByteReader r(bytes, "train record");
  PWEMOE_RETURN_IF_ERROR(r.Begin(kCodecVersion, "codec"));
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
    return DecodeTensors(&r, &c->tensors);
  }));
  PWEMOE_RETURN_IF_ERROR(DecodeTensors(&r, &t->final_router));
  PWEMOE_RETURN_IF_ERROR(r.F64(&t->seconds));
  return r.End();
}

std::string Encode(const EvalRecord& e) {
  ByteWriter w(kCodecVersion);
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
  ByteReader r(bytes, "eval record");
  PWEMOE_RETURN_IF_ERROR(r.Begin(kCodecVersion, "codec"));
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
  ByteWriter w(kCodecVersion);
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
  ByteReader r(bytes, "baseline record");
  PWEMOE_RETURN_IF_ERROR(r.Begin(kCodecVersion, "codec"));
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
  ByteWriter w(kCodecVersion);
  w.I64(f.unit_id);
  w.Str(f.description);
  w.Str(f.message);
  w.Str(f.time);
  return w.Take();
}

Status Decode(const std::string& bytes, FailureRecord* f) {
  ByteReader r(bytes, "failure record");
  PWEMOE_RETURN_IF_ERROR(r.Begin(kCodecVersion, "codec"));
  PWEMOE_RETURN_IF_ERROR(r.I64(&f->unit_id));
  PWEMOE_RETURN_IF_ERROR(r.Str(&f->description));
  PWEMOE_RETURN_IF_ERROR(r.Str(&f->message));
  PWEMOE_RETURN_IF_ERROR(r.Str(&f->time));
  return r.End();
}

std::string Encode(const SessionRecord& s) {
  ByteWriter w(kCodecVersion);
  w.Str(s.start_time);
  w.Str(s.command_line);
  w.Str(s.software_version);
  w.I64(s.ranks);
  w.Strs(s.hosts);
  return w.Take();
}

Status Decode(const std::string& bytes, SessionRecord* s) {
  ByteReader r(bytes, "session record");
  PWEMOE_RETURN_IF_ERROR(r.Begin(kCodecVersion, "codec"));
  PWEMOE_RETURN_IF_ERROR(r.Str(&s->start_time));
  PWEMOE_RETURN_IF_ERROR(r.Str(&s->command_line));
  PWEMOE_RETURN_IF_ERROR(r.Str(&s->software_version));
  PWEMOE_RETURN_IF_ERROR(r.I64(&s->ranks));
  PWEMOE_RETURN_IF_ERROR(r.Strs(&s->hosts));
  return r.End();
}

}  // namespace pwemoe::results
