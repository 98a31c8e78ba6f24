#include "io_testing.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace pwemoe::io::testing {

std::string MakeTempDir() {
  std::string pattern = ::testing::TempDir() + "pwemoe_io_XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  if (::mkdtemp(name.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp failed for " << pattern;
    return ::testing::TempDir();
  }
  return name.data();
}

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << "cannot write " << path;
}

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string SafetensorsBytes(const std::string& header, const std::string& data) {
  uint64_t len = header.size();
  std::string bytes(8, '\0');
  std::memcpy(bytes.data(), &len, 8);
  return bytes + header + data;
}

std::string SafetensorsBytes(const std::string& header, size_t data_size) {
  std::string data(data_size, '\0');
  for (size_t i = 0; i < data_size; ++i) data[i] = static_cast<char>(i & 0xFF);
  return SafetensorsBytes(header, data);
}

}  // namespace pwemoe::io::testing
