// Small string helpers shared by the config validator and the command-line parsers.
// All functions are pure and thread-safe.
#pragma once

#include <string>
#include <vector>

namespace pwemoe {

// Levenshtein distance between a and b (insertions, deletions, substitutions cost 1).
int EditDistance(const std::string& a, const std::string& b);

// The candidate closest to `word` when it is close enough to be a likely typo (distance at most
// max(1, |word| / 3)), else "". Ties go to the earlier candidate.
std::string ClosestMatch(const std::string& word, const std::vector<std::string>& candidates);

// ", did you mean 'x'?" when ClosestMatch finds one, else "".
std::string DidYouMean(const std::string& word, const std::vector<std::string>& candidates);

// Joins items with sep.
std::string Join(const std::vector<std::string>& items, const std::string& sep);

// Splits s at every sep (empty fields kept).
std::vector<std::string> Split(const std::string& s, char sep);

}  // namespace pwemoe
