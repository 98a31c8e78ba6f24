// The built-in benchmark's quality gates (experts clearly better than the pretrained model on
// their own task, and real interference when merged): accuracies on every task's test split of
// the pretrained model, of every expert on every task, and of task arithmetic over all tasks, each
// with the task's frozen head, and the gates of the recipe checked against them.
//
// Thread safety: no state; the pool and datasets are only read.
#pragma once

#include <string>
#include <vector>

#include "pwemoe/data/dataset.h"
#include "pwemoe/io/hf_config.h"
#include "pwemoe/mini/recipe.h"
#include "pwemoe/moe/pool.h"
#include "pwemoe/util/status.h"

namespace pwemoe::mini {

struct Gate {
  std::string name;    // e.g. "expert gain, clothing"
  double value = 0;    // points of accuracy
  double limit = 0;    // value must be >= limit
  bool passed = false;
};

// Accuracies in percent (0..100); task i is pool.tasks[i].
struct QualityReport {
  std::vector<std::string> tasks;
  std::vector<double> pretrained;           // pretrained model, task i
  std::vector<std::vector<double>> matrix;  // matrix[i][j]: expert i on task j
  std::vector<double> task_arithmetic;      // task arithmetic at recipe lambda, task i
  double lambda = 0;
  // Task arithmetic at the scale of the "above pretrained" gate, min(lambda, total / T) (the
  // recipe's task_arithmetic_total): equal to `task_arithmetic` up to 8 tasks.
  std::vector<double> task_arithmetic_gate;
  double gate_lambda = 0;
  std::vector<Gate> gates;

  double expert(size_t i) const { return matrix[i][i]; }
  bool passed() const;
};

// Evaluates the pool (with heads) on `tests` (one open test split per task, pool order; every
// image) and checks the recipe's gates: per task expert - pretrained >= min_expert_gain; their
// mean >= min_mean_expert_gain; mean task arithmetic strictly between the pretrained and expert
// means (the pretrained side at gate_lambda, QualityReport) and at least min_task_arithmetic_gap
// below the experts' mean. Errors from evaluation name
// the task and model; InvalidArgument when `tests` is not one per task. *out replaced on success.
// The models (pretrained, each expert, task arithmetic) are evaluated `workers` at once (util/
// parallel.h); the figures do not depend on it.
Status MeasureQuality(const io::ClipVisionConfig& config, const moe::ModelPool& pool,
                      const std::vector<const data::Dataset*>& tests, const Recipe& recipe,
                      int workers, QualityReport* out);

// The report as aligned text lines (per task: pretrained, expert, task arithmetic, gain; the
// T x T matrix; each gate with PASS/FAIL).
std::vector<std::string> FormatQuality(const QualityReport& report);

}  // namespace pwemoe::mini
