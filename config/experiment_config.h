// The experiment configuration: one TOML file per experiment, parsed into typed structs and fully
// validated before any work starts.
//
// Paths in the file are resolved against the working directory at launch and stored absolute.
// A path may hold the placeholder "{task}", replaced by each task's name.
// The reference of every key, with its default, is in docs/configuration.md.
//
// Thread safety: the structs are plain values; the functions keep no state.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pwemoe/util/status.h"

namespace pwemoe::config {

enum class Variant { kLs, kEpo };

// "ls" / "epo".
const char* VariantName(Variant v);

struct ExperimentSection {
  std::string name;        // required; letters, digits, '-', '_', '.'
  uint64_t seed = 0;       // base seed of everything random in the experiment
  std::string output_dir;  // default: runs/<name>
};

// The built-in benchmark (pwemoe-make-mini). When enabled, model and data paths that are not set
// default into `dir`, and paths inside `dir` are not required to exist yet: the first run builds
// them.
struct BenchmarkSection {
  bool enabled = false;
  std::string dir;
  std::string size = "full";  // micro | full
  uint64_t seed = 0;
  // How many of the benchmark's tasks to build (the first N of pwemoe/mini's list: 8 is the
  // default benchmark, 20 every task); 0 (key absent): 8, or 20 when [tasks] names one of the
  // 12 after the 8. Checked against the list where the benchmark is built (mini::BenchmarkTasks).
  int64_t tasks = 0;
};

struct TaskSpec {
  std::string name;
  std::string expert;      // fine-tuned checkpoint (directory or .safetensors)
  std::string head;        // classification head .safetensors
  std::string train_data;  // dataset HDF5
  std::string test_data;   // dataset HDF5
};

struct ModelSection {
  std::string architecture = "clip-vit";
  std::string pretrained;  // directory with config.json + safetensors, or a .safetensors file
};

struct UpscaleSection {
  std::vector<std::string> modules = {"mlp"};  // module-name patterns of the upscaled modules
  double init_lambda = 0.3;                    // task-arithmetic scale of what is not upscaled
  int router_hidden_layers = 2;                // 0, 1 or 2
};

struct TrainSection {
  std::vector<Variant> variants = {Variant::kLs, Variant::kEpo};
  std::vector<std::vector<int>> subsets;  // indices into ExperimentConfig::tasks, each >= 2 tasks
  std::vector<uint64_t> seeds;            // default: {experiment.seed}
  int steps = 2000;
  double lr = 1e-2;
  int batch_size = 16;      // per task per step
  double alpha = 1.0;       // Dirichlet concentration of the training rays
  int save_interval = 500;  // router checkpoint every N steps; 0: final only
  int threads = 0;          // LibTorch threads of a training rank; 0: cluster.threads_per_rank
  double epo_eps = 1e-4;    // EPO's balance/descent threshold on mu
};

struct EvalSection {
  bool grid = true;
  bool one_hot = true;
  bool equal = true;
  int grid_points = 11;        // points per simplex edge
  int dirichlet_samples = 0;   // Dirichlet rays (needs "dirichlet" in ray_sets)
  double dirichlet_alpha = 1.0;
  int batch_size = 128;
  int64_t sample_cap = 0;      // test samples per task; 0: all
  int rays_per_unit = 8;       // rays in one evaluation work unit
};

struct BaselinesSection {
  bool pretrained = true;
  bool experts = true;
  bool simple_average = true;
  std::vector<double> task_arithmetic = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
  bool weighted_task_arithmetic = true;  // theta_pre + lambda * sum_i r_i tau_i on the eval rays
  double weighted_lambda = 1.0;
};

struct ClusterSection {
  int ranks_per_group = 1;  // ranks of one training group
  int threads_per_rank = 1; // LibTorch threads per rank
  std::string device = "auto";  // cpu | cuda | auto
};

// How tensors are computed. precision: "auto" (bf16 where the device has bfloat16 instructions,
// else fp32), "bf16" or "fp32" (pwemoe/model/precision.h). pwemoe-orchestrate resolves "auto"
// before the run, so the resolved configuration and its hash name what was computed.
struct ComputeSection {
  std::string precision = "auto";
};

struct SlurmSection {
  std::string partition, account, qos;
  int nodes = 1;
  int tasks_per_node = 1;
  int gpus_per_node = 0;
  int cpus_per_task = 1;
  std::string mem = "8G";
  std::string time = "01:00:00";
  bool requeue = true;
  int signal_grace = 120;         // seconds of warning before the time limit
  std::string launcher = "srun";  // srun | mpirun
  std::vector<std::string> extra; // extra #SBATCH options, each starting with '-'
};

struct ReportSection {
  double reference = 0;  // hypervolume reference of raw accuracies, every coordinate, in [0, 1)
};

struct ExperimentConfig {
  std::string source_path;             // the TOML file as given
  std::string source_text;             // its text
  std::vector<std::string> overrides;  // the --set arguments, in order
  ExperimentSection experiment;
  BenchmarkSection benchmark;
  ModelSection model;
  std::vector<TaskSpec> tasks;  // in the order of tasks.names
  UpscaleSection upscale;
  TrainSection train;
  EvalSection eval;
  BaselinesSection baselines;
  ClusterSection cluster;
  ComputeSection compute;
  SlurmSection slurm;
  ReportSection report;

  // Task names of a subset, in subset order.
  std::vector<std::string> SubsetNames(const std::vector<int>& subset) const;
};

// One validation error: where (file:line:column, or the --set argument), which key, and what was
// expected and found.
struct ConfigError {
  std::string origin;  // the file path, or "--set key=value"
  int line = 0;        // 1-based; 0 when the error has no line (a missing section)
  int column = 0;
  std::string key;     // dotted: "train.lr"
  std::string message;

  // "file:line:column: key: message" (line and column left out when 0).
  std::string ToString() const;
};

// Reads the TOML file at `path`, applies `overrides` ("section.key=value", the value in TOML
// syntax, or a bare string), and validates every key. On success fills *out and returns OK. On
// failure returns InvalidArgument whose message holds every error, one per line, in file order
// (exit code 2), and leaves *out unspecified; *errors, when given, receives them one by one.
Status LoadExperiment(const std::string& path, const std::vector<std::string>& overrides,
                      ExperimentConfig* out, std::vector<ConfigError>* errors = nullptr);

// As LoadExperiment, for TOML text already in memory; `origin` names it in errors.
Status ParseExperiment(const std::string& text, const std::string& origin,
                       const std::vector<std::string>& overrides, ExperimentConfig* out,
                       std::vector<ConfigError>* errors = nullptr);

// The resolved configuration (every key, defaults included, paths absolute) as TOML text that
// ParseExperiment accepts and that resolves to the same configuration.
std::string ToToml(const ExperimentConfig& config);

}  // namespace pwemoe::config
