// Helpers for the io tests: scratch folders and hand-made safetensors bytes.
#pragma once

#include <cstdint>
#include <string>

namespace pwemoe::io::testing {

// A fresh, empty folder under the test temp dir, unique per call (safe across parallel tests).
std::string MakeTempDir();

// Writes `bytes` to `path` (overwriting), failing the current test on error.
void WriteBytes(const std::string& path, const std::string& bytes);

// Reads the whole file at `path` ("" and a test failure when it cannot).
std::string ReadBytes(const std::string& path);

// A safetensors file: 8-byte little-endian length of `header`, the header, then `data`.
std::string SafetensorsBytes(const std::string& header, const std::string& data);

// Like SafetensorsBytes with `data_size` bytes of data valued 0, 1, 2, ... (mod 256).
std::string SafetensorsBytes(const std::string& header, size_t data_size);

}  // namespace pwemoe::io::testing
