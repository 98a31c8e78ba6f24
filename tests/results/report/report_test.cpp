// The report (results/report/report_model.h, report_tables.h, report_md.h): BuildReport against the
// Pareto and hypervolume functions on random synthetic results, mu against hand-computed values,
// baseline placement, weighted-task-arithmetic comparisons on a hand-made case, contradictions,
// invariance under unit-id permutations; fronts.csv / summary.json round trips (also through
// Python's json); a results file written and read back end to end; report.md's content.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "results/store/h5_reader.h"
#include "results/store/h5_writer.h"
#include "results/front/hypervolume.h"
#include "results/front/pareto.h"
#include "results/report/report_html.h"
#include "results/report/report_md.h"
#include "results/report/report_model.h"
#include "results/report/report_table.h"
#include "results/report/report_tables.h"
#include "results/report/report_util.h"
#include "records_testing.h"

namespace pwemoe::results {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::TempDir;
using Points = std::vector<std::vector<double>>;

const double kNaN = std::nan("");

// Records of a synthetic experiment, each with a fresh unit id.
struct Lab {
  ResultSet set;
  int64_t next = 0;

  void Train(const std::string& run, const std::string& variant,
             const std::vector<std::string>& tasks, int steps = 0, double seconds = 2) {
    TrainRecord t;
    t.unit_id = next++;
    t.run_name = run;
    t.variant = variant;
    t.tasks = tasks;
    for (int s = 0; s < steps; ++s) {
      TrainStep step;
      step.step = s;
      step.ray.assign(tasks.size(), 1.0 / static_cast<double>(tasks.size()));
      for (size_t k = 0; k < tasks.size(); ++k) step.losses.push_back(s + 10.0 * k);
      step.loss_weights = step.ray;
      step.total_loss = s;
      if (variant == "EPO") step.epo_mu = 0.5 * s;
      t.steps.push_back(step);
    }
    t.seconds = seconds;
    set.Add(t);
  }
  // One evaluation unit: rays[i] (index idx[i]) on `task` with accuracy acc[i], loss loss[i].
  void Eval(const std::string& run, const std::string& task, const std::vector<int64_t>& idx,
            const Points& rays, const std::vector<double>& acc, std::vector<double> loss = {},
            double seconds = 0.5) {
    EvalRecord e;
    e.unit_id = next++;
    e.run_name = run;
    e.task = task;
    e.ray_index = idx;
    e.rays = rays;
    e.accuracy = acc;
    e.mean_loss = loss.empty() ? std::vector<double>(idx.size(), 1.0) : loss;
    e.count.assign(idx.size(), 100);
    for (int64_t i : idx) e.ray_label.push_back("grid-" + std::to_string(i));
    e.seconds = seconds;
    set.Add(e);
  }
  void Baseline(const std::string& method, const std::string& name,
                const std::vector<std::string>& subset, const std::string& task,
                std::vector<BaselineRow> rows, double lambda = kNaN) {
    BaselineRecord b;
    b.unit_id = next++;
    b.method = method;
    b.name = name;
    b.lambda = lambda;
    b.subset = subset;
    b.task = task;
    b.rows = std::move(rows);
    b.seconds = 1;
    set.Add(b);
  }
  BaselineRow Row(double acc, int64_t ray_index = -1, std::vector<double> ray = {}) {
    return {ray_index, std::move(ray), acc, 0.5, 100};
  }
};

ReportData Build(const ResultSet& set, const StoreHeader& header = testing::MakeHeader()) {
  ReportData data;
  const Status st = BuildReport(header, set, ReportOptions{}, &data);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return data;
}

const RunSummary& RunNamed(const ReportData& d, const std::string& name) {
  for (const RunSummary& r : d.runs) {
    if (r.run_name == name) return r;
  }
  ADD_FAILURE() << "no run " << name;
  static RunSummary none;
  return none;
}

const SubsetSummary& SubsetNamed(const ReportData& d, const std::string& key) {
  for (const SubsetSummary& s : d.subsets) {
    if (s.key == key) return s;
  }
  ADD_FAILURE() << "no subset " << key;
  static SubsetSummary none;
  return none;
}

// A run "ls/<tasks>/seed0" over `t` tasks with n random rays (accuracies on a coarse grid so that
// ties and duplicates occur); ray i is left out on the last task when missing(i).
struct RandomRun {
  std::vector<std::string> tasks;
  Points rays, accuracy, loss;
  std::vector<int64_t> index;
};

RandomRun MakeRandomRun(std::mt19937_64* rng, size_t t, size_t n) {
  RandomRun r;
  for (size_t k = 0; k < t; ++k) r.tasks.push_back("task" + std::to_string(k));
  std::uniform_int_distribution<int> level(0, 8);
  std::uniform_real_distribution<double> u(0.1, 1);
  for (size_t i = 0; i < n; ++i) {
    r.index.push_back(static_cast<int64_t>(3 * i + 1));
    std::vector<double> ray, acc, loss;
    double sum = 0;
    for (size_t k = 0; k < t; ++k) sum += ray.emplace_back(u(*rng));
    for (double& x : ray) x /= sum;
    for (size_t k = 0; k < t; ++k) acc.push_back(0.5 + level(*rng) / 16.0);
    for (size_t k = 0; k < t; ++k) loss.push_back(u(*rng));
    r.rays.push_back(ray);
    r.accuracy.push_back(acc);
    r.loss.push_back(loss);
  }
  return r;
}

std::string JoinTasks(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += (s.empty() ? "" : "+") + x;
  return s;
}

// Writes the run's evaluations task by task; rays with missing(i) are not evaluated on the last
// task. Experts get accuracy 0.8 + 0.05 k on task k.
void AddRandomRun(const RandomRun& r, const std::function<bool(size_t)>& missing, Lab* lab) {
  const std::string name = "ls/" + JoinTasks(r.tasks) + "/seed0";
  lab->Train(name, "LS", r.tasks);
  for (size_t k = 0; k < r.tasks.size(); ++k) {
    std::vector<int64_t> idx;
    Points rays;
    std::vector<double> acc, loss;
    for (size_t i = 0; i < r.index.size(); ++i) {
      if (k + 1 == r.tasks.size() && missing(i)) continue;
      idx.push_back(r.index[i]);
      rays.push_back(r.rays[i]);
      acc.push_back(r.accuracy[i][k]);
      loss.push_back(r.loss[i][k]);
    }
    lab->Eval(name, r.tasks[k], idx, rays, acc, loss);
    lab->Baseline("expert", "expert:" + r.tasks[k], {}, r.tasks[k], {lab->Row(0.8 + 0.05 * k)});
  }
}

TEST(Report, FrontIndicesMatchParetoFrontAndHypervolume) {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 30; ++trial) {
    const size_t t = 2 + trial % 4, n = 1 + trial % 13;
    const RandomRun run = MakeRandomRun(&rng, t, n);
    auto missing = [&](size_t i) { return (i + trial) % 4 == 0; };
    Lab lab;
    AddRandomRun(run, missing, &lab);
    const ReportData d = Build(lab.set);
    ASSERT_EQ(d.runs.size(), 1u);
    const RunSummary& r = d.runs[0];
    Points complete;
    int64_t incomplete = 0;
    for (size_t i = 0; i < n; ++i) {
      if (missing(i)) {
        ++incomplete;
        continue;
      }
      ASSERT_LT(complete.size(), r.rays.size());
      EXPECT_EQ(r.rays[complete.size()].ray_index, run.index[i]);
      complete.push_back(run.accuracy[i]);
    }
    EXPECT_EQ(r.incomplete_rays, incomplete);
    ASSERT_EQ(r.rays.size(), complete.size());
    std::vector<size_t> front;
    ASSERT_TRUE(ParetoFront(complete, Sense::kMaximize, &front).ok());
    EXPECT_EQ(r.front, front) << "trial " << trial;
    for (size_t i = 0; i < r.rays.size(); ++i) {
      EXPECT_EQ(r.rays[i].on_front, std::count(front.begin(), front.end(), i) == 1);
    }
    if (complete.empty()) {
      EXPECT_TRUE(std::isnan(r.hypervolume));
      continue;
    }
    double hv = 0, hv_all = 0, hv_norm = 0;
    Points front_points, scaled = complete;
    for (size_t i : front) front_points.push_back(complete[i]);
    for (auto& p : scaled) {
      for (size_t k = 0; k < t; ++k) p[k] /= 0.8 + 0.05 * k;
    }
    ASSERT_TRUE(Hypervolume(front_points, std::vector<double>(t, 0), Sense::kMaximize, &hv).ok());
    ASSERT_TRUE(Hypervolume(complete, std::vector<double>(t, 0), Sense::kMaximize, &hv_all).ok());
    ASSERT_TRUE(Hypervolume(scaled, std::vector<double>(t, 0), Sense::kMaximize, &hv_norm).ok());
    EXPECT_EQ(r.hypervolume, hv);
    EXPECT_DOUBLE_EQ(r.hypervolume, hv_all);
    EXPECT_NEAR(r.hypervolume_normalized, hv_norm, 1e-12 * hv_norm);
    // mu per ray, its mean and max.
    double mu_max = -1, mu_sum = 0;
    size_t interior = 0;
    for (const RayPoint& p : r.rays) {
      EXPECT_EQ(p.mu, RayAlignmentMu(p.ray, p.mean_loss));
      EXPECT_GE(p.mu, -1e-15);
      if (*std::min_element(p.ray.begin(), p.ray.end()) <= 0) continue;  // boundary ray
      ++interior;
      mu_max = std::max(mu_max, p.mu);
      mu_sum += p.mu;
    }
    if (interior == 0) {
      EXPECT_TRUE(std::isnan(r.mu_max));
      continue;
    }
    EXPECT_EQ(r.mu_max, mu_max);
    EXPECT_DOUBLE_EQ(r.mu_mean, mu_sum / static_cast<double>(interior));
  }
}

