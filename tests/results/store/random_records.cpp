#include "random_records.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>
#include <string>

#include "results/store/h5_writer.h"

namespace pwemoe::results::testing {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}
  int64_t Int(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  // Mostly ordinary numbers, sometimes NaN, infinities, -0 or denormals.
  double Number() {
    switch (Int(0, 19)) {
      case 0: return kNaN;
      case 1: return -kInf;
      case 2: return kInf;
      case 3: return -0.0;
      case 4: return std::numeric_limits<double>::denorm_min();
      default: return std::normal_distribution<double>(0, 3)(rng_);
    }
  }
  double Finite() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
  std::vector<double> Numbers(size_t n) {
    std::vector<double> v(n);
    for (double& x : v) x = Number();
    return v;
  }
  std::vector<double> Finites(size_t n) {
    std::vector<double> v(n);
    for (double& x : v) x = Finite();
    return v;
  }
  std::string Text() {
    static const char* kWords[] = {"", "a", "grid-3", "ünïcode ✓", "with space", "x/y", "q\"uote"};
    return kWords[Int(0, 6)];
  }
  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
};

const std::vector<std::string> kTasks = {"clothing", "digits", "glyphs", "symbols/x", "t-5"};

std::vector<std::string> Subset(Gen& g) {
  std::vector<std::string> tasks = kTasks;
  std::shuffle(tasks.begin(), tasks.end(), g.rng());
  tasks.resize(static_cast<size_t>(g.Int(1, 4)));
  return tasks;
}

std::vector<NamedTensor> Tensors(Gen& g) {
  std::vector<NamedTensor> out;
  const int64_t n = g.Int(0, 4);
  for (int64_t i = 0; i < n; ++i) {
    NamedTensor t;
    t.name = "layers." + std::to_string(g.Int(0, 30)) + (g.Chance(0.3) ? "/mlp" : ".mlp") +
             ".gate." + std::to_string(i) + ".weight";
    const int64_t rank = g.Int(0, 3);
    int64_t count = 1;
    for (int64_t d = 0; d < rank; ++d) {
      t.shape.push_back(g.Int(0, 4));
      count *= t.shape.back();
    }
    for (int64_t k = 0; k < count; ++k) t.values.push_back(static_cast<float>(g.Number()));
    out.push_back(std::move(t));
  }
  return out;
}

TrainRecord Train(Gen& g, int64_t unit, const std::string& run) {
  TrainRecord r;
  r.unit_id = unit;
  r.run_name = run;
  r.variant = g.Chance(0.5) ? "EPO" : "LS";
  r.tasks = Subset(g);
  r.seed = g.Chance(0.3) ? std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(unit)
                         : static_cast<uint64_t>(g.Int(0, 1000));
  const size_t T = r.tasks.size();
  int64_t step = g.Int(-1, 3);
  for (int64_t s = g.Int(0, 6); s > 0; --s) {
    TrainStep st;
    st.step = step += g.Int(1, 50);
    st.lr = g.Number();
    st.ray = g.Numbers(T);
    st.losses = g.Numbers(T);
    st.loss_weights = g.Numbers(T);
    st.total_loss = g.Number();
    if (r.variant == "EPO") {
      st.epo_alpha = g.Numbers(T);
      st.epo_mu = g.Number();
      st.epo_mode = g.Chance(0.5) ? "balance" : g.Text();
    }
    r.steps.push_back(std::move(st));
  }
  int64_t at = g.Int(-5, 5);
  for (int64_t c = g.Int(0, 3); c > 0; --c) r.checkpoints.push_back({at += g.Int(1, 1000), Tensors(g)});
  r.final_router = Tensors(g);
  r.seconds = g.Number();
  return r;
}

EvalRecord Eval(Gen& g, int64_t unit, const std::string& run, bool allow_empty) {
  EvalRecord r;
  r.unit_id = unit;
  r.run_name = run;
  r.task = kTasks[static_cast<size_t>(g.Int(0, 4))];
  const size_t width = static_cast<size_t>(g.Int(0, 4));
  for (int64_t k = g.Int(allow_empty ? 0 : 1, 5); k > 0; --k) {
    r.ray_index.push_back(g.Int(0, 12));
    r.ray_label.push_back(g.Text());
    r.rays.push_back(g.Finites(width));  // the writer's NaN padding must stay recognisable
    r.accuracy.push_back(g.Chance(0.1) ? kNaN : g.Finite());
    r.mean_loss.push_back(g.Number());
    r.count.push_back(g.Int(0, 10000));
  }
  r.seconds = g.Number();
  return r;
}

