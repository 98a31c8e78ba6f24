#include "pwemoe/mini/quality.h"

#include <cstdio>

#include "pwemoe/eval/baselines.h"
#include "pwemoe/eval/evaluate.h"

namespace pwemoe::mini {
namespace {

constexpr int64_t kEvalBatch = 500;

double Mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0.0 : s / static_cast<double>(v.size());
}

// Accuracy (percent) of `baseline` of the pool on every task.
Status Accuracies(const io::ClipVisionConfig& config, const moe::ModelPool& pool,
                  const eval::Baseline& baseline, const std::vector<const data::Dataset*>& tests,
                  std::vector<double>* out) {
  io::TensorMap params;
  PWEMOE_RETURN_IF_ERROR(eval::BaselineParams(pool, baseline, &params));
  out->clear();
  for (size_t j = 0; j < tests.size(); ++j) {
    eval::EvalResult r;
    Status st = eval::EvaluateModel(config, params, pool.heads[j], *tests[j], kEvalBatch, 0,
                                     model::Precision::kFp32, &r);
    if (!st.ok()) {
      return st.WithContext("quality: " + eval::BaselineName(baseline, pool.tasks) + " on task '" +
                            pool.tasks[j] + "'");
    }
    out->push_back(100.0 * r.accuracy);
  }
  return Status::Ok();
}

Gate MakeGate(std::string name, double value, double limit) {
  return {std::move(name), value, limit, value >= limit};
}

}  // namespace

bool QualityReport::passed() const {
  for (const Gate& g : gates) {
    if (!g.passed) return false;
  }
  return true;
}

Status MeasureQuality(const io::ClipVisionConfig& config, const moe::ModelPool& pool,
                      const std::vector<const data::Dataset*>& tests, const Recipe& recipe,
                      QualityReport* out) {
  const size_t t = pool.tasks.size();
  if (tests.size() != t || pool.heads.size() != t) {
    return Status::InvalidArgument("quality: need one test split and one head per task");
  }
  QualityReport q;
  q.tasks = pool.tasks;
  q.lambda = recipe.task_arithmetic_lambda;
  eval::Baseline b;
  PWEMOE_RETURN_IF_ERROR(Accuracies(config, pool, b, tests, &q.pretrained));
  q.matrix.resize(t);
  for (size_t i = 0; i < t; ++i) {
    b.kind = eval::BaselineKind::kExpert;
    b.expert = static_cast<int64_t>(i);
    PWEMOE_RETURN_IF_ERROR(Accuracies(config, pool, b, tests, &q.matrix[i]));
  }
  b.kind = eval::BaselineKind::kTaskArithmetic;
  b.lambda = q.lambda;
  PWEMOE_RETURN_IF_ERROR(Accuracies(config, pool, b, tests, &q.task_arithmetic));

  std::vector<double> gains, experts;
  for (size_t i = 0; i < t; ++i) {
    gains.push_back(q.expert(i) - q.pretrained[i]);
    experts.push_back(q.expert(i));
    q.gates.push_back(MakeGate("expert gain, " + q.tasks[i], gains.back(), recipe.min_expert_gain));
  }
  q.gates.push_back(MakeGate("mean expert gain", Mean(gains), recipe.min_mean_expert_gain));
  const double ta = Mean(q.task_arithmetic);
  q.gates.push_back(MakeGate("task arithmetic above pretrained (mean)", ta - Mean(q.pretrained),
                             1e-9));
  q.gates.push_back(MakeGate("task arithmetic below experts (mean)", Mean(experts) - ta,
                             recipe.min_task_arithmetic_gap));
  *out = std::move(q);
  return Status::Ok();
}

std::vector<std::string> FormatQuality(const QualityReport& q) {
  std::vector<std::string> lines;
  char buf[256];
  std::snprintf(buf, sizeof buf, "%-12s %10s %8s %8s %8s", "task", "pretrained", "expert",
                "TA", "gain");
  lines.push_back(buf);
  for (size_t i = 0; i < q.tasks.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%-12s %10.1f %8.1f %8.1f %+8.1f", q.tasks[i].c_str(),
                  q.pretrained[i], q.expert(i), q.task_arithmetic[i], q.expert(i) - q.pretrained[i]);
    lines.push_back(buf);
  }
  std::snprintf(buf, sizeof buf, "(TA: task arithmetic over all tasks, lambda %g)", q.lambda);
  lines.push_back(buf);
  std::string header = "expert \\ task";
  for (const std::string& t : q.tasks) header += " " + t.substr(0, 8);
  lines.push_back(header);
  for (size_t i = 0; i < q.tasks.size(); ++i) {
    std::string row = q.tasks[i].substr(0, 13);
    row.resize(13, ' ');
    for (double a : q.matrix[i]) {
      std::snprintf(buf, sizeof buf, " %8.1f", a);
      row += buf;
    }
    lines.push_back(row);
  }
  for (const Gate& g : q.gates) {
    std::snprintf(buf, sizeof buf, "gate %-45s %7.2f >= %-6g %s", g.name.c_str(), g.value,
                  g.limit, g.passed ? "PASS" : "FAIL");
    lines.push_back(buf);
  }
  return lines;
}

}  // namespace pwemoe::mini
