// A temporary experiment tree (pretrained model, experts, heads, data files) and a valid base
// experiment over it, for the config and plan tests.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace pwemoe::testing {

class ExperimentTree {
 public:
  ExperimentTree();
  ~ExperimentTree();
  const std::string& root() const { return root_; }
  // The base experiment (lines numbered as in config_testing.cpp) with ROOT replaced.
  std::string BaseText() const;
  // BaseText() with line `line` (1-based) replaced by `text` (which may hold several lines).
  std::string WithLine(int line, const std::string& text) const;
  // Writes `text` to ROOT/<name> and returns its path.
  std::string Write(const std::string& name, const std::string& text) const;
  // Replaces ROOT in s.
  std::string Fill(std::string s) const;

 private:
  std::string root_;
};

}  // namespace pwemoe::testing
