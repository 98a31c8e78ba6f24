// Small string helpers shared by the config validator and the command-line parsers.
// All functions are pure and thread-safe.
#pragma once

#include <string>
#include <vector>

namespace pwemoe {

// Edit distance between a and b: insertions, deletions, substitutions and transpositions of
// adjacent characters cost 1 (optimal string alignment).
int EditDistance(const std::string& a, const std::string& b);

// The candidate closest to `word` when it is close enough to be a likely typo (distance at most
// max(1, |word| / 3)), else "". Ties go to the earlier candidate.
std::string ClosestMatch(const std::string& word, const std::vector<std::string>& candidates);

// ", did you mean 'x'?" when ClosestMatch finds one, else "".
std::string DidYouMean(const std::string& word, const std::vector<std::string>& candidates);

// Joins items with sep.
std::string Join(const std::vector<std::string>& items, const std::string& sep);

// The shortest text that reads back as the same double, always with a '.', an exponent, "inf"
// or "nan" so that it reads as a float ("10.0", "0.01", "1e-05").
std::string FormatDouble(double v);

// The shortest "%.<p>g" text (p <= 17) that reads back as the same double: "0.5", "153",
// "1e+02", "0.0001", "1e+20", "0.3333333333333333" (no forced '.'; what pwemoe-hv prints).
std::string FormatShortest(double v);

// Splits s at every sep (empty fields kept).
std::vector<std::string> Split(const std::string& s, char sep);

}  // namespace pwemoe
