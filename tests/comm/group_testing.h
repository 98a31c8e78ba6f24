// Inputs and the reference sum shared by the group communicator tests (in-process and MPI).
//
// The inputs make the sum depend on the order of addition: magnitudes spread over many binades,
// both signs, and element 0 holds the classic 1e8, 1, -1e8 (1e17, 1, -1e17 for double) on ranks
// 0, 1, 2, whose rank-ordered sum is exactly 0 while another order gives 1.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

namespace pwemoe::comm::testing {

// Rank `rank`'s input of n values for a given seed; the same on every process.
inline std::vector<double> DoubleInput(int rank, size_t n, uint32_t seed) {
  std::mt19937 gen(seed * 1000003u + static_cast<uint32_t>(rank));
  std::uniform_real_distribution<double> mantissa(1.0, 2.0);
  std::uniform_int_distribution<int> exponent(-24, 24);
  std::vector<double> v(n);
  for (double& x : v) x = (gen() % 2 ? -1.0 : 1.0) * std::ldexp(mantissa(gen), exponent(gen));
  const double classic[3] = {1e17, 1.0, -1e17};
  if (n > 0) v[0] = rank < 3 ? classic[rank] : 0.0;
  return v;
}

inline std::vector<float> FloatInput(int rank, size_t n, uint32_t seed) {
  std::vector<double> d = DoubleInput(rank, n, seed);
  std::vector<float> v(d.begin(), d.end());
  const float classic[3] = {1e8f, 1.0f, -1e8f};
  if (n > 0) v[0] = rank < 3 ? classic[rank] : 0.0f;
  return v;
}

// The definition restated as a plain loop: ((in[0][i] + in[1][i]) + ...) in the element type.
inline std::vector<float> SerialSum(const std::vector<std::vector<float>>& in) {
  std::vector<float> out = in[0];
  for (size_t r = 1; r < in.size(); ++r) {
    for (size_t i = 0; i < out.size(); ++i) out[i] += in[r][i];
  }
  return out;
}

inline std::vector<double> SerialSum(const std::vector<std::vector<double>>& in) {
  std::vector<double> out = in[0];
  for (size_t r = 1; r < in.size(); ++r) {
    for (size_t i = 0; i < out.size(); ++i) out[i] += in[r][i];
  }
  return out;
}

// Bit patterns, for exact comparison (also of -0.0 and NaN).
inline std::vector<uint32_t> Bits(const std::vector<float>& v) {
  std::vector<uint32_t> b(v.size());
  if (!v.empty()) std::memcpy(b.data(), v.data(), v.size() * sizeof(float));
  return b;
}

inline std::vector<uint64_t> Bits(const std::vector<double>& v) {
  std::vector<uint64_t> b(v.size());
  if (!v.empty()) std::memcpy(b.data(), v.data(), v.size() * sizeof(double));
  return b;
}

}  // namespace pwemoe::comm::testing
