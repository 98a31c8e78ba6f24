// The validated minimisation form of a hypervolume problem, shared by the exact hypervolume
// (hypervolume.h), the Monte Carlo estimate (hv_estimate.h) and the chooser between them
// (hv_choose.h): one place for the checks and their messages.
//
// Thread safety: pure function; concurrent calls are independent.
#pragma once

#include <cstddef>
#include <vector>

#include "pwemoe/util/status.h"
#include "results/front/point_set.h"

namespace pwemoe::results {

// A hypervolume problem where smaller is better in every coordinate.
struct HvInput {
  size_t dim = 0;            // d >= 1: the reference's size (and the points')
  std::vector<double> ref;   // the reference point, negated for Sense::kMaximize
  std::vector<double> rows;  // the points strictly below `ref` in every coordinate (the only
                             // ones with volume), row-major, negated for Sense::kMaximize
  // The number of rows (points that beat the reference).
  size_t count() const { return dim == 0 ? 0 : rows.size() / dim; }
};

// Checks `points` (CheckPoints: same dimension d >= 1, finite) and `ref` (non-empty, d finite
// coordinates; any size when `points` is empty) and fills *input. InvalidArgument naming the
// point and coordinate at fault, or the reference's size or non-finite coordinate; *input
// untouched then.
Status PrepareHvInput(const std::vector<std::vector<double>>& points, const std::vector<double>& ref,
                      Sense sense, HvInput* input);

}  // namespace pwemoe::results
