#include "orchestrator/progress.h"

#include <spdlog/spdlog.h>

#include <cmath>

namespace pwemoe::orchestrator {

std::string FormatDuration(double seconds) {
  const long s = std::lround(std::max(0.0, seconds));
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s / 60) % 60);
  } else if (s >= 60) {
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lds", s);
  }
  return buf;
}

Progress::Progress(int total, int done_before, double period_seconds, bool terminal)
    : total_(total), done_before_(done_before), period_(period_seconds), terminal_(terminal) {
  start_ = last_ = Clock::now();
}

std::string Progress::Line(int done, int total, int done_now, double seconds) {
  char buf[160];
  const double pct = total > 0 ? 100.0 * done / total : 100.0;
  const double rate = seconds > 0 ? done_now / seconds : 0;
  std::snprintf(buf, sizeof buf, "%d/%d units (%.1f%%), %.2f units/s", done, total, pct, rate);
  std::string line = buf;
  if (done_now > 0 && done < total) line += ", ETA " + FormatDuration((total - done) / rate);
  return line;
}

void Progress::Update(int done_now, int failed, int in_flight, bool force) {
  const Clock::time_point now = Clock::now();
  if (period_ <= 0 && !force) return;
  if (!force && std::chrono::duration<double>(now - last_).count() < period_) return;
  last_ = now;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  std::string line = Line(done_before_ + done_now, total_, done_now, seconds);
  line += ", " + std::to_string(in_flight) + " running";
  if (failed > 0) line += ", " + std::to_string(failed) + " failed";
  if (terminal_) {
    const int width = 30;
    const int filled = total_ > 0 ? width * (done_before_ + done_now) / total_ : width;
    std::fprintf(stderr, "\r[%s%s] %s\033[K", std::string(filled, '#').c_str(),
                 std::string(width - filled, '.').c_str(), line.c_str());
    std::fflush(stderr);
    drawn_ = true;
  } else {
    spdlog::info("progress: {}", line);
  }
}

void Progress::Finish() {
  if (terminal_ && drawn_) std::fputc('\n', stderr);
  drawn_ = false;
}

std::string Progress::RunSummary(const results::TrainRecord& r) {
  char buf[96];
  const size_t steps = r.steps.size();
  std::snprintf(buf, sizeof buf, "%zu steps in %.1f s (%.2f steps/s)", steps, r.seconds,
                r.seconds > 0 ? steps / r.seconds : 0.0);
  std::string line = "run " + r.run_name + ": " + buf;
  if (!r.steps.empty()) {
    const results::TrainStep& last = r.steps.back();
    std::snprintf(buf, sizeof buf, ", final loss %.4g (", last.total_loss);
    line += buf;
    for (size_t i = 0; i < last.losses.size() && i < r.tasks.size(); ++i) {
      std::snprintf(buf, sizeof buf, "%s%s %.4g", i ? ", " : "", r.tasks[i].c_str(), last.losses[i]);
      line += buf;
    }
    line += ")";
  }
  return line;
}

}  // namespace pwemoe::orchestrator
