#include "report_samples.h"

#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <random>
#include <sstream>

#include "results/report/report_mu.h"
#include "results/report/report_pairs.h"
#include "records_testing.h"

namespace pwemoe::results::testing {
namespace {

const double kLow[] = {0.62, 0.55, 0.48, 0.70, 0.66};
const double kHigh[] = {0.90, 0.97, 0.85, 0.93, 0.88};

std::string JoinTasks(const std::vector<std::string>& tasks) {
  std::string key;
  for (const std::string& t : tasks) key += (key.empty() ? "" : "+") + t;
  return key;
}

// Deterministic rays on the simplex: a grid for 2 and 3 tasks, mixed weights for more.
std::vector<std::vector<double>> Rays(size_t tasks, size_t count) {
  std::vector<std::vector<double>> rays;
  if (tasks == 2) {
    for (size_t k = 0; k < count; ++k) {
      const double a = static_cast<double>(k) / static_cast<double>(count - 1);
      rays.push_back({a, 1 - a});
    }
  } else if (tasks == 3) {
    for (int a = 0; a <= 3; ++a) {
      for (int b = 0; a + b <= 3; ++b) rays.push_back({a / 3.0, b / 3.0, (3 - a - b) / 3.0});
    }
  } else {
    for (size_t k = 0; k < count; ++k) {
      std::vector<double> r(tasks);
      double sum = 0;
      for (size_t i = 0; i < tasks; ++i) sum += r[i] = 1 + static_cast<double>((i * 7 + k * 3) % 5);
      for (double& v : r) v /= sum;
      rays.push_back(r);
    }
  }
  return rays;
}

double Mu(const std::vector<double>& ray, const std::vector<double>& loss) {
  std::vector<double> rl(ray.size());
  double sum = 0;
  for (size_t i = 0; i < ray.size(); ++i) sum += rl[i] = ray[i] * loss[i];
  if (sum == 0) return 0;
  double mu = 0;
  for (double v : rl) {
    if (v > 0) mu += v / sum * std::log(static_cast<double>(ray.size()) * v / sum);
  }
  return mu;
}

bool Dominates(const std::vector<double>& a, const std::vector<double>& b) {
  bool better = false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] < b[i]) return false;
    better = better || a[i] > b[i];
  }
  return better;
}

void FillCurves(RunSummary* run, bool epo) {
  for (int64_t step = 0; step <= 200; step += 10) {
    run->steps.push_back(step);
    std::vector<double> losses;
    double total = 0;
    for (size_t t = 0; t < run->tasks.size(); ++t) {
      const double td = static_cast<double>(t);
      losses.push_back(0.35 + 0.08 * td + 1.6 * std::exp(-step / (40 + 10 * td)) +
                       0.03 * std::sin(0.3 * step + td));
      total += losses.back() / static_cast<double>(run->tasks.size());
    }
    run->losses.push_back(losses);
    run->total_loss.push_back(total);
    if (epo) run->epo_mu.push_back(0.4 * std::exp(-step / 60.0) + 0.02 * std::fabs(std::sin(step)));
  }
  run->final_losses = run->losses.back();
}

