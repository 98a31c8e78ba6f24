#!/usr/bin/env bash
# mpirun smoke test of pwemoe-orchestrate at N ranks:
#   1. --dry-run of the default experiment exits 0 and only rank 0 prints the plan;
#   2. every line logged under MPI carries its rank;
#   3. a bad configuration exits 2 (through mpirun) and the error is printed once.
# Usage: orchestrate_smoke.sh MPIEXEC TOOL SOURCE_DIR RANKS
set -u
mpiexec=$1 tool=$2 src=$3 ranks=$4
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fail() { echo "FAIL: $*"; echo "--- stdout"; cat out.txt; echo "--- stderr"; cat err.txt; exit 1; }

"$mpiexec" -np "$ranks" --oversubscribe "$tool" "$src/experiments/mini.toml" --dry-run --log-level debug \
  >out.txt 2>err.txt
rc=$?
[ $rc -eq 0 ] || fail "dry run exited $rc"
n=$(grep -c '^plan of experiment mini: ' out.txt)
[ "$n" -eq 1 ] || fail "the plan was printed $n times, expected once"
grep -q '^\[train\]' out.txt || fail "no resolved configuration"
n=$(grep -c 'experiment mini: .* units' err.txt)
[ "$n" -eq "$ranks" ] || fail "expected one debug line per rank, found $n"
if [ "$ranks" -gt 1 ]; then
  for r in $(seq 0 $((ranks - 1))); do
    grep -q "\[rank $r/$ranks\]" err.txt || fail "no log line tagged rank $r/$ranks"
  done
fi

"$mpiexec" -np "$ranks" --oversubscribe "$tool" "$src/experiments/mini.toml" --dry-run --set train.lr=-1 \
  >out.txt 2>err.txt
rc=$?
[ $rc -eq 2 ] || fail "bad configuration exited $rc, expected 2"
n=$(grep -c -- '--set train.lr=-1: train.lr: expected a number > 0, found integer -1' err.txt)
[ "$n" -eq 1 ] || fail "the error was printed $n times, expected once"
echo "orchestrate smoke test at $ranks ranks: ok"
