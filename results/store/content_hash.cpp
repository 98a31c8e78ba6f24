#include "results/store/content_hash.h"

#include <cstdint>

namespace pwemoe::results {

std::string ContentHash(const std::string& text) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  static const char kHex[] = "0123456789abcdef";
  std::string out = "fnv1a64-";
  for (int shift = 60; shift >= 0; shift -= 4) out += kHex[(h >> shift) & 0xf];
  return out;
}

}  // namespace pwemoe::results