RunSummary MakeRun(const std::string& variant, const std::vector<std::string>& tasks,
                   size_t ray_count) {
  RunSummary run;
  run.variant = variant;
  run.subset_key = JoinTasks(tasks);
  run.run_name = (variant == "LS" ? "ls/" : "epo/") + run.subset_key + "/seed0";
  run.tasks = tasks;
  run.trained = true;
  run.train_seconds = variant == "LS" ? 41.25 : 47.5;
  run.eval_seconds = 12.0 + static_cast<double>(ray_count);
  const auto rays = Rays(tasks.size(), ray_count);
  for (size_t k = 0; k < rays.size(); ++k) {
    RayPoint p;
    p.ray_index = static_cast<int64_t>(k);
    p.label = k == 1 ? "grid <&\"> odd" : "grid";
    p.ray = rays[k];
    for (size_t i = 0; i < tasks.size(); ++i) {
      const double f = variant == "LS" ? 0.35 + 0.65 * std::sqrt(p.ray[i])
                                       : 0.30 + 0.70 * std::pow(p.ray[i], 0.45);
      p.accuracy.push_back(kLow[i] + (kHigh[i] - kLow[i]) * f);
      p.mean_loss.push_back(1.2 - p.accuracy.back());
    }
    p.mu = Mu(p.ray, p.mean_loss);
    run.rays.push_back(p);
  }
  double mu_sum = 0;
  run.mu_max = 0;
  for (size_t i = 0; i < run.rays.size(); ++i) {
    bool dominated = false;
    for (const RayPoint& q : run.rays) dominated = dominated || Dominates(q.accuracy, run.rays[i].accuracy);
    run.rays[i].on_front = !dominated;
    if (!dominated) run.front.push_back(i);
    mu_sum += run.rays[i].mu;
    run.mu_max = std::max(run.mu_max, run.rays[i].mu);
  }
  run.mu_mean = mu_sum / static_cast<double>(run.rays.size());
  // What BuildReport derives from the rays (the sample's reference is 0).
  run.mu_quantiles = MuDistribution(run);
  run.pair_hypervolume = PairHypervolumes(run, 0.0);
  run.hypervolume = variant == "LS" ? 0.6123 : 0.6345;
  run.hypervolume_normalized = variant == "LS" ? 0.8011 : 0.8234;
  run.wta_points = static_cast<int64_t>(rays.size());
  run.wta_dominated = static_cast<int64_t>(rays.size()) - 1;
  run.front_dominated_by_wta = 0;
  run.rays_compared_with_wta = static_cast<int64_t>(rays.size());
  run.rays_dominating_wta = static_cast<int64_t>(rays.size()) - 3;
  run.rays_equal_to_wta = 1;
  run.rays_dominated_by_wta = 1;
  run.rays_incomparable_to_wta = 1;
  FillCurves(&run, variant == "EPO");
  return run;
}

BaselinePoint Baseline(const std::string& method, const std::string& name,
                       std::vector<double> accuracy) {
  BaselinePoint b;
  b.method = method;
  b.name = name;
  b.accuracy = std::move(accuracy);
  for (double a : b.accuracy) b.mean_loss.push_back(1.2 - a);
  return b;
}

std::vector<BaselinePoint> Baselines(const std::vector<std::string>& tasks, size_t ray_count) {
  const size_t t = tasks.size();
  std::vector<BaselinePoint> out;
  std::vector<double> acc(t);
  for (size_t i = 0; i < t; ++i) acc[i] = kLow[i] - 0.15;
  out.push_back(Baseline("pretrained", "pretrained", acc));
  for (size_t e = 0; e < t; ++e) {
    for (size_t i = 0; i < t; ++i) acc[i] = i == e ? kHigh[i] + 0.02 : kLow[i] - 0.1;
    // The clothing expert was not evaluated on letters.
    if (tasks[e] == "clothing" && t == 3) acc[2] = kNoValue;
    out.push_back(Baseline("expert", "expert:" + tasks[e], acc));
  }
  for (size_t i = 0; i < t; ++i) acc[i] = kLow[i] + (kHigh[i] - kLow[i]) * 0.45;
  out.push_back(Baseline("simple-average", "simple-average", acc));
  for (double lambda : {0.1, 0.3, 0.5, 0.7, 0.9}) {
    for (size_t i = 0; i < t; ++i) {
      acc[i] = kLow[i] + (kHigh[i] - kLow[i]) *
                             (0.3 + 0.55 * lambda * (1 - 0.3 * static_cast<double>(i) / t) -
                              0.25 * lambda * lambda);
    }
    std::ostringstream name;
    name << "task-arithmetic:" << lambda;
    out.push_back(Baseline("task-arithmetic", name.str(), acc));
    out.back().lambda = lambda;
  }
  const auto rays = Rays(t, ray_count);
  for (size_t k = 0; k < rays.size(); ++k) {
    for (size_t i = 0; i < t; ++i) acc[i] = kLow[i] + (kHigh[i] - kLow[i]) * (0.25 + 0.6 * rays[k][i]);
    out.push_back(Baseline("weighted-task-arithmetic",
                           "weighted-task-arithmetic:0.3:ray" + std::to_string(k), acc));
    out.back().lambda = 0.3;
    out.back().ray_index = static_cast<int64_t>(k);
    out.back().ray = rays[k];
  }
  return out;
}

