// LoadExperiment / ParseExperiment: TOML text + --set overrides -> validated ExperimentConfig.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/experiment_config.h"
#include "config/parse_sections.h"
#include "config/toml_reader.h"
#include "pwemoe/io/hf_cache.h"
#include "pwemoe/util/strings.h"

namespace pwemoe::config {

using detail::Describe;
using detail::ErrorSink;
using detail::Section;
namespace fs = std::filesystem;

const char* VariantName(Variant v) { return v == Variant::kLs ? "ls" : "epo"; }

std::vector<std::string> ExperimentConfig::SubsetNames(const std::vector<int>& subset) const {
  std::vector<std::string> names;
  for (int i : subset) names.push_back(tasks.at(i).name);
  return names;
}

std::string ConfigError::ToString() const {
  std::string s = origin;
  if (line > 0) s += ":" + std::to_string(line) + ":" + std::to_string(column);
  s += ": ";
  if (!key.empty()) s += key + ": ";
  return s + message;
}

namespace {

const std::vector<std::string> kSections = {"experiment", "benchmark", "model", "tasks", "upscale",
                                            "train", "eval", "baselines", "cluster", "compute", "slurm",
                                            "report"};

// A path to check once everything is read.
struct PathCheck {
  std::string key;
  const toml::node* node;  // where it was written (null for a default)
  std::string path;        // absolute
  bool must_be_file;
  std::string what;        // "the expert of task 'x'"
  std::string hint = {};   // why a model id written there did not resolve (io/hf_cache.h)
};

void AddError(ErrorSink* sink, const std::string& origin, std::string message) {
  sink->errors.push_back({origin, 0, 0, "", std::move(message)});
}

// Applies "--set a.b=value" to root; the value is TOML when it parses as one, else a string.
void ApplyOverride(const std::string& arg, toml::table* root, ErrorSink* sink) {
  const std::string origin = "--set " + arg;
  auto eq = arg.find('=');
  auto parts = Split(arg.substr(0, eq == std::string::npos ? 0 : eq), '.');
  bool ok = eq != std::string::npos && parts.size() >= 2 &&
            std::none_of(parts.begin(), parts.end(), [](const std::string& p) { return p.empty(); });
  if (!ok) return AddError(sink, origin, "expected --set section.key=value");
  std::string key = arg.substr(0, eq), value = arg.substr(eq + 1);
  toml::table parsed;
  try {
    parsed = toml::parse("v = " + value, origin);
  } catch (const toml::parse_error&) {
    parsed = toml::table{};
  }
  if (parsed.size() != 1 || !parsed.get("v")) parsed = toml::table{{"v", value}};
  toml::table* t = root;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    if (!t->get(parts[i])) t->insert(parts[i], toml::table{});
    t = t->get(parts[i])->as_table();
    if (!t) return AddError(sink, origin, Join({parts.begin(), parts.begin() + i + 1}, ".") + " is not a table");
  }
  parsed.get("v")->visit([&](auto& v) { t->insert_or_assign(parts.back(), std::move(v)); });
  sink->override_origin[key] = origin;
}

std::string Absolute(const std::string& p) {
  if (p.empty()) return p;
  return fs::absolute(fs::path(p)).lexically_normal().string();
}

// A model location (model.pretrained, model.experts): an existing path, else a Hugging Face model
// id ("org/name[@revision]") resolved offline in the local hub cache to its snapshot folder. An
// id that does not resolve keeps its absolute path form, and *hint says why, for the error.
std::string ModelLocation(const std::string& raw, std::string* hint) {
  const std::string path = Absolute(raw);
  std::error_code ec;
  if (raw.empty() || fs::exists(path, ec) || !io::LooksLikeHfModelId(raw)) return path;
  std::string snapshot;
  Status st = io::ResolveHfModel(raw, io::HfHubCacheDir(), &snapshot);
  if (st.ok()) return snapshot;
  *hint = "; as a Hugging Face model id: " + st.message();
  return path;
}

std::string Expand(const std::string& tmpl, const std::string& task) {
  std::string out = tmpl;
  for (size_t pos; (pos = out.find("{task}")) != std::string::npos;) out.replace(pos, 6, task);
  return out;
}

// `key` of [section]: a template with {task}, or a table task = path. One path per task.
void ReadPerTask(Section& s, const std::string& key, const std::vector<std::string>& tasks,
                 const std::string& fallback, std::vector<std::string>* out,
                 std::vector<const toml::node*>* nodes) {
  out->assign(tasks.size(), "");
  nodes->assign(tasks.size(), nullptr);
  const toml::node* n = s.Get(key);
  const std::string expected = "a path containing {task}, or a table of task = path";
  if (!n) {
    if (fallback.empty()) return s.Missing(key, expected);
    for (size_t i = 0; i < tasks.size(); ++i) (*out)[i] = Expand(fallback, tasks[i]);
    return;
  }
  if (n->is_string()) {
    std::string tmpl = *n->value<std::string>();
    if (tmpl.find("{task}") == std::string::npos) {
      return s.Error(key, n, "expected " + expected + " (one per task), found " + Describe(*n));
    }
    for (size_t i = 0; i < tasks.size(); ++i) (*out)[i] = Expand(tmpl, tasks[i]), (*nodes)[i] = n;
    return;
  }
  const toml::table* t = n->as_table();
  if (!t) return s.Error(key, n, "expected " + expected + ", found " + Describe(*n));
  for (const auto& [k, v] : *t) {
    std::string task(k.str());
    auto it = std::find(tasks.begin(), tasks.end(), task);
    if (it == tasks.end()) {
      s.sink()->AddAt(s.Key(key + "." + task), k.source(), "unknown task" + DidYouMean(task, tasks));
    } else if (!v.is_string()) {
      s.Error(key + "." + task, &v, "expected a path, found " + Describe(v));
    } else {
      (*out)[it - tasks.begin()] = *v.value<std::string>();
      (*nodes)[it - tasks.begin()] = &v;
    }
  }
  for (size_t i = 0; i < tasks.size(); ++i) {
    if ((*out)[i].empty() && !t->get(tasks[i])) s.Error(key + "." + tasks[i], n, "missing the path of task '" + tasks[i] + "'");
  }
}

// Reads a per-task key into `field` of every TaskSpec and queues the existence checks.
// model_ids: the values may be Hugging Face model ids (ModelLocation).
void ReadTaskPaths(Section& s, const std::string& key, const std::string& fallback, bool must_be_file,
                   const std::string& what, std::string TaskSpec::*field, ExperimentConfig* c,
                   std::vector<PathCheck>* checks, bool model_ids = false) {
  std::vector<std::string> names, paths;
  for (const auto& t : c->tasks) names.push_back(t.name);
  std::vector<const toml::node*> nodes;
  ReadPerTask(s, key, names, fallback, &paths, &nodes);
  for (size_t i = 0; i < names.size(); ++i) {
    std::string hint;
    c->tasks[i].*field = model_ids ? ModelLocation(paths[i], &hint) : Absolute(paths[i]);
    if (paths[i].empty()) continue;
    checks->push_back({s.Key(key), nodes[i], c->tasks[i].*field, must_be_file,
                       what + " of task '" + names[i] + "'", hint});
  }
}

void ReadModelAndTasks(Section& model, Section& tasks, ExperimentConfig* c, std::vector<PathCheck>* checks) {
  const std::string bench = c->benchmark.enabled ? c->benchmark.dir : "";
  auto in_bench = [&](const std::string& p) { return bench.empty() ? std::string() : bench + "/" + p; };
  model.Choice("architecture", {"clip-vit"}, &c->model.architecture);
  std::string pretrained = in_bench("pretrained");
  const toml::node* pn = model.table() ? model.table()->get("pretrained") : nullptr;
  model.String("pretrained", &pretrained, model.present() && bench.empty());
  std::string hint;
  c->model.pretrained = ModelLocation(pretrained, &hint);
  if (!pretrained.empty()) {
    checks->push_back({"model.pretrained", pn, c->model.pretrained, false, "the pretrained model", hint});
  }
  if (c->tasks.empty()) {  // errors already reported; per-task keys cannot be checked
    for (const char* key : {"experts", "heads"}) model.Get(key);
    for (const char* key : {"train_data", "test_data"}) tasks.Get(key);
    return;
  }
  if (model.present() || !bench.empty()) {
    ReadTaskPaths(model, "experts", in_bench("experts/{task}"), false, "the expert", &TaskSpec::expert, c, checks,
                  true);
    ReadTaskPaths(model, "heads", in_bench("heads/{task}.safetensors"), true, "the head", &TaskSpec::head, c, checks);
  }
  ReadTaskPaths(tasks, "train_data", in_bench("data/{task}/train.h5"), true, "the training data", &TaskSpec::train_data, c, checks);
  ReadTaskPaths(tasks, "test_data", in_bench("data/{task}/test.h5"), true, "the test data", &TaskSpec::test_data, c, checks);
}

void CheckPaths(const std::vector<PathCheck>& checks, const ExperimentConfig& c, ErrorSink* sink) {
  const std::string bench = c.benchmark.enabled ? c.benchmark.dir + "/" : "";
  for (const auto& pc : checks) {
    if (!bench.empty() && pc.path.compare(0, bench.size(), bench) == 0) continue;  // built on first run
    std::error_code ec;
    auto st = fs::status(pc.path, ec);
    if (!fs::exists(st)) {
      sink->Add(pc.key, pc.node, pc.what + " does not exist: " + pc.path + pc.hint);
    } else if (pc.must_be_file && fs::is_directory(st)) {
      sink->Add(pc.key, pc.node, "expected a file for " + pc.what + ", found a directory: " + pc.path);
    }
  }
}

void RejectUnknownSections(const toml::table& root, ErrorSink* sink) {
  for (const auto& [k, node] : root) {
    std::string name(k.str());
    if (std::find(kSections.begin(), kSections.end(), name) != kSections.end()) continue;
    std::string what = node.is_table() ? "unknown section [" + name + "]" : "unknown top-level key";
    sink->AddAt(name, k.source(), what + DidYouMean(name, kSections));
  }
}

void Build(const toml::table& root, ErrorSink* sink, ExperimentConfig* c) {
  Section experiment(sink, root, "experiment", true);
  ReadExperimentSection(experiment, c);
  Section bench(sink, root, "benchmark", false);
  ReadBenchmarkSection(bench, c);
  c->benchmark.dir = Absolute(c->benchmark.dir);
  Section tasks(sink, root, "tasks", true);
  for (const auto& name : ReadTaskNames(tasks)) c->tasks.push_back({name, "", "", "", ""});
  Section model(sink, root, "model", !c->benchmark.enabled);
  std::vector<PathCheck> checks;
  ReadModelAndTasks(model, tasks, c, &checks);
  model.RejectUnknownKeys();
  tasks.RejectUnknownKeys();
  Section upscale(sink, root, "upscale", false);
  ReadUpscaleSection(upscale, &c->upscale);
  std::vector<std::string> names;
  for (const auto& t : c->tasks) names.push_back(t.name);
  Section train(sink, root, "train", false);
  ReadTrainSection(train, names, c->experiment.seed, &c->train);
  Section eval(sink, root, "eval", false);
  ReadEvalSection(eval, &c->eval);
  Section baselines(sink, root, "baselines", false);
  ReadBaselinesSection(baselines, &c->baselines);
  Section cluster(sink, root, "cluster", false);
  ReadClusterSection(cluster, &c->cluster);
  Section compute(sink, root, "compute", false);
  ReadComputeSection(compute, &c->compute);
  Section slurm(sink, root, "slurm", false);
  ReadSlurmSection(slurm, &c->slurm);
  Section report(sink, root, "report", false);
  ReadReportSection(report, &c->report);
  RejectUnknownSections(root, sink);
  if (c->experiment.output_dir.empty() && !c->experiment.name.empty()) {
    c->experiment.output_dir = "runs/" + c->experiment.name;
  }
  c->experiment.output_dir = Absolute(c->experiment.output_dir);
  std::error_code ec;
  if (fs::exists(c->experiment.output_dir, ec) && !fs::is_directory(c->experiment.output_dir, ec)) {
    sink->Add("experiment.output_dir", experiment.table() ? experiment.table()->get("output_dir") : nullptr,
              "exists and is not a directory: " + c->experiment.output_dir, experiment.table());
  }
  CheckPaths(checks, *c, sink);
}

Status Finish(ErrorSink* sink, std::vector<ConfigError>* errors_out) {
  auto& errs = sink->errors;
  std::stable_sort(errs.begin(), errs.end(), [&](const ConfigError& a, const ConfigError& b) {
    bool fa = a.origin == sink->file, fb = b.origin == sink->file;
    if (fa != fb) return fa;
    return std::make_pair(a.line, a.column) < std::make_pair(b.line, b.column);
  });
  if (errors_out) *errors_out = errs;
  if (errs.empty()) return Status::Ok();
  std::vector<std::string> lines;
  for (const auto& e : errs) lines.push_back(e.ToString());
  return Status::InvalidArgument(Join(lines, "\n"));
}

}  // namespace

