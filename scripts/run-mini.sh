#!/usr/bin/env bash
# The main job: installs the dependencies, builds pwemoe-orchestrate, and runs the default
# experiment (experiments/mini.toml, or $PWEMOE_EXPERIMENT, e.g. experiments/mini20.toml for 20
# tasks) under mpirun with $PWEMOE_RANKS ranks (default 2) into its output_dir's results.h5
# (runs/mini/results.h5), printed at the end. Its first run builds the built-in benchmark it runs
# on (rank 0; a complete benchmark folder is reused). A rerun resumes, and is a no-op once the
# experiment is complete.
# Extra arguments go to pwemoe-orchestrate (for example --set train.steps=50).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# Only what runs: pwemoe-orchestrate (it builds the benchmark and writes the report itself); the
# tests and benchmarks are built by scripts/test.sh, in the same folder.
PWEMOE_TARGETS=pwemoe-orchestrate bash scripts/build.sh
bin="${PWEMOE_BUILD_DIR:-build}/bin"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
ranks=${PWEMOE_RANKS:-2}
exec mpirun -np "$ranks" --oversubscribe "$bin/pwemoe-orchestrate" "${PWEMOE_EXPERIMENT:-experiments/mini.toml}" "$@"
