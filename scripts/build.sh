#!/usr/bin/env bash
# Configures and builds pwemoe into build/ (or $PWEMOE_BUILD_DIR) with Ninja, ccache and the
# LibTorch precompiled header: every target, or only $PWEMOE_TARGETS (space-separated, e.g.
# "pwemoe-orchestrate": what the main job runs) in the same folder, which a later full build
# reuses. Extra arguments go to cmake's configure step, e.g.
#   bash scripts/build.sh -DPWEMOE_WITH_CUDA=ON -DCMAKE_PREFIX_PATH=/path/to/libtorch
set -euo pipefail
cd "$(dirname "$0")/.."
build=${PWEMOE_BUILD_DIR:-build}
jobs=${PWEMOE_JOBS:-$(nproc)}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE:-RelWithDebInfo} "$@"
start=$(date +%s)
targets=()
for t in ${PWEMOE_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$build" -j "$jobs" "${targets[@]}"
echo "build: $(( $(date +%s) - start )) s in $build${PWEMOE_TARGETS:+ (${PWEMOE_TARGETS})}"
