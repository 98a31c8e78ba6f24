// Device parity (CTest label gpu): one LS and one EPO training step (losses, router gradients,
// the step's loss weights and the router parameters after Adam) and one evaluation (merged-model
// logits, accuracy and mean loss at several rays) on "cuda:0" match the same computations on
// "cpu", on a small random CLIP ViT (image 32, patch 8, hidden 64, 4 heads, 2 layers,
// intermediate 256, projection 32; three tasks; MLPs upscaled with two-hidden-layer routers).
//
// Every test first computes its CPU reference and checks that the reference is well-conditioned
// at the tolerances below (no ReLU of a router within reach of flipping, no router gradient so
// close to zero that Adam's first step could change sign, no EPO linear programme that the
// allowed gradient error could move, no arg-max that the allowed logit error could flip), so a
// mismatch on a GPU means the device computes differently, never that the test's setup was
// fragile. Then, without a CUDA device (torch::cuda::is_available() false: a CPU-only LibTorch,
// as Debian's, or no GPU visible) it skips with a message, or fails when PWEMOE_REQUIRE_GPU=1
// (what scripts/gpu-check.sh sets, so that a GPU machine never reports a skip as a pass).
//
// Tolerances. Both devices compute in float32 with TF32 off (SetUp turns off TF32 in cuBLAS
// and cuDNN explicitly: with it on, matrix products and the patch-embedding convolution would
// round their inputs to 10 mantissa bits, relative errors near 5e-4, which no tolerance here
// admits). What remains is summation order (cuBLAS and cuDNN against OpenBLAS and LibTorch's
// CPU kernels, parallel reductions), float32 rounding of about 6e-8 per operation grown through
// a 2-layer network and reductions over at most a few ten thousand terms: about 1e-6 relative.
// The tolerances leave a margin of 10 to 100 over that:
//   losses and mean evaluation losses   |gpu - cpu| <= 1e-5 * max(1, |cpu|)
//   router gradients (per task row)     max |gpu - cpu| <= 1e-4 * max |cpu row|
//   EPO alpha (and the loss weights)    max |gpu - cpu| <= 1e-3 (the reference is checked to
//                                        move by less than half of that under perturbations of
//                                        the size the gradient and loss tolerances allow)
//   router parameters after one Adam    max |gpu - cpu| <= 1e-6 (lr 1e-2: Adam's first update
//     step                               is lr * g / (|g| + 1e-8), within 1e-7 of lr * sign(g)
//                                        for |g| >= 1e-6, which the reference is checked for)
//   merged-model logits                 max |gpu - cpu| <= 1e-5 * max(1, max |cpu|)
//   accuracy                            equal, except for samples whose top-two logits are
//                                        within twice the logit tolerance on the CPU (none in
//                                        this setup; the check allows for them all the same)
// Each test prints the differences it measured ("parity: ..."), which gpu-check.sh keeps.
#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "eval_testing.h"
#include "pwemoe/data/dataset.h"
#include "pwemoe/eval/ray_eval.h"
#include "pwemoe/model/clip_vit.h"
#include "pwemoe/moe/merge.h"
#include "pwemoe/moe/upscale.h"
#include "pwemoe/train/epo.h"
#include "pwemoe/train/task_data.h"
#include "pwemoe/train/trainer.h"

