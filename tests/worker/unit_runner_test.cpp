// UnitRunner::RunEvaluation and RunBaseline: their numbers equal the pwemoe/ library calls on
// the same inputs, records pass results::Validate, routers that do not fit are Corrupt, and
// cached state never changes a result.
#include <gtest/gtest.h>

#include <cmath>

#include "pwemoe/eval/baselines.h"
#include "pwemoe/eval/ray_eval.h"
#include "pwemoe/moe/router_io.h"
#include "pwemoe/moe/upscale.h"
#include "unit_testing.h"
#include "worker/unit_records.h"
#include "worker/unit_runner.h"

namespace pwemoe::worker {
namespace {

using testing::Block;
using testing::Experiment;
using testing::MakeExperiment;

const std::vector<Ray> kRays = {{1.0, 0.0}, {0.25, 0.75}, {0.5, 0.5}};

EvalSpec EvalOf(const Experiment& e, std::vector<int> tasks, int task) {
  EvalSpec spec;
  spec.unit_id = 11;
  spec.run_name = "ls/a+b/seed0";
  spec.tasks = tasks;
  spec.task = task;
  spec.rays = Block(kRays, 4);
  spec.routers = testing::SomeRouters(e, tasks, 5);
  return spec;
}

// eval::EvaluateRays of the spec, straight from the files.
std::vector<eval::RayResult> ReferenceEval(const Experiment& e, const EvalSpec& spec) {
  const moe::ModelPool pool = testing::LoadPool(e, spec.tasks);
  moe::UpscaledModel model;
  EXPECT_TRUE(moe::UpscaleModel(pool, {"mlp"}, 0.25, &model).ok());
  io::TensorMap map;
  for (const results::NamedTensor& t : spec.routers) {
    map[t.name] = torch::tensor(t.values).reshape(t.shape);
  }
  std::vector<moe::Router> routers;
  const moe::RouterLayout layout{moe::ModuleNames(model), model.num_tasks, 2};
  EXPECT_TRUE(moe::RoutersFromTensorMap("routers", map, layout, &routers).ok());
  auto dataset = std::make_shared<data::Dataset>();
  EXPECT_TRUE(data::OpenDataset(e.config.tasks[spec.task].test_data, dataset.get()).ok());
  model::ClassificationHead head;
  EXPECT_TRUE(model::LoadHead(e.config.tasks[spec.task].head, &head).ok());
  eval::EvalOptions options;
  options.batch_size = 3;
  std::vector<eval::RayResult> results;
  Status st = eval::EvaluateRays(e.clip, model, routers, spec.rays.rays,
                                 {{"x", &head, dataset.get()}}, options, &results);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return results;
}

void ExpectSameEval(const results::EvalRecord& a, const results::EvalRecord& b) {
  EXPECT_EQ(a.ray_index, b.ray_index);
  EXPECT_EQ(a.rays, b.rays);
  EXPECT_EQ(a.accuracy, b.accuracy);
  EXPECT_EQ(a.mean_loss, b.mean_loss);
  EXPECT_EQ(a.count, b.count);
}

TEST(UnitRunner, EvalEqualsEvaluateRays) {
  torch::set_num_threads(1);
  const Experiment e = MakeExperiment();
  const EvalSpec spec = EvalOf(e, {0, 1}, 1);
  UnitRunner runner(e.config, "cpu");
  results::EvalRecord got;
  Status st = runner.RunEvaluation(spec, &got);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_TRUE(results::Validate(got).ok()) << results::Validate(got).ToString();
  EXPECT_EQ(got.unit_id, 11);
  EXPECT_EQ(got.run_name, "ls/a+b/seed0");
  EXPECT_EQ(got.task, "b");
  EXPECT_EQ(got.ray_index, (std::vector<int64_t>{4, 5, 6}));
  EXPECT_EQ(got.ray_label, (std::vector<std::string>{"ray-4", "ray-5", "ray-6"}));
  const std::vector<eval::RayResult> want = ReferenceEval(e, spec);
  ASSERT_EQ(want.size(), 3u);
  for (size_t k = 0; k < want.size(); ++k) {
    EXPECT_EQ(got.rays[k], kRays[k]);
    EXPECT_EQ(got.accuracy[k], want[k].tasks[0].accuracy) << k;
    EXPECT_EQ(got.mean_loss[k], want[k].tasks[0].mean_loss) << k;
    EXPECT_EQ(got.count[k], 8) << k;
  }
  EXPECT_NE(got.mean_loss[0], got.mean_loss[1]);  // the rays do change the model
}

TEST(UnitRunner, RoutersThatDoNotFitAreCorrupt) {
  torch::set_num_threads(1);
  const Experiment e = MakeExperiment();
  UnitRunner runner(e.config, "cpu");
  results::EvalRecord record;
  EvalSpec spec = EvalOf(e, {0, 1}, 0);
  spec.tasks = {0, 1, 2};  // routers of 2 tasks for a 3-task subset
  spec.rays = Block({{0.2, 0.3, 0.5}}, 0);
  Status st = runner.RunEvaluation(spec, &record);
  EXPECT_EQ(st.code(), Status::Code::kCorrupt) << st.ToString();
  EXPECT_NE(st.message().find("run ls/a+b/seed0"), std::string::npos) << st.message();

  spec = EvalOf(e, {0, 1}, 0);
  spec.routers.pop_back();  // a missing tensor
  EXPECT_EQ(runner.RunEvaluation(spec, &record).code(), Status::Code::kCorrupt);
  spec = EvalOf(e, {0, 1}, 0);
  spec.routers[0].values.pop_back();  // values that do not fill the shape
  EXPECT_EQ(runner.RunEvaluation(spec, &record).code(), Status::Code::kCorrupt);
  spec = EvalOf(e, {0, 1}, 0);
  spec.routers[1].shape = {spec.routers[1].shape[0] * spec.routers[1].shape[1]};
  EXPECT_EQ(runner.RunEvaluation(spec, &record).code(), Status::Code::kCorrupt);
}

TEST(UnitRunner, BadEvalSpecsAreInvalidArguments) {
  torch::set_num_threads(1);
  const Experiment e = MakeExperiment();
  UnitRunner runner(e.config, "cpu");
  results::EvalRecord record;
  EvalSpec spec = EvalOf(e, {0, 1}, 2);  // task c is not in the subset
  EXPECT_EQ(runner.RunEvaluation(spec, &record).code(), Status::Code::kInvalidArgument);
  spec = EvalOf(e, {0, 1}, 0);
  spec.rays.label.pop_back();
  EXPECT_EQ(runner.RunEvaluation(spec, &record).code(), Status::Code::kInvalidArgument);
  spec = EvalOf(e, {0, 1}, 0);
  spec.rays.rays[1] = {0.5, 0.6};  // off the simplex
  Status st = runner.RunEvaluation(spec, &record);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << st.ToString();
  EXPECT_EQ(st.message().rfind("run ls/a+b/seed0, evaluation on task 'a': ", 0), 0u)
      << st.message();
}

BaselineSpec BaselineOf(BaselineMethod method, int task) {
  BaselineSpec spec;
  spec.unit_id = 20;
  spec.method = method;
  spec.task = task;
  return spec;
}

eval::Baseline Make(eval::BaselineKind kind, int64_t expert = 0, double lambda = 0, Ray ray = {}) {
  eval::Baseline b;
  b.kind = kind;
  b.expert = expert;
  b.lambda = lambda;
  b.ray = std::move(ray);
  return b;
}

// BaselineParams over `pool` + EvaluateModel, the reference of one baseline row.
eval::EvalResult ReferenceBaseline(const Experiment& e, const moe::ModelPool& pool,
                                   const eval::Baseline& b, int task) {
  io::TensorMap params;
  EXPECT_TRUE(eval::BaselineParams(pool, b, &params).ok());
  return testing::Evaluate(e, params, task);
}

void ExpectRow(const results::BaselineRow& row, const eval::EvalResult& want) {
  EXPECT_EQ(row.accuracy, want.accuracy);
  EXPECT_EQ(row.mean_loss, want.mean_loss);
  EXPECT_EQ(row.count, want.count);
}

TEST(UnitRunner, BaselineEqualsBaselineParamsAndEvaluateModel) {
  torch::set_num_threads(1);
  const Experiment e = MakeExperiment();
  UnitRunner runner(e.config, "cpu");
  const moe::ModelPool all = testing::LoadPool(e, {0, 1, 2});
  const moe::ModelPool pair = testing::LoadPool(e, {2, 0});
  results::BaselineRecord r;

  ASSERT_TRUE(runner.RunBaseline(BaselineOf(BaselineMethod::kPretrained, 1), &r).ok());
  EXPECT_EQ(r.method, "pretrained");
  EXPECT_EQ(r.name, "pretrained");
  EXPECT_TRUE(std::isnan(r.lambda));
  EXPECT_TRUE(r.subset.empty());
  EXPECT_EQ(r.task, "b");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0].ray_index, -1);
  EXPECT_TRUE(r.rows[0].ray.empty());
  ExpectRow(r.rows[0], ReferenceBaseline(e, all, Make(eval::BaselineKind::kPretrained), 1));
  EXPECT_TRUE(results::Validate(r).ok());

