#include "record_compare.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <set>
#include <vector>

namespace pwemoe::results::testing {

namespace {

// Returns the difference `expr` found, if any.
#define RETURN_DIFF(expr)                \
  do {                                   \
    std::string _diff = (expr);          \
    if (!_diff.empty()) return _diff;    \
  } while (0)

std::string Text(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string Num(const std::string& field, double a, double b) {
  const bool same = (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof a) == 0;
  return same ? "" : field + ": " + Text(a) + " vs " + Text(b);
}

std::string Int(const std::string& field, int64_t a, int64_t b) {
  return a == b ? "" : field + ": " + std::to_string(a) + " vs " + std::to_string(b);
}

std::string Str(const std::string& field, const std::string& a, const std::string& b) {
  return a == b ? "" : field + ": \"" + a + "\" vs \"" + b + "\"";
}

template <typename T, typename Compare>
std::string Vec(const std::string& field, const std::vector<T>& a, const std::vector<T>& b,
                Compare compare) {
  if (a.size() != b.size()) {
    return field + ": " + std::to_string(a.size()) + " entries vs " + std::to_string(b.size());
  }
  for (size_t i = 0; i < a.size(); ++i) {
    RETURN_DIFF(compare(field + "[" + std::to_string(i) + "]", a[i], b[i]));
  }
  return "";
}

std::string Nums(const std::string& field, const std::vector<double>& a,
                 const std::vector<double>& b) {
  return Vec(field, a, b, Num);
}

std::string Ints(const std::string& field, const std::vector<int64_t>& a,
                 const std::vector<int64_t>& b) {
  return Vec(field, a, b, Int);
}

std::string Strs(const std::string& field, const std::vector<std::string>& a,
                 const std::vector<std::string>& b) {
  return Vec(field, a, b, Str);
}

std::string Tensor(const std::string& field, const NamedTensor& a, const NamedTensor& b) {
  RETURN_DIFF(Str(field + ".name", a.name, b.name));
  RETURN_DIFF(Ints(field + ".shape", a.shape, b.shape));
  return Vec(field + ".values", a.values, b.values,
             [](const std::string& f, float x, float y) { return Num(f, x, y); });
}

std::string Tensors(const std::string& field, const std::vector<NamedTensor>& a,
                    const std::vector<NamedTensor>& b) {
  return Vec(field, a, b, Tensor);
}

std::string Step(const std::string& f, const TrainStep& a, const TrainStep& b) {
  RETURN_DIFF(Int(f + ".step", a.step, b.step));
  RETURN_DIFF(Num(f + ".lr", a.lr, b.lr));
  RETURN_DIFF(Nums(f + ".ray", a.ray, b.ray));
  RETURN_DIFF(Nums(f + ".losses", a.losses, b.losses));
  RETURN_DIFF(Nums(f + ".loss_weights", a.loss_weights, b.loss_weights));
  RETURN_DIFF(Num(f + ".total_loss", a.total_loss, b.total_loss));
  RETURN_DIFF(Nums(f + ".epo_alpha", a.epo_alpha, b.epo_alpha));
  RETURN_DIFF(Num(f + ".epo_mu", a.epo_mu, b.epo_mu));
  return Str(f + ".epo_mode", a.epo_mode, b.epo_mode);
}

std::string Checkpoint(const std::string& f, const RouterCheckpoint& a,
                       const RouterCheckpoint& b) {
  RETURN_DIFF(Int(f + ".step", a.step, b.step));
  return Tensors(f + ".tensors", a.tensors, b.tensors);
}

std::string Train(const TrainRecord& a, const TrainRecord& b, const CompareOptions& o) {
  RETURN_DIFF(Int("unit_id", a.unit_id, b.unit_id));
  RETURN_DIFF(Str("run_name", a.run_name, b.run_name));
  RETURN_DIFF(Str("variant", a.variant, b.variant));
  RETURN_DIFF(Strs("tasks", a.tasks, b.tasks));
  RETURN_DIFF(Str("seed", std::to_string(a.seed), std::to_string(b.seed)));
  RETURN_DIFF(Vec("steps", a.steps, b.steps, Step));
  RETURN_DIFF(Vec("checkpoints", a.checkpoints, b.checkpoints, Checkpoint));
  RETURN_DIFF(Tensors("final_router", a.final_router, b.final_router));
  return o.ignore_timing ? "" : Num("seconds", a.seconds, b.seconds);
}

std::string Eval(const EvalRecord& a, const EvalRecord& b, const CompareOptions& o) {
  RETURN_DIFF(Int("unit_id", a.unit_id, b.unit_id));
  RETURN_DIFF(Str("run_name", a.run_name, b.run_name));
  RETURN_DIFF(Str("task", a.task, b.task));
  RETURN_DIFF(Ints("ray_index", a.ray_index, b.ray_index));
  RETURN_DIFF(Strs("ray_label", a.ray_label, b.ray_label));
  RETURN_DIFF(Vec("rays", a.rays, b.rays, Nums));
  RETURN_DIFF(Nums("accuracy", a.accuracy, b.accuracy));
  RETURN_DIFF(Nums("mean_loss", a.mean_loss, b.mean_loss));
  RETURN_DIFF(Ints("count", a.count, b.count));
  return o.ignore_timing ? "" : Num("seconds", a.seconds, b.seconds);
}

std::string Row(const std::string& f, const BaselineRow& a, const BaselineRow& b) {
  RETURN_DIFF(Int(f + ".ray_index", a.ray_index, b.ray_index));
  RETURN_DIFF(Nums(f + ".ray", a.ray, b.ray));
  RETURN_DIFF(Num(f + ".accuracy", a.accuracy, b.accuracy));
  RETURN_DIFF(Num(f + ".mean_loss", a.mean_loss, b.mean_loss));
  return Int(f + ".count", a.count, b.count);
}

std::string Baseline(const BaselineRecord& a, const BaselineRecord& b, const CompareOptions& o) {
  RETURN_DIFF(Int("unit_id", a.unit_id, b.unit_id));
  RETURN_DIFF(Str("method", a.method, b.method));
  RETURN_DIFF(Str("name", a.name, b.name));
  RETURN_DIFF(Num("lambda", a.lambda, b.lambda));
  RETURN_DIFF(Strs("subset", a.subset, b.subset));
  RETURN_DIFF(Str("task", a.task, b.task));
  RETURN_DIFF(Vec("rows", a.rows, b.rows, Row));
  return o.ignore_timing ? "" : Num("seconds", a.seconds, b.seconds);
}

std::string Failure(const FailureRecord& a, const FailureRecord& b, const CompareOptions& o) {
  RETURN_DIFF(Int("unit_id", a.unit_id, b.unit_id));
  RETURN_DIFF(Str("description", a.description, b.description));
  RETURN_DIFF(Str("message", a.message, b.message));
  return o.ignore_timing ? "" : Str("time", a.time, b.time);
}

std::string Header(const StoreHeader& a, const StoreHeader& b, const CompareOptions& o) {
  if (o.ignore_header) return "";
  RETURN_DIFF(Str("config_hash", a.config_hash, b.config_hash));
  RETURN_DIFF(Str("experiment_toml", a.experiment_toml, b.experiment_toml));
  RETURN_DIFF(Str("software_version", a.software_version, b.software_version));
  if (!o.ignore_command_line) RETURN_DIFF(Str("command_line", a.command_line, b.command_line));
  return Int("num_units", a.num_units, b.num_units);
}

std::string Session(const std::string& f, const SessionRecord& a, const SessionRecord& b) {
  RETURN_DIFF(Str(f + ".start_time", a.start_time, b.start_time));
  RETURN_DIFF(Str(f + ".command_line", a.command_line, b.command_line));
  RETURN_DIFF(Str(f + ".software_version", a.software_version, b.software_version));
  RETURN_DIFF(Int(f + ".ranks", a.ranks, b.ranks));
  return Strs(f + ".hosts", a.hosts, b.hosts);
}

const char* KindOf(const ResultSet& s, int64_t id) {
  if (s.train().count(id)) return "train";
  if (s.eval().count(id)) return "eval";
  if (s.baselines().count(id)) return "baseline";
  if (s.failures().count(id)) return "failure";
  return "absent";
}

template <typename Record, typename Compare>
std::string Unit(const std::map<int64_t, Record>& a, const std::map<int64_t, Record>& b,
                 int64_t id, const CompareOptions& o, Compare compare) {
  return compare(a.at(id), b.at(id), o);
}

}  // namespace

std::string FirstDifference(const StoreHeader& header_a, const ResultSet& a,
                            const StoreHeader& header_b, const ResultSet& b,
                            const CompareOptions& options) {
  const std::string header = Header(header_a, header_b, options);
  if (!header.empty()) return "header: " + header;
  if (!options.ignore_timing) {
    const std::string sessions = Vec("sessions", a.sessions(), b.sessions(), Session);
    if (!sessions.empty()) return sessions;
  }
  std::set<int64_t> ids;
  for (const ResultSet* s : {&a, &b}) {
    for (const auto& [id, kind] : s->result_kind()) ids.insert(id);
    for (const auto& [id, r] : s->failures()) ids.insert(id);
  }
  for (int64_t id : ids) {
    const std::string kind = KindOf(a, id);
    const std::string where = "unit " + std::to_string(id) + " (" + kind + "): ";
    if (kind != KindOf(b, id)) return where + "kind: " + kind + " vs " + KindOf(b, id);
    std::string diff;
    if (kind == "train") diff = Unit(a.train(), b.train(), id, options, Train);
    if (kind == "eval") diff = Unit(a.eval(), b.eval(), id, options, Eval);
    if (kind == "baseline") diff = Unit(a.baselines(), b.baselines(), id, options, Baseline);
    if (kind == "failure") diff = Unit(a.failures(), b.failures(), id, options, Failure);
    if (!diff.empty()) return where + diff;
  }
  return "";
}

}  // namespace pwemoe::results::testing
