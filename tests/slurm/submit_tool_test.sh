#!/usr/bin/env bash
# pwemoe-submit as a process, with stand-ins for sbatch and scontrol (no Slurm needed): the script
# it writes and submits, what it prints, --wait's exit status, and its errors and exit codes.
# Usage: submit_tool_test.sh PWEMOE_SUBMIT
set -u
tool=$1
work=$(mktemp -d /tmp/pwemoe-submit-tool-XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; for f in "$work"/*.log; do echo "--- $f"; cat "$f"; done; exit 1; }

cat >"$work/x.toml" <<TOML
[experiment]
name = "sub"
output_dir = "$work/out"
[benchmark]
dir = "$work/bench"
size = "micro"
[tasks]
names = ["clothing", "digits"]
[slurm]
tasks_per_node = 2
time = 30
TOML

# sbatch stand-in: records its arguments and the script, prints a job id (or fails on demand).
mkdir "$work/bin"
cat >"$work/bin/sbatch" <<SH
#!/bin/sh
echo "\$@" > "$work/sbatch.args"
cp "\$2" "$work/submitted.sbatch"
[ -e "$work/refuse" ] && { echo "sbatch: error: Batch job submission failed: Invalid partition name specified" >&2; exit 1; }
echo "4242;testcluster"
SH
# scontrol stand-in: RUNNING twice, then the final line in $work/final.
cat >"$work/bin/scontrol" <<SH
#!/bin/sh
n=\$(cat "$work/n" 2>/dev/null || echo 0); n=\$((n + 1)); echo \$n > "$work/n"
if [ \$n -le 2 ]; then echo "JobId=4242 JobState=RUNNING Reason=None Restarts=0 ExitCode=0:0"; else cat "$work/final"; fi
SH
chmod +x "$work/bin/sbatch" "$work/bin/scontrol"
export PATH="$work/bin:$PATH"

# Submitted: the script is kept, sbatch got it with --parsable, the paths are printed.
"$tool" "$work/x.toml" --set slurm.partition=gpu >"$work/submit.log" 2>&1 || fail "submit exited $?"
[ "$(cat "$work/sbatch.args")" = "--parsable $work/out/slurm/job.sbatch" ] || fail "sbatch args: $(cat "$work/sbatch.args")"
cmp -s "$work/submitted.sbatch" "$work/out/slurm/job.sbatch" || fail "the submitted script is not the kept one"
grep -qx 'submitted job 4242' "$work/submit.log" || fail "no job id line"
grep -qx "  output:  $work/out/slurm/slurm-4242.out" "$work/submit.log" || fail "no output line"
grep -qx "  results: $work/out/results.h5" "$work/submit.log" || fail "no results line"
grep -qx '#SBATCH --time=30' "$work/out/slurm/job.sbatch" || fail "integer minutes not rendered"
grep -qx "#SBATCH --partition=gpu" "$work/out/slurm/job.sbatch" || fail "--set slurm.partition not rendered"
grep -q -- "--set 'slurm.partition=gpu'" "$work/out/slurm/job.sbatch" || fail "--set not passed on to the job"
grep -q -- "--check-done" "$work/out/slurm/job.sbatch" || fail "the script does not check the results"
bash -n "$work/out/slurm/job.sbatch" || fail "the kept script is not valid bash"

# --dry-run prints the same script and submits nothing.
rm -f "$work/sbatch.args"
"$tool" "$work/x.toml" --set slurm.partition=gpu --dry-run >"$work/dry.log" 2>&1 || fail "--dry-run exited $?"
cmp -s "$work/dry.log" "$work/out/slurm/job.sbatch" || fail "--dry-run printed another script"
[ ! -e "$work/sbatch.args" ] || fail "--dry-run ran sbatch"

# --wait: follows the job and exits with its status.
wait_case() {  # wait_case FINAL_LINE EXPECTED_EXIT
  rm -f "$work/n"
  echo "$1" >"$work/final"
  "$tool" "$work/x.toml" --wait >"$work/wait.log" 2>&1
  local rc=$?
  [ $rc -eq "$2" ] || fail "--wait on '$1' exited $rc, expected $2"
  grep -qx 'job 4242: RUNNING' "$work/wait.log" || fail "--wait did not report RUNNING"
  [ "$(grep -c 'job 4242: RUNNING$' "$work/wait.log")" = 1 ] || fail "--wait repeated an unchanged state"
}
wait_case "JobId=4242 JobState=COMPLETED Reason=None Restarts=1 ExitCode=0:0 DerivedExitCode=0:0" 0
grep -q 'job 4242 ended COMPLETED, exit code 0:0; pwemoe-submit exits 0' "$work/wait.log" || fail "no end line"
wait_case "JobId=4242 JobState=FAILED Reason=NonZeroExitCode Restarts=0 ExitCode=75:0" 75
wait_case "JobId=4242 JobState=CANCELLED Reason=None Restarts=0 ExitCode=0:15" 143

# Errors: sbatch refusing (its message goes out, exit 1), sbatch missing (exit 1), a bad
# configuration (exit 2, nothing written), a bad flag (exit 2).
touch "$work/refuse"
"$tool" "$work/x.toml" >"$work/refused.log" 2>&1
[ $? -eq 1 ] || fail "sbatch refusing: exit code not 1"
grep -q 'Invalid partition name specified' "$work/refused.log" || fail "sbatch's own error was lost"
grep -q "sbatch refused the job (exit status 1); the script is $work/out/slurm/job.sbatch" "$work/refused.log" \
  || fail "no refusal message"
rm "$work/refuse"
"$tool" "$work/x.toml" --sbatch "$work/none/sbatch" >"$work/missing.log" 2>&1
[ $? -eq 1 ] || fail "missing sbatch: exit code not 1"
grep -q "'$work/none/sbatch' not found" "$work/missing.log" || fail "missing sbatch not named"
rm -rf "$work/out"
"$tool" "$work/x.toml" --set slurm.time=1h >"$work/bad.log" 2>&1
[ $? -eq 2 ] || fail "bad configuration: exit code not 2"
grep -q 'slurm.time' "$work/bad.log" || fail "the bad key is not named"
[ ! -e "$work/out" ] || fail "a bad configuration wrote $work/out"
"$tool" "$work/x.toml" --wiat >"$work/flag.log" 2>&1
[ $? -eq 2 ] || fail "unknown flag: exit code not 2"
echo "submit_tool_test: ok"