  BaselineSpec spec = BaselineOf(BaselineMethod::kExpert, 0);
  spec.expert = 2;
  ASSERT_TRUE(runner.RunBaseline(spec, &r).ok());
  EXPECT_EQ(r.name, "expert:c");
  EXPECT_TRUE(r.subset.empty());
  ExpectRow(r.rows[0], ReferenceBaseline(e, all, Make(eval::BaselineKind::kExpert, 2), 0));

  spec = BaselineOf(BaselineMethod::kSimpleAverage, 2);
  spec.tasks = {2, 0};
  ASSERT_TRUE(runner.RunBaseline(spec, &r).ok());
  EXPECT_EQ(r.name, "simple-average");
  EXPECT_EQ(r.subset, (std::vector<std::string>{"c", "a"}));
  ExpectRow(r.rows[0], ReferenceBaseline(e, pair, Make(eval::BaselineKind::kSimpleAverage), 2));

  spec = BaselineOf(BaselineMethod::kTaskArithmetic, 0);
  spec.tasks = {2, 0};
  spec.lambda = 0.3;
  ASSERT_TRUE(runner.RunBaseline(spec, &r).ok());
  EXPECT_EQ(r.method, "task-arithmetic");
  EXPECT_EQ(r.name, "task-arithmetic:0.3");
  EXPECT_EQ(r.lambda, 0.3);
  ExpectRow(r.rows[0],
            ReferenceBaseline(e, pair, Make(eval::BaselineKind::kTaskArithmetic, 0, 0.3), 0));
  EXPECT_TRUE(results::Validate(r).ok());

