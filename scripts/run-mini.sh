#!/usr/bin/env bash
# The main job: installs the dependencies, builds, builds the built-in benchmark the default
# experiment (experiments/mini.toml) runs on (the first time only: pwemoe-make-mini reuses a
# complete benchmark folder), and runs the experiment under mpirun with $PWEMOE_RANKS ranks
# (default 2).
# Extra arguments go to pwemoe-orchestrate (for example --set train.steps=50).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
bin="${PWEMOE_BUILD_DIR:-build}/bin"
"$bin/pwemoe-make-mini" --experiment experiments/mini.toml
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
ranks=${PWEMOE_RANKS:-2}
exec mpirun -np "$ranks" --oversubscribe "$bin/pwemoe-orchestrate" \
  experiments/mini.toml --dry-run "$@"