Status ParseExperiment(const std::string& text, const std::string& origin,
                       const std::vector<std::string>& overrides, ExperimentConfig* out,
                       std::vector<ConfigError>* errors) {
  ErrorSink sink;
  sink.file = origin;
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    sink.errors.push_back({origin, static_cast<int>(b.line), static_cast<int>(b.column), "",
                           "TOML syntax error: " + std::string(e.description())});
    return Finish(&sink, errors);
  }
  for (const auto& o : overrides) ApplyOverride(o, &root, &sink);
  ExperimentConfig c;
  c.source_path = origin;
  c.source_text = text;
  c.overrides = overrides;
  Build(root, &sink, &c);
  Status st = Finish(&sink, errors);
  if (st.ok()) *out = std::move(c);
  return st;
}

Status LoadExperiment(const std::string& path, const std::vector<std::string>& overrides,
                      ExperimentConfig* out, std::vector<ConfigError>* errors) {
  std::error_code ec;
  std::ifstream in(path, std::ios::binary);
  if (fs::is_directory(path, ec) || !in) {
    ConfigError e{path, 0, 0, "", fs::exists(path, ec) ? "cannot read the experiment file"
                                                       : "experiment file does not exist"};
    if (errors) *errors = {e};
    return Status::InvalidArgument(e.ToString());
  }
  std::stringstream text;
  text << in.rdbuf();
  return ParseExperiment(text.str(), path, overrides, out, errors);
}

}  // namespace pwemoe::config