TEST(Report, HypervolumeUsesTheReferenceOption) {
  Lab lab;
  lab.Train("ls/a+b/seed0", "LS", {"a", "b"});
  lab.Eval("ls/a+b/seed0", "a", {0, 1}, {{1, 0}, {0, 1}}, {0.9, 0.5});
  lab.Eval("ls/a+b/seed0", "b", {0, 1}, {{1, 0}, {0, 1}}, {0.4, 0.8});
  ReportData d;
  ReportOptions options;
  options.reference = 0.2;
  ASSERT_TRUE(BuildReport(testing::MakeHeader(), lab.set, options, &d).ok());
  // Boxes [0.2, 0.9] x [0.2, 0.4] and [0.2, 0.5] x [0.2, 0.8]: 0.14 + 0.18 - 0.06.
  EXPECT_NEAR(d.runs[0].hypervolume, 0.26, 1e-12);
  EXPECT_TRUE(std::isnan(d.runs[0].hypervolume_normalized));  // no experts
  options.reference = kNaN;
  EXPECT_EQ(BuildReport(testing::MakeHeader(), lab.set, options, &d).code(),
            Status::Code::kInvalidArgument);
}

TEST(Report, HypervolumeIsEstimatedPastTheBudgetAndSaysSo) {
  std::mt19937_64 rng(11);
  const RandomRun run = MakeRandomRun(&rng, 6, 40);
  Lab lab;
  AddRandomRun(run, [](size_t) { return false; }, &lab);
  const ReportData exact = Build(lab.set);  // default budget: exact at d = 6
  ASSERT_EQ(exact.runs.size(), 1u);
  EXPECT_TRUE(exact.hv_estimates.empty());
  EXPECT_NE(RenderMarkdown(exact).find("every hypervolume is exact"), std::string::npos);
  ReportOptions options;
  options.hv_exact_seconds = 0;  // from 5 objectives on: always the estimate
  ReportData d;
  ASSERT_TRUE(BuildReport(testing::MakeHeader(), lab.set, options, &d).ok());
  ASSERT_EQ(d.hv_estimates.size(), 2u);  // the run's raw and normalised hypervolumes
  const HvEstimateNote& e = d.hv_estimates[0];
  EXPECT_EQ(e.what, "run " + d.runs[0].run_name);
  EXPECT_EQ(d.hv_estimates[1].what, "run " + d.runs[0].run_name + ", normalised");
  EXPECT_EQ(d.hv_estimates[1].value, d.runs[0].hypervolume_normalized);
  EXPECT_EQ(e.value, d.runs[0].hypervolume);
  EXPECT_EQ(e.confidence, 0.99);
  EXPECT_GT(e.samples, 0u);
  EXPECT_LE(e.lo, exact.runs[0].hypervolume);  // the exact value inside the 99% interval
  EXPECT_GE(e.hi, exact.runs[0].hypervolume);
  EXPECT_LE(std::fabs(e.value / exact.runs[0].hypervolume - 1), 0.03);
  const std::string md = RenderMarkdown(d);
  EXPECT_NE(md.find("2 hypervolumes are Monte Carlo estimates"), std::string::npos) << md;
  EXPECT_NE(md.find(e.what + ": "), std::string::npos) << md;
  const auto json = nlohmann::json::parse(SummaryJson(d));
  ASSERT_EQ(json["hypervolume_estimates"].size(), 2u);
  EXPECT_EQ(json["hypervolume_estimates"][0]["what"], e.what);
  EXPECT_EQ(json["hypervolume_estimates"][0]["samples"], e.samples);
  EXPECT_EQ(json["options"]["hv_exact_seconds"], 0.0);
  options.hv_exact_seconds = -1;
  EXPECT_EQ(BuildReport(testing::MakeHeader(), lab.set, options, &d).code(),
            Status::Code::kInvalidArgument);
}

