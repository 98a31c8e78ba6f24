# Sourced by the process tests (tests/mpi, tests/slurm): the micro experiment they all run (3
# tasks, LS and EPO, 2 subsets, 121 units on the micro benchmark).
# write_micro_experiment FILE OUTPUT_DIR BENCH_DIR [TASKS_EXTRA] [APPENDED]
#   TASKS_EXTRA: TOML lines added to [tasks] (e.g. test_data = {...}); APPENDED: added at the end.
write_micro_experiment() {
  cat >"$1" <<TOML
[experiment]
name = "micro"
seed = 0
output_dir = "$2"

[benchmark]
dir = "$3"
size = "micro"

[tasks]
names = ["clothing", "digits", "letters"]
${4:-}

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
${5:-}
TOML
}
