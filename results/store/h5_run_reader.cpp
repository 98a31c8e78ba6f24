#include "results/store/h5_run_reader.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <utility>

#include "results/store/h5_writer.h"

namespace pwemoe::results {

namespace {

// Validate's verdict on a record read at `path`, as Corrupt.
template <typename Record>
Status CheckRecord(const std::string& path, const Record& r) {
  Status st = Validate(r);
  if (st.ok()) return st;
  return Status::Corrupt(path + ": " + st.message());
}

Status ReadTensors(const Node& group, std::vector<NamedTensor>* out) {
  std::vector<std::string> links;
  PWEMOE_RETURN_IF_ERROR(ListLinks(group, &links));
  out->clear();
  for (const std::string& link : links) {
    NamedTensor t;
    PWEMOE_RETURN_IF_ERROR(ReadDatasetAttrString(group, link, "name", &t.name));
    if (LinkName(t.name) != link) {
      return Status::Corrupt(group.Child(link) + ": attribute 'name' is '" + t.name +
                             "', whose link name is not '" + link + "'");
    }
    PWEMOE_RETURN_IF_ERROR(ReadF32Tensor(group, link, &t.shape, &t.values));
    out->push_back(std::move(t));
  }
  return Status::Ok();
}

// routers/final and routers/step_<N> of a trained run.
Status ReadRouterGroups(const Node& run, TrainRecord* r) {
  h5::GroupId group;
  Node routers;
  PWEMOE_RETURN_IF_ERROR(OpenGroup(run, "routers", &group, &routers));
  std::vector<std::string> links;
  PWEMOE_RETURN_IF_ERROR(ListLinks(routers, &links));
  bool has_final = false;
  for (const std::string& link : links) {
    h5::GroupId g;
    Node node;
    PWEMOE_RETURN_IF_ERROR(OpenGroup(routers, link, &g, &node));
    int64_t step = 0;
    PWEMOE_RETURN_IF_ERROR(ReadAttrInt(node, "step", &step));
    if (link == "final") {
      has_final = true;
      const int64_t want = r->steps.empty() ? -1 : r->steps.back().step;
      if (step != want) {
        return Status::Corrupt(node.path + ": attribute 'step' is " + std::to_string(step) +
                               ", expected the last logged step " + std::to_string(want));
      }
      PWEMOE_RETURN_IF_ERROR(ReadTensors(node, &r->final_router));
    } else if (link == "step_" + std::to_string(step)) {
      RouterCheckpoint c;
      c.step = step;
      PWEMOE_RETURN_IF_ERROR(ReadTensors(node, &c.tensors));
      r->checkpoints.push_back(std::move(c));
    } else {
      return Status::Corrupt(node.path + ": expected 'final' or 'step_<N>' with attribute step N"
                             " (step is " + std::to_string(step) + ")");
    }
  }
  if (!has_final) return Status::Corrupt(routers.Child("final") + ": missing");
  std::sort(r->checkpoints.begin(), r->checkpoints.end(),
            [](const RouterCheckpoint& a, const RouterCheckpoint& b) { return a.step < b.step; });
  return Status::Ok();
}

Status ExpectWidth(const Node& node, const std::string& name,
                   const std::vector<std::vector<double>>& rows, size_t width) {
  if (rows.empty() || rows[0].size() == width) return Status::Ok();
  return Status::Corrupt(node.Child(name) + ": expected " + std::to_string(width) +
                         " columns (the run's tasks), found " + std::to_string(rows[0].size()));
}

// The train/ table of a run over T = r->tasks.size() tasks.
Status ReadSteps(const Node& run, TrainRecord* r) {
  h5::GroupId group;
  Node train;
  PWEMOE_RETURN_IF_ERROR(OpenGroup(run, "train", &group, &train));
  std::vector<int64_t> step;
  PWEMOE_RETURN_IF_ERROR(ReadI64Column(train, "step", -1, &step));
  const int64_t S = static_cast<int64_t>(step.size());
  const size_t T = r->tasks.size();
  std::vector<double> lr, total, mu;
  std::vector<std::vector<double>> ray, losses, weights, alpha;
  std::vector<std::string> mode;
  PWEMOE_RETURN_IF_ERROR(ReadF64Column(train, "lr", S, &lr));
  PWEMOE_RETURN_IF_ERROR(ReadF64Column(train, "total_loss", S, &total));
  PWEMOE_RETURN_IF_ERROR(ReadF64Matrix(train, "ray", S, &ray));
  PWEMOE_RETURN_IF_ERROR(ExpectWidth(train, "ray", ray, T));
  PWEMOE_RETURN_IF_ERROR(ReadF64Matrix(train, "losses", S, &losses));
  PWEMOE_RETURN_IF_ERROR(ExpectWidth(train, "losses", losses, T));
  PWEMOE_RETURN_IF_ERROR(ReadF64Matrix(train, "loss_weights", S, &weights));
  PWEMOE_RETURN_IF_ERROR(ExpectWidth(train, "loss_weights", weights, T));
  const bool epo = r->variant == "EPO";
  if (epo) {
    PWEMOE_RETURN_IF_ERROR(ReadF64Matrix(train, "epo_alpha", S, &alpha));
    PWEMOE_RETURN_IF_ERROR(ExpectWidth(train, "epo_alpha", alpha, T));
    PWEMOE_RETURN_IF_ERROR(ReadF64Column(train, "epo_mu", S, &mu));
    PWEMOE_RETURN_IF_ERROR(ReadStringColumn(train, "epo_mode", S, &mode));
  }
  r->steps.clear();
  for (size_t i = 0; i < step.size(); ++i) {
    TrainStep s;
    s.step = step[i];
    s.lr = lr[i];
    s.total_loss = total[i];
    s.ray = ray[i];
    s.losses = losses[i];
    s.loss_weights = weights[i];
    if (epo) {
      s.epo_alpha = alpha[i];
      s.epo_mu = mu[i];
      s.epo_mode = mode[i];
    }
    r->steps.push_back(std::move(s));
  }
  return Status::Ok();
}

Status ReadTrain(const Node& run, const std::string& run_name, TrainRecord* r) {
  r->run_name = run_name;
  PWEMOE_RETURN_IF_ERROR(ReadAttrInt(run, "unit_id", &r->unit_id));
  PWEMOE_RETURN_IF_ERROR(ReadAttrString(run, "variant", &r->variant));
  PWEMOE_RETURN_IF_ERROR(ReadAttrStrings(run, "tasks", &r->tasks));
  PWEMOE_RETURN_IF_ERROR(ReadAttrU64(run, "seed", &r->seed));
  PWEMOE_RETURN_IF_ERROR(ReadAttrF64(run, "seconds", &r->seconds));
  PWEMOE_RETURN_IF_ERROR(ReadSteps(run, r));
  PWEMOE_RETURN_IF_ERROR(ReadRouterGroups(run, r));
  return CheckRecord(run.path, *r);
}

// Drops the ray columns that are NaN in every row (the writer pads rays to the table's width).
void TrimPadding(std::vector<std::vector<double>>* rays) {
  size_t width = 0;
  for (const auto& ray : *rays) {
    for (size_t j = ray.size(); j > width; --j) {
      if (!std::isnan(ray[j - 1])) {
        width = j;
        break;
      }
    }
  }
  for (auto& ray : *rays) ray.resize(std::min(ray.size(), width));
}

// One eval/<task> table: its rows appended to their units' records in *eval; `where` remembers
// the table of each unit.
Status ReadEvalTable(const Node& table, const std::string& run_name,
                     std::map<int64_t, EvalRecord>* eval, std::map<int64_t, std::string>* where) {
  std::string task;
  PWEMOE_RETURN_IF_ERROR(ReadAttrString(table, "task", &task));
  if (table.path.substr(table.path.rfind('/') + 1) != LinkName(task)) {
    return Status::Corrupt(table.path + ": attribute 'task' is '" + task +
                           "', whose link name differs");
  }
  std::vector<int64_t> unit, index, count;
  std::vector<std::string> label;
  std::vector<std::vector<double>> rays;
  std::vector<double> accuracy, loss;
  PWEMOE_RETURN_IF_ERROR(ReadI64Column(table, "unit_id", -1, &unit));
  const int64_t k = static_cast<int64_t>(unit.size());
  PWEMOE_RETURN_IF_ERROR(ReadI64Column(table, "ray_index", k, &index));
  PWEMOE_RETURN_IF_ERROR(ReadStringColumn(table, "ray_label", k, &label));
  PWEMOE_RETURN_IF_ERROR(ReadF64Matrix(table, "ray", k, &rays));
  PWEMOE_RETURN_IF_ERROR(ReadF64Column(table, "accuracy", k, &accuracy));
  PWEMOE_RETURN_IF_ERROR(ReadF64Column(table, "mean_loss", k, &loss));
  PWEMOE_RETURN_IF_ERROR(ReadI64Column(table, "count", k, &count));
  for (size_t i = 0; i < unit.size(); ++i) {
    auto [it, fresh] = where->emplace(unit[i], table.path);
    if (!fresh && it->second != table.path) {
      return Status::Corrupt(table.path + ": unit " + std::to_string(unit[i]) +
                             " also has rows in " + it->second);
    }
    EvalRecord& r = (*eval)[unit[i]];
    r.unit_id = unit[i];
    r.run_name = run_name;
    r.task = task;
    r.ray_index.push_back(index[i]);
    r.ray_label.push_back(label[i]);
    r.rays.push_back(rays[i]);
    r.accuracy.push_back(accuracy[i]);
    r.mean_loss.push_back(loss[i]);
    r.count.push_back(count[i]);
  }
  return Status::Ok();
}

Status ReadRun(const Node& runs, const std::string& link, RunRecords* out,
               std::map<int64_t, std::string>* eval_where) {
  h5::GroupId group;
  Node run;
  PWEMOE_RETURN_IF_ERROR(OpenGroup(runs, link, &group, &run));
  std::string run_name;
  PWEMOE_RETURN_IF_ERROR(ReadAttrString(run, "run_name", &run_name));
  if (LinkName(run_name) != link) {
    return Status::Corrupt(run.path + ": attribute 'run_name' is '" + run_name +
                           "', whose link name differs");
  }
  int64_t trained = 0;
  PWEMOE_RETURN_IF_ERROR(ReadAttrInt(run, "trained", &trained));
  if (trained != 0 && trained != 1) {
    return Status::Corrupt(run.path + ": attribute 'trained' is " + std::to_string(trained) +
                           ", expected 0 or 1");
  }
  if (trained == 1) {
    TrainRecord r;
    PWEMOE_RETURN_IF_ERROR(ReadTrain(run, run_name, &r));
    out->train.push_back(std::move(r));
  }
  h5::GroupId eval_group;
  Node eval;
  PWEMOE_RETURN_IF_ERROR(OpenGroup(run, "eval", &eval_group, &eval));
  std::vector<std::string> tasks;
  PWEMOE_RETURN_IF_ERROR(ListLinks(eval, &tasks));
  for (const std::string& task : tasks) {
    h5::GroupId g;
    Node table;
    PWEMOE_RETURN_IF_ERROR(OpenGroup(eval, task, &g, &table));
    PWEMOE_RETURN_IF_ERROR(ReadEvalTable(table, run_name, &out->eval, eval_where));
  }
  return Status::Ok();
}

// The run_name attributes of the trained runs, for NotFound messages.
Status TrainedRunNames(const Node& runs, std::string* names) {
  std::vector<std::string> links;
  PWEMOE_RETURN_IF_ERROR(ListLinks(runs, &links));
  names->clear();
  for (const std::string& link : links) {
    h5::GroupId g;
    Node run;
    PWEMOE_RETURN_IF_ERROR(OpenGroup(runs, link, &g, &run));
    int64_t trained = 0;
    std::string name;
    PWEMOE_RETURN_IF_ERROR(ReadAttrInt(run, "trained", &trained));
    PWEMOE_RETURN_IF_ERROR(ReadAttrString(run, "run_name", &name));
    if (trained == 1) *names += (names->empty() ? "" : ", ") + name;
  }
  if (names->empty()) *names = "none";
  return Status::Ok();
}

}  // namespace

Status ReadRuns(const Node& root, RunRecords* out) {
  h5::GroupId group;
  Node runs;
  PWEMOE_RETURN_IF_ERROR(OpenGroup(root, "runs", &group, &runs));
  std::vector<std::string> links;
  PWEMOE_RETURN_IF_ERROR(ListLinks(runs, &links));
  std::map<int64_t, std::string> eval_where;
  for (const std::string& link : links) {
    PWEMOE_RETURN_IF_ERROR(ReadRun(runs, link, out, &eval_where));
  }
  for (auto& [id, r] : out->eval) {
    TrimPadding(&r.rays);
    PWEMOE_RETURN_IF_ERROR(CheckRecord(eval_where[id], r));
  }
  return Status::Ok();
}

Status ReadRouters(const Node& root, const std::string& run_name, int64_t step,
                   std::vector<NamedTensor>* out, std::vector<std::string>* tasks) {
  h5::GroupId group;
  Node runs;
  PWEMOE_RETURN_IF_ERROR(OpenGroup(root, "runs", &group, &runs));
  const std::string link = LinkName(run_name);
  bool exists = false;
  if (!link.empty() && link != "." && link != "..") {
    PWEMOE_RETURN_IF_ERROR(HasLink(runs, link, &exists));
  }
  h5::GroupId run_group;
  Node run;
  int64_t trained = 0;
  if (exists) {
    PWEMOE_RETURN_IF_ERROR(OpenGroup(runs, link, &run_group, &run));
    PWEMOE_RETURN_IF_ERROR(ReadAttrInt(run, "trained", &trained));
  }
  if (trained != 1) {
    std::string names;
    PWEMOE_RETURN_IF_ERROR(TrainedRunNames(runs, &names));
    return Status::NotFound("no trained run '" + run_name + "' in /runs (trained runs: " + names +
                            ")");
  }
  h5::GroupId routers_group;
  Node routers;
  PWEMOE_RETURN_IF_ERROR(OpenGroup(run, "routers", &routers_group, &routers));
  const std::string wanted = step == -1 ? "final" : "step_" + std::to_string(step);
  PWEMOE_RETURN_IF_ERROR(HasLink(routers, wanted, &exists));
  if (!exists) {
    std::vector<std::string> links;
    PWEMOE_RETURN_IF_ERROR(ListLinks(routers, &links));
    std::vector<int64_t> steps;
    for (const std::string& l : links) {
      if (l.rfind("step_", 0) == 0) steps.push_back(std::strtoll(l.c_str() + 5, nullptr, 10));
    }
    std::sort(steps.begin(), steps.end());
    std::string list;
    for (int64_t s : steps) list += (list.empty() ? "" : ", ") + std::to_string(s);
    return Status::NotFound(routers.Child(wanted) + ": run '" + run_name +
                            "' has no router checkpoint at step " + std::to_string(step) +
                            " (checkpoint steps: " + (list.empty() ? "none" : list) + ")");
  }
  h5::GroupId g;
  Node node;
  PWEMOE_RETURN_IF_ERROR(OpenGroup(routers, wanted, &g, &node));
  std::vector<NamedTensor> tensors;
  std::vector<std::string> names;
  PWEMOE_RETURN_IF_ERROR(ReadTensors(node, &tensors));
  PWEMOE_RETURN_IF_ERROR(ReadAttrStrings(run, "tasks", &names));
  if (names.empty()) return Status::Corrupt(run.path + ": attribute 'tasks' is empty");
  *out = std::move(tensors);
  *tasks = std::move(names);
  return Status::Ok();
}

}  // namespace pwemoe::results
