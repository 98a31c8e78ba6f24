#include "pwemoe/mini/make_mini.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "pwemoe/data/dataset.h"
#include "pwemoe/util/files.h"
#include "pwemoe/io/json_file.h"
#include "pwemoe/mini/fit.h"
#include "pwemoe/mini/recipe.h"
#include "pwemoe/mini/rng.h"
#include "pwemoe/model/clip_vit.h"
#include "pwemoe/util/parallel.h"
#include "pwemoe/util/version.h"

namespace pwemoe::mini {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double Since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// Seed streams of the model stages (the data stages use their own, mini_data.h).
enum Stream : uint64_t { kInitStream = 101, kPretrainStream, kHeadStream, kProbeStream, kExpertStream };

Recipe EffectiveRecipe(const MakeOptions& options) {
  Recipe recipe = RecipeFor(options.data.size);
  if (options.threads > 0) recipe.threads = options.threads;
  return recipe;
}

std::vector<std::string> Tasks(const MakeOptions& options) {
  return options.data.tasks.empty() ? MiniTaskNames() : options.data.tasks;
}

// Restores LibTorch's thread count when the call ends.
class ThreadScope {
 public:
  explicit ThreadScope(int threads) : saved_(torch::get_num_threads()) {
    torch::set_num_threads(threads);
  }
  ~ThreadScope() { torch::set_num_threads(saved_); }

 private:
  int saved_;
};

FitProgress StepLog(const MakeLog& log, const std::string& what, int64_t steps) {
  return [log, what, steps](int64_t step, double loss) {
    log(what + ": step " + std::to_string(step) + "/" + std::to_string(steps) + ", loss " +
        Fixed(loss, 4));
  };
}

Status SaveModel(const std::string& dir, const io::TensorMap& params,
                 const io::ClipVisionConfig& config, const std::string& architecture) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IoError(dir + ": cannot create the folder: " + ec.message());
  PWEMOE_RETURN_IF_ERROR(io::SaveTensors(dir + "/model.safetensors", params));
  return io::WriteClipVisionConfig(dir + "/config.json", config, architecture);
}

// Stage 2: the generalist. Returns the pretrained parameters (with projection).
Status Pretrain(const Recipe& recipe, const MakeOptions& options, const MakeLog& log,
                io::TensorMap* params, nlohmann::json* report) {
  Split train, test;
  const std::string dir = options.out_dir + "/data/pretrain/";
  PWEMOE_RETURN_IF_ERROR(LoadSplit(dir + "train.h5", &train));
  PWEMOE_RETURN_IF_ERROR(LoadSplit(dir + "test.h5", &test));
  const uint64_t seed = options.data.seed;
  *params = RandomClipParams(recipe.model, DeriveSeed({seed, kInitStream}));
  std::vector<std::string> all;
  for (const auto& [key, shape] : model::ClipVisionParamShapes(recipe.model)) all.push_back(key);
  model::ClassificationHead head;
  at::Generator gen = at::detail::createCPUGenerator(DeriveSeed({seed, kHeadStream}));
  head.weight = torch::randn({static_cast<int64_t>(train.classes.size()), recipe.model.projection_dim}, gen);
  head.logit_scale = recipe.probe_logit_scale;
  FitReport fit;
  PWEMOE_RETURN_IF_ERROR(FitClassifier(recipe.model, params, all, &head, true, train,
                                       recipe.pretrain, DeriveSeed({seed, kPretrainStream}),
                                       StepLog(log, "pretrain", recipe.pretrain.steps), &fit)
                             .WithContext("pretraining on " + dir + "train.h5"));
  torch::Tensor feats, logits;
  PWEMOE_RETURN_IF_ERROR(NormalizedFeatures(recipe.model, *params, test, &feats));
  PWEMOE_RETURN_IF_ERROR(model::HeadLogits(head, feats, &logits));
  const double acc = 100.0 * logits.argmax(1).eq(test.labels).to(torch::kFloat64).mean().item<double>();
  log("pretrain: " + std::to_string(train.classes.size()) + " classes, held-out accuracy " +
      Fixed(acc, 1) + "% in " + Fixed(fit.seconds, 1) + " s");
  *report = {{"classes", train.classes.size()}, {"train_images", train.size()},
             {"test_accuracy", acc}, {"first_loss", fit.first_loss}, {"final_loss", fit.final_loss},
             {"seconds", fit.seconds}};
  return Status::Ok();
}