TEST(ReportUtil, RayAlignmentMuByHand) {
  // r = (0.25, 0.75), l = (2, 1): rl = (0.5, 0.75), l_hat = (0.4, 0.6),
  // mu = 0.4 log(0.8) + 0.6 log(1.2).
  EXPECT_NEAR(RayAlignmentMu({0.25, 0.75}, {2, 1}), 0.4 * std::log(0.8) + 0.6 * std::log(1.2),
              1e-15);
  // r_i l_i all equal: 0 (exactly, whatever the scale).
  EXPECT_EQ(RayAlignmentMu({0.25, 0.75}, {3, 1}), 0);
  EXPECT_EQ(RayAlignmentMu({0.5, 0.25, 0.25}, {1, 2, 2}), 0);
  // A zero ray entry: its term counts 0; l_hat = (1, 0), mu = log 2.
  EXPECT_NEAR(RayAlignmentMu({1, 0}, {0.7, 5}), std::log(2.0), 1e-15);
  // Every weighted loss 0: 0.
  EXPECT_EQ(RayAlignmentMu({0.5, 0.5}, {0, 0}), 0);
  EXPECT_TRUE(std::isnan(RayAlignmentMu({0.5, 0.5}, {kNaN, 1})));
  EXPECT_TRUE(std::isnan(RayAlignmentMu({0.5, 0.5}, {1})));
  EXPECT_TRUE(std::isnan(RayAlignmentMu({}, {})));
}

TEST(ReportUtil, CompareMaximizedSortsIntoFourCases) {
  EXPECT_EQ(CompareMaximized({0.9, 0.5}, {0.8, 0.5}), Dominance::kDominates);
  EXPECT_EQ(CompareMaximized({0.8, 0.5}, {0.9, 0.5}), Dominance::kDominatedBy);
  EXPECT_EQ(CompareMaximized({0.7, 0.7}, {0.7, 0.7}), Dominance::kEqual);
  EXPECT_EQ(CompareMaximized({0.2, 0.9}, {0.3, 0.8}), Dominance::kIncomparable);
  EXPECT_EQ(CompareMaximized({0.5}, {0.5, 0.5}), Dominance::kIncomparable);
  EXPECT_EQ(CompareMaximized({kNaN, 1}, {0, 0}), Dominance::kIncomparable);
  EXPECT_EQ(CompareMaximized({}, {}), Dominance::kEqual);
  EXPECT_TRUE(Dominates({1, 1}, {1, 0}));
  EXPECT_FALSE(Dominates({1, 1}, {1, 1}));  // equal vectors dominate neither way
  EXPECT_FALSE(Dominates({1, 0}, {1, 1}));
}

TEST(ReportTable, FormatCellHasOneFormatPerKind) {
  EXPECT_EQ(FormatCell(AccuracyCell(0.81234)), "81.23");
  EXPECT_EQ(FormatCell(MeasureCell(0.564)), "0.5640");
  EXPECT_EQ(FormatCell(MeasureCell(0.00123449)), "0.001234");
  EXPECT_EQ(FormatCell(SecondsCell(41.25)), "41.2");
  EXPECT_EQ(FormatCell(ParameterCell(0.3)), "0.3");
  EXPECT_EQ(FormatCell(CountCell(280)), "280");
  EXPECT_EQ(FormatCell(OutOfCell(1, 4)), "1 / 4");
  EXPECT_EQ(FormatCell(OutOfCell(0, 0, false)), "0 / 0");
  EXPECT_EQ(FormatCell(TextCell("a|b")), "a|b");  // escaping is the writers'
  EXPECT_EQ(FormatRay({0.5, 0.25}), "0.500 0.250");
  for (const TableCell& c : {AccuracyCell(kNaN), MeasureCell(INFINITY), SecondsCell(kNaN),
                             ParameterCell(kNaN), OutOfCell(0, 0), MissingCell()}) {
    EXPECT_TRUE(c.missing);
    EXPECT_EQ(FormatCell(c), kMissingMark);
  }
  EXPECT_FALSE(IsNumeric(TextCell("1")));
  EXPECT_TRUE(IsNumeric(CountCell(1)));
}

TEST(ReportUtil, ExperimentNameFromToml) {
  const std::pair<std::string, std::string> cases[] = {
      {"[experiment]\nname = \"mini\"\nseed = 0\n", "mini"},
      {"[experiment]\n  name=\"a b\"  # comment\n", "a b"},
      {"[experiment] # the experiment\nseed = 1\nname = 'lit\\eral'\n", "lit\\eral"},
      {"[experiment]\nname = \"say \\\"hi\\\"\"\n", "say \"hi\""},
      {"[model]\nname = \"not this\"\n[experiment]\nseed = 0\n", ""},
      {"[experiment]\nseed = 0\n[model]\nname = \"not this\"\n", ""},
      {"[experiment.sub]\nname = \"nested\"\n", ""},
      {"[experiment]\nnames = \"x\"\nname = \"y\"\n", "y"},
      {"[experiment]\nname = \"unterminated\n", ""},
      {"", ""},
      {"[experiment]\r\nname = \"crlf\"\r\n", "crlf"},
  };
  for (const auto& [toml, name] : cases) EXPECT_EQ(ExperimentNameFromToml(toml), name) << toml;
}

TEST(ReportUtil, ComputePrecisionFromToml) {
  const std::pair<std::string, std::string> cases[] = {
      {"[compute]\nprecision = \"bf16\"\n", "bf16"},
      {"[cluster]\ndevice = \"cpu\"\n[compute]\nprecision = 'fp32'\n[slurm]\n", "fp32"},
      {"[experiment]\nprecision = \"bf16\"\n", "fp32"},  // another table's key
      {"", "fp32"},                                       // written before [compute] existed
  };
  for (const auto& [toml, p] : cases) EXPECT_EQ(ComputePrecisionFromToml(toml), p) << toml;
}

TEST(ReportUtil, ReportReferenceFromToml) {
  const std::pair<std::string, double> cases[] = {
      {"[report]\nreference = 0.25\n", 0.25},
      {"[experiment]\nname = \"x\"\n[report]\nreference = 0.1  # below every accuracy\n", 0.1},
      {"[report]\nreference = 0\n", 0},
      {"[slurm]\nreference = 0.5\n", 0},   // another table's key
      {"[report]\nreference = 1.5\n", 0},  // outside [0, 1)
      {"[report]\nreference = \"a\"\n", 0},
      {"", 0},
  };
  for (const auto& [toml, reference] : cases) EXPECT_EQ(ReportReferenceFromToml(toml), reference) << toml;
}

TEST(Report, MuOfTwoTaskRays) {
  Lab lab;
  lab.Train("epo/a+b/seed0", "EPO", {"a", "b"});
  lab.Eval("epo/a+b/seed0", "a", {0, 1}, {{0.25, 0.75}, {0.5, 0.5}}, {0.6, 0.7}, {2, 1});
  lab.Eval("epo/a+b/seed0", "b", {0, 1}, {{0.25, 0.75}, {0.5, 0.5}}, {0.6, 0.7}, {1, 1});
  const RunSummary& r = Build(lab.set).runs[0];
  ASSERT_EQ(r.rays.size(), 2u);
  const double mu0 = 0.4 * std::log(0.8) + 0.6 * std::log(1.2);
  EXPECT_NEAR(r.rays[0].mu, mu0, 1e-15);
  EXPECT_EQ(r.rays[1].mu, 0);
  EXPECT_NEAR(r.mu_mean, mu0 / 2, 1e-15);
  EXPECT_NEAR(r.mu_max, mu0, 1e-15);
}

