// pwemoe-make-mini: builds the built-in benchmark (pwemoe/mini/make_mini.h) into one folder: task
// datasets from Fashion-MNIST and rendered glyphs, a tiny pretrained CLIP-ViT, linear-probe heads
// and one fine-tuned expert per task, and a manifest with the quality gates. A rerun on a folder
// that is complete for the same configuration does nothing.
//
// Exit codes: 0 success (or reuse); 2 a bad command line; 1 a runtime failure naming the file or
// task at fault; 3 the full-size quality gates failed (every file and the manifest are written).
#include <torch/torch.h>

#include <spdlog/spdlog.h>

#include <cstdio>
#include <string>

#include "config/experiment_config.h"
#include "pwemoe/mini/make_mini.h"
#include "pwemoe/util/tool.h"
#include "pwemoe/util/strings.h"

namespace pwemoe::tools {
namespace {

const ToolSpec kSpec =
    ToolSpec{
        "pwemoe-make-mini",
        "pwemoe-make-mini (--out DIR [--size micro|full] [--seed S] | --experiment FILE) [options]",
        "Builds the built-in benchmark: 8 (or up to 20) image tasks (Fashion-MNIST and glyphs rendered\n"
        "from Debian's fonts), a tiny CLIP vision transformer pretrained as a generalist, a linear-probe head and a\n"
        "fine-tuned expert per task, and DIR/manifest.json with the accuracies and quality gates.\n"
        "Deterministic for a seed; a rerun on a complete DIR of the same configuration is a no-op.\n"
        "Exit 3 when a full-size quality gate fails (files and manifest are still written).",
        {
            {"--experiment", "FILE", "", "take --out, --size, --seed and --tasks from this experiment's [benchmark] and [tasks]"},
            {"--out", "DIR", "", "output folder (created; an experiment's [benchmark].dir)"},
            {"--size", "SIZE", "full", "full (the experiments' benchmark) or micro (tests: seconds)"},
            {"--seed", "S", "0", "seed of every random choice (data, initialisation, minibatches)"},
            {"--tasks", "N|A,B,...", "", "the first N tasks (8: the default benchmark, 20: all), or these tasks"},
            {"--workers", "N", "0", "fits and evaluations at once, one per task (0: one per hardware thread); same files"},
            {"--fashion-dir", "DIR", "/usr/share/datasets/fashion-mnist",
             "Fashion-MNIST IDX files (Debian package dataset-fashion-mnist)"},
            {"--force", "", "", "rebuild even when DIR is complete for this configuration"},
            {"--hash", "", "", "print the configuration hash and whether DIR is complete, then exit"},
        }}
        .WithThreads("0", "LibTorch threads; 0: the recipe's (1); changes the hash", 0)
        .WithLogLevel()
        .WithAbortedExitCode(3);

Status ReadOptions(const ParsedFlags& flags, int64_t threads, mini::MakeOptions* o) {
  PWEMOE_RETURN_IF_ERROR(CheckPositional(kSpec, flags, 0));
  int64_t seed = 0;
  if (flags.Has("--experiment")) {
    for (const char* other : {"--out", "--size", "--seed"}) {
      if (flags.Has(other)) {
        return Status::InvalidArgument(std::string(other) + " cannot be combined with --experiment");
      }
    }
    config::ExperimentConfig experiment;
    PWEMOE_RETURN_IF_ERROR(config::LoadExperiment(flags.Get("--experiment"), {}, &experiment));
    if (!experiment.benchmark.enabled) {
      return Status::InvalidArgument(flags.Get("--experiment") +
                                     ": no [benchmark] section, so there is nothing to build");
    }
    o->out_dir = experiment.benchmark.dir;
    PWEMOE_RETURN_IF_ERROR(mini::ParseSize(experiment.benchmark.size, &o->data.size));
    o->data.seed = experiment.benchmark.seed;
    std::vector<std::string> wanted;
    for (const config::TaskSpec& t : experiment.tasks) wanted.push_back(t.name);
    PWEMOE_RETURN_IF_ERROR(mini::BenchmarkTasks(experiment.benchmark.tasks, wanted, &o->data.tasks)
                               .WithContext(flags.Get("--experiment")));
  } else {
    o->out_dir = flags.Get("--out");
    if (o->out_dir.empty()) return UsageError(kSpec, "--out or --experiment is required");
    PWEMOE_RETURN_IF_ERROR(mini::ParseSize(flags.Get("--size"), &o->data.size));
    PWEMOE_RETURN_IF_ERROR(GetIntFlag(flags, "--seed", 0, &seed));
    o->data.seed = static_cast<uint64_t>(seed);
  }
  o->threads = static_cast<int>(threads);
  o->data.fashion_dir = flags.Get("--fashion-dir");
  const std::string tasks = flags.Get("--tasks");
  if (!tasks.empty() && flags.Has("--experiment")) {
    return Status::InvalidArgument("--tasks cannot be combined with --experiment");
  } else if (!tasks.empty() && tasks.find_first_not_of("0123456789") == std::string::npos) {
    int64_t count = 0;
    PWEMOE_RETURN_IF_ERROR(GetIntFlag(flags, "--tasks", 1, &count));
    PWEMOE_RETURN_IF_ERROR(mini::FirstTasks(count, &o->data.tasks).WithContext("--tasks"));
  } else if (!tasks.empty()) {
    o->data.tasks = Split(tasks, ',');
  }
  int64_t workers = 0;
  PWEMOE_RETURN_IF_ERROR(GetIntFlag(flags, "--workers", 0, &workers));
  o->workers = static_cast<int>(workers);
  o->force = flags.Has("--force");
  return Status::Ok();
}

Status Run(ToolContext* ctx) {
  mini::MakeOptions o;
  PWEMOE_RETURN_IF_ERROR(ReadOptions(ctx->flags, ctx->threads, &o));
  if (ctx->flags.Has("--hash")) {
    const std::string hash = mini::ConfigHash(o);
    std::printf("%s %s\n", hash.c_str(), mini::IsComplete(o.out_dir, hash) ? "complete" : "missing");
    return Status::Ok();
  }
  mini::MakeResult result;
  PWEMOE_RETURN_IF_ERROR(
      mini::MakeMini(o, [](const std::string& line) { spdlog::info("{}", line); }, &result));
  spdlog::info("benchmark {} ({}): {} in {:.1f} s", o.out_dir, result.config_hash,
               result.reused ? "reused" : "built", result.seconds);
  return Status::Ok();
}

}  // namespace
}  // namespace pwemoe::tools

PWEMOE_TOOL_MAIN(pwemoe::tools::kSpec, pwemoe::tools::Run)
