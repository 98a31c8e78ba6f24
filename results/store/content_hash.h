// A stable fingerprint of text, for StoreHeader::config_hash.
//
// The orchestrator hashes the resolved configuration (config::ToToml, minus whatever may change
// between a run and its resume without changing results) so that a rerun of the same experiment
// finds its own journal and a different one is refused.
//
// Thread safety: pure function.
#pragma once

#include <string>

namespace pwemoe::results {

// "fnv1a64-<16 lowercase hex digits>": 64-bit FNV-1a of the bytes of `text`. Stable across
// platforms, builds and versions (a changed hash would make every old store unresumable).
std::string ContentHash(const std::string& text);

}  // namespace pwemoe::results