namespace pwemoe {
namespace {

namespace et = eval::testing;

constexpr int64_t kTasks = 3;
constexpr int64_t kTrainExamples = 16;
constexpr int64_t kTestExamples = 48;
constexpr int64_t kClasses = 3;  // eval::testing::RandomPool's heads
constexpr double kLr = 1e-2;

constexpr double kLossRtol = 1e-5;
constexpr double kGradRtol = 1e-4;
constexpr double kAlphaAtol = 1e-3;
constexpr double kParamAtol = 1e-6;
constexpr double kLogitRtol = 1e-5;
// Conditioning of the CPU reference (see the header comment).
constexpr double kMinReluMargin = 1e-4;   // |pre-activation| of every router hidden unit
constexpr double kMinGradient = 1e-6;     // |combined gradient| of every non-zero element

const torch::Device kCuda("cuda:0");

// true when PWEMOE_REQUIRE_GPU is set to anything but "" or "0".
bool RequireGpu() {
  const char* v = std::getenv("PWEMOE_REQUIRE_GPU");
  return v != nullptr && *v != '\0' && std::string(v) != "0";
}

// Ends the test when no CUDA device is usable: a skip, or a failure under PWEMOE_REQUIRE_GPU=1.
#define PWEMOE_SKIP_WITHOUT_CUDA()                                                              \
  do {                                                                                          \
    if (!torch::cuda::is_available()) {                                                         \
      const char* why = "no CUDA device: torch::cuda::is_available() is false (a CPU-only "     \
                        "LibTorch, or no GPU visible); the CPU reference ran and is "           \
                        "well-conditioned";                                                     \
      if (RequireGpu()) FAIL() << why << " (PWEMOE_REQUIRE_GPU is set)";                      \
      GTEST_SKIP() << why;                                                                      \
    }                                                                                           \
  } while (0)

io::ClipVisionConfig SmallConfig() {
  io::ClipVisionConfig c;
  c.image_size = 32;
  c.patch_size = 8;
  c.num_channels = 3;
  c.hidden_size = 64;
  c.num_attention_heads = 4;
  c.num_hidden_layers = 2;
  c.intermediate_size = 256;
  c.projection_dim = 32;
  c.hidden_act = "quick_gelu";
  return c;
}

// The random problem every test starts from, on the CPU.
struct ParitySetup {
  io::ClipVisionConfig config;
  moe::ModelPool pool;
  moe::UpscaledModel model;
  std::vector<moe::Router> routers;  // initialised, then moved off their initial values
  train::TrainProblem problem;
};

ParitySetup MakeSetup() {
  ParitySetup s;
  s.config = SmallConfig();
  s.pool = et::RandomPool(s.config, kTasks, /*seed=*/17);
  moe::UpscaleOptions options;  // every mlp, two hidden layers, init_lambda 0.3
  options.seed = 3;
  Status st = moe::Upscale(s.pool, options, &s.model, &s.routers);
  EXPECT_TRUE(st.ok()) << st.ToString();
  torch::NoGradGuard no_grad;
  torch::manual_seed(23);
  // Routers that depend on the ray, with hidden units far from ReLU's kink.
  for (torch::Tensor& p : moe::RouterParameters(s.routers)) p.add_(0.3 * torch::randn_like(p));
  s.problem.config = s.config;
  s.problem.model = s.model;
  s.problem.heads = s.pool.heads;
  s.problem.task_names = s.pool.tasks;
  for (int64_t i = 0; i < kTasks; ++i) {
    torch::Tensor pixels = torch::randn({kTrainExamples, 3, s.config.image_size, s.config.image_size});
    torch::Tensor labels = torch::randint(kClasses, {kTrainExamples}, torch::kInt64);
    s.problem.data.push_back(train::TensorTaskData(pixels, labels));
  }
  return s;
}

// The model and routers moved to `device` (heads and data stay on the CPU, as in a worker: the
// trainer and the evaluator move each batch and the head's weight to the model's device).
Status ToDevice(const ParitySetup& s, const torch::Device& device, moe::UpscaledModel* model,
                std::vector<moe::Router>* routers) {
  if (device.is_cpu()) {
    *model = s.model;
    *routers = s.routers;
    return Status::Ok();
  }
  PWEMOE_RETURN_IF_ERROR(moe::UpscaledModelTo(s.model, device, model));
  return moe::RoutersTo(s.routers, device, routers);
}

// ---- training ---------------------------------------------------------------------------------

train::TrainOptions StepOptions(train::Variant variant) {
  train::TrainOptions o;
  o.variant = variant;
  o.steps = 10;
  o.lr = kLr;
  o.batch_size = 8;
  o.seed = 5;
  o.fixed_ray = {0.5, 0.3, 0.2};
  return o;
}

// One training step on one device.
struct StepOutcome {
  train::Variant variant = train::Variant::kLs;
  std::vector<float> buffer;          // T rows of [loss_i, g_i] (ComputeTaskGradients)
  train::StepRecord record;           // ApplyStep's
  std::vector<torch::Tensor> before;  // router parameters before the step, float64 on the CPU
  std::vector<torch::Tensor> after;   // and after it
};

Status RunStep(const ParitySetup& s, const torch::Device& device, train::Variant variant,
               StepOutcome* out) {
  train::TrainProblem problem = s.problem;
  std::vector<moe::Router> routers;
  PWEMOE_RETURN_IF_ERROR(ToDevice(s, device, &problem.model, &routers));
  train::TrainState state;
  PWEMOE_RETURN_IF_ERROR(train::InitTrainState(problem, StepOptions(variant), routers, &state));
  out->variant = variant;
  for (const torch::Tensor& p : state.params) {
    out->before.push_back(p.detach().to(torch::kCPU, torch::kFloat64).clone());
  }
  std::vector<int64_t> all(kTasks);
  for (int64_t i = 0; i < kTasks; ++i) all[i] = i;
  PWEMOE_RETURN_IF_ERROR(train::ComputeTaskGradients(&state, all, &out->buffer));
  PWEMOE_RETURN_IF_ERROR(train::ApplyStep(&state, out->buffer, &out->record));
  for (const torch::Tensor& p : state.params) {
    out->after.push_back(p.detach().to(torch::kCPU, torch::kFloat64).clone());
  }
  return Status::Ok();
}

int64_t RowLength(const std::vector<float>& buffer) {
  return static_cast<int64_t>(buffer.size()) / kTasks;
}

double RowMaxAbs(const std::vector<float>& buffer, int64_t task) {
  const int64_t row = RowLength(buffer);
  double m = 0;
  for (int64_t k = 1; k < row; ++k) m = std::max(m, std::abs(double{buffer[task * row + k]}));
  return m;
}

// C = G G^T in double, as ApplyStep forms it for EPO.
std::vector<double> Gram(const std::vector<float>& buffer) {
  const int64_t row = RowLength(buffer);
  std::vector<double> c(kTasks * kTasks, 0.0);
  for (int64_t i = 0; i < kTasks; ++i) {
    for (int64_t j = 0; j < kTasks; ++j) {
      for (int64_t k = 1; k < row; ++k) {
        c[i * kTasks + j] += double{buffer[i * row + k]} * buffer[j * row + k];
      }
    }
  }
  return c;
}

// The reference is well-conditioned for the comparison: every router hidden unit's
// pre-activation at the step's ray is at least kMinReluMargin from 0, and every element of the
// combined gradient sum_i w_i g_i is exactly 0 (a dead unit, 0 on every device) or at least
// kMinGradient in magnitude.
void ExpectWellConditionedStep(const ParitySetup& s, const StepOutcome& ref) {
  const torch::Tensor ray = torch::tensor(StepOptions(train::Variant::kLs).fixed_ray, torch::kFloat64);
  double min_margin = 1e300;
  for (const moe::Router& r : s.routers) {
    ASSERT_EQ(r.hidden_layers, 2);
    const torch::Tensor pre = torch::addmv(r.params[1].detach().to(torch::kFloat64),
                                           r.params[0].detach().to(torch::kFloat64), ray);
    min_margin = std::min(min_margin, pre.abs().min().item<double>());
  }
  EXPECT_GE(min_margin, kMinReluMargin) << "a router ReLU is close to its kink";
  const int64_t row = RowLength(ref.buffer);
  int64_t zeros = 0;
  double min_nonzero = 1e300;
  for (int64_t k = 1; k < row; ++k) {
    double g = 0;
    for (int64_t i = 0; i < kTasks; ++i) g += ref.record.loss_weights[i] * ref.buffer[i * row + k];
    if (g == 0) {
      ++zeros;
    } else {
      min_nonzero = std::min(min_nonzero, std::abs(g));
    }
  }
  EXPECT_GE(min_nonzero, kMinGradient) << "a combined router gradient is nearly zero";
  EXPECT_LT(zeros, row - 1) << "every combined gradient is zero";
  for (int64_t i = 0; i < kTasks; ++i) {
    EXPECT_TRUE(std::isfinite(ref.buffer[i * row])) << "task " << i;
    EXPECT_GT(RowMaxAbs(ref.buffer, i), 0.0) << "task " << i << " has a zero gradient";
  }
  std::printf("parity: %s reference: min |router pre-activation| %.3g (>= %.0e), combined "
              "gradient: %lld of %lld exactly 0, min |non-zero| %.3g (>= %.0e)\n",
              train::VariantName(ref.variant), min_margin, kMinReluMargin,
              static_cast<long long>(zeros), static_cast<long long>(row - 1), min_nonzero,
              kMinGradient);
}

// EPO's alpha is stable at the reference: perturbing C and the losses by what the gradient and
// loss tolerances allow moves alpha by at most kAlphaAtol / 2 and keeps the mode.
void ExpectStableEpo(const StepOutcome& ref) {
  EpoInput in;
  in.gram = Gram(ref.buffer);
  in.ray = ref.record.ray;
  in.losses = ref.record.losses;
  in.eps = StepOptions(train::Variant::kEpo).epo_eps;
  EpoResult base;
  ASSERT_TRUE(EpoCombine(in, &base).ok());
  ASSERT_EQ(base.alpha.size(), ref.record.epo_alpha.size());
  for (size_t i = 0; i < base.alpha.size(); ++i) {
    ASSERT_NEAR(base.alpha[i], ref.record.epo_alpha[i], 1e-12) << "alpha " << i;
  }
  ASSERT_NE(base.mode, EpoMode::kFallback) << base.fallback_reason;
  const double cmax = *std::max_element(in.gram.begin(), in.gram.end(),
                                        [](double a, double b) { return std::abs(a) < std::abs(b); });
  torch::manual_seed(99);
  double moved = 0;
  for (int trial = 0; trial < 32; ++trial) {
    EpoInput p = in;
    const torch::Tensor u = torch::rand({kTasks, kTasks}, torch::kFloat64) * 2 - 1;
    const torch::Tensor v = torch::rand({kTasks}, torch::kFloat64) * 2 - 1;
    for (int64_t i = 0; i < kTasks; ++i) {
      for (int64_t j = 0; j <= i; ++j) {
        const double d = 2 * kGradRtol * std::abs(cmax) * u[i][j].item<double>();
        p.gram[i * kTasks + j] += d;
        if (j != i) p.gram[j * kTasks + i] += d;
      }
      p.losses[i] *= 1 + kLossRtol * std::max(1.0, in.losses[i]) / in.losses[i] *
                             v[i].item<double>();
    }
    EpoResult r;
    ASSERT_TRUE(EpoCombine(p, &r).ok());
    EXPECT_EQ(r.mode, base.mode) << "trial " << trial;
    for (int64_t i = 0; i < kTasks; ++i) moved = std::max(moved, std::abs(r.alpha[i] - base.alpha[i]));
  }
  EXPECT_LE(moved, kAlphaAtol / 2) << "EPO's alpha is sensitive at the reference";
  std::printf("parity: EPO reference: mode '%s', mu %.3g, alpha (%.4f, %.4f, %.4f), moved by at "
              "most %.3g under perturbation (<= %.0e)\n",
              EpoModeName(base.mode), base.mu, base.alpha[0], base.alpha[1], base.alpha[2], moved,
              kAlphaAtol / 2);
}

// The device step against the CPU reference, with the tolerances of the header comment.
void ExpectStepsMatch(const StepOutcome& cpu, const StepOutcome& dev, const char* variant) {
  ASSERT_EQ(cpu.buffer.size(), dev.buffer.size());
  const int64_t row = RowLength(cpu.buffer);
  double worst_loss = 0, worst_grad = 0;
  for (int64_t i = 0; i < kTasks; ++i) {
    const double lc = cpu.buffer[i * row], ld = dev.buffer[i * row];
    EXPECT_LE(std::abs(ld - lc), kLossRtol * std::max(1.0, std::abs(lc))) << "task " << i;
    worst_loss = std::max(worst_loss, std::abs(ld - lc) / std::max(1.0, std::abs(lc)));
    const double scale = RowMaxAbs(cpu.buffer, i);
    double diff = 0;
    for (int64_t k = 1; k < row; ++k) {
      diff = std::max(diff, std::abs(double{dev.buffer[i * row + k]} - cpu.buffer[i * row + k]));
    }
    EXPECT_LE(diff, kGradRtol * scale) << "task " << i << ": router gradients";
    worst_grad = std::max(worst_grad, diff / scale);
  }
  EXPECT_EQ(dev.record.epo_mode, cpu.record.epo_mode);
  double worst_weight = 0;
  ASSERT_EQ(dev.record.loss_weights.size(), cpu.record.loss_weights.size());
  for (size_t i = 0; i < cpu.record.loss_weights.size(); ++i) {
    // loss_weights = T alpha for EPO, the ray itself for LS.
    worst_weight = std::max(
        worst_weight, std::abs(dev.record.loss_weights[i] - cpu.record.loss_weights[i]) / kTasks);
  }
  EXPECT_LE(worst_weight, kAlphaAtol) << "loss weights / T (EPO: alpha)";
  EXPECT_LE(std::abs(dev.record.epo_mu - cpu.record.epo_mu), kLossRtol * 10) << "EPO mu";
  ASSERT_EQ(cpu.after.size(), dev.after.size());
  double worst_param = 0, moved = 0;
  for (size_t k = 0; k < cpu.after.size(); ++k) {
    worst_param = std::max(worst_param, (dev.after[k] - cpu.after[k]).abs().max().item<double>());
    moved = std::max(moved, (cpu.after[k] - cpu.before[k]).abs().max().item<double>());
  }
  EXPECT_LE(worst_param, kParamAtol) << "router parameters after the Adam step";
  EXPECT_GT(moved, kLr / 2) << "the step did not move the routers";
  std::printf(
      "parity: %s step: loss %.3g (tol %.0e), gradient %.3g of max (tol %.0e), loss weights %.3g "
      "(tol %.0e), parameters %.3g (tol %.0e); mode '%s'\n",
      variant, worst_loss, kLossRtol, worst_grad, kGradRtol, worst_weight, kAlphaAtol, worst_param,
      kParamAtol, cpu.record.epo_mode.c_str());
}

class DeviceParity : public ::testing::Test {
 protected:
  void SetUp() override {
    // fp32 on both sides: no TF32 in cuBLAS matrix products or cuDNN convolutions (PyTorch's
    // default allows it in cuDNN). Both flags are process-wide and harmless without CUDA.
    at::globalContext().setAllowTF32CuBLAS(false);
    at::globalContext().setAllowTF32CuDNN(false);
    setup_ = MakeSetup();
  }

