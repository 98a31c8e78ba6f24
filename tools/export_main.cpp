// pwemoe-export: the merged model of a trained PWE MoE at one preference ray, written as a
// Hugging Face model folder (model.safetensors + config.json, CLIPVisionModelWithProjection).
//
// The pool (pretrained + the chosen tasks' experts) and the upscaling come from the experiment
// file; the routers from a router .safetensors file (fusion_bench key names, moe/router_io.h).
// Or, with --results, all three come from a results file of pwemoe-orchestrate (SCHEMA.md): the
// resolved experiment of its root attribute experiment_toml, the task subset of --run, and that
// run's final routers (or the checkpoint at --checkpoint), whose tensors carry router file keys.
//
// Exit codes: 0 success; 2 a bad command line or configuration (including a ray off the simplex
// or a router file that does not fit the experiment's tasks, an unknown --run or --checkpoint);
// 1 a runtime failure (including an unreadable results file).
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <filesystem>
#include <set>
#include <string>

#include "config/experiment_config.h"
#include "pwemoe/eval/export.h"
#include "pwemoe/eval/merge_at_ray.h"
#include "pwemoe/eval/ray_check.h"
#include "pwemoe/util/strings.h"
#include "pwemoe/util/tool.h"
#include "pwemoe/util/version.h"
#include "results/store/h5_reader.h"
#include "results/store/h5_writer.h"
#include "worker/unit_records.h"

