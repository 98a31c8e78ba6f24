// Reading and validating each section of the experiment TOML (see experiment_config.h).
#include "config/parse_sections.h"

#include <algorithm>
#include <limits>
#include <regex>
#include <set>

#include "pwemoe/util/strings.h"

namespace pwemoe::config::detail {

namespace {

constexpr int64_t kMaxInt = std::numeric_limits<int>::max();
constexpr double kInf = std::numeric_limits<double>::infinity();

bool ValidName(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char ch) {
           return std::isalnum(ch) || ch == '_' || ch == '-' || ch == '.';
         });
}

// "a", "b" -> the task indices of the names in `items`, or an error on the first unknown name.
bool SubsetFromArray(Section& s, const toml::array& items, const std::vector<std::string>& names,
                     size_t position, std::vector<int>* out) {
  for (const auto& item : items) {
    if (!item.is_string()) {
      s.Error("subsets", &item, "expected task names in subset " + std::to_string(position) +
                                    ", found " + Describe(item));
      return false;
    }
    std::string name = *item.value<std::string>();
    auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) {
      s.Error("subsets", &item, "unknown task '" + name + "' in subset " + std::to_string(position) +
                                    " (tasks are " + Join(names, ", ") + ")" + DidYouMean(name, names));
      return false;
    }
    int index = static_cast<int>(it - names.begin());
    if (std::find(out->begin(), out->end(), index) != out->end()) {
      s.Error("subsets", &item, "task '" + name + "' appears twice in subset " + std::to_string(position));
      return false;
    }
    out->push_back(index);
  }
  return true;
}

// One element of train.subsets: "all", "pairs" or an array of task names; appends 1+ subsets.
bool ReadSubsetItem(Section& s, const toml::node& item, const std::vector<std::string>& names,
                    size_t position, std::vector<std::vector<int>>* out) {
  int t = static_cast<int>(names.size());
  if (item.is_string()) {
    std::string word = *item.value<std::string>();
    if (word == "all") {
      std::vector<int> all(t);
      for (int i = 0; i < t; ++i) all[i] = i;
      out->push_back(all);
      return true;
    }
    if (word == "pairs") {
      for (int i = 0; i < t; ++i) {
        for (int j = i + 1; j < t; ++j) out->push_back({i, j});
      }
      return true;
    }
    s.Error("subsets", &item, "expected \"all\", \"pairs\" or an array of task names, found " +
                                  Describe(item) + DidYouMean(word, {"all", "pairs"}));
    return false;
  }
  const toml::array* a = item.as_array();
  if (!a) {
    s.Error("subsets", &item, "expected \"all\", \"pairs\" or an array of task names, found " + Describe(item));
    return false;
  }
  std::vector<int> subset;
  if (!SubsetFromArray(s, *a, names, position, &subset)) return false;
  if (subset.size() < 2) {
    s.Error("subsets", &item, "subset " + std::to_string(position) + " has " +
                                  std::to_string(subset.size()) + " task(s), expected at least 2");
    return false;
  }
  out->push_back(subset);
  return true;
}

void ReadSubsets(Section& s, const std::vector<std::string>& names, TrainSection* train) {
  const toml::node* n = s.Get("subsets");
  if (!n) {  // default: one subset of every task
    std::vector<int> all;
    for (int i = 0; i < static_cast<int>(names.size()); ++i) all.push_back(i);
    if (all.size() >= 2) train->subsets = {all};
    return;
  }
  const toml::array* a = n->as_array();
  if (!a || a->empty()) {
    s.Error("subsets", n, "expected a non-empty array of subsets (\"all\", \"pairs\" or arrays of task "
                          "names), found " + (a ? std::string("an empty array") : Describe(*n)));
    return;
  }
  std::vector<std::vector<int>> subsets;
  size_t position = 0;
  for (const auto& item : *a) {
    size_t before = subsets.size();
    if (!ReadSubsetItem(s, item, names, ++position, &subsets)) return;
    for (size_t k = before; k < subsets.size(); ++k) {
      std::set<int> mine(subsets[k].begin(), subsets[k].end());
      for (size_t j = 0; j < k; ++j) {
        if (std::set<int>(subsets[j].begin(), subsets[j].end()) == mine) {
          s.Error("subsets", &item, "subset " + std::to_string(position) + " repeats the tasks of an "
                                    "earlier subset");
          return;
        }
      }
    }
  }
  train->subsets = std::move(subsets);
}