  // The step on the CPU, checked to be a sound reference, then on cuda:0 against it.
  void CheckStep(train::Variant variant) {
    StepOutcome cpu;
    Status st = RunStep(setup_, torch::kCPU, variant, &cpu);
    ASSERT_TRUE(st.ok()) << st.ToString();
    ExpectWellConditionedStep(setup_, cpu);
    if (variant == train::Variant::kEpo) ExpectStableEpo(cpu);
    if (HasFatalFailure()) return;
    PWEMOE_SKIP_WITHOUT_CUDA();
    StepOutcome dev;
    st = RunStep(setup_, kCuda, variant, &dev);
    ASSERT_TRUE(st.ok()) << st.ToString();
    ExpectStepsMatch(cpu, dev, train::VariantName(variant));
  }

  ParitySetup setup_;
};

TEST_F(DeviceParity, LsStepMatchesCpu) { CheckStep(train::Variant::kLs); }

TEST_F(DeviceParity, EpoStepMatchesCpu) { CheckStep(train::Variant::kEpo); }

// ---- evaluation -------------------------------------------------------------------------------

// Logits of the model merged at `ray` on `pixels` (moved to the model's device), on the CPU.
Status MergedLogits(const ParitySetup& s, const moe::UpscaledModel& model,
                    const std::vector<moe::Router>& routers, const Ray& ray, int64_t task,
                    const torch::Tensor& pixels, torch::Tensor* out) {
  torch::NoGradGuard no_grad;
  io::TensorMap merged;
  PWEMOE_RETURN_IF_ERROR(moe::MergeAndUnload(model, routers, eval::RayTensor(ray), &merged));
  const torch::Tensor& ref = merged.at(model::kClassEmbedding);
  torch::Tensor embeds, logits;
  PWEMOE_RETURN_IF_ERROR(model::ClipVisionForward(s.config, merged, pixels.to(ref.options()), &embeds));
  PWEMOE_RETURN_IF_ERROR(model::HeadLogits(s.pool.heads[task], embeds, &logits));
  *out = logits.to(torch::kCPU, torch::kFloat64);
  return Status::Ok();
}

// Samples whose two largest logits are within `gap` of each other.
int64_t NearTies(const torch::Tensor& logits, double gap) {
  const torch::Tensor top = std::get<0>(logits.topk(2, 1));
  return (top.select(1, 0) - top.select(1, 1)).lt(gap).sum().item<int64_t>();
}

TEST_F(DeviceParity, EvaluationMatchesCpu) {
  const std::string dir = et::MakeTempDir("pwemoe_device_parity");
  std::vector<data::Dataset> datasets(kTasks);
  std::vector<torch::Tensor> pixels(kTasks);
  std::vector<eval::EvalTask> tasks;
  for (int64_t i = 0; i < kTasks; ++i) {
    const std::string path = dir + "/task" + std::to_string(i) + ".h5";
    et::WriteDataset(path, setup_.config, kTestExamples, kClasses, 40 + i);
    ASSERT_TRUE(data::OpenDataset(path, &datasets[i]).ok()) << path;
    torch::Tensor labels;
    ASSERT_TRUE(data::ReadBatch(datasets[i], 0, kTestExamples, &pixels[i], &labels).ok());
  }
  for (int64_t i = 0; i < kTasks; ++i) {
    tasks.push_back({setup_.pool.tasks[i], &setup_.pool.heads[i], &datasets[i]});
  }
  const std::vector<Ray> rays = {{1.0, 0.0, 0.0}, {1.0 / 3, 1.0 / 3, 1.0 / 3}, {0.1, 0.3, 0.6}};
  const eval::EvalOptions options{/*batch_size=*/16, /*sample_cap=*/0};

  // The CPU reference: logits per ray and task, their near-ties, and the evaluation.
  std::vector<std::vector<torch::Tensor>> cpu_logits(rays.size());
  double logit_scale = 1;
  int64_t ties = 0;
  for (size_t k = 0; k < rays.size(); ++k) {
    for (int64_t i = 0; i < kTasks; ++i) {
      torch::Tensor l;
      Status st = MergedLogits(setup_, setup_.model, setup_.routers, rays[k], i, pixels[i], &l);
      ASSERT_TRUE(st.ok()) << st.ToString();
      logit_scale = std::max(logit_scale, l.abs().max().item<double>());
      cpu_logits[k].push_back(l);
    }
  }
  const double logit_tol = kLogitRtol * logit_scale;
  for (const auto& per_task : cpu_logits) {
    for (const torch::Tensor& l : per_task) ties += NearTies(l, 2 * logit_tol);
  }
  std::vector<eval::RayResult> cpu;
  Status st = eval::EvaluateRays(setup_.config, setup_.model, setup_.routers, rays, tasks, options,
                                 &cpu);
  ASSERT_TRUE(st.ok()) << st.ToString();
  // The rays give different models, and the reference is not trivial.
  EXPECT_GT((cpu_logits[0][0] - cpu_logits[2][0]).abs().max().item<double>(), 1e3 * logit_tol);
  for (const eval::RayResult& r : cpu) {
    for (const eval::EvalResult& t : r.tasks) {
      EXPECT_EQ(t.count, kTestExamples);
      EXPECT_TRUE(std::isfinite(t.mean_loss) && t.mean_loss > 0);
    }
  }
  EXPECT_EQ(ties, 0) << "near-ties in the reference (allowed for below, but unexpected here)";
  double min_gap = 1e300;
  for (const auto& per_task : cpu_logits) {
    for (const torch::Tensor& l : per_task) {
      const torch::Tensor top = std::get<0>(l.topk(2, 1));
      min_gap = std::min(min_gap, (top.select(1, 0) - top.select(1, 1)).min().item<double>());
    }
  }
  std::printf("parity: evaluation reference: max |logit| %.3g, min top-two gap %.3g, rays differ "
              "by up to %.3g in the logits; accuracy at the equal ray %.3f %.3f %.3f\n",
              logit_scale, min_gap,
              (cpu_logits[0][0] - cpu_logits[2][0]).abs().max().item<double>(),
              cpu[1].tasks[0].accuracy, cpu[1].tasks[1].accuracy, cpu[1].tasks[2].accuracy);
  PWEMOE_SKIP_WITHOUT_CUDA();

  moe::UpscaledModel model;
  std::vector<moe::Router> routers;
  st = ToDevice(setup_, kCuda, &model, &routers);
  ASSERT_TRUE(st.ok()) << st.ToString();
  double worst_logit = 0, worst_loss = 0;
  int64_t changed = 0;
  for (size_t k = 0; k < rays.size(); ++k) {
    for (int64_t i = 0; i < kTasks; ++i) {
      torch::Tensor l;
      st = MergedLogits(setup_, model, routers, rays[k], i, pixels[i], &l);
      ASSERT_TRUE(st.ok()) << st.ToString();
      worst_logit = std::max(worst_logit, (l - cpu_logits[k][i]).abs().max().item<double>());
    }
  }
  EXPECT_LE(worst_logit, logit_tol) << "merged-model logits";
  std::vector<eval::RayResult> dev;
  st = eval::EvaluateRays(setup_.config, model, routers, rays, tasks, options, &dev);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(dev.size(), cpu.size());
  for (size_t k = 0; k < rays.size(); ++k) {
    for (int64_t i = 0; i < kTasks; ++i) {
      const eval::EvalResult& c = cpu[k].tasks[i];
      const eval::EvalResult& d = dev[k].tasks[i];
      EXPECT_EQ(d.count, c.count);
      changed += std::abs(d.correct - c.correct);
      const double dl = std::abs(d.mean_loss - c.mean_loss) / std::max(1.0, c.mean_loss);
      EXPECT_LE(dl, kLossRtol) << "ray " << k << ", task " << i << ": mean loss";
      worst_loss = std::max(worst_loss, dl);
    }
  }
  EXPECT_LE(changed, ties) << "correct predictions that differ, beyond the reference's near-ties";
  std::printf("parity: evaluation (%zu rays x %lld tasks x %lld images): logits %.3g (tol %.3g), "
              "mean loss %.3g (tol %.0e), correct predictions changed %lld (near-ties %lld)\n",
              rays.size(), static_cast<long long>(kTasks), static_cast<long long>(kTestExamples),
              worst_logit, logit_tol, worst_loss, kLossRtol, static_cast<long long>(changed),
              static_cast<long long>(ties));
}

}  // namespace
}  // namespace pwemoe