namespace pwemoe::tools {
namespace {

namespace fs = std::filesystem;

const ToolSpec kSpec =
    ToolSpec{
        "pwemoe-export",
        "pwemoe-export --experiment X.toml --routers R.safetensors --ray r1,...,rT --out DIR "
        "[options]\n"
        "       pwemoe-export --results X.h5 --run NAME --ray r1,...,rT --out DIR [options]",
        "Merges the upscaled model of an experiment at one preference ray with trained routers\n"
        "(merge and unload) and writes it as a Hugging Face CLIPVisionModelWithProjection folder.",
        {
            {"--experiment", "FILE", "", "experiment .toml (model, tasks, [upscale])"},
            {"--routers", "FILE", "", "router parameters .safetensors for the chosen tasks"},
            {"--ray", "R1,...,RT", "", "preference ray: T entries >= 0 summing to 1"},
            {"--tasks", "A,B,...", "", "task subset the routers were trained on, in order; default: all tasks"},
            {"--results", "FILE.h5", "",
             "pwemoe-orchestrate results: experiment, tasks and routers of --run (replaces --experiment, "
             "--routers, --tasks)"},
            {"--run", "NAME", "", "with --results: the trained run, e.g. ls/task0+task1/seed0"},
            {"--checkpoint", "STEP", "final", "with --results: the routers checkpointed at STEP"},
            {"--out", "DIR", "", "output folder (must not exist, or be empty)"},
            {"--set", "KEY=VALUE", "", "override an experiment key, e.g. --set upscale.init_lambda=0.2", true},
        }}
        .WithThreads("1")
        .WithLogLevel();

struct Options {
  std::string experiment, routers, out;
  std::vector<std::string> sets;
  Ray ray;
  std::string tasks;  // as given
  std::string results, run;  // --results mode
  int64_t checkpoint = -1;   // -1: the final routers
};

Status Usage(const std::string& problem) { return UsageError(kSpec, problem); }

// The flags of either mode: --results with --run, or --experiment with --routers.
Status ReadModeFlags(const ParsedFlags& flags, Options* o) {
  o->results = flags.Get("--results");
  if (o->results.empty()) {
    for (const char* other : {"--run", "--checkpoint"}) {
      if (flags.Has(other)) return Usage(std::string(other) + " needs --results");
    }
    PWEMOE_RETURN_IF_ERROR(RequireFlags(kSpec, flags, {"--experiment", "--routers"}));
    o->experiment = flags.Get("--experiment");
    o->routers = flags.Get("--routers");
    o->tasks = flags.Get("--tasks");
    return Status::Ok();
  }
  for (const char* other : {"--experiment", "--routers", "--tasks"}) {
    if (flags.Has(other)) {
      return Usage(std::string("--results takes the experiment, routers and tasks from the file;"
                               " do not combine it with ") + other);
    }
  }
  o->run = flags.Get("--run");
  if (o->run.empty()) return Usage("--results needs --run");
  if (flags.Has("--checkpoint")) {
    PWEMOE_RETURN_IF_ERROR(GetIntFlag(flags, "--checkpoint", 0, &o->checkpoint));
  }
  return Status::Ok();
}

Status ReadOptions(const ParsedFlags& flags, Options* o) {
  PWEMOE_RETURN_IF_ERROR(CheckPositional(kSpec, flags, 0));
  PWEMOE_RETURN_IF_ERROR(RequireFlags(kSpec, flags, {"--ray", "--out"}));
  PWEMOE_RETURN_IF_ERROR(ReadModeFlags(flags, o));
  o->out = flags.Get("--out");
  o->sets = flags.GetAll("--set");
  return eval::ParseRay(flags.Get("--ray"), "--ray", &o->ray);
}

// The experiment's tasks named by --tasks (all when empty), in the given order.
Status SelectTasks(const config::ExperimentConfig& cfg, const std::string& list,
                   std::vector<config::TaskSpec>* out) {
  if (list.empty()) {
    *out = cfg.tasks;
    return Status::Ok();
  }
  std::set<std::string> seen;
  size_t start = 0;
  while (true) {
    const size_t comma = list.find(',', start);
    const std::string name = list.substr(start, comma == std::string::npos ? comma : comma - start);
    const config::TaskSpec* found = nullptr;
    for (const config::TaskSpec& t : cfg.tasks) found = t.name == name ? &t : found;
    if (found == nullptr || !seen.insert(name).second) {
      return Status::InvalidArgument("--tasks: '" + name + "' is " +
                                     (found ? "repeated" : "not a task of " + cfg.source_path));
    }
    out->push_back(*found);
    if (comma == std::string::npos) return Status::Ok();
    start = comma + 1;
  }
}

// config.json of the pretrained model: the folder's, or the one next to a .safetensors file.
Status PretrainedConfig(const std::string& pretrained, io::ClipVisionConfig* out) {
  std::error_code ec;
  const std::string where = fs::is_directory(pretrained, ec)
                                ? pretrained
                                : (fs::path(pretrained).parent_path() / "config.json").string();
  return io::LoadClipVisionConfig(where, out);
}

std::vector<std::string> Names(const std::vector<config::TaskSpec>& tasks) {
  std::vector<std::string> names;
  for (const auto& t : tasks) names.push_back(t.name);
  return names;
}

std::string RayText(const Ray& ray) {
  std::vector<std::string> entries;
  for (double r : ray) entries.push_back(FormatShortest(r));
  return Join(entries, ",");
}

// What the merge needs, from either mode.
struct Source {
  config::ExperimentConfig cfg;
  std::vector<config::TaskSpec> tasks;  // the routers' tasks, in ray order
  std::string routers;                  // the router file, or "<FILE.h5>:/runs/<run>/routers/..."
  bool from_results = false;            // routers are in router_tensors, not a file
  io::TensorMap router_tensors;
};

Status FromExperiment(const Options& o, Source* s) {
  Status st = config::LoadExperiment(o.experiment, o.sets, &s->cfg);
  if (!st.ok()) return st.WithContext("invalid experiment configuration");
  PWEMOE_RETURN_IF_ERROR(SelectTasks(s->cfg, o.tasks, &s->tasks));
  s->routers = o.routers;
  return Status::Ok();
}

// The experiment's TaskSpec of each of the run's task names.
Status RunTasks(const Source& s, const Options& o, const std::vector<std::string>& names,
                std::vector<config::TaskSpec>* out) {
  for (const std::string& name : names) {
    const config::TaskSpec* found = nullptr;
    for (const config::TaskSpec& t : s.cfg.tasks) found = t.name == name ? &t : found;
    if (found == nullptr) {
      return Status::InvalidArgument("--run: task '" + name + "' of run '" + o.run +
                                     "' is not a task of " + s.cfg.source_path);
    }
    out->push_back(*found);
  }
  return Status::Ok();
}

Status FromResults(const Options& o, Source* s) {
  results::StoreHeader header;
  PWEMOE_RETURN_IF_ERROR(results::ReadStoreHeader(o.results, &header));
  Status st = config::ParseExperiment(header.experiment_toml, o.results + ":experiment_toml",
                                      o.sets, &s->cfg);
  if (!st.ok()) return st.WithContext("invalid experiment configuration");
  std::vector<results::NamedTensor> tensors;
  std::vector<std::string> names;
  st = results::ReadRunRouters(o.results, o.run, o.checkpoint, &tensors, &names);
  if (st.code() == Status::Code::kNotFound) {  // which flag: the run, or its checkpoint?
    const bool run_exists =
        o.checkpoint >= 0 && results::ReadRunRouters(o.results, o.run, -1, &tensors, &names).ok();
    return Status::InvalidArgument((run_exists ? "--checkpoint: " : "--run: ") + st.message());
  }
  PWEMOE_RETURN_IF_ERROR(st);
  PWEMOE_RETURN_IF_ERROR(RunTasks(*s, o, names, &s->tasks));
  s->routers = o.results + ":/runs/" + results::LinkName(o.run) + "/routers/" +
               (o.checkpoint < 0 ? "final" : "step_" + std::to_string(o.checkpoint));
  s->from_results = true;
  return worker::NamedToTensorMap(s->routers, tensors, &s->router_tensors);
}

// The merge at the ray, from either mode. Routers that do not fit the experiment are a bad
// command line: InvalidArgument naming the flag to fix.
Status Merge(const Source& s, const Options& o, io::TensorMap* merged) {
  eval::MergeSource source{s.cfg.model.pretrained, Names(s.tasks), {}, s.cfg.upscale.modules,
                           s.cfg.upscale.init_lambda, s.cfg.upscale.router_hidden_layers};
  for (const auto& t : s.tasks) source.experts.push_back(t.expert);
  const eval::RouterSource routers{s.routers, s.from_results ? &s.router_tensors : nullptr};
  Status st = eval::MergeAtRay(source, routers, o.ray, "--ray", merged);
  if (st.code() != Status::Code::kCorrupt) return st;
  return Status::InvalidArgument((s.from_results ? "--run: " : "--routers: ") + st.message() +
                                 (s.from_results ? "; see [upscale]" : "; see --tasks and [upscale]"));
}

Status Export(const Options& o) {
  Source s;
  PWEMOE_RETURN_IF_ERROR(o.results.empty() ? FromExperiment(o, &s) : FromResults(o, &s));
  PWEMOE_RETURN_IF_ERROR(eval::ValidateRay(o.ray, static_cast<int64_t>(s.tasks.size()), "--ray"));
  PWEMOE_RETURN_IF_ERROR(eval::CheckExportTarget(o.out, "--out"));
  std::error_code ec;
  if (!s.from_results && !fs::is_regular_file(o.routers, ec)) {
    return Status::NotFound("--routers: " + o.routers + ": no such file");
  }
  io::ClipVisionConfig config;
  PWEMOE_RETURN_IF_ERROR(PretrainedConfig(s.cfg.model.pretrained, &config));
  io::TensorMap merged;
  PWEMOE_RETURN_IF_ERROR(Merge(s, o, &merged));
  const std::string tasks = Join(Names(s.tasks), ","), ray = RayText(o.ray);
  const std::map<std::string, std::string> metadata = {
      {"pwemoe_version", PWEMOE_VERSION}, {"pwemoe_experiment", s.cfg.source_path},
      {"pwemoe_routers", s.routers},      {"pwemoe_tasks", tasks},
      {"pwemoe_ray", ray}};
  PWEMOE_RETURN_IF_ERROR(eval::ExportVisionModel(o.out, config, merged, metadata));
  spdlog::info("wrote {} (tasks {}, ray {})", o.out, tasks, ray);
  return Status::Ok();
}

Status Run(ToolContext* ctx) {
  Options o;
  PWEMOE_RETURN_IF_ERROR(ReadOptions(ctx->flags, &o));
  torch::set_num_threads(static_cast<int>(ctx->threads));
  return Export(o);
}

}  // namespace
}  // namespace pwemoe::tools

PWEMOE_TOOL_MAIN(pwemoe::tools::kSpec, pwemoe::tools::Run)