void ReadVariants(Section& s, TrainSection* train) {
  std::vector<std::string> names;
  if (!s.StringList("variants", &names, false)) return;
  const toml::array* a = s.table()->get("variants")->as_array();
  std::vector<Variant> out;
  for (size_t i = 0; i < names.size(); ++i) {
    const toml::node* at = a->get(i);
    Variant v;
    if (names[i] == "ls") {
      v = Variant::kLs;
    } else if (names[i] == "epo") {
      v = Variant::kEpo;
    } else {
      s.Error("variants", at, "expected \"ls\" or \"epo\", found \"" + names[i] + "\"" +
                                  DidYouMean(names[i], {"ls", "epo"}));
      return;
    }
    if (std::find(out.begin(), out.end(), v) != out.end()) {
      s.Error("variants", at, "variant \"" + names[i] + "\" given twice");
      return;
    }
    out.push_back(v);
  }
  train->variants = out;
}

void ReadSeeds(Section& s, uint64_t default_seed, TrainSection* train) {
  train->seeds = {default_seed};
  const toml::node* n = s.Get("seeds");
  if (!n) return;
  const toml::array* a = n->as_array();
  if (!a || a->empty()) {
    s.Error("seeds", n, "expected a non-empty array of integers >= 0, found " +
                            (a ? std::string("an empty array") : Describe(*n)));
    return;
  }
  std::vector<uint64_t> seeds;
  for (const auto& item : *a) {
    if (!item.is_integer() || *item.value<int64_t>() < 0) {
      s.Error("seeds", &item, "expected integers >= 0, found an element " + Describe(item));
      return;
    }
    uint64_t v = static_cast<uint64_t>(*item.value<int64_t>());
    if (std::find(seeds.begin(), seeds.end(), v) != seeds.end()) {
      s.Error("seeds", &item, "seed " + std::to_string(v) + " given twice");
      return;
    }
    seeds.push_back(v);
  }
  train->seeds = seeds;
}

bool ValidSlurmTime(const std::string& t) {
  static const std::regex re(R"(^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d+|\d+-\d+:\d{1,2}|\d+-\d+:\d{1,2}:\d{1,2}|UNLIMITED|INFINITE)$)");
  return std::regex_match(t, re);
}

// slurm.time: a string in one of Slurm's formats, an integer number of minutes, or a TOML time of
// day (an unquoted 00:05:00 on the command line or in the file), written back as HH:MM:SS.
void ReadSlurmTime(Section& s, std::string* out) {
  const toml::node* n = s.Get("time");
  if (n == nullptr) return;
  if (n->is_integer()) {
    int minutes = 0;
    if (s.Int("time", 1, 100000000, &minutes)) *out = std::to_string(minutes);
    return;
  }
  if (const toml::value<toml::time>* t = n->as_time()) {
    const toml::time& v = t->get();
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", int{v.hour}, int{v.minute}, int{v.second});
    *out = buf;
    return;
  }
  const std::string expected = "expected a Slurm time limit (minutes, HH:MM:SS or D-HH:MM:SS), found ";
  if (!n->is_string()) return s.Error("time", n, expected + Describe(*n));
  const std::string time = *n->value<std::string>();
  if (ValidSlurmTime(time)) *out = time;
  else s.Error("time", n, expected + "\"" + time + "\"");
}

}  // namespace

void ReadExperimentSection(Section& s, ExperimentConfig* c) {
  const toml::node* n = s.table() ? s.table()->get("name") : nullptr;
  if (s.String("name", &c->experiment.name, s.present()) && !ValidName(c->experiment.name)) {
    s.Error("name", n, "expected a name of letters, digits, '-', '_' or '.', found \"" +
                           c->experiment.name + "\"");
  }
  int64_t seed = 0;
  if (s.Int("seed", 0, std::numeric_limits<int64_t>::max(), &seed)) c->experiment.seed = seed;
  s.String("output_dir", &c->experiment.output_dir);
  s.RejectUnknownKeys();
}

