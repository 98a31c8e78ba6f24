#include "pwemoe/mini/quality.h"

#include <algorithm>
#include <cstdio>

#include "pwemoe/eval/baselines.h"
#include "pwemoe/eval/evaluate.h"
#include "pwemoe/util/parallel.h"

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
                      int workers, QualityReport* out) {
  const size_t t = pool.tasks.size();
  if (tests.size() != t || pool.heads.size() != t) {
    return Status::InvalidArgument("quality: need one test split and one head per task");
  }
  QualityReport q;
  q.tasks = pool.tasks;
  q.lambda = recipe.task_arithmetic_lambda;
  q.gate_lambda = std::min(q.lambda, recipe.task_arithmetic_total / static_cast<double>(t));
  const bool own_gate_row = q.gate_lambda < q.lambda;
  // Rows: the pretrained model, each expert, task arithmetic (and at the gate's scale); one job
  // each.
  q.matrix.resize(t);
  PWEMOE_RETURN_IF_ERROR(ParallelFor(t + (own_gate_row ? 3 : 2), workers, [&](size_t row) {
    eval::Baseline b;
    std::vector<double>* dest = &q.pretrained;
    if (row > 0 && row <= t) {
      b.kind = eval::BaselineKind::kExpert;
      b.expert = static_cast<int64_t>(row - 1);
      dest = &q.matrix[row - 1];
    } else if (row == t + 1) {
      b.kind = eval::BaselineKind::kTaskArithmetic;
      b.lambda = q.lambda;
      dest = &q.task_arithmetic;
    } else if (row == t + 2) {
      b.kind = eval::BaselineKind::kTaskArithmetic;
      b.lambda = q.gate_lambda;
      dest = &q.task_arithmetic_gate;
    }
    return Accuracies(config, pool, b, tests, dest);
  }));

  std::vector<double> gains, experts;
  for (size_t i = 0; i < t; ++i) {
    gains.push_back(q.expert(i) - q.pretrained[i]);
    experts.push_back(q.expert(i));
    q.gates.push_back(MakeGate("expert gain, " + q.tasks[i], gains.back(), recipe.min_expert_gain));
  }
  q.gates.push_back(MakeGate("mean expert gain", Mean(gains), recipe.min_mean_expert_gain));
  const double ta = Mean(q.task_arithmetic);
  if (!own_gate_row) q.task_arithmetic_gate = q.task_arithmetic;
  char name[96];
  std::snprintf(name, sizeof name, "task arithmetic above pretrained (mean, lambda %g)", q.gate_lambda);
  q.gates.push_back(MakeGate(own_gate_row ? name : "task arithmetic above pretrained (mean)",
                             Mean(q.task_arithmetic_gate) - Mean(q.pretrained), 1e-9));
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
  if (q.gate_lambda < q.lambda) {
    std::snprintf(buf, sizeof buf, "TA at lambda %g:", q.gate_lambda);
    std::string row = buf;
    for (double a : q.task_arithmetic_gate) {
      std::snprintf(buf, sizeof buf, " %.1f", a);
      row += buf;
    }
    lines.push_back(row);
  }
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