// Stage 3: the probe head of task `index` on the pretrained features of its train split.
Status Probe(const Recipe& recipe, const MakeOptions& options, const io::TensorMap& pretrained,
             const std::string& task, uint64_t index, model::ClassificationHead* head,
             double* seconds) {
  Split train;
  PWEMOE_RETURN_IF_ERROR(LoadSplit(options.out_dir + "/data/" + task + "/train.h5", &train));
  torch::Tensor feats;
  PWEMOE_RETURN_IF_ERROR(NormalizedFeatures(recipe.model, pretrained, train, &feats));
  FitReport fit;
  PWEMOE_RETURN_IF_ERROR(FitProbe(feats, train.labels, static_cast<int64_t>(train.classes.size()),
                                  recipe.probe_logit_scale, recipe.probe,
                                  DeriveSeed({options.data.seed, kProbeStream, index}), head, &fit)
                             .WithContext("probe of task '" + task + "'"));
  *seconds = fit.seconds;
  return model::SaveHead(options.out_dir + "/heads/" + task + ".safetensors", *head);
}

// Stage 4: the expert of task `index`: the vision tower fine-tuned with the head frozen.
Status Expert(const Recipe& recipe, const MakeOptions& options, const io::TensorMap& pretrained,
              const std::string& task, uint64_t index, const model::ClassificationHead& head,
              const MakeLog& log, double* seconds) {
  Split train;
  PWEMOE_RETURN_IF_ERROR(LoadSplit(options.out_dir + "/data/" + task + "/train.h5", &train));
  io::TensorMap params = pretrained;
  std::vector<std::string> tower;
  for (const auto& [key, shape] : model::ClipVisionParamShapes(recipe.model, false)) tower.push_back(key);
  model::ClassificationHead frozen = head;
  FitReport fit;
  PWEMOE_RETURN_IF_ERROR(FitClassifier(recipe.model, &params, tower, &frozen, false, train,
                                       recipe.expert,
                                       DeriveSeed({options.data.seed, kExpertStream, index}),
                                       StepLog(log, "expert " + task, recipe.expert.steps), &fit)
                             .WithContext("expert of task '" + task + "'"));
  params.erase(model::kVisualProjection);  // experts are vision-only checkpoints
  *seconds = fit.seconds;
  return SaveModel(options.out_dir + "/experts/" + task, params, recipe.model, "CLIPVisionModel");
}

// Stage 5: the pool as an experiment loads it, measured on the test splits.
Status Measure(const Recipe& recipe, const MakeOptions& options, int workers,
               QualityReport* quality) {
  moe::PoolSpec spec;
  spec.pretrained = options.out_dir + "/pretrained";
  const std::vector<std::string> tasks = Tasks(options);
  std::vector<data::Dataset> tests(tasks.size());
  std::vector<const data::Dataset*> test_ptrs;
  for (size_t i = 0; i < tests.size(); ++i) {
    const std::string& t = tasks[i];
    spec.tasks.push_back({t, options.out_dir + "/experts/" + t,
                          options.out_dir + "/heads/" + t + ".safetensors"});
    PWEMOE_RETURN_IF_ERROR(data::OpenDataset(options.out_dir + "/data/" + t + "/test.h5", &tests[i]));
    test_ptrs.push_back(&tests[i]);
  }
  moe::ModelPool pool;
  PWEMOE_RETURN_IF_ERROR(moe::LoadModelPool(spec, &pool));
  return MeasureQuality(recipe.model, pool, test_ptrs, recipe, workers, quality);
}

std::vector<std::string> ListedFiles(const std::vector<std::string>& tasks) {
  std::vector<std::string> files = {"data/pretrain/train.h5", "data/pretrain/test.h5",
                                    "pretrained/model.safetensors", "pretrained/config.json"};
  for (const std::string& t : tasks) {
    for (const std::string& f : {"data/" + t + "/train.h5", "data/" + t + "/test.h5",
                                 "heads/" + t + ".safetensors", "experts/" + t + "/model.safetensors",
                                 "experts/" + t + "/config.json"}) {
      files.push_back(f);
    }
  }
  return files;
}

nlohmann::json QualityJson(const QualityReport& q) {
  nlohmann::json tasks = nlohmann::json::array(), gates = nlohmann::json::array();
  for (size_t i = 0; i < q.tasks.size(); ++i) {
    tasks.push_back({{"name", q.tasks[i]}, {"pretrained_accuracy", q.pretrained[i]},
                     {"expert_accuracy", q.expert(i)}, {"task_arithmetic_accuracy", q.task_arithmetic[i]},
                     {"expert_gain", q.expert(i) - q.pretrained[i]}});
  }
  for (const Gate& g : q.gates) {
    gates.push_back({{"name", g.name}, {"value", g.value}, {"limit", g.limit}, {"passed", g.passed}});
  }
  nlohmann::json out = {{"tasks", tasks}, {"expert_by_task_accuracy", q.matrix},
                        {"task_arithmetic_lambda", q.lambda}, {"gates", gates},
                        {"gates_passed", q.passed()}};
  if (q.gate_lambda < q.lambda) {
    out["task_arithmetic_gate_lambda"] = q.gate_lambda;
    out["task_arithmetic_gate_accuracy"] = q.task_arithmetic_gate;
  }
  return out;
}