void AddSubset(ReportData* data, const std::vector<std::string>& tasks, size_t rays) {
  SubsetSummary s;
  s.tasks = tasks;
  s.key = JoinTasks(tasks);
  for (const char* variant : {"EPO", "LS"}) {  // by run name: "epo/..." < "ls/..."
    s.runs.push_back(data->runs.size());
    data->runs.push_back(MakeRun(variant, tasks, rays));
  }
  s.baselines = Baselines(tasks, rays);
  for (size_t i = 0; i < tasks.size(); ++i) s.expert_accuracy.push_back(kHigh[i] + 0.02);
  s.wta_hypervolume = 0.5512;
  s.wta_hypervolume_normalized = 0.7101;
  s.ta_sweep_hypervolume = 0.5023;
  data->subsets.push_back(s);
}

std::map<std::string, int64_t> ParseCounts(const std::string& output, int64_t* svgs) {
  std::map<std::string, int64_t> counts;
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string kind, cls, run, n;
    std::getline(fields, kind, '\t');
    if (kind == "svg") {
      std::getline(fields, n, '\t');
      *svgs = std::stoll(n);
    } else if (kind == "pt") {
      std::getline(fields, cls, '\t');
      std::getline(fields, run, '\t');
      std::getline(fields, n, '\t');
      counts[cls + "|" + run] = std::stoll(n);
    }
  }
  return counts;
}

}  // namespace

ReportData SampleReport() {
  ReportData data;
  data.header.config_hash = "cfg-123";
  data.header.experiment_toml =
      "[experiment]\nname = \"mini <&\\\"> test\"\n# a < b && c > d\ntasks = [\"clothing\"]\n";
  data.header.software_version = "0.1.0";
  data.header.command_line = "pwemoe-orchestrate experiments/mini.toml --set 'train.lr=0.005'";
  data.header.num_units = 120;
  data.experiment_name = "mini <&\"> test";
  data.units_done = 100;
  data.units_failed = 1;
  data.failures.push_back({77, "eval ls/a+b/seed0 rays 0-7 on task a",
                           "numerical: NaN loss at step 40 <&\">", "2026-11-29T01:43:26Z"});
  data.sessions.push_back({"2026-11-29T01:00:00Z", "pwemoe-orchestrate experiments/mini.toml",
                           "0.1.0", 4, {"node-a"}});
  data.sessions.push_back({"2026-11-29T02:00:00Z", "pwemoe-orchestrate experiments/mini.toml",
                           "0.1.0", 8, {"node-a", "node-b"}});
  AddSubset(&data, {"clothing", "digits"}, 7);
  AddSubset(&data, {"clothing", "digits", "letters"}, 10);
  AddSubset(&data, {"a", "b", "c", "d", "e"}, 12);
  return data;
}

namespace {

// A fixed uniform draw in (0, 1) from 53 bits of the generator (the same on every library).
double Uniform(std::mt19937_64* rng) {
  return (static_cast<double>((*rng)() >> 11) + 0.5) / 9007199254740992.0;
}

std::vector<std::vector<double>> ManyRays(size_t tasks, size_t count) {
  std::vector<std::vector<double>> rays;
  rays.push_back(std::vector<double>(tasks, 1.0 / static_cast<double>(tasks)));
  for (size_t i = 0; i < tasks; ++i) {
    rays.push_back(std::vector<double>(tasks, 0.0));
    rays.back()[i] = 1;
  }
  std::mt19937_64 rng(2406);
  while (rays.size() < count) {
    std::vector<double> r(tasks);
    double sum = 0;
    // Exponential draws, squared for variety: Dirichlet-like rays, some near an edge.
    for (double& v : r) sum += v = std::pow(-std::log(Uniform(&rng)), 2.0);
    for (double& v : r) v /= sum;
    rays.push_back(r);
  }
  return rays;
}

// Accuracy of a run of `variant` at ray weight w on task i (of T), with a fixed perturbation.
double ManyAccuracy(const std::string& variant, size_t i, double w, double noise) {
  const double lo = 0.35 + 0.02 * static_cast<double>(i % 7);
  const double hi = 0.80 + 0.01 * static_cast<double>(i % 9);
  const double f = variant == "LS" ? std::pow(w, 0.35) : 0.05 + 0.95 * std::pow(w, 0.5);
  return std::clamp(lo + (hi - lo) * f + 0.01 * noise, 0.0, 1.0);
}

}  // namespace