// A ray with a zero coordinate has mu = log T whatever the losses: it is reported per ray but
// left out of the run's mean and max, which cover interior rays only.
TEST(Report, BoundaryRaysAreLeftOutOfTheMeanAndMaxMu) {
  Lab lab;
  lab.Train("epo/a+b/seed0", "EPO", {"a", "b"});
  lab.Eval("epo/a+b/seed0", "a", {0, 1}, {{1, 0}, {0.5, 0.5}}, {0.6, 0.7}, {2, 1});
  lab.Eval("epo/a+b/seed0", "b", {0, 1}, {{1, 0}, {0.5, 0.5}}, {0.6, 0.7}, {1, 2});
  const RunSummary& r = Build(lab.set).runs[0];
  ASSERT_EQ(r.rays.size(), 2u);
  EXPECT_NEAR(r.rays[0].mu, std::log(2.0), 1e-15);
  const double interior = RayAlignmentMu({0.5, 0.5}, {1, 2});
  EXPECT_GT(interior, 0);
  EXPECT_EQ(r.mu_mean, interior);
  EXPECT_EQ(r.mu_max, interior);
  Lab only_boundary;
  only_boundary.Train("ls/a+b/seed0", "LS", {"a", "b"});
  only_boundary.Eval("ls/a+b/seed0", "a", {0}, {{1, 0}}, {0.6}, {2});
  only_boundary.Eval("ls/a+b/seed0", "b", {0}, {{1, 0}}, {0.6}, {1});
  const RunSummary& b = Build(only_boundary.set).runs[0];
  EXPECT_TRUE(std::isnan(b.mu_mean));
  EXPECT_TRUE(std::isnan(b.mu_max));
}

TEST(Report, TrainingCurveAndFinalLosses) {
  Lab lab;
  lab.Train("epo/a+b/seed3", "EPO", {"a", "b"}, 25, 7.5);
  lab.Train("ls/a+b/seed3", "LS", {"a", "b"}, 5);
  const ReportData d = Build(lab.set);
  const RunSummary& epo = RunNamed(d, "epo/a+b/seed3");
  EXPECT_TRUE(epo.trained);
  EXPECT_EQ(epo.train_seconds, 7.5);
  EXPECT_EQ(epo.steps.size(), 25u);
  ASSERT_EQ(epo.epo_mu.size(), 25u);
  EXPECT_EQ(epo.epo_mu[4], 2.0);
  // The last 10% of 25 steps, rounded up: steps 22..24; losses (s, s + 10).
  ASSERT_EQ(epo.final_losses.size(), 2u);
  EXPECT_DOUBLE_EQ(epo.final_losses[0], 23);
  EXPECT_DOUBLE_EQ(epo.final_losses[1], 33);
  const RunSummary& ls = RunNamed(d, "ls/a+b/seed3");
  EXPECT_TRUE(ls.epo_mu.empty());
  EXPECT_DOUBLE_EQ(ls.final_losses[0], 4);  // at least one step
  EXPECT_EQ(ls.total_loss.size(), 5u);
  EXPECT_TRUE(ls.rays.empty());
  EXPECT_TRUE(std::isnan(ls.hypervolume));
  EXPECT_TRUE(std::isnan(ls.mu_mean));
}

TEST(Report, EvaluatedButNotTrainedRunTakesTasksFromItsName) {
  Lab lab;
  lab.Eval("epo/b+a/seed12", "a", {0}, {{0.5, 0.5}}, {0.5}, {}, 1.5);
  lab.Eval("epo/b+a/seed12", "b", {0}, {{0.5, 0.5}}, {0.75}, {}, 2.5);
  const ReportData d = Build(lab.set);
  ASSERT_EQ(d.runs.size(), 1u);
  const RunSummary& r = d.runs[0];
  EXPECT_FALSE(r.trained);
  EXPECT_EQ(r.variant, "");
  EXPECT_EQ(r.tasks, (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(r.seed, 12u);
  EXPECT_EQ(r.subset_key, "b+a");
  EXPECT_EQ(r.eval_seconds, 4.0);
  EXPECT_TRUE(std::isnan(r.train_seconds));
  ASSERT_EQ(r.rays.size(), 1u);
  EXPECT_EQ(r.rays[0].accuracy, (std::vector<double>{0.75, 0.5}));
  EXPECT_EQ(r.rays[0].label, "grid-0");

  Lab bad;
  bad.Eval("no-slashes", "a", {0}, {{1}}, {0.5});
  ReportData out;
  const Status st = BuildReport(testing::MakeHeader(), bad.set, ReportOptions{}, &out);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("no-slashes"));
}

TEST(Report, IdenticalDuplicateEvaluationsAreAcceptedAndEqualAccuracyRaysAllOnFront) {
  Lab once, twice;
  for (Lab* lab : {&once, &twice}) {
    lab->Train("ls/a+b/seed0", "LS", {"a", "b"});
    lab->Eval("ls/a+b/seed0", "a", {0, 1, 2}, {{1, 0}, {0.5, 0.5}, {0, 1}}, {0.9, 0.7, 0.7});
    lab->Eval("ls/a+b/seed0", "b", {0, 1, 2}, {{1, 0}, {0.5, 0.5}, {0, 1}}, {0.3, 0.6, 0.6});
  }
  twice.Eval("ls/a+b/seed0", "b", {2}, {{0, 1}}, {0.6});  // the same row again, another unit
  const RunSummary a = Build(once.set).runs[0];
  const RunSummary b = Build(twice.set).runs[0];
  EXPECT_EQ(a.front, (std::vector<size_t>{0, 1, 2}));  // rays 1 and 2 tie: both on the front
  EXPECT_EQ(b.front, a.front);
  EXPECT_EQ(b.hypervolume, a.hypervolume);
  EXPECT_EQ(b.eval_seconds, a.eval_seconds + 0.5);
}

// The report of `set` with every record's unit id replaced by perm[id]: the records arrive in
// another order.
ResultSet Renumbered(const ResultSet& set, const std::vector<int64_t>& perm) {
  ResultSet out;
  for (auto [id, r] : set.train()) out.Add((r.unit_id = perm[id], r));
  for (auto [id, r] : set.eval()) out.Add((r.unit_id = perm[id], r));
  for (auto [id, r] : set.baselines()) out.Add((r.unit_id = perm[id], r));
  return out;
}

Lab MixedLab() {
  Lab lab;
  std::mt19937_64 rng(3);
  AddRandomRun(MakeRandomRun(&rng, 3, 9), [](size_t i) { return i == 4; }, &lab);
  AddRandomRun(MakeRandomRun(&rng, 2, 6), [](size_t) { return false; }, &lab);
  lab.Baseline("pretrained", "pretrained", {}, "task0", {lab.Row(0.4)});
  lab.Baseline("pretrained", "pretrained", {}, "task1", {lab.Row(0.3)});
  for (int i = 0; i < 3; ++i) {
    const double w = i / 2.0;
    lab.Baseline("weighted-task-arithmetic", "weighted-task-arithmetic:1", {"task0", "task1"},
                 "task0", {lab.Row(0.5 + 0.1 * i, 3 * i + 1, {w, 1 - w})}, 1.0);
    lab.Baseline("weighted-task-arithmetic", "weighted-task-arithmetic:1", {"task0", "task1"},
                 "task1", {lab.Row(0.7 - 0.1 * i, 3 * i + 1, {w, 1 - w})}, 1.0);
  }
  return lab;
}

TEST(Report, PermutedUnitIdsGiveTheSameReport) {
  const Lab lab = MixedLab();
  const ReportData base = Build(lab.set);
  ASSERT_EQ(base.runs.size(), 2u);
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 5; ++trial) {
    std::vector<int64_t> perm(static_cast<size_t>(lab.next));
    for (size_t i = 0; i < perm.size(); ++i) perm[i] = static_cast<int64_t>(i);
    std::shuffle(perm.begin(), perm.end(), rng);
    const ReportData other = Build(Renumbered(lab.set, perm));
    EXPECT_EQ(SummaryJson(other), SummaryJson(base));
    EXPECT_EQ(FrontsCsv(other), FrontsCsv(base));
    EXPECT_EQ(RenderMarkdown(other), RenderMarkdown(base));
  }
}

