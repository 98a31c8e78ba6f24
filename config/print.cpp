// ToToml: the resolved configuration, every key explicit, sections in reference order, numbers in
// their shortest exact form.
#include <cstdio>
#include <sstream>

#include "config/experiment_config.h"
#include "pwemoe/util/strings.h"

namespace pwemoe::config {

namespace {

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char ch : s) {
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (ch < 0x20 || ch == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", ch);
          out += buf;
        } else {
          out += static_cast<char>(ch);
        }
    }
  }
  return out + "\"";
}

std::string Bool(bool b) { return b ? "true" : "false"; }

std::string Strings(const std::vector<std::string>& v) {
  std::vector<std::string> q;
  for (const auto& s : v) q.push_back(Quote(s));
  return "[" + Join(q, ", ") + "]";
}

std::string Floats(const std::vector<double>& v) {
  std::vector<std::string> q;
  for (double x : v) q.push_back(FormatDouble(x));
  return "[" + Join(q, ", ") + "]";
}

struct Emitter {
  std::ostringstream out;
  void Section(const std::string& name) { out << (out.tellp() > 0 ? "\n[" : "[") << name << "]\n"; }
  void Key(const std::string& k, const std::string& v) { out << k << " = " << v << "\n"; }
  void Key(const std::string& k, int64_t v) { out << k << " = " << v << "\n"; }
  void PerTask(const std::string& section, const std::string& key, const ExperimentConfig& c,
               std::string TaskSpec::*field) {
    Section(section + "." + key);
    for (const auto& t : c.tasks) Key(Quote(t.name), Quote(t.*field));
  }
};

void EmitTrain(Emitter& e, const ExperimentConfig& c) {
  const TrainSection& t = c.train;
  std::vector<std::string> variants, subsets, seeds;
  for (Variant v : t.variants) variants.push_back(VariantName(v));
  for (const auto& s : t.subsets) subsets.push_back(Strings(c.SubsetNames(s)));
  for (uint64_t s : t.seeds) seeds.push_back(std::to_string(s));
  e.Section("train");
  e.Key("variants", Strings(variants));
  e.Key("subsets", "[" + Join(subsets, ", ") + "]");
  e.Key("seeds", "[" + Join(seeds, ", ") + "]");
  e.Key("steps", t.steps);
  e.Key("lr", FormatDouble(t.lr));
  e.Key("batch_size", t.batch_size);
  e.Key("alpha", FormatDouble(t.alpha));
  e.Key("save_interval", t.save_interval);
  e.Key("threads", t.threads);
  e.Key("epo_eps", FormatDouble(t.epo_eps));
}

void EmitEval(Emitter& e, const EvalSection& v) {
  std::vector<std::string> sets;
  if (v.grid) sets.push_back("grid");
  if (v.one_hot) sets.push_back("one-hot");
  if (v.equal) sets.push_back("equal");
  if (v.dirichlet_samples > 0) sets.push_back("dirichlet");
  e.Section("eval");
  e.Key("ray_sets", Strings(sets));
  e.Key("grid_points", v.grid_points);
  e.Key("dirichlet_samples", v.dirichlet_samples);
  e.Key("dirichlet_alpha", FormatDouble(v.dirichlet_alpha));
  e.Key("batch_size", v.batch_size);
  e.Key("sample_cap", v.sample_cap);
  e.Key("rays_per_unit", v.rays_per_unit);
}

void EmitSlurm(Emitter& e, const SlurmSection& s) {
  e.Section("slurm");
  e.Key("partition", Quote(s.partition));
  e.Key("account", Quote(s.account));
  e.Key("qos", Quote(s.qos));
  e.Key("nodes", s.nodes);
  e.Key("tasks_per_node", s.tasks_per_node);
  e.Key("gpus_per_node", s.gpus_per_node);
  e.Key("cpus_per_task", s.cpus_per_task);
  e.Key("mem", Quote(s.mem));
  e.Key("time", Quote(s.time));
  e.Key("requeue", Bool(s.requeue));
  e.Key("signal_grace", s.signal_grace);
  e.Key("launcher", Quote(s.launcher));
  e.Key("extra", Strings(s.extra));
}

}  // namespace

std::string ToToml(const ExperimentConfig& c) {
  Emitter e;
  e.Section("experiment");
  e.Key("name", Quote(c.experiment.name));
  e.Key("seed", std::to_string(c.experiment.seed));
  e.Key("output_dir", Quote(c.experiment.output_dir));
  if (c.benchmark.enabled) {
    e.Section("benchmark");
    e.Key("dir", Quote(c.benchmark.dir));
    e.Key("size", Quote(c.benchmark.size));
    e.Key("seed", std::to_string(c.benchmark.seed));
    if (c.benchmark.tasks > 0) e.Key("tasks", std::to_string(c.benchmark.tasks));
  }
  e.Section("model");
  e.Key("architecture", Quote(c.model.architecture));
  e.Key("pretrained", Quote(c.model.pretrained));
  e.PerTask("model", "experts", c, &TaskSpec::expert);
  e.PerTask("model", "heads", c, &TaskSpec::head);
  std::vector<std::string> names;
  for (const auto& t : c.tasks) names.push_back(t.name);
  e.Section("tasks");
  e.Key("names", Strings(names));
  e.PerTask("tasks", "train_data", c, &TaskSpec::train_data);
  e.PerTask("tasks", "test_data", c, &TaskSpec::test_data);
  e.Section("upscale");
  e.Key("modules", Strings(c.upscale.modules));
  e.Key("init_lambda", FormatDouble(c.upscale.init_lambda));
  e.Key("router_hidden_layers", c.upscale.router_hidden_layers);
  EmitTrain(e, c);
  EmitEval(e, c.eval);
  const BaselinesSection& b = c.baselines;
  e.Section("baselines");
  e.Key("pretrained", Bool(b.pretrained));
  e.Key("experts", Bool(b.experts));
  e.Key("simple_average", Bool(b.simple_average));
  e.Key("task_arithmetic", Floats(b.task_arithmetic));
  e.Key("weighted_task_arithmetic", Bool(b.weighted_task_arithmetic));
  e.Key("weighted_lambda", FormatDouble(b.weighted_lambda));
  e.Section("cluster");
  e.Key("ranks_per_group", c.cluster.ranks_per_group);
  e.Key("threads_per_rank", c.cluster.threads_per_rank);
  e.Key("device", Quote(c.cluster.device));
  e.Section("compute");
  e.Key("precision", Quote(c.compute.precision));
  EmitSlurm(e, c.slurm);
  e.Section("report");
  e.Key("reference", FormatDouble(c.report.reference));
  return e.out.str();
}

}  // namespace pwemoe::config
