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

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>

#include "config/experiment_config.h"
#include "pwemoe/eval/export.h"
#include "pwemoe/eval/ray_check.h"
#include "pwemoe/eval/ray_eval.h"
#include "pwemoe/moe/merge.h"
#include "pwemoe/moe/router_io.h"
#include "pwemoe/moe/upscale.h"
#include "pwemoe/util/flags.h"
#include "pwemoe/util/log.h"
#include "pwemoe/util/version.h"
#include "results/store/h5_reader.h"
#include "results/store/h5_writer.h"

namespace pwemoe::tools {
namespace {

namespace fs = std::filesystem;

constexpr char kTool[] = "pwemoe-export";

const std::vector<FlagSpec> kFlags = {
    {"--help", "", "", "print this help and exit"},
    {"--version", "", "", "print the version and exit"},
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
    {"--threads", "N", "1", "LibTorch threads"},
    {"--log-level", "LEVEL", "info", std::string("log level: ") + kLogLevels},
};

const char* kUsage =
    "pwemoe-export --experiment X.toml --routers R.safetensors --ray r1,...,rT --out DIR [options]\n"
    "       pwemoe-export --results X.h5 --run NAME --ray r1,...,rT --out DIR [options]";
const char* kDescription =
    "Merges the upscaled model of an experiment at one preference ray with trained routers\n"
    "(merge and unload) and writes it as a Hugging Face CLIPVisionModelWithProjection folder.";

struct Options {
  std::string experiment, routers, out;
  std::vector<std::string> sets;
  Ray ray;
  std::string tasks;  // as given
  std::string results, run;  // --results mode
  int64_t checkpoint = -1;   // -1: the final routers
  int threads = 1;
};

Status Usage(const std::string& problem) {
  return Status::InvalidArgument(problem + " (usage: " + kUsage + ")");
}

// The flags of either mode: --results with --run, or --experiment with --routers.
Status ReadModeFlags(const ParsedFlags& flags, Options* o) {
  o->results = flags.Get("--results");
  if (o->results.empty()) {
    for (const char* other : {"--run", "--checkpoint"}) {
      if (flags.Has(other)) return Usage(std::string(other) + " needs --results");
    }
    for (const char* required : {"--experiment", "--routers"}) {
      if (flags.Get(required).empty()) return Usage(std::string(required) + " is required");
    }
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
  if (!flags.positional.empty()) {
    return Status::InvalidArgument("unexpected argument '" + flags.positional[0] + "' (usage: " +
                                   kUsage + ")");
  }
  for (const char* required : {"--ray", "--out"}) {
    if (flags.Get(required).empty()) return Usage(std::string(required) + " is required");
  }
  PWEMOE_RETURN_IF_ERROR(ReadModeFlags(flags, o));
  o->out = flags.Get("--out");
  o->sets = flags.GetAll("--set");
  const std::string threads = flags.Get("--threads");
  char* end = nullptr;
  const long v = std::strtol(threads.c_str(), &end, 10);
  if (threads.empty() || *end != '\0' || v < 1 || v > 4096) {
    return Status::InvalidArgument("--threads: expected an integer >= 1, got '" + threads + "'");
  }
  o->threads = static_cast<int>(v);
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

std::string Join(const std::vector<config::TaskSpec>& tasks) {
  std::string s;
  for (const auto& t : tasks) s += (s.empty() ? "" : ",") + t.name;
  return s;
}

// The shortest of %.15g and %.17g that reads back as the same double.
std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  if (std::strtod(buf, nullptr) != v) std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string RayText(const Ray& ray) {
  std::string s;
  for (double r : ray) s += (s.empty() ? "" : ",") + Number(r);
  return s;
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
  for (results::NamedTensor& t : tensors) {
    s->router_tensors[t.name] =
        torch::from_blob(t.values.data(), t.shape, torch::TensorOptions().dtype(torch::kFloat32))
            .clone();
  }
  return Status::Ok();
}

// Loads the pool, upscales it, loads the routers and merges at the ray.
Status Merge(const Source& s, const Options& o, io::TensorMap* merged) {
  moe::PoolSpec spec;
  spec.pretrained = s.cfg.model.pretrained;
  for (const auto& t : s.tasks) spec.tasks.push_back({t.name, t.expert, ""});
  moe::UpscaledModel model;
  {
    moe::ModelPool pool;
    PWEMOE_RETURN_IF_ERROR(moe::LoadModelPool(spec, &pool));
    PWEMOE_RETURN_IF_ERROR(
        moe::UpscaleModel(pool, s.cfg.upscale.modules, s.cfg.upscale.init_lambda, &model));
  }
  const moe::RouterLayout layout{moe::ModuleNames(model), static_cast<int64_t>(s.tasks.size()),
                                 s.cfg.upscale.router_hidden_layers};
  std::vector<moe::Router> routers;
  Status st = s.from_results
                  ? moe::RoutersFromTensorMap(s.routers, s.router_tensors, layout, &routers)
                  : moe::LoadRouters(s.routers, layout, &routers);
  if (st.code() == Status::Code::kCorrupt) {
    return Status::InvalidArgument(
        (s.from_results ? "--run: " : "--routers: ") + st.message() + " (expected routers for " +
        std::to_string(s.tasks.size()) + " tasks " + Join(s.tasks) + ", " +
        std::to_string(layout.modules.size()) + " modules, " +
        std::to_string(layout.hidden_layers) + " hidden layers; see " +
        (s.from_results ? "[upscale]" : "--tasks and [upscale]") + ")");
  }
  PWEMOE_RETURN_IF_ERROR(st);
  return moe::MergeAndUnload(model, routers, eval::RayTensor(o.ray), merged);
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
  const std::map<std::string, std::string> metadata = {
      {"pwemoe_version", PWEMOE_VERSION}, {"pwemoe_experiment", s.cfg.source_path},
      {"pwemoe_routers", s.routers},      {"pwemoe_tasks", Join(s.tasks)},
      {"pwemoe_ray", RayText(o.ray)}};
  PWEMOE_RETURN_IF_ERROR(eval::ExportVisionModel(o.out, config, merged, metadata));
  spdlog::info("wrote {} (tasks {}, ray {})", o.out, Join(s.tasks), RayText(o.ray));
  return Status::Ok();
}

int Run(int argc, char** argv) {
  ParsedFlags flags;
  int code = 0;
  if (!StartTool(kTool, kUsage, kDescription, kFlags, argc, argv, &flags, &code)) return code;
  Options o;
  Status st = ReadOptions(flags, &o);
  if (st.ok()) st = SetupLogging(flags.Get("--log-level"), 0, 1);
  if (!st.ok()) return ToolFailure(kTool, st);
  torch::set_num_threads(o.threads);
  st = Export(o);
  return st.ok() ? 0 : ToolFailure(kTool, st);
}

}  // namespace
}  // namespace pwemoe::tools

int main(int argc, char** argv) { return pwemoe::tools::Run(argc, argv); }