  spec = BaselineOf(BaselineMethod::kWeightedTaskArithmetic, 2);
  spec.tasks = {2, 0};
  spec.lambda = 1.0;
  spec.rays = Block(kRays, 0);
  ASSERT_TRUE(runner.RunBaseline(spec, &r).ok());
  EXPECT_EQ(r.name, "weighted-task-arithmetic:1");
  ASSERT_EQ(r.rows.size(), 3u);
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(r.rows[k].ray_index, static_cast<int64_t>(k));
    EXPECT_EQ(r.rows[k].ray, kRays[k]);
    ExpectRow(r.rows[k],
              ReferenceBaseline(
                  e, pair, Make(eval::BaselineKind::kWeightedTaskArithmetic, 0, 1.0, kRays[k]), 2));
  }
  EXPECT_TRUE(results::Validate(r).ok());
}

TEST(UnitRunner, BadBaselineSpecsAreErrors) {
  torch::set_num_threads(1);
  const Experiment e = MakeExperiment();
  UnitRunner runner(e.config, "cpu");
  results::BaselineRecord r;
  BaselineSpec spec = BaselineOf(BaselineMethod::kExpert, 0);
  spec.expert = 3;
  Status st = runner.RunBaseline(spec, &r);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << st.ToString();
  EXPECT_EQ(st.message().rfind("baseline expert:#3 on task 'a': ", 0), 0u) << st.message();
  spec = BaselineOf(BaselineMethod::kSimpleAverage, 5);
  spec.tasks = {0, 1};
  EXPECT_EQ(runner.RunBaseline(spec, &r).code(), Status::Code::kInvalidArgument);
  spec = BaselineOf(BaselineMethod::kTaskArithmetic, 0);  // no subset
  spec.lambda = 0.3;
  EXPECT_EQ(runner.RunBaseline(spec, &r).code(), Status::Code::kInvalidArgument);
  spec = BaselineOf(BaselineMethod::kWeightedTaskArithmetic, 0);
  spec.tasks = {0, 1};
  spec.rays = Block({{0.2, 0.3, 0.5}}, 0);  // a ray of the wrong length
  EXPECT_EQ(runner.RunBaseline(spec, &r).code(), Status::Code::kInvalidArgument);
}

TEST(UnitRunner, CachedUnitsGiveIdenticalNumbers) {
  torch::set_num_threads(1);
  const Experiment e = MakeExperiment();
  const EvalSpec ab = EvalOf(e, {0, 1}, 0);
  const EvalSpec cb = EvalOf(e, {2, 1}, 1);
  BaselineSpec ta = BaselineOf(BaselineMethod::kTaskArithmetic, 0);
  ta.tasks = {0, 1};
  ta.lambda = 0.5;
  UnitRunner fresh(e.config, "cpu");
  UnitRunner cached(e.config, "cpu", /*max_cached_subsets=*/1);
  results::EvalRecord first, second, other, third;
  results::BaselineRecord b1, b2;
  ASSERT_TRUE(fresh.RunEvaluation(ab, &first).ok());
  ASSERT_TRUE(cached.RunEvaluation(ab, &second).ok());   // loads {a, b}
  ASSERT_TRUE(cached.RunBaseline(ta, &b1).ok());         // the same pool
  ASSERT_TRUE(cached.RunEvaluation(cb, &other).ok());    // evicts {a, b}
  ASSERT_TRUE(cached.RunEvaluation(ab, &third).ok());    // loads {a, b} again
  ASSERT_TRUE(cached.RunBaseline(ta, &b2).ok());
  ExpectSameEval(first, second);
  ExpectSameEval(first, third);
  EXPECT_EQ(b1.rows[0].accuracy, b2.rows[0].accuracy);
  EXPECT_EQ(b1.rows[0].mean_loss, b2.rows[0].mean_loss);
  EXPECT_TRUE(results::Validate(other).ok());
}

}  // namespace
}  // namespace pwemoe::worker