// What the model stages share: the recipe, the options, the task list (the data options' tasks)
// and how many tasks run at once.
struct StageContext {
  const Recipe& recipe;
  const MakeOptions& options;
  const std::vector<std::string>& tasks;
  int workers;
  const MakeLog& log;
};

// What the stages report, for the manifest.
struct StageReports {
  nlohmann::json timings, pretraining, probes, experts;
};

// Stage 3 for every task, `workers` at once: the heads into *heads, figures into *report.
Status ProbeAll(const StageContext& c, const io::TensorMap& pretrained,
                std::vector<model::ClassificationHead>* heads, nlohmann::json* report) {
  const auto t0 = Clock::now();
  const std::vector<std::string>& tasks = c.tasks;
  heads->assign(tasks.size(), model::ClassificationHead());
  std::vector<double> seconds(tasks.size(), 0.0);
  PWEMOE_RETURN_IF_ERROR(ParallelFor(tasks.size(), c.workers, [&](size_t i) {
    return Probe(c.recipe, c.options, pretrained, tasks[i], TaskIndex(tasks[i]), &(*heads)[i],
                 &seconds[i]);
  }));
  for (size_t i = 0; i < tasks.size(); ++i) {
    (*report)[tasks[i]] = {{"seconds", seconds[i]}, {"logit_scale", (*heads)[i].logit_scale}};
  }
  c.log("probes: " + std::to_string(tasks.size()) + " heads in " + Fixed(Since(t0), 1) + " s");
  return Status::Ok();
}

// Stage 4 for every task, `workers` at once, logging through one lock; figures into *report.
Status ExpertAll(const StageContext& c, const io::TensorMap& pretrained,
                 const std::vector<model::ClassificationHead>& heads, nlohmann::json* report) {
  std::mutex log_mu;
  const MakeLog safe_log = [&log_mu, &c](const std::string& line) {
    std::lock_guard<std::mutex> lock(log_mu);
    c.log(line);
  };
  const std::vector<std::string>& tasks = c.tasks;
  std::vector<double> seconds(tasks.size(), 0.0);
  std::atomic<int> finished{0};
  PWEMOE_RETURN_IF_ERROR(ParallelFor(tasks.size(), c.workers, [&](size_t i) {
    PWEMOE_RETURN_IF_ERROR(Expert(c.recipe, c.options, pretrained, tasks[i], TaskIndex(tasks[i]),
                                  heads[i], safe_log, &seconds[i]));
    safe_log("expert " + tasks[i] + " (" + std::to_string(++finished) + "/" +
             std::to_string(tasks.size()) + ") in " + Fixed(seconds[i], 1) + " s");
    return Status::Ok();
  }));
  for (size_t i = 0; i < tasks.size(); ++i) (*report)[tasks[i]] = {{"seconds", seconds[i]}};
  return Status::Ok();
}

// Every stage in turn (data, pretraining, probes, experts, quality), timed into reports->timings.
// Probes and experts run as one job per task, `workers` at once, each seeded by its task's
// position, so the files do not depend on the number of workers.
Status RunStages(const StageContext& c, const DataOptions& data, QualityReport* quality,
                 StageReports* reports) {
  const std::string& out_dir = c.options.out_dir;
  auto t0 = Clock::now();
  const MakeLog& log = c.log;
  PWEMOE_RETURN_IF_ERROR(
      WriteMiniData(data, out_dir, [&log](const std::string& m) { log("data: " + m); }));
  reports->timings["data"] = Since(t0);

  t0 = Clock::now();
  io::TensorMap pretrained;
  PWEMOE_RETURN_IF_ERROR(Pretrain(c.recipe, c.options, log, &pretrained, &reports->pretraining));
  PWEMOE_RETURN_IF_ERROR(SaveModel(out_dir + "/pretrained", pretrained, c.recipe.model,
                                   "CLIPVisionModelWithProjection"));
  reports->timings["pretrain"] = Since(t0);

  t0 = Clock::now();
  std::vector<model::ClassificationHead> heads;
  PWEMOE_RETURN_IF_ERROR(ProbeAll(c, pretrained, &heads, &reports->probes));
  reports->timings["probes"] = Since(t0);

  t0 = Clock::now();
  PWEMOE_RETURN_IF_ERROR(ExpertAll(c, pretrained, heads, &reports->experts));
  reports->timings["experts"] = Since(t0);

  t0 = Clock::now();
  PWEMOE_RETURN_IF_ERROR(Measure(c.recipe, c.options, c.workers, quality));
  reports->timings["quality"] = Since(t0);
  for (const std::string& line : FormatQuality(*quality)) log(line);
  return Status::Ok();
}

