// Helpers for the tests of pwemoe/mini.
#pragma once

#include <stdlib.h>

#include <string>

#include <gtest/gtest.h>

namespace pwemoe::mini::testing {

// A fresh, empty folder under the test temp dir, unique per call.
inline std::string MakeTempDir() {
  std::string pattern = ::testing::TempDir() + "pwemoe_mini_XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp " << pattern;
  return pattern;
}

}  // namespace pwemoe::mini::testing
