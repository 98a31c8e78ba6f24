#!/usr/bin/env bash
# Runs the micro experiment as a Slurm batch job on the test cluster of tests/slurm/cluster.sh
# (started beforehand: the slurm label's fixture). Scenarios:
#   submit   the job runs to the end: COMPLETED, exit 0, and its results file holds the same
#            records as a run of the same experiment under plain mpirun.
#   preempt  the job gets the warning signal (scancel --batch --signal=TERM, what Slurm sends
#            @SIGNAL_GRACE@ seconds before the time limit) mid-run: the ranks save and exit 75,
#            the job requeues itself, starts again, resumes and finishes; one output file holds
#            both runs; the records equal an uninterrupted run's.
# Until pwemoe-submit exists the job script is slurm/pwemoe.sbatch rendered here (render()).
# Usage: [LAUNCHER=srun|mpirun] slurm_run.sh SCENARIO CLUSTER_DIR ORCHESTRATE COMPARE BENCH_DIR
set -u
scenario=$1 cluster=$2 tool=$3 compare=$4 bench=$5
here=$(cd "$(dirname "$0")" && pwd)
template=$here/../../slurm/pwemoe.sbatch
eval "$("$here/cluster.sh" env "$cluster")"
work=$(mktemp -d /tmp/pwemoe-slurm-XXXXXX)
jobs=()
cleanup() {
  for j in "${jobs[@]}"; do scancel "$j" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL ($scenario): $*"
  for f in "$work"/*.out "$work"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 30 "$f"; }; done
  for j in "${jobs[@]}"; do scontrol show job "$j" 2>/dev/null; done
  for f in "$cluster"/log/slurmctld.log "$cluster"/log/slurmd.log; do echo "--- $f"; tail -n 20 "$f"; done
  exit 1
}
t0=$(date +%s)
elapsed() { echo "$(( $(date +%s) - t0 )) s"; }

cat >"$work/x.toml" <<TOML
[experiment]
name = "micro"
seed = 0
output_dir = "$work/out"

[benchmark]
dir = "$bench"
size = "micro"

[tasks]
names = ["clothing", "digits", "letters"]

[train]
variants = ["ls", "epo"]
subsets = [["clothing", "digits"], "all"]
steps = 40
batch_size = 8
save_interval = 6

[eval]
ray_sets = ["grid", "one-hot", "equal"]
grid_points = 5
batch_size = 64
sample_cap = 64
rays_per_unit = 2

[baselines]
task_arithmetic = [0.3, 0.6]

[cluster]
threads_per_rank = 1
device = "cpu"

[slurm]
tasks_per_node = 2
mem = "512M"
time = "00:10:00"
TOML

# render OUT KEY=VALUE...: slurm/pwemoe.sbatch with its placeholders filled (pwemoe-submit's job).
render() {
  local out=$1
  shift
  /usr/bin/python3 - "$template" "$out" "$@" <<'PY'
import re, sys
template, out, *pairs = sys.argv[1:]
values = dict(p.split("=", 1) for p in pairs)
text = re.sub(r"@([A-Z_]+)@", lambda m: values.get(m.group(1), m.group(0)), open(template).read())
left = sorted(set(re.findall(r"@[A-Z_]+@", text)))
if left:
    sys.exit(f"render: no value for {' '.join(left)}")
open(out, "w").write(text)
PY
}

# submit NAME [ORCHESTRATOR ARGS]: renders and submits the job; sets jid.
submit() {
  local name=$1
  shift
  render "$work/$name.sbatch" JOB_NAME="$name" NODES=1 TASKS_PER_NODE=2 CPUS_PER_TASK=1 MEM=512M \
    TIME=00:10:00 SIGNAL_GRACE=120 REQUEUE=--requeue OUTPUT="$work/$name.out" SBATCH_EXTRA= \
    LAUNCHER="${LAUNCHER:-srun}" MPI_PLUGIN=pmix ORCHESTRATE="$tool" EXPERIMENT="$work/x.toml" GRACE=60 \
    MAX_REQUEUES=3 ARGS="--progress 1 --log-level debug $*" || fail "render"
  jid=$(sbatch --parsable "$work/$name.sbatch") || fail "sbatch refused the job"
  jobs+=("$jid")
}

field() { scontrol -o show job "$1" 2>/dev/null | grep -o "$2=[^ ]*" | cut -d= -f2; }

# wait_state ID STATE SECONDS: polls once a second (sbatch --wait polls at 2, 8, then 32 s).
wait_state() {
  local s
  for _ in $(seq 1 "$3"); do
    s=$(field "$1" JobState)
    [ "$s" = "$2" ] && return 0
    case $s in COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE)
      fail "job $1 is $s, expected $2" ;;
    esac
    sleep 1
  done
  fail "job $1 is '$s' after $3 s, expected $2"
}

wait_log() {  # wait_log FILE REGEX SECONDS
  for _ in $(seq 1 $(( $3 * 10 ))); do
    grep -Eq "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  fail "no '$2' in $1 after $3 s"
}

reference() {  # the same experiment under plain mpirun: $work/ref/results.h5
  mpirun -np 2 --oversubscribe "$tool" "$work/x.toml" --progress 0 "$@" \
    --set experiment.output_dir="$work/ref" >"$work/ref.log" 2>&1 || fail "the mpirun reference failed"
}

case "$scenario" in
  submit)
    reference
    submit whole
    wait_state "$jid" COMPLETED 120
    [ "$(field "$jid" ExitCode)" = 0:0 ] || fail "exit code $(field "$jid" ExitCode)"
    grep -q "results: $work/out/results.h5" "$work/whole.out" || fail "no 'results:' line"
    "$compare" "$work/ref/results.h5" "$work/out/results.h5" --records-only >"$work/compare.log" 2>&1 \
      || fail "the Slurm run differs from the mpirun run"
    ;;
  preempt)
    steps=(--set train.steps=400)  # about 8 s of work on 2 ranks: room to stop it mid-run
    reference "${steps[@]}"
    submit pre "${steps[@]}"
    wait_state "$jid" RUNNING 60
    wait_log "$work/pre.out" 'run (ls|epo)/[^ ]*: ' 60  # a training run is journaled
    scancel --batch --signal=TERM "$jid"
    wait_log "$work/pre.out" 'stopped with work left: requeueing' 90
    wait_state "$jid" PENDING 60
    [ "$(field "$jid" Restarts)" = 1 ] || fail "Restarts=$(field "$jid" Restarts), expected 1"
    # A requeued job waits for its credential to expire (AuthInfo cred_expire, 120 s). Start it
    # now, but only once the old step's slurmstepd has let go of its PMIx socket: a step launched
    # before that fails, and srun then exits 0 having run nothing.
    spool=$(scontrol show config | sed -n 's/^SlurmdSpoolDir *= *//p')
    spool=${spool//%n/$(sinfo -h -N -o %N | head -n 1)}
    for _ in $(seq 1 300); do
      compgen -G "$spool/stepd.slurm.pmix.$jid.*" >/dev/null || break
      sleep 0.1
    done
    scontrol update jobid="$jid" StartTime=now || fail "cannot start the requeued job"
    wait_state "$jid" COMPLETED 120
    [ "$(field "$jid" ExitCode)" = 0:0 ] || fail "exit code $(field "$jid" ExitCode)"
    grep -q 'received SIGTERM' "$work/pre.out" || fail "the batch script did not get SIGTERM"
    grep -q 'stopped before the end: rerun the same command to resume' "$work/pre.out" || fail "the ranks did not stop and save"
    grep -q '(restart 0): stopped with work left: requeueing' "$work/pre.out" || fail "the job did not requeue itself"
    grep -q '(restart 1): starting' "$work/pre.out" || fail "no second start in the (appended) output"
    grep -Eq 'resuming .*: [1-9][0-9]* of [0-9]+ units already done' "$work/pre.out" || fail "no resume"
    "$compare" "$work/ref/results.h5" "$work/out/results.h5" --records-only >"$work/compare.log" 2>&1 \
      || fail "the preempted run differs from the uninterrupted one: $(cat "$work/compare.log")"
    ;;
  *) fail "unknown scenario" ;;
esac
echo "slurm $scenario: ok ($(elapsed))"
