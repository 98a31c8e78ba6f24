#include "report_samples.h"

#include <sys/wait.h>

#include <cmath>
#include <cstdlib>
#include <sstream>

#include "test_records.h"

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
  run.hypervolume = variant == "LS" ? 0.6123 : 0.6345;
  run.hypervolume_normalized = variant == "LS" ? 0.8011 : 0.8234;
  run.wta_points = static_cast<int64_t>(rays.size());
  run.wta_dominated = static_cast<int64_t>(rays.size()) - 1;
  run.front_dominated_by_wta = 0;
  run.rays_compared_with_wta = static_cast<int64_t>(rays.size());
  run.rays_beating_wta = static_cast<int64_t>(rays.size()) - 2;
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
