#include "records_testing.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace pwemoe::results::testing {

TempDir::TempDir() {
  std::string pattern = "/tmp/pwemoe-results-test-XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  if (::mkdtemp(name.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = name.data();
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

StoreHeader MakeHeader(const std::string& config_hash) {
  StoreHeader h;
  h.config_hash = config_hash;
  h.experiment_toml = "[experiment]\nname = \"test\" # ünïcode\n";
  h.software_version = "0.1.0";
  h.command_line = "pwemoe-orchestrate experiments/mini.toml --set train.lr=0.005";
  h.num_units = 42;
  return h;
}

TrainRecord MakeTrain(int64_t unit_id, const std::string& run_name, bool epo) {
  TrainRecord r;
  r.unit_id = unit_id;
  r.run_name = run_name;
  r.variant = epo ? "EPO" : "LS";
  r.tasks = {"clothing", "digits"};
  r.seed = 0xFFFFFFFFFFFFFFF0ull + static_cast<uint64_t>(unit_id % 8);
  for (int s = 0; s < 3; ++s) {
    TrainStep step;
    step.step = s + 1;
    step.lr = 0.01 / (s + 1);
    step.ray = {0.25 + 0.1 * s, 0.75 - 0.1 * s};
    step.losses = {1.5 - 0.1 * s + unit_id, 2.5 - 0.2 * s};
    step.loss_weights = step.ray;
    step.total_loss = step.losses[0] * step.ray[0] + step.losses[1] * step.ray[1];
    if (epo) {
      step.epo_alpha = {0.4, 0.6 + s};
      step.epo_mu = 0.01 * s;
      step.epo_mode = s % 2 == 0 ? "balance" : "descent";
    }
    r.steps.push_back(step);
  }
  NamedTensor w{"layers.0.router.fc1.weight", {2, 3}, {1, 2, 3, 4, 5, static_cast<float>(unit_id)}};
  NamedTensor b{"layers.0.router/bias", {3}, {0.5f, -0.5f, 1e-30f}};
  r.checkpoints.push_back({2, {w, b}});
  w.values[0] = 10;
  r.final_router = {w, b};
  r.seconds = 12.5;
  return r;
}

EvalRecord MakeEval(int64_t unit_id, const std::string& run_name, const std::string& task,
                    int64_t ray_begin, int64_t k) {
  EvalRecord r;
  r.unit_id = unit_id;
  r.run_name = run_name;
  r.task = task;
  for (int64_t i = ray_begin; i < ray_begin + k; ++i) {
    double w = static_cast<double>(i) / 10.0;
    r.ray_index.push_back(i);
    r.ray_label.push_back("grid-" + std::to_string(i));
    r.rays.push_back({w, 1 - w});
    r.accuracy.push_back(0.5 + w / 4);
    r.mean_loss.push_back(1.0 - w / 2);
    r.count.push_back(100 + i);
  }
  r.seconds = 1.25;
  return r;
}

BaselineRecord MakeBaseline(int64_t unit_id, const std::string& task, bool rays) {
  BaselineRecord r;
  r.unit_id = unit_id;
  r.method = rays ? "weighted-task-arithmetic" : "task-arithmetic";
  r.name = r.method + ":0.3";
  r.lambda = 0.3;
  r.subset = {"clothing", "digits"};
  r.task = task;
  if (rays) {
    r.rows.push_back({0, {1.0, 0.0}, 0.75, 0.5, 200});
    r.rows.push_back({1, {0.5, 0.5}, 0.7, 0.6, 200});
  } else {
    r.rows.push_back({-1, {}, 0.625, 0.875, 200});
  }
  r.seconds = 3;
  return r;
}

FailureRecord MakeFailure(int64_t unit_id, const std::string& message) {
  FailureRecord f;
  f.unit_id = unit_id;
  f.description = "eval ls/clothing+digits/seed0 rays 0-7 on task digits";
  f.message = message;
  f.time = "2026-11-29T01:00:00Z";
  return f;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace pwemoe::results::testing