TEST(Report, BaselinesArePlacedInTheirSubsets) {
  Lab lab;
  lab.Train("ls/a+b/seed0", "LS", {"a", "b"});
  lab.Train("ls/b+c/seed0", "LS", {"b", "c"});
  lab.Train("ls/a+b+c/seed0", "LS", {"a", "b", "c"});
  for (const std::string t : {"a", "b", "c"}) {
    lab.Baseline("pretrained", "pretrained", {}, t, {lab.Row(0.25)});
    for (const std::string e : {"a", "b", "c"}) {
      lab.Baseline("expert", "expert:" + e, {}, t, {lab.Row(e == t ? 0.9 : 0.1)});
    }
  }
  for (const std::string t : {"a", "b"}) {
    lab.Baseline("task-arithmetic", "task-arithmetic:0.5", {"a", "b"}, t, {lab.Row(0.6)}, 0.5);
    lab.Baseline("task-arithmetic", "task-arithmetic:0.1", {"a", "b"}, t, {lab.Row(0.5)}, 0.1);
    lab.Baseline("simple-average", "simple-average", {"a", "b"}, t, {lab.Row(0.55)});
  }
  // A subset with baselines and no run; a baseline evaluated on one task only.
  lab.Baseline("simple-average", "simple-average", {"a", "c"}, "a", {lab.Row(0.45)});
  const ReportData d = Build(lab.set);

  std::vector<std::string> keys;
  for (const SubsetSummary& s : d.subsets) keys.push_back(s.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"a+b", "a+c", "b+c", "a+b+c"}));

  const SubsetSummary& ab = SubsetNamed(d, "a+b");
  std::vector<std::string> names;
  for (const BaselinePoint& b : ab.baselines) names.push_back(b.name);
  EXPECT_EQ(names, (std::vector<std::string>{"pretrained", "expert:a", "expert:b",
                                             "simple-average", "task-arithmetic:0.1",
                                             "task-arithmetic:0.5"}));
  EXPECT_EQ(ab.baselines[1].accuracy, (std::vector<double>{0.9, 0.1}));  // expert:a on a, b
  EXPECT_EQ(ab.expert_accuracy, (std::vector<double>{0.9, 0.9}));
  EXPECT_EQ(ab.baselines[4].lambda, 0.1);
  EXPECT_EQ(ab.runs, (std::vector<size_t>{1}));  // runs by name: a+b+c, a+b, b+c
  // Hypervolume of the task-arithmetic sweep: (0.6, 0.6) dominates (0.5, 0.5).
  EXPECT_NEAR(ab.ta_sweep_hypervolume, 0.36, 1e-15);
  EXPECT_TRUE(std::isnan(ab.wta_hypervolume));

  const SubsetSummary& bc = SubsetNamed(d, "b+c");  // only the pretrained model and experts
  ASSERT_EQ(bc.baselines.size(), 3u);
  EXPECT_EQ(bc.baselines[2].name, "expert:c");
  EXPECT_TRUE(std::isnan(bc.ta_sweep_hypervolume));

  const SubsetSummary& ac = SubsetNamed(d, "a+c");
  EXPECT_TRUE(ac.runs.empty());
  ASSERT_EQ(ac.baselines.back().name, "simple-average");
  EXPECT_EQ(ac.baselines.back().accuracy[0], 0.45);
  EXPECT_TRUE(std::isnan(ac.baselines.back().accuracy[1]));
}

TEST(Report, SubsetWithoutBaselinesStillHasASummary) {
  Lab lab;
  lab.Train("ls/a+b/seed0", "LS", {"a", "b"});
  lab.Eval("ls/a+b/seed0", "a", {0}, {{1, 0}}, {0.5});
  const ReportData d = Build(lab.set);
  ASSERT_EQ(d.subsets.size(), 1u);
  EXPECT_TRUE(d.subsets[0].baselines.empty());
  EXPECT_EQ(d.subsets[0].expert_accuracy.size(), 2u);
  EXPECT_TRUE(std::isnan(d.subsets[0].expert_accuracy[0]));
  EXPECT_EQ(d.runs[0].incomplete_rays, 1);
  EXPECT_TRUE(d.runs[0].rays.empty());
}

// A run of rays 0..3 with accuracies (a, b) = (0.9, 0.2), (0.7, 0.7), (0.5, 0.5), (0.2, 0.9)
// (front: 0, 1, 3; ray 2 is dominated by ray 1) and weighted TA at rays 0, 1, 2, 3 and 5 (ray 5
// not in the run):
//   0: (0.8, 0.2)   the run's ray 0 dominates it; dominated by front point 0;
//   1: (0.7, 0.7)   equal to the run's ray 1 (neither dominates the other);
//   2: (0.6, 0.6)   dominates the run's ray 2 (0.5, 0.5); dominated by front point 1;
//   3: (0.3, 0.8)   incomparable to the run's ray 3 (0.2, 0.9); dominated by no front point;
//   5: (0.2, 0.95)  dominates front point 3 (0.2, 0.9); not compared at the same ray;
// and a weighted-TA point evaluated on one task only, which is not counted.
Lab WtaLab() {
  Lab lab;
  const std::string run = "epo/a+b/seed0";
  lab.Train(run, "EPO", {"a", "b"});
  const Points rays = {{1, 0}, {0.6, 0.4}, {0.4, 0.6}, {0, 1}};
  lab.Eval(run, "a", {0, 1, 2, 3}, rays, {0.9, 0.7, 0.5, 0.2});
  lab.Eval(run, "b", {0, 1, 2, 3}, rays, {0.2, 0.7, 0.5, 0.9});
  const std::map<int64_t, std::pair<double, double>> wta = {
      {0, {0.8, 0.2}}, {1, {0.7, 0.7}}, {2, {0.6, 0.6}}, {3, {0.3, 0.8}}, {5, {0.2, 0.95}}};
  for (const auto& [i, acc] : wta) {
    const std::vector<double> ray = i < 4 ? rays[static_cast<size_t>(i)] : std::vector<double>{0.5, 0.5};
    lab.Baseline("weighted-task-arithmetic", "weighted-task-arithmetic:1", {"a", "b"}, "a",
                 {lab.Row(acc.first, i, ray)}, 1.0);
    lab.Baseline("weighted-task-arithmetic", "weighted-task-arithmetic:1", {"a", "b"}, "b",
                 {lab.Row(acc.second, i, ray)}, 1.0);
  }
  lab.Baseline("weighted-task-arithmetic", "weighted-task-arithmetic:1", {"a", "b"}, "a",
               {lab.Row(0.99, 7, {0.5, 0.5})}, 1.0);
  return lab;
}

