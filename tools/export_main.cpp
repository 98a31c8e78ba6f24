// pwemoe-export: the merged model of a trained PWE MoE at one preference ray, written as a
// Hugging Face model folder (model.safetensors + config.json, CLIPVisionModelWithProjection).
//
// The pool (pretrained + the chosen tasks' experts) and the upscaling come from the experiment
// file; the routers from a router .safetensors file (fusion_bench key names, moe/router_io.h).
//
// Exit codes: 0 success; 2 a bad command line or configuration (including a ray off the simplex
// or a router file that does not fit the experiment's tasks); 1 a runtime failure.
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

namespace pwemoe::tools {
namespace {

namespace fs = std::filesystem;

const std::vector<FlagSpec> kFlags = {
    {"--help", "", "", "print this help and exit"},
    {"--version", "", "", "print the version and exit"},
    {"--experiment", "FILE", "", "experiment .toml (model, tasks, [upscale])"},
    {"--routers", "FILE", "", "router parameters .safetensors for the chosen tasks"},
    {"--ray", "R1,...,RT", "", "preference ray: T entries >= 0 summing to 1"},
    {"--tasks", "A,B,...", "", "task subset the routers were trained on, in order; default: all tasks"},
    {"--out", "DIR", "", "output folder (must not exist, or be empty)"},
    {"--set", "KEY=VALUE", "", "override an experiment key, e.g. --set upscale.init_lambda=0.2", true},
    {"--threads", "N", "1", "LibTorch threads"},
    {"--log-level", "LEVEL", "info", std::string("log level: ") + kLogLevels},
};

const char* kUsage =
    "pwemoe-export --experiment X.toml --routers R.safetensors --ray r1,...,rT --out DIR [options]";
const char* kDescription =
    "Merges the upscaled model of an experiment at one preference ray with trained routers\n"
    "(merge and unload) and writes it as a Hugging Face CLIPVisionModelWithProjection folder.";

struct Options {
  std::string experiment, routers, out;
  std::vector<std::string> sets;
  Ray ray;
  std::string tasks;  // as given
  int threads = 1;
};

Status ReadOptions(const ParsedFlags& flags, Options* o) {
  if (!flags.positional.empty()) {
    return Status::InvalidArgument("unexpected argument '" + flags.positional[0] + "' (usage: " +
                                   kUsage + ")");
  }
  for (const char* required : {"--experiment", "--routers", "--ray", "--out"}) {
    if (flags.Get(required).empty()) {
      return Status::InvalidArgument(std::string(required) + " is required (usage: " + kUsage + ")");
    }
  }
  o->experiment = flags.Get("--experiment");
  o->routers = flags.Get("--routers");
  o->out = flags.Get("--out");
  o->sets = flags.GetAll("--set");
  o->tasks = flags.Get("--tasks");
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

// Loads the pool, upscales it, loads the routers and merges at the ray.
Status Merge(const config::ExperimentConfig& cfg, const std::vector<config::TaskSpec>& tasks,
             const Options& o, io::TensorMap* merged) {
  moe::PoolSpec spec;
  spec.pretrained = cfg.model.pretrained;
  for (const auto& t : tasks) spec.tasks.push_back({t.name, t.expert, ""});
  moe::UpscaledModel model;
  {
    moe::ModelPool pool;
    PWEMOE_RETURN_IF_ERROR(moe::LoadModelPool(spec, &pool));
    PWEMOE_RETURN_IF_ERROR(moe::UpscaleModel(pool, cfg.upscale.modules, cfg.upscale.init_lambda, &model));
  }
  const moe::RouterLayout layout{moe::ModuleNames(model), static_cast<int64_t>(tasks.size()),
                                 cfg.upscale.router_hidden_layers};
  std::vector<moe::Router> routers;
  Status st = moe::LoadRouters(o.routers, layout, &routers);
  if (st.code() == Status::Code::kCorrupt) {
    return Status::InvalidArgument(
        "--routers: " + st.message() + " (expected routers for " + std::to_string(tasks.size()) +
        " tasks " + Join(tasks) + ", " + std::to_string(layout.modules.size()) + " modules, " +
        std::to_string(layout.hidden_layers) + " hidden layers; see --tasks and [upscale])");
  }
  PWEMOE_RETURN_IF_ERROR(st);
  return moe::MergeAndUnload(model, routers, eval::RayTensor(o.ray), merged);
}

Status Export(const Options& o) {
  config::ExperimentConfig cfg;
  Status st = config::LoadExperiment(o.experiment, o.sets, &cfg);
  if (!st.ok()) return st.WithContext("invalid experiment configuration");
  std::vector<config::TaskSpec> tasks;
  PWEMOE_RETURN_IF_ERROR(SelectTasks(cfg, o.tasks, &tasks));
  PWEMOE_RETURN_IF_ERROR(eval::ValidateRay(o.ray, static_cast<int64_t>(tasks.size()), "--ray"));
  PWEMOE_RETURN_IF_ERROR(eval::CheckExportTarget(o.out, "--out"));
  std::error_code ec;
  if (!fs::is_regular_file(o.routers, ec)) {
    return Status::NotFound("--routers: " + o.routers + ": no such file");
  }
  io::ClipVisionConfig config;
  PWEMOE_RETURN_IF_ERROR(PretrainedConfig(cfg.model.pretrained, &config));
  io::TensorMap merged;
  PWEMOE_RETURN_IF_ERROR(Merge(cfg, tasks, o, &merged));
  const std::map<std::string, std::string> metadata = {
      {"pwemoe_version", PWEMOE_VERSION}, {"pwemoe_experiment", cfg.source_path},
      {"pwemoe_routers", o.routers},      {"pwemoe_tasks", Join(tasks)},
      {"pwemoe_ray", RayText(o.ray)}};
  PWEMOE_RETURN_IF_ERROR(eval::ExportVisionModel(o.out, config, merged, metadata));
  spdlog::info("wrote {} (tasks {}, ray {})", o.out, Join(tasks), RayText(o.ray));
  return Status::Ok();
}

int Fail(const Status& st) {
  std::fprintf(stderr, "pwemoe-export: %s\n", st.message().c_str());
  return st.ExitCode();
}

int Run(int argc, char** argv) {
  ParsedFlags flags;
  Status st = ParseFlags(kFlags, argc, argv, &flags);
  if (!st.ok()) return Fail(st);
  if (flags.Has("--help")) return std::fputs(FlagHelp(kUsage, kDescription, kFlags).c_str(), stdout), 0;
  if (flags.Has("--version")) return std::printf("pwemoe %s\n", PWEMOE_VERSION), 0;
  Options o;
  st = ReadOptions(flags, &o);
  if (st.ok()) st = SetupLogging(flags.Get("--log-level"), 0, 1);
  if (!st.ok()) return Fail(st);
  torch::set_num_threads(o.threads);
  st = Export(o);
  return st.ok() ? 0 : Fail(st);
}

}  // namespace
}  // namespace pwemoe::tools

int main(int argc, char** argv) { return pwemoe::tools::Run(argc, argv); }
