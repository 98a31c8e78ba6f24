#!/usr/bin/env bash
# Installs the dependencies, builds, and runs every test tier (unit, mpi, and slurm/gpu where
# present). `.ci/run` calls exactly this. Extra arguments go to ctest, e.g. `-L unit`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
# Open MPI refuses root unless told; the mpi tier oversubscribes the 2 cores.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
start=$(date +%s)
ctest --test-dir "${PWEMOE_BUILD_DIR:-build}" --output-on-failure -j "${PWEMOE_TEST_JOBS:-2}" "$@"
echo "tests: $(( $(date +%s) - start )) s"
