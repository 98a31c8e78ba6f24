// Progress of a run as the coordinator reports it: units done / total, rate and ETA, as a bar
// redrawn in place on a terminal and as log lines otherwise; and one summary line per finished
// training run.
//
// Thread safety: used by the coordinator's thread only.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

#include "results/store/records.h"

namespace pwemoe::orchestrator {

class Progress {
 public:
  // `total` units in the plan, `done_before` of them already done; reports at most every
  // `period_seconds` (0: never). `terminal`: draw a bar on stderr instead of log lines.
  Progress(int total, int done_before, double period_seconds, bool terminal);

  // Called often; prints when the period has passed (or `force`).
  void Update(int done_now, int failed, int in_flight, bool force = false);
  // Ends the bar's line (terminal mode).
  void Finish();

  // "12/40 units (30.0%), 2.5 units/s, ETA 11s": `done` of `total` after `seconds` of this run
  // in which `done_now` units were done. ETA left out until a unit is done.
  static std::string Line(int done, int total, int done_now, double seconds);
  // "run ls/a+b/seed0: 200 steps in 12.3 s (16.3 steps/s), final loss 0.123 (a 0.1, b 0.2)".
  static std::string RunSummary(const results::TrainRecord& record);

 private:
  using Clock = std::chrono::steady_clock;
  int total_, done_before_;
  double period_;
  bool terminal_;
  Clock::time_point start_, last_;
  bool drawn_ = false;
};

// "1h02m", "3m05s", "42s".
std::string FormatDuration(double seconds);

}  // namespace pwemoe::orchestrator