BaselineRecord Baseline(Gen& g, int64_t unit) {
  static const char* kMethods[] = {"pretrained", "expert", "simple-average", "task-arithmetic",
                                   "weighted-task-arithmetic"};
  BaselineRecord r;
  r.unit_id = unit;
  r.method = kMethods[g.Int(0, 4)];
  r.name = r.method + ":" + std::to_string(g.Int(0, 9));
  r.lambda = g.Chance(0.4) ? kNaN : g.Number();
  if (g.Chance(0.7)) r.subset = Subset(g);
  r.task = kTasks[static_cast<size_t>(g.Int(0, 4))];
  for (int64_t k = g.Int(1, 4); k > 0; --k) {
    BaselineRow row;
    if (g.Chance(0.6)) {
      row.ray_index = g.Int(0, 20);
      row.ray = g.Finites(static_cast<size_t>(g.Int(1, 5)));
    }
    row.accuracy = g.Number();
    row.mean_loss = g.Number();
    row.count = g.Int(0, 100);
    r.rows.push_back(std::move(row));
  }
  r.seconds = g.Number();
  return r;
}

FailureRecord Failure(Gen& g, int64_t unit) {
  FailureRecord f;
  f.unit_id = unit;
  f.description = g.Text();
  f.message = "numerical: " + g.Text();
  f.time = g.Chance(0.5) ? "" : "2026-11-29T01:00:0" + std::to_string(g.Int(0, 9)) + "Z";
  return f;
}

SessionRecord Session(Gen& g) {
  SessionRecord s;
  s.start_time = "2026-11-29T0" + std::to_string(g.Int(0, 9)) + ":00:00Z";
  s.command_line = g.Text();
  s.software_version = "0." + std::to_string(g.Int(0, 9));
  s.ranks = g.Int(1, 64);
  for (int64_t h = g.Int(0, 3); h > 0; --h) s.hosts.push_back("node-" + std::to_string(g.Int(0, 99)));
  return s;
}

}  // namespace

std::vector<AnyRecord> RandomRecords(uint64_t seed, bool allow_empty_eval) {
  Gen g(seed);
  std::vector<int64_t> ids(static_cast<size_t>(g.Int(0, 30)));
  std::iota(ids.begin(), ids.end(), 0);
  std::shuffle(ids.begin(), ids.end(), g.rng());
  for (int64_t& id : ids) id = id * g.Int(1, 3) + (id > 20 ? 1000000 : 0);
  std::set<int64_t> unique(ids.begin(), ids.end());
  ids.assign(unique.begin(), unique.end());
  std::shuffle(ids.begin(), ids.end(), g.rng());

  std::vector<std::string> runs;  // trained run names, unique
  std::vector<AnyRecord> out;
  for (int64_t id : ids) {
    AnyRecord r;
    if (g.Chance(0.1)) {  // an orchestrator invocation starts (or resumes)
      r.session.push_back(Session(g));
      out.push_back(r);
      r = AnyRecord();
    }
    if (g.Chance(0.15)) {  // a failure first; about half of these units also get a result
      r.failure.push_back(Failure(g, id));
      out.push_back(r);
      if (g.Chance(0.5)) continue;
      r = AnyRecord();
    }
    switch (g.Int(0, 2)) {
      case 0: {
        const std::string run = std::string(g.Chance(0.5) ? "ls" : "epo") + "/" +
                                std::to_string(runs.size()) + "+b/seed" + std::to_string(id);
        runs.push_back(run);
        r.train.push_back(Train(g, id, run));
        break;
      }
      case 1: {
        const std::string run = !runs.empty() && g.Chance(0.8)
                                    ? runs[static_cast<size_t>(g.Int(0, runs.size() - 1))]
                                    : "untrained/run";
        r.eval.push_back(Eval(g, id, run, allow_empty_eval));
        break;
      }
      default:
        r.baseline.push_back(Baseline(g, id));
    }
    out.push_back(r);
  }
  return out;
}

ResultSet AsReadBack(const ResultSet& set) {
  auto by_link = [](const NamedTensor& a, const NamedTensor& b) {
    return LinkName(a.name) < LinkName(b.name);
  };
  ResultSet out;
  for (auto [id, r] : set.train()) {
    std::sort(r.final_router.begin(), r.final_router.end(), by_link);
    for (RouterCheckpoint& c : r.checkpoints) std::sort(c.tensors.begin(), c.tensors.end(), by_link);
    out.Add(r);
  }
  for (const auto& [id, r] : set.eval()) {
    EvalRecord e;
    e.unit_id = id;
    e.seconds = r.seconds;
    if (!r.ray_index.empty()) {
      e.run_name = r.run_name;
      e.task = r.task;
      std::vector<size_t> order(r.ray_index.size());
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(),
                       [&r](size_t a, size_t b) { return r.ray_index[a] < r.ray_index[b]; });
      for (size_t i : order) {
        e.ray_index.push_back(r.ray_index[i]);
        e.ray_label.push_back(r.ray_label[i]);
        e.rays.push_back(r.rays[i]);
        e.accuracy.push_back(r.accuracy[i]);
        e.mean_loss.push_back(r.mean_loss[i]);
        e.count.push_back(r.count[i]);
      }
    }
    out.Add(e);
  }
  for (const auto& [id, r] : set.baselines()) out.Add(r);
  for (const auto& [id, r] : set.failures()) out.Add(r);
  for (const SessionRecord& s : set.sessions()) out.Add(s);
  return out;
}

}  // namespace pwemoe::results::testing