TEST(Report, WeightedTaskArithmeticComparisonsByHand) {
  const ReportData d = Build(WtaLab().set);
  const RunSummary& r = d.runs[0];
  EXPECT_EQ(r.front, (std::vector<size_t>{0, 1, 3}));
  EXPECT_EQ(r.wta_points, 5);
  EXPECT_EQ(r.wta_dominated, 2);           // at rays 0 and 2; the equal point at ray 1 is not
  EXPECT_EQ(r.front_dominated_by_wta, 1);  // (0.2, 0.9) by (0.2, 0.95); not (0.7, 0.7) by its equal
  EXPECT_EQ(r.rays_compared_with_wta, 4);
  EXPECT_EQ(r.rays_dominating_wta, 1);
  EXPECT_EQ(r.rays_equal_to_wta, 1);
  EXPECT_EQ(r.rays_dominated_by_wta, 1);
  EXPECT_EQ(r.rays_incomparable_to_wta, 1);
  const SubsetSummary& s = d.subsets[0];
  EXPECT_EQ(s.baselines.size(), 6u);
  double hv = 0;
  ASSERT_TRUE(Hypervolume({{0.8, 0.2}, {0.7, 0.7}, {0.6, 0.6}, {0.3, 0.8}, {0.2, 0.95}}, {0, 0},
                          Sense::kMaximize, &hv).ok());
  EXPECT_EQ(s.wta_hypervolume, hv);
  EXPECT_TRUE(std::isnan(s.wta_hypervolume_normalized));  // no experts
}

// Every count of the comparison with weighted task arithmetic under its label, in report.md,
// report.html and summary.json (a wta object and the runs table).
TEST(Report, WeightedTaskArithmeticCountsInEveryFormat) {
  const ReportData d = Build(WtaLab().set);
  const std::string md = RenderMarkdown(d);
  const std::string html = RenderHtml(d);
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"weighted-TA points dominated by the front", "2 / 5"},
      {"front points dominated by weighted TA", "1 / 3"},
      {"rays dominating weighted TA at the same ray", "1 / 4"},
      {"rays equal to weighted TA at the same ray", "1 / 4"},
      {"rays dominated by weighted TA at the same ray", "1 / 4"},
      {"rays incomparable to weighted TA at the same ray", "1 / 4"}};
  for (const auto& [label, cell] : rows) {
    EXPECT_THAT(md, HasSubstr("| " + label + " | " + cell + " |  |  |\n")) << label;
    EXPECT_THAT(html, HasSubstr("<tr><th>" + label + "</th><td class=\"num\">" + cell +
                                "</td><td></td><td></td></tr>")) << label;
  }
  EXPECT_THAT(md, Not(HasSubstr("beating")));
  EXPECT_THAT(html, Not(HasSubstr("at least as good as weighted")));
  const nlohmann::json j = nlohmann::json::parse(SummaryJson(d));
  EXPECT_EQ(j["format_version"], 2);
  const nlohmann::json& w = j["subsets"][0]["runs"][0]["wta"];
  EXPECT_EQ(w["points"], 5);
  EXPECT_EQ(w["points_dominated_by_front"], 2);
  EXPECT_EQ(w["front_dominated_by_wta"], 1);
  EXPECT_EQ(w["rays_compared_with_wta"], 4);
  EXPECT_EQ(w["rays_dominating_wta"], 1);
  EXPECT_EQ(w["rays_equal_to_wta"], 1);
  EXPECT_EQ(w["rays_dominated_by_wta"], 1);
  EXPECT_EQ(w["rays_incomparable_to_wta"], 1);
  EXPECT_FALSE(w.contains("rays_beating"));
  std::map<std::string, nlohmann::json> table;
  for (const nlohmann::json& row : j["subsets"][0]["tables"]["runs"]["rows"]) {
    table[row["label"].get<std::string>()] = row["cells"];
  }
  for (const auto& [label, cell] : rows) {
    ASSERT_EQ(table.count(label), 1u) << label;
    const nlohmann::json& c = table[label][0];
    EXPECT_EQ(std::to_string(c["part"].get<int64_t>()) + " / " +
                  std::to_string(c["whole"].get<int64_t>()), cell) << label;
    EXPECT_EQ(table[label][1], "") << label;
  }
}

struct Contradiction {
  const char* what;
  std::function<void(Lab*)> add;
  const char* names;  // what the message must name
};

TEST(Report, ContradictionsAreInvalidArgumentNamingTheRunOrUnit) {
  const std::string run = "ls/a+b/seed0";
  const Contradiction cases[] = {
      {"ray index with two rays",
       [&](Lab* l) {
         l->Eval(run, "a", {0}, {{1, 0}}, {0.5});
         l->Eval(run, "b", {0}, {{0, 1}}, {0.5});
       },
       "ls/a+b/seed0"},
      {"ray length differs from the tasks",
       [&](Lab* l) { l->Eval(run, "a", {0}, {{1, 0, 0}}, {0.5}); }, "ls/a+b/seed0"},
      {"task not of the run", [&](Lab* l) { l->Eval(run, "c", {0}, {{1, 0}}, {0.5}); },
       "ls/a+b/seed0"},
      {"NaN accuracy", [&](Lab* l) { l->Eval(run, "a", {0}, {{1, 0}}, {kNaN}); },
       "ls/a+b/seed0"},
      {"infinite accuracy", [&](Lab* l) { l->Eval(run, "a", {0}, {{1, 0}}, {INFINITY}); },
       "ls/a+b/seed0"},
      {"same ray and task, different results",
       [&](Lab* l) {
         l->Eval(run, "a", {0}, {{1, 0}}, {0.5});
         l->Eval(run, "a", {0}, {{1, 0}}, {0.6});
       },
       "ls/a+b/seed0"},
      {"trained twice", [&](Lab* l) { l->Train(run, "LS", {"a", "b"}); }, "ls/a+b/seed0"},
      {"baseline NaN accuracy",
       [&](Lab* l) { l->Baseline("pretrained", "pretrained", {}, "a", {l->Row(kNaN)}); },
       "pretrained on a"},
      {"baseline evaluated twice differently",
       [&](Lab* l) {
         l->Baseline("pretrained", "pretrained", {}, "a", {l->Row(0.5)});
         l->Baseline("pretrained", "pretrained", {}, "a", {l->Row(0.6)});
       },
       "pretrained on a"},
      {"baseline ray of another length",
       [&](Lab* l) {
         l->Baseline("weighted-task-arithmetic", "weighted-task-arithmetic:1", {"a", "b"}, "a",
                     {l->Row(0.5, 0, {1, 0, 0})}, 1.0);
       },
       "weighted-task-arithmetic:1 on a"},
  };
  for (const Contradiction& c : cases) {
    Lab lab;
    lab.Train(run, "LS", {"a", "b"});
    c.add(&lab);
    ReportData d;
    const Status st = BuildReport(testing::MakeHeader(), lab.set, ReportOptions{}, &d);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << c.what << ": " << st.ToString();
    EXPECT_THAT(st.message(), HasSubstr(c.names)) << c.what;
  }
}

