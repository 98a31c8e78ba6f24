// A cooperative deadline for long exact computations (the WFG hypervolume recursion): the
// computation looks at the clock now and then and gives up once the deadline has passed.
//
// Thread safety: a plain value; Passed() only reads the steady clock, so one Deadline may be
// shared by threads.
#pragma once

#include <chrono>
#include <cmath>

namespace pwemoe::results {

struct Deadline {
  using Clock = std::chrono::steady_clock;
  Clock::time_point at = Clock::time_point::max();

  // The deadline `seconds` from now: already passed for seconds <= 0; never (time_point::max)
  // for seconds >= 1e9, +inf included. NaN is treated as never; callers validate before.
  static Deadline After(double seconds) {
    const Clock::time_point now = Clock::now();
    if (!(seconds < 1e9)) return Deadline{};
    if (seconds <= 0) return Deadline{now};
    return Deadline{now + std::chrono::duration_cast<Clock::duration>(
                              std::chrono::duration<double>(seconds))};
  }

  // Whether the deadline has passed (now >= at).
  bool Passed() const { return Clock::now() >= at; }

  // The seconds from now to the deadline: +inf for never, <= 0 once passed.
  double SecondsLeft() const {
    if (at == Clock::time_point::max()) return INFINITY;
    return std::chrono::duration<double>(at - Clock::now()).count();
  }
};

}  // namespace pwemoe::results
