#!/usr/bin/env bash
# End-to-end runs of pwemoe-orchestrate under mpirun on the micro benchmark (3 tasks, LS and EPO,
# 2 subsets, 121 units). Scenarios:
#   ranks    the same experiment at 1, 2, 3 and 4 ranks (groups of one), and at 3 and 5 ranks in
#            groups of two: every results file holds the same numbers as the 1-rank run.
#   resume   a run killed with SIGKILL during training, stopped by SIGTERM (exit 75), killed
#            during evaluation and again at the very end, each time resumed by the same command:
#            the final file holds the same numbers as an uninterrupted run, every unit once.
#   config   a finished output: rerunning is a no-op, also with other [report] or [slurm]
#            settings; a changed configuration is refused (exit 2)
#            (--check-done answers 75 before the first run, 0 after it, 2 for another configuration)
#            and leaves the files alone; --fresh moves them aside and starts over. In a build
#            without CUDA (PWEMOE_CUDA_BUILD=OFF): a visible CUDA device is warned of once, on
#            rank 0, and the run goes on; cluster.device = "cuda" is refused (exit 2).
#   failure  one task's test data is unreadable: its units fail and are recorded, the others
#            finish, exit 1; --fail-fast stops early; a rerun with the data repaired finishes.
# Kill points are found in the debug log: "run <name>:" once a training run is journaled, and
# "rank R: eval ..." for each evaluation handed out.
# Usage: orchestrate_run.sh SCENARIO MPIEXEC TOOL COMPARE BENCH_DIR
set -u
scenario=$1 mpiexec=$2 tool=$3 compare=$4 bench=$5
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
work=$(mktemp -d /tmp/pwemoe-mpi-XXXXXX)
cleanup() { pkill -9 -f "$work/" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL ($scenario): $*"; for f in "$work"/*.log; do echo "--- $f"; tail -n 25 "$f"; done; exit 1; }

# The experiment: writes $work/x.toml. $1: extra TOML lines in [tasks] (optional).
. "$(dirname "$0")/../testing/micro_experiment.sh"
write_experiment() { write_micro_experiment "$work/x.toml" "$work/out" "$bench" "${1:-}"; }

# run NAME RANKS [ARGS...]: runs to the end; sets rc; log in $work/NAME.log.
run() {
  local name=$1 ranks=$2
  shift 2
  "$mpiexec" -np "$ranks" "$tool" "$work/x.toml" --progress 1 "$@" >"$work/$name.log" 2>&1
  rc=$?
}

# start NAME RANKS [ARGS...]: runs in the background (pid in $pid).
start() {
  local name=$1 ranks=$2
  shift 2
  "$mpiexec" -np "$ranks" "$tool" "$work/x.toml" --progress 1 --log-level debug "$@" >"$work/$name.log" 2>&1 &
  pid=$!
}

# check_done EXPECTED_RC REGEX [ARGS...]: pwemoe-orchestrate --check-done, without mpirun.
check_done() {
  local want=$1 pattern=$2
  shift 2
  "$tool" "$work/x.toml" --check-done "$@" >"$work/check.log" 2>&1
  local got=$?
  [ $got -eq "$want" ] || fail "--check-done $*: exit $got, expected $want"
  grep -Eq "$pattern" "$work/check.log" || fail "--check-done $*: no '$pattern' in its output"
}

# wait_for NAME PATTERN: until the log matches the extended regex (or the run ends: fail).
wait_for() {
  for _ in $(seq 1 6000); do
    grep -Eq "$2" "$work/$1.log" && return 0
    kill -0 "$pid" 2>/dev/null || fail "run $1 ended before '$2'"
    sleep 0.02
  done
  fail "run $1: no '$2' after 120 s"
}

# wait_count NAME PATTERN N: until the log has N lines matching the extended regex.
wait_count() {
  for _ in $(seq 1 6000); do
    [ "$(grep -Ec "$2" "$work/$1.log")" -ge "$3" ] && return 0
    kill -0 "$pid" 2>/dev/null || fail "run $1 ended before $3 x '$2'"
    sleep 0.02
  done
  fail "run $1: fewer than $3 x '$2' after 120 s"
}

# The units done according to the last progress line of a log.
units_done() { grep -Eo 'progress: [0-9]+/' "$work/$1.log" | tail -n 1 | grep -Eo '[0-9]+'; }

kill9() { pkill -9 -f "$work/x.toml"; wait "$pid" 2>/dev/null; }

same() {  # same A.h5 B.h5 WHAT [results_compare options]
  "$compare" "$1" "$2" "${@:4}" >"$work/compare.txt" 2>&1 || { cat "$work/compare.txt"; fail "$3"; }
}

write_experiment
total=$("$tool" "$work/x.toml" --dry-run | sed -n 's/^plan of experiment micro: \([0-9]*\) units.*/\1/p')
[ -n "$total" ] || fail "no unit count in the dry run"
case "$scenario" in
  ranks)
    run r1 1
    [ $rc -eq 0 ] || fail "1 rank exited $rc"
    grep -q "results: $work/out/results.h5" "$work/r1.log" || fail "no 'results:' line"
    grep -q "report: $work/out/report/report.html" "$work/r1.log" || fail "no 'report:' line"
    for f in report.html report.md fronts.csv summary.json; do
      [ -s "$work/out/report/$f" ] || fail "the report has no $f"
    done
    # docs/results.md's pandas example, as written but for the report's folder.
    docs=$(cd "$(dirname "$0")/../.." && pwd)/docs/results.md
    sed -n '/^```python$/,/^```$/p' "$docs" | sed '1d;$d' | sed "s|runs/mini/report|$work/out/report|g" \
      >"$work/results_example.py"
    grep -q "$work/out/report/fronts.csv" "$work/results_example.py" || fail "no pandas example in $docs"
    /usr/bin/python3 "$work/results_example.py" >"$work/results_example.txt" 2>&1 ||
      { cat "$work/results_example.txt"; fail "the pandas example of $docs failed on the report"; }
    cp "$work/out/results.h5" "$work/ref.h5"
    for spec in 2:1 3:1 4:1 3:2 5:2; do
      ranks=${spec%:*} group=${spec#*:}
      run "r$ranks-g$group" "$ranks" --fresh --set cluster.ranks_per_group="$group"
      [ $rc -eq 0 ] || fail "$ranks ranks in groups of $group exited $rc"
      # Groups change the configuration (its hash), not the numbers: compare the records.
      same "$work/ref.h5" "$work/out/results.h5" "$ranks ranks in groups of $group differ from 1 rank" --records-only
    done
    ;;
  resume)
    run whole 2
    [ $rc -eq 0 ] || fail "uninterrupted run exited $rc"
    mv "$work/out" "$work/whole"
    start k1 2
    wait_for k1 'run (ls|epo)/[^ ]*: '  # a training run is journaled; others are training
    kill9
    start k2 2
    wait_for k2 "resuming .*: [0-9]+ of $total units already done"
    wait_count k2 'rank [0-9]+: eval ' 3
    pkill -TERM -f "^$tool $work/x.toml"
    wait "$pid"
    rc=$?
    [ $rc -eq 75 ] || fail "SIGTERM: exit $rc, expected 75"
    grep -q 'rerun the same command to resume' "$work/k2.log" || fail "SIGTERM: no resume hint"
    done_k2=$(units_done k2)
    check_done 75 "results: $done_k2 of $total units done: rerun the same command to resume"
    start k3 2
    wait_for k3 "resuming .*: $done_k2 of $total units already done"
    wait_count k3 'rank [0-9]+: eval ' 20
    kill9
    start k4 2
    wait_for k4 "progress: $total/$total"
    kill9
    run final 2
    [ $rc -eq 0 ] || fail "final resumed run exited $rc"
    same "$work/whole/results.h5" "$work/out/results.h5" "the resumed run differs from the uninterrupted one"
    check_done 0 "results: $total of $total units done\$"
    # One session row per invocation that opened the store: k1, k2, k3, k4 and final.
    sessions=$(/usr/bin/python3 -c 'import h5py, sys; print(len(h5py.File(sys.argv[1], "r")["sessions/ranks"]))' \
               "$work/out/results.h5")
    [ "$sessions" = 5 ] || fail "expected 5 sessions in the resumed file, found '$sessions'"
    ;;
  config)
    sed -i 's/^device = "cpu"$/device = "auto"/' "$work/x.toml"  # for the no-CUDA checks below
    check_done 75 "results: 0 of $total units done"       # nothing run yet
    check_done 75 "results: 0 of [1-9][0-9]* units done" --units train
    [ ! -e "$work/out" ] || fail "--check-done created $work/out"
    run first 1
    [ $rc -eq 0 ] || fail "first run exited $rc"
    cp "$work/out/results.h5" "$work/ref.h5"
    run again 2
    [ $rc -eq 0 ] || fail "rerun of a finished experiment exited $rc"
    grep -q "$total done before, 0 done now" "$work/again.log" || fail "rerun redid units"
    if [ "${PWEMOE_CUDA_BUILD:-OFF}" = OFF ]; then
      CUDA_VISIBLE_DEVICES=0 run gpuenv 2
      [ $rc -eq 0 ] || fail "a visible CUDA device in a CPU build: exit $rc, expected 0"
      n=$(grep -c '2 of 2 rank(s) see a CUDA device (rank 0: CUDA_VISIBLE_DEVICES=0), but this build of pwemoe has no CUDA support: every unit runs on the CPU. Rebuild with -DPWEMOE_WITH_CUDA=ON' "$work/gpuenv.log")
      [ "$n" -eq 1 ] || fail "expected the no-CUDA warning once (rank 0), found it $n times"
      grep -q 'see a CUDA device' "$work/again.log" && fail "warned of a CUDA device without one"
      run cuda 2 --set cluster.device='"cuda"'
      [ $rc -eq 2 ] || fail "cluster.device = cuda in a CPU build: exit $rc, expected 2"
      n=$(grep -c 'cluster.device = "cuda" but this build has no CUDA support; rebuild with -DPWEMOE_WITH_CUDA=ON' "$work/cuda.log")
      [ "$n" -eq 1 ] || fail "expected the cluster.device error once, found it $n times"
    fi
    # [report] and [slurm] do not change the numbers: accepted as the same experiment.
    run reref 1 --set report.reference=0.1 --set slurm.time='"00:05:00"'
    [ $rc -eq 0 ] || fail "changing [report]/[slurm] exited $rc"
    grep -q "$total done before, 0 done now" "$work/reref.log" || fail "changing [report] redid units"
    run changed 2 --set train.lr=0.02
    [ $rc -eq 2 ] || fail "a changed configuration exited $rc, expected 2"
    grep -q -- '--fresh' "$work/changed.log" || fail "the refusal does not mention --fresh"
    check_done 2 "another configuration|--fresh" --set train.lr=0.02
    check_done 0 "results: $total of $total units done" --set slurm.time=00:05:00
    same "$work/ref.h5" "$work/out/results.h5" "the refused run changed the results"
    run fresh 2 --set train.lr=0.02 --fresh
    [ $rc -eq 0 ] || fail "--fresh exited $rc"
    ls "$work/out" | grep -q 'results.h5.old-' || fail "--fresh did not keep the old file"
    grep -q "0 done before, $total done now" "$work/fresh.log" || fail "--fresh did not start over"
    ;;
  failure)
    printf 'not an HDF5 file\n' >"$work/broken.h5"
    write_experiment "test_data = { clothing = \"$bench/data/clothing/test.h5\", digits = \"$bench/data/digits/test.h5\", letters = \"$work/broken.h5\" }"
    run broken 2
    [ $rc -eq 1 ] || fail "failing units: exit $rc, expected 1"
    grep -Eq '[1-9][0-9]* failed' "$work/broken.log" || fail "no failure count"
    grep -q 'broken.h5' "$work/broken.log" || fail "the failure does not name the file"
    grep -q "failed units are listed in $work/out/results.h5:/failures" "$work/broken.log" || fail "no hint"
    run failfast 1 --fresh --fail-fast
    [ $rc -eq 1 ] || fail "--fail-fast: exit $rc, expected 1"
    grep -q 'fail-fast' "$work/failfast.log" || fail "--fail-fast did not stop"
    cp "$bench/data/letters/test.h5" "$work/broken.h5"  # same configuration, data repaired
    run repaired 2
    [ $rc -eq 0 ] || fail "rerun with the data repaired exited $rc"
    ;;
  *) fail "unknown scenario" ;;
esac
echo "orchestrate $scenario: ok"
