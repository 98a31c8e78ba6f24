#!/usr/bin/env bash
# Wall time of the mini8 evaluation sweep (experiments/mini8.toml: 396 evaluation units, 6080
# ray x task evaluations of 500 test images) at several rank counts, and the speed-up over one
# rank (the baseline measured in the same run).
#
#   bash bench/mini8_sweep.sh [BUILD_DIR] [RANKS ...]      (defaults: build, 1 2 4)
#
# 1. Trains every run once (--units train, 2 ranks) into $PWEMOE_SWEEP_DIR/trained (default
#    /tmp/pwemoe-mini8-sweep), reused when already complete. Builds the benchmark first if needed.
# 2. For each rank count: copies that output and runs --units eval on it, timing the whole
#    mpirun (start-up, loading pools and data on every rank, the sweep, the final HDF5 write).
# Ranks beyond the machine's cores are oversubscribed: the speed-up then measures contention.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
ranks=("$@")
[ ${#ranks[@]} -gt 0 ] || ranks=(1 2 4)
dir=${PWEMOE_SWEEP_DIR:-/tmp/pwemoe-mini8-sweep}
tool="$build/bin/pwemoe-orchestrate"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mkdir -p "$dir"
run() {  # run OUT RANKS ARGS...
  local out=$1 n=$2
  shift 2
  mpirun -np "$n" --oversubscribe "$tool" experiments/mini8.toml --progress 30 \
    --set experiment.output_dir="$out" "$@"
}
echo "cores: $(nproc), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s.%N)
run "$dir/trained" 2 --units train >"$dir/train.log" 2>&1 || { tail -20 "$dir/train.log"; exit 1; }
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
echo "training (12 runs, 2 ranks; seconds only when not reused): $(elapsed "$start") s"
base=""
for n in "${ranks[@]}"; do
  rm -rf "$dir/eval-$n"
  cp -r "$dir/trained" "$dir/eval-$n"
  start=$(date +%s.%N)
  run "$dir/eval-$n" "$n" --units eval >"$dir/eval-$n.log" 2>&1 || { tail -20 "$dir/eval-$n.log"; exit 1; }
  secs=$(elapsed "$start")
  grep -q " 396 done now" "$dir/eval-$n.log" || { echo "ranks $n: not every evaluation ran"; tail -5 "$dir/eval-$n.log"; exit 1; }
  [ -n "$base" ] || base=$secs
  awk -v n="$n" -v s="$secs" -v b="$base" \
    'BEGIN { printf "ranks %d: %.1f s, speed-up %.2f, efficiency %.2f\n", n, s, b / s, b / s / n }'
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
