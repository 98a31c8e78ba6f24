// /baselines, /failures and /sessions of a results file (declared in h5_run_reader.h).
#include <cmath>
#include <cstring>
#include <utility>

#include "pwemoe/util/strings.h"
#include "results/store/h5_run_reader.h"

namespace pwemoe::results {

namespace {

std::vector<std::string> SplitSubset(const std::string& joined) {
  std::vector<std::string> out;
  if (joined.empty()) return out;
  size_t start = 0;
  while (true) {
    const size_t plus = joined.find('+', start);
    out.push_back(joined.substr(start, plus == std::string::npos ? plus : plus - start));
    if (plus == std::string::npos) return out;
    start = plus + 1;
  }
}

// The ray without the trailing NaN entries the writer padded it with.
std::vector<double> Unpad(std::vector<double> ray) {
  while (!ray.empty() && std::isnan(ray.back())) ray.pop_back();
  return ray;
}

bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// The columns of /baselines.
struct BaselineColumns {
  std::vector<int64_t> unit, index, count;
  std::vector<std::string> method, name, subset, task;
  std::vector<double> lambda, accuracy, loss;
  std::vector<std::vector<double>> rays;
};

Status ReadColumns(const Node& g, BaselineColumns* c) {
  PWEMOE_RETURN_IF_ERROR(ReadI64Column(g, "unit_id", -1, &c->unit));
  const int64_t m = static_cast<int64_t>(c->unit.size());
  PWEMOE_RETURN_IF_ERROR(ReadStringColumn(g, "method", m, &c->method));
  PWEMOE_RETURN_IF_ERROR(ReadStringColumn(g, "name", m, &c->name));
  PWEMOE_RETURN_IF_ERROR(ReadF64Column(g, "lambda", m, &c->lambda));
  PWEMOE_RETURN_IF_ERROR(ReadStringColumn(g, "subset", m, &c->subset));
  PWEMOE_RETURN_IF_ERROR(ReadStringColumn(g, "task", m, &c->task));
  PWEMOE_RETURN_IF_ERROR(ReadI64Column(g, "ray_index", m, &c->index));
  PWEMOE_RETURN_IF_ERROR(ReadF64Matrix(g, "ray", m, &c->rays));
  PWEMOE_RETURN_IF_ERROR(ReadF64Column(g, "accuracy", m, &c->accuracy));
  PWEMOE_RETURN_IF_ERROR(ReadF64Column(g, "mean_loss", m, &c->loss));
  return ReadI64Column(g, "count", m, &c->count);
}

}  // namespace

Status ReadBaselines(const Node& root, std::map<int64_t, BaselineRecord>* out) {
  h5::GroupId group;
  Node g;
  PWEMOE_RETURN_IF_ERROR(OpenGroup(root, "baselines", &group, &g));
  BaselineColumns c;
  PWEMOE_RETURN_IF_ERROR(ReadColumns(g, &c));
  out->clear();
  for (size_t i = 0; i < c.unit.size(); ++i) {
    const bool first = out->count(c.unit[i]) == 0;
    BaselineRecord& r = (*out)[c.unit[i]];
    if (first) {
      r.unit_id = c.unit[i];
      r.method = c.method[i];
      r.name = c.name[i];
      r.lambda = c.lambda[i];
      r.subset = SplitSubset(c.subset[i]);
      r.task = c.task[i];
    } else if (r.method != c.method[i] || r.name != c.name[i] || !SameBits(r.lambda, c.lambda[i]) ||
               r.subset != SplitSubset(c.subset[i]) || r.task != c.task[i]) {
      return Status::Corrupt(g.path + ": row " + std::to_string(i) + " of unit " +
                             std::to_string(c.unit[i]) +
                             " disagrees with the unit's first row on method, name, lambda,"
                             " subset or task");
    }
    r.rows.push_back({c.index[i], Unpad(c.rays[i]), c.accuracy[i], c.loss[i], c.count[i]});
  }
  for (const auto& [id, r] : *out) {
    Status st = Validate(r);
    if (!st.ok()) return Status::Corrupt(g.path + ": " + st.message());
  }
  return Status::Ok();
}

Status ReadFailures(const Node& root, std::map<int64_t, FailureRecord>* out) {
  h5::GroupId group;
  Node g;
  PWEMOE_RETURN_IF_ERROR(OpenGroup(root, "failures", &group, &g));
  std::vector<int64_t> unit;
  std::vector<std::string> description, message, time;
  PWEMOE_RETURN_IF_ERROR(ReadI64Column(g, "unit_id", -1, &unit));
  const int64_t f = static_cast<int64_t>(unit.size());
  PWEMOE_RETURN_IF_ERROR(ReadStringColumn(g, "description", f, &description));
  PWEMOE_RETURN_IF_ERROR(ReadStringColumn(g, "message", f, &message));
  PWEMOE_RETURN_IF_ERROR(ReadStringColumn(g, "time", f, &time));
  out->clear();
  for (size_t i = 0; i < unit.size(); ++i) {
    FailureRecord r{unit[i], description[i], message[i], time[i]};
    Status st = Validate(r);
    if (!st.ok()) return Status::Corrupt(g.path + ": " + st.message());
    if (!out->emplace(unit[i], std::move(r)).second) {
      return Status::Corrupt(g.Child("unit_id") + ": unit " + std::to_string(unit[i]) +
                             " appears twice");
    }
  }
  return Status::Ok();
}

Status ReadSessions(const Node& root, std::vector<SessionRecord>* out) {
  out->clear();
  bool exists = false;
  PWEMOE_RETURN_IF_ERROR(HasLink(root, "sessions", &exists));
  if (!exists) return Status::Ok();  // written before sessions were recorded
  h5::GroupId group;
  Node g;
  PWEMOE_RETURN_IF_ERROR(OpenGroup(root, "sessions", &group, &g));
  std::vector<std::string> start, command, version, hosts;
  std::vector<int64_t> ranks;
  PWEMOE_RETURN_IF_ERROR(ReadStringColumn(g, "start_time", -1, &start));
  const int64_t n = static_cast<int64_t>(start.size());
  PWEMOE_RETURN_IF_ERROR(ReadStringColumn(g, "command_line", n, &command));
  PWEMOE_RETURN_IF_ERROR(ReadStringColumn(g, "software_version", n, &version));
  PWEMOE_RETURN_IF_ERROR(ReadI64Column(g, "ranks", n, &ranks));
  PWEMOE_RETURN_IF_ERROR(ReadStringColumn(g, "hosts", n, &hosts));
  for (size_t i = 0; i < start.size(); ++i) {
    SessionRecord r{start[i], command[i], version[i], ranks[i],
                    hosts[i].empty() ? std::vector<std::string>{} : Split(hosts[i], ',')};
    Status st = Validate(r);
    if (!st.ok()) return Status::Corrupt(g.path + ": row " + std::to_string(i) + ": " + st.message());
    out->push_back(std::move(r));
  }
  return Status::Ok();
}

}  // namespace pwemoe::results
