#!/usr/bin/env bash
# Fuzzes the safetensors reader (pwemoe/io) with libFuzzer + AddressSanitizer + UBSan.
#
# Usage: scripts/fuzz.sh [SECONDS=60] [BUILD_DIR=build-fuzz]
#   FUZZ_JOBS=N      run N fuzzer processes in parallel (default 1)
#   FUZZ_MERGE=DIR   afterwards, minimise the grown corpus into DIR (for example a fresh folder
#                    whose files then replace tests/io/corpus/, the committed regression corpus)
#
# Installs clang and its sanitizer runtimes from Debian when missing (they are not part of
# scripts/install-deps.sh), builds the harness tests/io/fuzz/safetensors_fuzz.cpp in BUILD_DIR with
# -DPWEMOE_BUILD_FUZZ=ON, and runs it starting from tests/io/corpus. New inputs go to
# BUILD_DIR/fuzz-corpus, crashing inputs to BUILD_DIR/fuzz-crashes/ (exit status non-zero).
set -euo pipefail

seconds=${1:-60}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${2:-$root/build-fuzz}
jobs=${FUZZ_JOBS:-1}

missing=()
for p in clang libclang-rt-14-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update
  $SUDO apt-get install -y "${missing[@]}"
fi

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DPWEMOE_BUILD_FUZZ=ON -DPWEMOE_BUILD_BENCH=OFF -DPWEMOE_USE_PCH=OFF >/dev/null
ninja -C "$build" safetensors_fuzz

corpus="$build/fuzz-corpus"
crashes="$build/fuzz-crashes"
mkdir -p "$corpus" "$crashes"
cp -n "$root"/tests/io/corpus/* "$corpus"/ 2>/dev/null || true

parallel=()
[ "$jobs" -le 1 ] || parallel=(-jobs="$jobs" -workers="$jobs")  # logs then go to fuzz-N.log
"$build/bin/safetensors_fuzz" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
  -rss_limit_mb=2048 -dict="$root/tests/io/fuzz/safetensors.dict" \
  -artifact_prefix="$crashes/" -print_final_stats=1 "${parallel[@]}" "$corpus"

if [ -n "${FUZZ_MERGE:-}" ]; then
  mkdir -p "$FUZZ_MERGE"
  "$build/bin/safetensors_fuzz" -merge=1 -max_len=4096 "$FUZZ_MERGE" "$corpus"
fi