// The manifest of a finished build: configuration, figures, quality, timings and files.
nlohmann::json ManifestJson(const StageContext& c, const DataOptions& data, const MakeResult& r,
                            const StageReports& reports) {
  const MakeOptions& options = c.options;
  return {{"benchmark", "pwemoe-mini"}, {"software_version", PWEMOE_VERSION},
          {"config_hash", r.config_hash}, {"configuration", RecipeText(c.recipe, data)},
          {"size", SizeName(options.data.size)}, {"seed", options.data.seed},
          {"threads", c.recipe.threads}, {"workers", c.workers}, {"tasks", c.tasks},
          {"pretraining", reports.pretraining}, {"probes", reports.probes},
          {"experts", reports.experts}, {"quality", QualityJson(r.quality)},
          {"gates_enforced", r.gates_enforced}, {"timings_seconds", reports.timings},
          {"files", ListedFiles(c.tasks)}};
}

// The gates of a reused folder: Aborted when they were enforced and its manifest does not say
// they passed; the manifest's read errors.
Status ReusedFolderGates(const MakeResult& r) {
  nlohmann::json manifest;
  PWEMOE_RETURN_IF_ERROR(io::ReadJsonFile(r.manifest_path, &manifest));
  const nlohmann::json passed = manifest.contains("quality") && manifest["quality"].is_object()
                                    ? manifest["quality"].value("gates_passed", nlohmann::json())
                                    : nlohmann::json();
  if (r.gates_enforced && !(passed.is_boolean() && passed.get<bool>())) {
    return Status::Aborted("quality gates failed when this benchmark was built (see " +
                           r.manifest_path + ")");
  }
  return Status::Ok();
}

// Aborted naming every failed gate of r.quality.
Status GatesFailed(const MakeResult& r) {
  std::string failed;
  for (const Gate& g : r.quality.gates) {
    if (!g.passed) failed += (failed.empty() ? "" : "; ") + g.name + " " + Fixed(g.value, 2) +
                             " < " + Fixed(g.limit, 2);
  }
  return Status::Aborted("quality gates failed: " + failed + " (see " + r.manifest_path + ")");
}

}  // namespace

std::string ConfigHash(const MakeOptions& options) {
  DataOptions data = options.data;
  data.tasks = Tasks(options);
  return HashText(RecipeText(EffectiveRecipe(options), data));
}

bool IsComplete(const std::string& out_dir, const std::string& hash) {
  nlohmann::json manifest;
  if (!io::ReadJsonFile(out_dir + "/manifest.json", &manifest).ok()) return false;
  if (!manifest.is_object() || !manifest.contains("config_hash") ||
      manifest["config_hash"] != nlohmann::json(hash)) {
    return false;
  }
  const auto files = manifest.find("files");
  if (files == manifest.end() || !files->is_array()) return false;
  for (const auto& f : *files) {
    if (!f.is_string() || !fs::is_regular_file(out_dir + "/" + f.get<std::string>())) return false;
  }
  return true;
}

Status MakeMini(const MakeOptions& options, const MakeLog& log, MakeResult* result) {
  const auto start = Clock::now();
  const Recipe recipe = EffectiveRecipe(options);
  MakeResult r;
  r.config_hash = ConfigHash(options);
  r.manifest_path = options.out_dir + "/manifest.json";
  r.gates_enforced = options.data.size == Size::kFull;
  if (!options.force && IsComplete(options.out_dir, r.config_hash)) {
    r.reused = true;
    log("benchmark in " + options.out_dir + " is complete for configuration " + r.config_hash +
        ": reusing it");
    *result = r;
    return ReusedFolderGates(r);
  }
  std::error_code ec;
  fs::create_directories(options.out_dir + "/heads", ec);
  if (ec) return Status::IoError(options.out_dir + ": cannot create the folder: " + ec.message());
  fs::remove(r.manifest_path, ec);  // incomplete from here until the new manifest is written
  ThreadScope threads(recipe.threads);
  DataOptions data = options.data;
  data.tasks = Tasks(options);
  const int workers = options.workers > 0 ? options.workers : DefaultWorkers();
  const StageContext context{recipe, options, data.tasks, workers, log};
  StageReports reports;
  PWEMOE_RETURN_IF_ERROR(RunStages(context, data, &r.quality, &reports));
  r.seconds = Since(start);
  reports.timings["total"] = r.seconds;
  const nlohmann::json manifest = ManifestJson(context, data, r, reports);
  PWEMOE_RETURN_IF_ERROR(WriteFileAtomically(r.manifest_path, manifest.dump(2) + "\n"));
  *result = r;
  if (r.gates_enforced && !r.quality.passed()) return GatesFailed(r);
  return Status::Ok();
}

}  // namespace pwemoe::mini
