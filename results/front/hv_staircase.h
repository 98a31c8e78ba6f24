// The 2D non-dominated staircase (minimisation) of the 3D and 4D hypervolume sweeps, with the
// area it dominates inside the box below (rx, ry) kept up to date on every insertion.
//
// Thread safety: a plain value; one thread per object.
#pragma once

#include <map>
#include <utility>
#include <vector>

namespace pwemoe::results::hv {

struct Staircase {
  double rx = 0, ry = 0;                  // the reference corner (every point lies below it)
  std::map<double, double> steps;         // x -> y: x increasing, y strictly decreasing
  double area = 0;                        // area of the union of [x, rx] x [y, ry]
};

// Adds the point (x, y) (x <= rx, y <= ry): returns false and changes nothing when a step
// weakly dominates it; otherwise removes the steps it weakly dominates, inserts it and adds its
// exclusive area to `area`. Amortised O(log size).
bool StaircaseInsert(Staircase* s, double x, double y);

// The same staircase in a sorted vector: faster than the tree while it stays small (a few dozen
// steps, as the staircases clipped to one point's box in the 4D code), O(size) per insertion.
struct FlatStaircase {
  double rx = 0, ry = 0;
  std::vector<std::pair<double, double>> steps;  // (x, y): x increasing, y strictly decreasing
  double area = 0;
};

// StaircaseInsert on a FlatStaircase.
bool FlatStaircaseInsert(FlatStaircase* s, double x, double y);

}  // namespace pwemoe::results::hv