void ReadBenchmarkSection(Section& s, ExperimentConfig* c) {
  c->benchmark.enabled = s.present();
  if (!s.present()) return;
  s.String("dir", &c->benchmark.dir, true);
  s.Choice("size", {"micro", "full"}, &c->benchmark.size);
  int64_t seed = 0;
  if (s.Int("seed", 0, std::numeric_limits<int64_t>::max(), &seed)) c->benchmark.seed = seed;
  int64_t tasks = 0;
  if (s.Int("tasks", 1, 1000, &tasks)) c->benchmark.tasks = tasks;
  s.RejectUnknownKeys();
}

std::vector<std::string> ReadTaskNames(Section& s) {
  std::vector<std::string> names;
  if (!s.present()) return names;
  if (!s.StringList("names", &names, false)) {
    if (!s.table()->get("names")) s.Missing("names", "a non-empty array of task names");
    return {};
  }
  const toml::array* a = s.table()->get("names")->as_array();
  for (size_t i = 0; i < names.size(); ++i) {
    if (!ValidName(names[i])) {
      s.Error("names", a->get(i), "expected a task name of letters, digits, '-', '_' or '.', found \"" +
                                      names[i] + "\"");
      return {};
    }
    if (std::find(names.begin(), names.begin() + i, names[i]) != names.begin() + i) {
      s.Error("names", a->get(i), "duplicate task '" + names[i] + "'");
      return {};
    }
  }
  if (names.size() < 2) {
    s.Error("names", a, "expected at least 2 tasks, found " + std::to_string(names.size()));
    return {};
  }
  return names;
}

void ReadUpscaleSection(Section& s, UpscaleSection* u) {
  std::vector<std::string> modules;
  if (s.StringList("modules", &modules, false)) {
    bool ok = std::none_of(modules.begin(), modules.end(), [](const std::string& m) { return m.empty(); });
    if (ok) u->modules = modules;
    else s.Error("modules", s.table()->get("modules"), "expected non-empty module-name patterns");
  }
  s.Number("init_lambda", -kInf, false, kInf, false, &u->init_lambda);
  s.Int("router_hidden_layers", 0, 2, &u->router_hidden_layers);
  s.RejectUnknownKeys();
}

void ReadTrainSection(Section& s, const std::vector<std::string>& names, uint64_t seed, TrainSection* t) {
  ReadVariants(s, t);
  ReadSubsets(s, names, t);
  ReadSeeds(s, seed, t);
  s.Int("steps", 1, 1000000000, &t->steps);
  s.Number("lr", 0, true, kInf, false, &t->lr);
  s.Int("batch_size", 1, 1 << 20, &t->batch_size);
  s.Number("alpha", 0, true, kInf, false, &t->alpha);
  s.Int("save_interval", 0, kMaxInt, &t->save_interval);
  s.Int("threads", 0, 4096, &t->threads);
  s.Number("epo_eps", 0, true, kInf, false, &t->epo_eps);
  s.RejectUnknownKeys();
}