std::vector<std::string> ManyTaskNames(size_t tasks) {
  static const char* const kNames[] = {
      "sun397",   "stanford_cars", "resisc45", "eurosat",         "svhn",
      "gtsrb",    "mnist",         "dtd",      "oxford_flowers102", "pcam",
      "fer2013",  "oxford_iiit_pet", "stl10", "cifar100",        "cifar10",
      "food101",  "fashion_mnist", "emnist_letters", "kmnist",   "rendered_sst2"};
  return std::vector<std::string>(kNames, kNames + std::min<size_t>(tasks, 20));
}

ResultSet ManyTaskRecords(size_t tasks, size_t ray_count) {
  const std::vector<std::string> names = ManyTaskNames(tasks);
  const size_t t = names.size();
  const std::string key = JoinTasks(names);
  const auto rays = ManyRays(t, ray_count);
  ResultSet set;
  int64_t unit = 0;
  std::mt19937_64 rng(77);
  for (const char* variant : {"LS", "EPO"}) {
    const std::string run = std::string(variant == std::string("LS") ? "ls/" : "epo/") + key +
                            "/seed0";
    TrainRecord tr;
    tr.unit_id = unit++;
    tr.run_name = run;
    tr.variant = variant;
    tr.tasks = names;
    for (int64_t step = 0; step < 40; ++step) {
      TrainStep s;
      s.step = step * 5;
      s.lr = 0.01;
      s.ray = rays[static_cast<size_t>(step) % rays.size()];
      s.loss_weights = s.ray;
      for (size_t i = 0; i < t; ++i) {
        s.losses.push_back(0.4 + 0.05 * static_cast<double>(i % 5) +
                           1.2 * std::exp(-static_cast<double>(s.step) / (30.0 + 4.0 * i)));
        s.total_loss += s.ray[i] * s.losses.back();
      }
      if (tr.variant == "EPO") {
        s.epo_mu = 0.3 * std::exp(-static_cast<double>(step) / 10.0);
        s.epo_alpha = s.ray;
        s.epo_mode = "balance";
      }
      tr.steps.push_back(s);
    }
    tr.seconds = 600;
    set.Add(tr);
    for (size_t i = 0; i < t; ++i) {
      EvalRecord e;
      e.unit_id = unit++;
      e.run_name = run;
      e.task = names[i];
      for (size_t k = 0; k < rays.size(); ++k) {
        const double noise = 2 * Uniform(&rng) - 1;
        e.ray_index.push_back(static_cast<int64_t>(k));
        e.ray_label.push_back(k == 0 ? "equal" : k <= t ? "one-hot" : "dirichlet");
        e.rays.push_back(rays[k]);
        e.accuracy.push_back(ManyAccuracy(tr.variant, i, rays[k][i], noise));
        e.mean_loss.push_back(0.2 + 1.5 * (1 - e.accuracy.back()) * (1 + 0.3 * Uniform(&rng)));
        e.count.push_back(1000);
      }
      e.seconds = 3;
      set.Add(e);
    }
  }
  auto baseline = [&](const std::string& method, const std::string& name, double lambda,
                      std::vector<std::string> subset, size_t task, std::vector<BaselineRow> rows) {
    BaselineRecord b;
    b.unit_id = unit++;
    b.method = method;
    b.name = name;
    b.lambda = lambda;
    b.subset = std::move(subset);
    b.task = names[task];
    b.rows = std::move(rows);
    b.seconds = 1;
    set.Add(b);
  };
  auto row = [](double accuracy) { return BaselineRow{-1, {}, accuracy, 1.5 - accuracy, 1000}; };
  for (size_t i = 0; i < t; ++i) {
    baseline("pretrained", "pretrained", kNoValue, {}, i, {row(0.3 + 0.01 * i)});
    for (size_t e = 0; e < t; ++e) {
      baseline("expert", "expert:" + names[e], kNoValue, {}, i,
               {row(e == i ? 0.86 + 0.005 * static_cast<double>(i) : 0.32 + 0.01 * e)});
    }
    baseline("simple-average", "simple-average", kNoValue, names, i, {row(0.5 + 0.01 * i)});
    for (double lambda : {0.1, 0.3, 0.5}) {
      std::ostringstream name;
      name << "task-arithmetic:" << lambda;
      baseline("task-arithmetic", name.str(), lambda, names, i,
               {row(0.45 + 0.2 * lambda - 0.25 * lambda * lambda)});
    }
    std::vector<BaselineRow> wta;
    for (size_t k = 0; k < rays.size(); ++k) {
      wta.push_back({static_cast<int64_t>(k), rays[k],
                     0.4 + 0.3 * std::pow(rays[k][i], 0.5) + 0.004 * static_cast<double>(k % 5),
                     1.0, 1000});
    }
    baseline("weighted-task-arithmetic", "weighted-task-arithmetic:0.3", 0.3, names, i, wta);
  }
  return set;
}