TEST(Report, HeaderCountsFailuresAndSessions) {
  Lab lab = MixedLab();
  lab.set.Add(testing::MakeFailure(1000, "numerical: NaN loss | step 3"));
  SessionRecord s{"2026-11-29T01:00:00Z", "pwemoe-orchestrate x.toml", "0.1.0", 4, {"n1", "n2"}};
  lab.set.Add(s);
  const ReportData d = Build(lab.set);
  EXPECT_EQ(d.experiment_name, "test");
  EXPECT_EQ(d.units_done, lab.next);
  EXPECT_EQ(d.units_failed, 1);
  ASSERT_EQ(d.failures.size(), 1u);
  ASSERT_EQ(d.sessions.size(), 1u);
  EXPECT_EQ(d.sessions[0].hosts, s.hosts);
}

// ---------------------------------------------------------------- fronts.csv and summary.json

// A number cell of fronts.csv or a JSON number: NaN for an empty cell / null.
double CellNumber(const std::string& cell) { return cell.empty() ? kNaN : std::stod(cell); }

bool SameNumber(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

// Splits one CSV line (no quoted fields in these tests' names).
std::vector<std::string> CsvCells(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, ',')) cells.push_back(cell);
  if (!line.empty() && line.back() == ',') cells.push_back("");
  return cells;
}

TEST(ReportTables, SummaryJsonRoundTripsEveryNumberAndNanIsNull) {
  Lab lab = MixedLab();
  lab.set.Add(SessionRecord{"2026-11-29T01:00:00Z", "cmd", "0.1.0", 2, {"h"}});
  ReportData d = Build(lab.set);
  d.runs[d.subsets[0].runs[0]].rays[0].mu = kNaN;  // as a non-finite loss would make it
  TempDir dir;
  const std::string path = dir.File("summary.json");
  ASSERT_TRUE(WriteSummaryJson(d, path).ok());
  const nlohmann::json j = nlohmann::json::parse(testing::ReadFile(path));
  EXPECT_EQ(j["experiment_name"], "test");
  EXPECT_EQ(j["units"]["done"], d.units_done);
  EXPECT_EQ(j["sessions"][0]["hosts"][0], "h");
  EXPECT_EQ(j["header"]["experiment_toml"], d.header.experiment_toml);
  ASSERT_EQ(j["subsets"].size(), d.subsets.size());
  auto num = [](const nlohmann::json& v) { return v.is_null() ? kNaN : v.get<double>(); };
  size_t runs_seen = 0;
  for (size_t s = 0; s < d.subsets.size(); ++s) {
    const SubsetSummary& sub = d.subsets[s];
    const nlohmann::json& js = j["subsets"][s];
    EXPECT_EQ(js["key"], sub.key);
    EXPECT_TRUE(SameNumber(num(js["wta_hypervolume"]), sub.wta_hypervolume));
    EXPECT_TRUE(SameNumber(num(js["wta_hypervolume_normalized"]), sub.wta_hypervolume_normalized));
    for (size_t k = 0; k < sub.tasks.size(); ++k) {
      EXPECT_TRUE(SameNumber(num(js["expert_accuracy"][k]), sub.expert_accuracy[k]));
    }
    ASSERT_EQ(js["baselines"].size(), sub.baselines.size());
    for (size_t b = 0; b < sub.baselines.size(); ++b) {
      for (size_t k = 0; k < sub.tasks.size(); ++k) {
        EXPECT_TRUE(SameNumber(num(js["baselines"][b]["accuracy"][k]), sub.baselines[b].accuracy[k]));
      }
    }
    ASSERT_EQ(js["runs"].size(), sub.runs.size());
    for (size_t i = 0; i < sub.runs.size(); ++i, ++runs_seen) {
      const RunSummary& r = d.runs[sub.runs[i]];
      const nlohmann::json& jr = js["runs"][i];
      EXPECT_EQ(jr["run_name"], r.run_name);
      EXPECT_TRUE(SameNumber(num(jr["hypervolume"]), r.hypervolume));
      EXPECT_TRUE(SameNumber(num(jr["hypervolume_normalized"]), r.hypervolume_normalized));
      EXPECT_TRUE(SameNumber(num(jr["mu_mean"]), r.mu_mean));
      EXPECT_EQ(jr["front"].get<std::vector<size_t>>(), r.front);
      EXPECT_EQ(jr["wta"]["points_dominated_by_front"], r.wta_dominated);
      EXPECT_EQ(jr["wta"]["rays_compared_with_wta"], r.rays_compared_with_wta);
      ASSERT_EQ(jr["rays"].size(), r.rays.size());
      for (size_t p = 0; p < r.rays.size(); ++p) {
        EXPECT_TRUE(SameNumber(num(jr["rays"][p]["mu"]), r.rays[p].mu));
        for (size_t k = 0; k < r.tasks.size(); ++k) {
          EXPECT_EQ(jr["rays"][p]["accuracy"][k].get<double>(), r.rays[p].accuracy[k]);
          EXPECT_EQ(jr["rays"][p]["ray"][k].get<double>(), r.rays[p].ray[k]);
        }
      }
    }
  }
  EXPECT_EQ(runs_seen, d.runs.size());
  EXPECT_TRUE(j["subsets"][0]["runs"][0]["rays"][0]["mu"].is_null());
  EXPECT_TRUE(j["subsets"][0]["runs"][0]["train_seconds"].is_number());
}

TEST(ReportTables, FrontsCsvRoundTrips) {
  const ReportData d = Build(MixedLab().set);
  TempDir dir;
  const std::string path = dir.File("fronts.csv");
  ASSERT_TRUE(WriteFrontsCsv(d, path).ok());
  std::istringstream in(testing::ReadFile(path));
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  const std::vector<std::string> head = CsvCells(line);
  auto col = [&](const std::string& name) {
    auto it = std::find(head.begin(), head.end(), name);
    EXPECT_NE(it, head.end()) << name;
    return static_cast<size_t>(it - head.begin());
  };
  // Tasks of the largest subset first.
  EXPECT_EQ(head[col("accuracy_task0") + 1], "accuracy_task1");
  EXPECT_EQ(head[col("accuracy_task1") + 1], "accuracy_task2");
  size_t run_rows = 0, baseline_rows = 0;
  std::map<std::pair<std::string, int64_t>, std::vector<std::string>> rows;
  while (std::getline(in, line)) {
    const std::vector<std::string> cells = CsvCells(line);
    ASSERT_EQ(cells.size(), head.size()) << line;
    if (cells[col("kind")] == "run") {
      ++run_rows;
      rows[{cells[col("run")], std::stoll(cells[col("ray_index")])}] = cells;
    } else {
      EXPECT_EQ(cells[col("kind")], "baseline");
      EXPECT_EQ(cells[col("run")], "");
      ++baseline_rows;
    }
  }
  size_t rays = 0, baselines = 0;
  for (const SubsetSummary& s : d.subsets) baselines += s.baselines.size();
  for (const RunSummary& r : d.runs) {
    rays += r.rays.size();
    for (const RayPoint& p : r.rays) {
      const std::vector<std::string>& cells = rows[{r.run_name, p.ray_index}];
      ASSERT_FALSE(cells.empty());
      EXPECT_EQ(cells[col("subset")], r.subset_key);
      EXPECT_EQ(cells[col("on_front")], p.on_front ? "1" : "0");
      EXPECT_EQ(cells[col("label")], p.label);
      EXPECT_TRUE(SameNumber(CellNumber(cells[col("mu")]), p.mu));
      for (size_t k = 0; k < r.tasks.size(); ++k) {
        EXPECT_EQ(CellNumber(cells[col("accuracy_" + r.tasks[k])]), p.accuracy[k]);
        EXPECT_EQ(CellNumber(cells[col("ray_" + r.tasks[k])]), p.ray[k]);
        EXPECT_EQ(CellNumber(cells[col("mean_loss_" + r.tasks[k])]), p.mean_loss[k]);
      }
      if (r.tasks.size() == 2) {
        EXPECT_EQ(cells[col("accuracy_task2")], "");  // not in the subset
      }
    }
  }
  EXPECT_EQ(run_rows, rays);
  EXPECT_EQ(baseline_rows, baselines);
}

