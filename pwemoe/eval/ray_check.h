// Checking and parsing preference rays given by users (command lines, baselines): a ray is a point
// of the probability simplex of length T.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "pwemoe/rays.h"
#include "pwemoe/util/status.h"

namespace pwemoe::eval {

// Tolerance on |sum r_i - 1|.
inline constexpr double kRaySumTolerance = 1e-6;

// OK when `ray` has `num_tasks` entries, each finite and >= 0, summing to 1 within
// kRaySumTolerance. Otherwise InvalidArgument "<name>: ..." saying what is wrong (the count, the
// offending entry, or the sum).
Status ValidateRay(const Ray& ray, int64_t num_tasks, const std::string& name);

// Parses "r1,r2,...,rT" (decimal numbers, no empty entries) into *out (replaced on success).
// InvalidArgument "<name>: ..." naming the entry that is not a number. Does not validate the ray.
Status ParseRay(const std::string& text, const std::string& name, Ray* out);

}  // namespace pwemoe::eval