void ReadEvalSection(Section& s, EvalSection* e) {
  const std::vector<std::string> kSets = {"grid", "one-hot", "equal", "dirichlet"};
  std::set<std::string> chosen = {"grid", "one-hot", "equal"};
  std::vector<std::string> sets;
  if (s.StringList("ray_sets", &sets, false)) {
    const toml::array* a = s.table()->get("ray_sets")->as_array();
    chosen.clear();
    for (size_t i = 0; i < sets.size(); ++i) {
      if (std::find(kSets.begin(), kSets.end(), sets[i]) == kSets.end()) {
        s.Error("ray_sets", a->get(i), "expected one of " + Join(kSets, ", ") + ", found \"" + sets[i] +
                                           "\"" + DidYouMean(sets[i], kSets));
      } else if (!chosen.insert(sets[i]).second) {
        s.Error("ray_sets", a->get(i), "ray set \"" + sets[i] + "\" given twice");
      }
    }
  }
  e->grid = chosen.count("grid");
  e->one_hot = chosen.count("one-hot");
  e->equal = chosen.count("equal");
  s.Int("grid_points", 2, 100000, &e->grid_points);
  const toml::node* ns = s.table() ? s.table()->get("dirichlet_samples") : nullptr;
  s.Int("dirichlet_samples", 0, 10000000, &e->dirichlet_samples);
  bool dirichlet = chosen.count("dirichlet");
  if (dirichlet && e->dirichlet_samples == 0) {
    if (ns) s.Error("dirichlet_samples", ns, "expected an integer >= 1 when ray_sets contains \"dirichlet\", found " + Describe(*ns));
    else s.Missing("dirichlet_samples", "an integer >= 1 when ray_sets contains \"dirichlet\"");
  } else if (!dirichlet && e->dirichlet_samples > 0) {
    s.Error("dirichlet_samples", ns, "is set but ray_sets does not contain \"dirichlet\"");
    e->dirichlet_samples = 0;
  }
  s.Number("dirichlet_alpha", 0, true, kInf, false, &e->dirichlet_alpha);
  s.Int("batch_size", 1, 1 << 20, &e->batch_size);
  s.Int("sample_cap", 0, std::numeric_limits<int64_t>::max(), &e->sample_cap);
  s.Int("rays_per_unit", 1, 1000000, &e->rays_per_unit);
  s.RejectUnknownKeys();
}

void ReadBaselinesSection(Section& s, BaselinesSection* b) {
  s.Bool("pretrained", &b->pretrained);
  s.Bool("experts", &b->experts);
  s.Bool("simple_average", &b->simple_average);
  s.NumberList("task_arithmetic", &b->task_arithmetic);
  s.Bool("weighted_task_arithmetic", &b->weighted_task_arithmetic);
  s.Number("weighted_lambda", -kInf, false, kInf, false, &b->weighted_lambda);
  s.RejectUnknownKeys();
}

void ReadClusterSection(Section& s, ClusterSection* c) {
  s.Int("ranks_per_group", 1, 65536, &c->ranks_per_group);
  s.Int("threads_per_rank", 1, 4096, &c->threads_per_rank);
  s.Choice("device", {"cpu", "cuda", "auto"}, &c->device);
  s.RejectUnknownKeys();
}

void ReadComputeSection(Section& s, ComputeSection* c) {
  s.Choice("precision", {"auto", "bf16", "fp32"}, &c->precision);
  s.RejectUnknownKeys();
}

void ReadReportSection(Section& s, ReportSection* r) {
  s.Number("reference", 0, false, 1, true, &r->reference);
  s.RejectUnknownKeys();
}

void ReadSlurmSection(Section& s, SlurmSection* sl) {
  s.String("partition", &sl->partition);
  s.String("account", &sl->account);
  s.String("qos", &sl->qos);
  s.Int("nodes", 1, 100000, &sl->nodes);
  s.Int("tasks_per_node", 1, 100000, &sl->tasks_per_node);
  s.Int("gpus_per_node", 0, 1024, &sl->gpus_per_node);
  s.Int("cpus_per_task", 1, 100000, &sl->cpus_per_task);
  const toml::node* n = s.table() ? s.table()->get("mem") : nullptr;
  std::string mem;
  if (s.String("mem", &mem)) {
    if (std::regex_match(mem, std::regex(R"(^[0-9]+[KMGT]?$)"))) sl->mem = mem;
    else s.Error("mem", n, "expected a Slurm memory size such as \"16G\" or \"4000M\", found \"" + mem + "\"");
  }
  ReadSlurmTime(s, &sl->time);
  s.Bool("requeue", &sl->requeue);
  s.Int("signal_grace", 1, 65535, &sl->signal_grace);
  s.Choice("launcher", {"srun", "mpirun"}, &sl->launcher);
  std::vector<std::string> extra;
  if (s.StringList("extra", &extra, true)) {
    const toml::array* a = s.table()->get("extra")->as_array();
    for (size_t i = 0; i < extra.size(); ++i) {
      if (extra[i].empty() || extra[i][0] != '-') {
        s.Error("extra", a->get(i), "expected sbatch options starting with '-', found \"" + extra[i] + "\"");
      }
    }
    sl->extra = extra;
  }
  s.RejectUnknownKeys();
}

}  // namespace pwemoe::config::detail