Status ManyTaskReport(size_t tasks, size_t rays, double reference, ReportData* out) {
  ReportOptions options;
  options.reference = reference;
  options.hv_exact_seconds = 0;
  StoreHeader header = MakeHeader("many");
  header.experiment_toml = "[experiment]\nname = \"many tasks\"\n";
  header.num_units = 2 * (1 + static_cast<int64_t>(tasks)) + static_cast<int64_t>(tasks) * (tasks + 6);
  return BuildReport(header, ManyTaskRecords(tasks, rays), options, out);
}

std::map<std::string, int64_t> ExpectedPointElements(const ReportData& data) {
  std::map<std::string, int64_t> expected;
  for (const SubsetSummary& s : data.subsets) {
    const size_t t = s.tasks.size();
    std::vector<std::pair<size_t, size_t>> pairs;
    if (t == 2 || t == 3) {
      for (size_t i = 0; i < t; ++i) {
        for (size_t j = i + 1; j < t; ++j) pairs.push_back({i, j});
      }
    }
    const int64_t charts = t >= 4 ? 1 : static_cast<int64_t>(pairs.size());
    for (size_t r : s.runs) {
      const RunSummary& run = data.runs[r];
      const std::string cls = run.variant == "LS" ? "pt ls" : run.variant == "EPO" ? "pt epo" : "pt run";
      expected[cls + "|" + run.run_name] += charts * static_cast<int64_t>(run.rays.size());
    }
    for (const BaselinePoint& b : s.baselines) {
      int64_t n = t >= 4 ? 1 : 0;
      for (const auto& [i, j] : pairs) n += std::isfinite(b.accuracy[i]) && std::isfinite(b.accuracy[j]);
      if (n > 0) expected["pt baseline " + b.method + "|"] += n;
    }
  }
  return expected;
}

HtmlCheck CheckHtmlFile(const std::string& python3, const std::string& html_path, bool xml) {
  HtmlCheck check;
  const std::string out = html_path + ".check.txt";
  const std::string cmd = python3 + " " + PWEMOE_TEST_DATA_DIR + "/report_html_check.py " +
                          (xml ? "--xml " : "") + html_path + " >" + out + " 2>&1";
  const int status = std::system(cmd.c_str());
  check.output = ReadFile(out);
  check.ran = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (check.ran) check.points = ParseCounts(check.output, &check.svgs);
  return check;
}

}  // namespace pwemoe::results::testing