TEST(ReportTables, WriteErrorsNameThePathAndLeaveNoFile) {
  const ReportData d = Build(MixedLab().set);
  TempDir dir;
  const std::string path = dir.File("missing-folder/summary.json");
  Status st = WriteSummaryJson(d, path);
  EXPECT_EQ(st.code(), Status::Code::kIoError);
  EXPECT_THAT(st.message(), HasSubstr(path));
  st = WriteFrontsCsv(d, dir.File("missing-folder/fronts.csv"));
  EXPECT_THAT(st.message(), HasSubstr(dir.File("missing-folder/fronts.csv")));
}

TEST(ReportTables, CsvQuotesNamesWithCommasAndQuotes) {
  Lab lab;
  lab.Train("ls/a+b/seed0", "LS", {"a", "b"});
  lab.Eval("ls/a+b/seed0", "a", {0}, {{1, 0}}, {0.5});
  lab.Eval("ls/a+b/seed0", "b", {0}, {{1, 0}}, {0.5});
  lab.Baseline("pretrained", "pre,\"trained\"", {}, "a", {lab.Row(0.25)});
  const std::string csv = FrontsCsv(Build(lab.set));
  EXPECT_THAT(csv, HasSubstr(",\"pre,\"\"trained\"\"\","));
}

TEST(ReportTables, PythonJsonReadsSummary) {
  ReportData d = Build(MixedLab().set);
  d.runs[d.subsets[0].runs[0]].mu_max = kNaN;
  TempDir dir;
  ASSERT_TRUE(WriteSummaryJson(d, dir.File("summary.json")).ok());
  const std::string script = dir.File("read.py");
  testing::WriteFile(script,
                     "import json, sys\n"
                     "s = json.load(open(sys.argv[1]))\n"
                     "r = s['subsets'][0]['runs'][0]\n"
                     "print(s['experiment_name'], len(s['subsets']), r['run_name'], "
                     "r['mu_max'] is None, '%.6f' % r['hypervolume'])\n");
  const std::string out = dir.File("out.txt");
  const std::string cmd = std::string(PWEMOE_PYTHON3) + " " + script + " " +
                          dir.File("summary.json") + " >" + out + " 2>&1";
  const int status = std::system(cmd.c_str());
  const std::string output = testing::ReadFile(out);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << output;
  const RunSummary& r = d.runs[d.subsets[0].runs[0]];
  char hv[32];
  std::snprintf(hv, sizeof hv, "%.6f", r.hypervolume);
  EXPECT_EQ(output, "test 2 " + r.run_name + " True " + hv + "\n");
}

// ---------------------------------------------------------------- end to end and report.md

TEST(Report, EndToEndFromAWrittenResultsFile) {
  Lab lab = MixedLab();
  lab.set.Add(testing::MakeFailure(1000));
  TempDir dir;
  const std::string h5 = dir.File("results.h5");
  ASSERT_TRUE(WriteResultsHdf5(h5, testing::MakeHeader(), lab.set).ok());
  StoreHeader header;
  ResultSet read;
  const Status st = ReadResults(h5, &header, &read);
  ASSERT_TRUE(st.ok()) << st.ToString();
  const ReportData from_file = Build(read, header);
  const ReportData direct = Build(lab.set);
  // Sessions are not (yet) in the file; everything else reads back as built from memory.
  EXPECT_EQ(SummaryJson(from_file), SummaryJson(direct));
  EXPECT_EQ(from_file.units_failed, 1);
  EXPECT_EQ(from_file.runs.size(), 2u);
  EXPECT_GT(from_file.runs[0].hypervolume, 0);
}

TEST(ReportMarkdown, ShowsEveryRunSubsetBaselineAndTheConfiguration) {
  Lab lab = MixedLab();
  lab.Train("epo/task0+task1/seed0", "EPO", {"task0", "task1"}, 10);
  lab.Eval("epo/task0+task1/seed0", "task0", {1, 4}, {{0, 1}, {1, 0}}, {0.95, 0.2});
  lab.Eval("epo/task0+task1/seed0", "task1", {1, 4}, {{0, 1}, {1, 0}}, {0.3, 0.95});
  lab.set.Add(testing::MakeFailure(1000, "numerical: NaN | loss"));
  lab.set.Add(SessionRecord{"2026-11-29T01:00:00Z", "pwemoe-orchestrate `x`.toml", "0.1.0", 4,
                            {"node1", "node2"}});
  const ReportData d = Build(lab.set);
  const std::string md = RenderMarkdown(d);
  EXPECT_THAT(md, HasSubstr("# pwemoe report: test\n"));
  for (const RunSummary& r : d.runs) EXPECT_THAT(md, HasSubstr(r.run_name));
  for (const SubsetSummary& s : d.subsets) EXPECT_THAT(md, HasSubstr("## " + s.key + " ("));
  EXPECT_THAT(md, HasSubstr("|  | LS seed 0 | EPO seed 0 |"));
  EXPECT_THAT(md, HasSubstr("| hypervolume |"));
  EXPECT_THAT(md, HasSubstr("| pretrained | pretrained | – |  | 40.00 | 30.00 | 35.00 |"));
  EXPECT_THAT(md, HasSubstr("weighted task arithmetic (3 rays)"));
  EXPECT_THAT(md, HasSubstr("| weighted-TA points dominated by the front |"));
  EXPECT_THAT(md, HasSubstr("NaN \\| loss"));  // escaped in its table cell
  EXPECT_THAT(md, HasSubstr("node1, node2"));
  EXPECT_THAT(md, HasSubstr("`` pwemoe-orchestrate `x`.toml ``"));
  EXPECT_THAT(md, HasSubstr("units done: " + std::to_string(d.units_done) + " of 42"));
  EXPECT_THAT(md, HasSubstr("```toml\n" + d.header.experiment_toml + "```\n"));
  // The generated sentence compares the two variants of task0+task1.
  const RunSummary& ls = RunNamed(d, "ls/task0+task1/seed0");
  const RunSummary& epo = RunNamed(d, "epo/task0+task1/seed0");
  const std::string winner = ls.hypervolume > epo.hypervolume ? "LS" : "EPO";
  EXPECT_THAT(md, HasSubstr(winner + " has the larger hypervolume"));
}

}  // namespace
}  // namespace pwemoe::results
