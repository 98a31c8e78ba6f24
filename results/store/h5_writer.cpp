#include "results/store/h5_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>
#include <vector>

#include "pwemoe/h5/attribute.h"
#include "pwemoe/h5/check.h"
#include "pwemoe/h5/handle.h"
#include "pwemoe/util/files.h"
#include "pwemoe/util/strings.h"
#include "results/front/pareto.h"

namespace pwemoe::results {


namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Creation property lists without timestamps, so that equal content gives equal bytes.
struct Plists {
  h5::PlistId group;
  h5::PlistId dataset;
};

Status MakePlists(Plists* p) {
  H5_CHECK(p->group.Reset(H5Pcreate(H5P_GROUP_CREATE)));
  H5_CHECK(H5Pset_obj_track_times(p->group.get(), false));
  H5_CHECK(p->dataset.Reset(H5Pcreate(H5P_DATASET_CREATE)));
  H5_CHECK(H5Pset_obj_track_times(p->dataset.get(), false));
  return Status::Ok();
}

Status MakeGroup(hid_t parent, const std::string& name, const Plists& p, h5::GroupId* group) {
  H5_CHECK(group->Reset(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, p.group.get(), H5P_DEFAULT)));
  return Status::Ok();
}

// A numeric dataset of shape `dims` from `data` (prod(dims) values of `mem_type`).
Status WriteNumeric(hid_t parent, const std::string& name, const std::vector<hsize_t>& dims,
                    hid_t file_type, hid_t mem_type, const void* data, const Plists& p) {
  h5::SpaceId space;
  if (dims.empty()) {
    H5_CHECK(space.Reset(H5Screate(H5S_SCALAR)));
  } else {
    H5_CHECK(space.Reset(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr)));
  }
  h5::DatasetId dataset;
  H5_CHECK(dataset.Reset(H5Dcreate2(parent, name.c_str(), file_type, space.get(), H5P_DEFAULT,
                                    p.dataset.get(), H5P_DEFAULT)));
  hsize_t n = 1;
  for (hsize_t d : dims) n *= d;
  if (n > 0) H5_CHECK(H5Dwrite(dataset.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data));
  H5_CHECK(dataset.Close());
  return Status::Ok();
}

Status WriteF64(hid_t parent, const std::string& name, const std::vector<double>& v,
                const Plists& p) {
  return WriteNumeric(parent, name, {v.size()}, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v.data(), p);
}

Status WriteI64(hid_t parent, const std::string& name, const std::vector<int64_t>& v,
                const Plists& p) {
  return WriteNumeric(parent, name, {v.size()}, H5T_STD_I64LE, H5T_NATIVE_INT64, v.data(), p);
}

// A [rows x cols] float64 dataset from rows padded with NaN to `cols`.
Status WriteF64Matrix(hid_t parent, const std::string& name,
                      const std::vector<std::vector<double>>& rows, size_t cols, const Plists& p) {
  std::vector<double> flat(rows.size() * cols, kNaN);
  for (size_t i = 0; i < rows.size(); ++i) {
    std::copy(rows[i].begin(), rows[i].end(), flat.begin() + static_cast<ptrdiff_t>(i * cols));
  }
  return WriteNumeric(parent, name, {rows.size(), cols}, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                      flat.data(), p);
}

size_t MaxWidth(const std::vector<std::vector<double>>& rows) {
  size_t w = 0;
  for (const auto& r : rows) w = std::max(w, r.size());
  return w;
}

// A 1-D dataset of variable-length UTF-8 strings.
Status WriteStrings(hid_t parent, const std::string& name, const std::vector<std::string>& v,
                    const Plists& p) {
  h5::TypeId type;
  PWEMOE_RETURN_IF_ERROR(h5::MakeUtf8StringType(&type));
  std::vector<const char*> pointers;
  for (const std::string& s : v) pointers.push_back(s.c_str());
  return WriteNumeric(parent, name, {v.size()}, type.get(), type.get(), pointers.data(), p);
}

Status WriteTensors(hid_t parent, const std::vector<NamedTensor>& tensors, const Plists& p) {
  std::map<std::string, std::string> seen;
  for (const NamedTensor& t : tensors) {
    const std::string link = LinkName(t.name);
    auto [it, fresh] = seen.emplace(link, t.name);
    if (!fresh) {
      return Status::InvalidArgument("router tensors '" + it->second + "' and '" + t.name +
                                     "' have the same link name '" + link + "'");
    }
    std::vector<hsize_t> dims(t.shape.begin(), t.shape.end());
    PWEMOE_RETURN_IF_ERROR(
        WriteNumeric(parent, link, dims, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, t.values.data(), p));
    h5::DatasetId dataset;
    H5_CHECK(dataset.Reset(H5Dopen2(parent, link.c_str(), H5P_DEFAULT)));
    PWEMOE_RETURN_IF_ERROR(h5::WriteString(dataset.get(), "name", t.name));
  }
  return Status::Ok();
}

Status WriteTrain(hid_t run, const TrainRecord& r, const Plists& p) {
  PWEMOE_RETURN_IF_ERROR(h5::WriteInt(run, "unit_id", r.unit_id));
  PWEMOE_RETURN_IF_ERROR(h5::WriteString(run, "variant", r.variant));
  PWEMOE_RETURN_IF_ERROR(h5::WriteStrings(run, "tasks", r.tasks));
  PWEMOE_RETURN_IF_ERROR(h5::WriteU64(run, "seed", r.seed));
  PWEMOE_RETURN_IF_ERROR(h5::WriteF64(run, "seconds", r.seconds));

  h5::GroupId train;
  PWEMOE_RETURN_IF_ERROR(MakeGroup(run, "train", p, &train));
  const size_t T = r.tasks.size();
  std::vector<int64_t> step;
  std::vector<double> lr, total, mu;
  std::vector<std::vector<double>> ray, losses, weights, alpha;
  std::vector<std::string> mode;
  for (const TrainStep& s : r.steps) {
    step.push_back(s.step);
    lr.push_back(s.lr);
    total.push_back(s.total_loss);
    ray.push_back(s.ray);
    losses.push_back(s.losses);
    weights.push_back(s.loss_weights);
    alpha.push_back(s.epo_alpha);
    mu.push_back(s.epo_mu);
    mode.push_back(s.epo_mode);
  }
  hid_t g = train.get();
  PWEMOE_RETURN_IF_ERROR(WriteI64(g, "step", step, p));
  PWEMOE_RETURN_IF_ERROR(WriteF64(g, "lr", lr, p));
  PWEMOE_RETURN_IF_ERROR(WriteF64(g, "total_loss", total, p));
  PWEMOE_RETURN_IF_ERROR(WriteF64Matrix(g, "ray", ray, T, p));
  PWEMOE_RETURN_IF_ERROR(WriteF64Matrix(g, "losses", losses, T, p));
  PWEMOE_RETURN_IF_ERROR(WriteF64Matrix(g, "loss_weights", weights, T, p));
  if (r.variant == "EPO") {
    PWEMOE_RETURN_IF_ERROR(WriteF64Matrix(g, "epo_alpha", alpha, T, p));
    PWEMOE_RETURN_IF_ERROR(WriteF64(g, "epo_mu", mu, p));
    PWEMOE_RETURN_IF_ERROR(WriteStrings(g, "epo_mode", mode, p));
  }
  H5_CHECK(train.Close());

  h5::GroupId routers;
  PWEMOE_RETURN_IF_ERROR(MakeGroup(run, "routers", p, &routers));
  {
    h5::GroupId final_group;
    PWEMOE_RETURN_IF_ERROR(MakeGroup(routers.get(), "final", p, &final_group));
    int64_t final_step = r.steps.empty() ? -1 : r.steps.back().step;
    PWEMOE_RETURN_IF_ERROR(h5::WriteInt(final_group.get(), "step", final_step));
    PWEMOE_RETURN_IF_ERROR(WriteTensors(final_group.get(), r.final_router, p));
  }
  for (const RouterCheckpoint& c : r.checkpoints) {
    h5::GroupId group;
    PWEMOE_RETURN_IF_ERROR(MakeGroup(routers.get(), "step_" + std::to_string(c.step), p, &group));
    PWEMOE_RETURN_IF_ERROR(h5::WriteInt(group.get(), "step", c.step));
    PWEMOE_RETURN_IF_ERROR(WriteTensors(group.get(), c.tensors, p));
  }
  return Status::Ok();
}

// One evaluation row (one ray of one unit) before it is sorted into its table.
struct EvalRow {
  int64_t ray_index;
  int64_t unit_id;
  const EvalRecord* record;
  size_t i;
};

Status WriteEvalTable(hid_t eval, const std::string& task, std::vector<EvalRow> rows,
                      const Plists& p) {
  std::sort(rows.begin(), rows.end(), [](const EvalRow& a, const EvalRow& b) {
    return std::tie(a.ray_index, a.unit_id, a.i) < std::tie(b.ray_index, b.unit_id, b.i);
  });
  std::vector<int64_t> unit, index, count;
  std::vector<std::string> label;
  std::vector<std::vector<double>> rays;
  std::vector<double> accuracy, loss;
  for (const EvalRow& row : rows) {
    const EvalRecord& r = *row.record;
    unit.push_back(r.unit_id);
    index.push_back(r.ray_index[row.i]);
    label.push_back(r.ray_label[row.i]);
    rays.push_back(r.rays[row.i]);
    accuracy.push_back(r.accuracy[row.i]);
    loss.push_back(r.mean_loss[row.i]);
    count.push_back(r.count[row.i]);
  }
  h5::GroupId group;
  PWEMOE_RETURN_IF_ERROR(MakeGroup(eval, LinkName(task), p, &group));
  hid_t g = group.get();
  PWEMOE_RETURN_IF_ERROR(h5::WriteString(g, "task", task));
  PWEMOE_RETURN_IF_ERROR(WriteI64(g, "unit_id", unit, p));
  PWEMOE_RETURN_IF_ERROR(WriteI64(g, "ray_index", index, p));
  PWEMOE_RETURN_IF_ERROR(WriteStrings(g, "ray_label", label, p));
  PWEMOE_RETURN_IF_ERROR(WriteF64Matrix(g, "ray", rays, MaxWidth(rays), p));
  PWEMOE_RETURN_IF_ERROR(WriteF64(g, "accuracy", accuracy, p));
  PWEMOE_RETURN_IF_ERROR(WriteF64(g, "mean_loss", loss, p));
  PWEMOE_RETURN_IF_ERROR(WriteI64(g, "count", count, p));
  return Status::Ok();
}

// /runs/<run>/front: the rays evaluated on every task of a trained run whose accuracy vectors
// are non-dominated (results/front/pareto.h, maximised), by ray_index.
Status WriteFront(hid_t run, const TrainRecord& trained,
                  const std::map<std::string, std::vector<EvalRow>>& evals, const Plists& p) {
  const size_t T = trained.tasks.size();
  std::map<int64_t, std::vector<double>> points;  // ray_index -> accuracy per task (NaN: missing)
  for (size_t t = 0; t < T; ++t) {
    auto it = evals.find(trained.tasks[t]);
    if (it == evals.end()) continue;
    for (const EvalRow& row : it->second) {
      auto& point = points.try_emplace(row.ray_index, T, kNaN).first->second;
      if (std::isnan(point[t])) point[t] = row.record->accuracy[row.i];
    }
  }
  std::vector<int64_t> index;
  std::vector<std::vector<double>> complete;
  for (const auto& [ray, point] : points) {
    bool all = std::all_of(point.begin(), point.end(), [](double a) { return std::isfinite(a); });
    if (!all) continue;
    index.push_back(ray);
    complete.push_back(point);
  }
  std::vector<size_t> front;
  if (T > 0) PWEMOE_RETURN_IF_ERROR(ParetoFront(complete, Sense::kMaximize, &front));
  std::vector<int64_t> front_index;
  std::vector<std::vector<double>> front_accuracy;
  for (size_t i : front) {
    front_index.push_back(index[i]);
    front_accuracy.push_back(complete[i]);
  }
  h5::GroupId group;
  PWEMOE_RETURN_IF_ERROR(MakeGroup(run, "front", p, &group));
  PWEMOE_RETURN_IF_ERROR(h5::WriteInt(group.get(), "rays_complete", static_cast<int64_t>(index.size())));
  PWEMOE_RETURN_IF_ERROR(WriteI64(group.get(), "ray_index", front_index, p));
  return WriteF64Matrix(group.get(), "accuracy", front_accuracy, T, p);
}

Status WriteRuns(hid_t file, const ResultSet& results, const Plists& p) {
  h5::GroupId runs;
  PWEMOE_RETURN_IF_ERROR(MakeGroup(file, "runs", p, &runs));
  // Every run named by a training or evaluation record, by link name.
  std::map<std::string, std::string> names;  // link name -> run name
  auto note = [&names](const std::string& run) -> Status {
    auto [it, fresh] = names.emplace(LinkName(run), run);
    if (!fresh && it->second != run) {
      return Status::InvalidArgument("runs '" + it->second + "' and '" + run +
                                     "' have the same link name '" + it->first + "'");
    }
    return Status::Ok();
  };
  std::map<std::string, const TrainRecord*> trained;
  for (const auto& [id, r] : results.train()) {
    PWEMOE_RETURN_IF_ERROR(note(r.run_name));
    if (trained.count(r.run_name) > 0) {
      return Status::InvalidArgument("run '" + r.run_name + "' was trained by units " +
                                     std::to_string(trained[r.run_name]->unit_id) + " and " +
                                     std::to_string(id));
    }
    trained[r.run_name] = &r;
  }
  std::map<std::string, std::map<std::string, std::vector<EvalRow>>> evals;  // run -> task -> rows
  for (const auto& [id, r] : results.eval()) {
    PWEMOE_RETURN_IF_ERROR(note(r.run_name));
    auto& rows = evals[r.run_name][r.task];
    for (size_t i = 0; i < r.ray_index.size(); ++i) rows.push_back({r.ray_index[i], id, &r, i});
  }
  for (const auto& [link, run_name] : names) {
    h5::GroupId run;
    PWEMOE_RETURN_IF_ERROR(MakeGroup(runs.get(), link, p, &run));
    PWEMOE_RETURN_IF_ERROR(h5::WriteString(run.get(), "run_name", run_name));
    PWEMOE_RETURN_IF_ERROR(h5::WriteInt(run.get(), "trained", trained.count(run_name) ? 1 : 0));
    if (trained.count(run_name) > 0) {
      PWEMOE_RETURN_IF_ERROR(WriteTrain(run.get(), *trained[run_name], p));
    }
    h5::GroupId eval;
    PWEMOE_RETURN_IF_ERROR(MakeGroup(run.get(), "eval", p, &eval));
    std::map<std::string, std::string> task_links;
    for (auto& [task, rows] : evals[run_name]) {
      auto [it, fresh] = task_links.emplace(LinkName(task), task);
      if (!fresh) {
        return Status::InvalidArgument("tasks '" + it->second + "' and '" + task +
                                       "' have the same link name");
      }
      PWEMOE_RETURN_IF_ERROR(WriteEvalTable(eval.get(), task, rows, p));
    }
    if (trained.count(run_name) > 0) {
      PWEMOE_RETURN_IF_ERROR(WriteFront(run.get(), *trained[run_name], evals[run_name], p));
    }
  }
  return Status::Ok();
}

Status WriteBaselines(hid_t file, const ResultSet& results, const Plists& p) {
  std::vector<int64_t> unit, index, count;
  std::vector<std::string> method, name, subset, task;
  std::vector<double> lambda, accuracy, loss;
  std::vector<std::vector<double>> rays;
  for (const auto& [id, r] : results.baselines()) {
    for (const BaselineRow& row : r.rows) {
      unit.push_back(id);
      method.push_back(r.method);
      name.push_back(r.name);
      lambda.push_back(r.lambda);
      subset.push_back(Join(r.subset, "+"));
      task.push_back(r.task);
      index.push_back(row.ray_index);
      rays.push_back(row.ray);
      accuracy.push_back(row.accuracy);
      loss.push_back(row.mean_loss);
      count.push_back(row.count);
    }
  }
  h5::GroupId group;
  PWEMOE_RETURN_IF_ERROR(MakeGroup(file, "baselines", p, &group));
  hid_t g = group.get();
  PWEMOE_RETURN_IF_ERROR(WriteI64(g, "unit_id", unit, p));
  PWEMOE_RETURN_IF_ERROR(WriteStrings(g, "method", method, p));
  PWEMOE_RETURN_IF_ERROR(WriteStrings(g, "name", name, p));
  PWEMOE_RETURN_IF_ERROR(WriteF64(g, "lambda", lambda, p));
  PWEMOE_RETURN_IF_ERROR(WriteStrings(g, "subset", subset, p));
  PWEMOE_RETURN_IF_ERROR(WriteStrings(g, "task", task, p));
  PWEMOE_RETURN_IF_ERROR(WriteI64(g, "ray_index", index, p));
  PWEMOE_RETURN_IF_ERROR(WriteF64Matrix(g, "ray", rays, MaxWidth(rays), p));
  PWEMOE_RETURN_IF_ERROR(WriteF64(g, "accuracy", accuracy, p));
  PWEMOE_RETURN_IF_ERROR(WriteF64(g, "mean_loss", loss, p));
  PWEMOE_RETURN_IF_ERROR(WriteI64(g, "count", count, p));
  return Status::Ok();
}

Status WriteFailures(hid_t file, const ResultSet& results, const Plists& p) {
  std::vector<int64_t> unit;
  std::vector<std::string> description, message, time;
  for (const auto& [id, r] : results.failures()) {
    unit.push_back(id);
    description.push_back(r.description);
    message.push_back(r.message);
    time.push_back(r.time);
  }
  h5::GroupId group;
  PWEMOE_RETURN_IF_ERROR(MakeGroup(file, "failures", p, &group));
  hid_t g = group.get();
  PWEMOE_RETURN_IF_ERROR(WriteI64(g, "unit_id", unit, p));
  PWEMOE_RETURN_IF_ERROR(WriteStrings(g, "description", description, p));
  PWEMOE_RETURN_IF_ERROR(WriteStrings(g, "message", message, p));
  PWEMOE_RETURN_IF_ERROR(WriteStrings(g, "time", time, p));
  return Status::Ok();
}

Status WriteSessions(hid_t file, const ResultSet& results, const Plists& p) {
  std::vector<std::string> start, command, version, hosts;
  std::vector<int64_t> ranks;
  for (const SessionRecord& r : results.sessions()) {
    start.push_back(r.start_time);
    command.push_back(r.command_line);
    version.push_back(r.software_version);
    ranks.push_back(r.ranks);
    hosts.push_back(Join(r.hosts, ","));
  }
  h5::GroupId group;
  PWEMOE_RETURN_IF_ERROR(MakeGroup(file, "sessions", p, &group));
  hid_t g = group.get();
  PWEMOE_RETURN_IF_ERROR(WriteStrings(g, "start_time", start, p));
  PWEMOE_RETURN_IF_ERROR(WriteStrings(g, "command_line", command, p));
  PWEMOE_RETURN_IF_ERROR(WriteStrings(g, "software_version", version, p));
  PWEMOE_RETURN_IF_ERROR(WriteI64(g, "ranks", ranks, p));
  return WriteStrings(g, "hosts", hosts, p);
}

Status WriteUnits(hid_t file, const ResultSet& results, const Plists& p) {
  std::map<int64_t, std::pair<std::string, double>> units;  // id -> kind, seconds
  for (const auto& [id, r] : results.train()) units[id] = {"train", r.seconds};
  for (const auto& [id, r] : results.eval()) units[id] = {"eval", r.seconds};
  for (const auto& [id, r] : results.baselines()) units[id] = {"baseline", r.seconds};
  for (const auto& [id, r] : results.failures()) units[id] = {"failure", kNaN};
  std::vector<int64_t> unit;
  std::vector<std::string> kind;
  std::vector<double> seconds;
  for (const auto& [id, u] : units) {
    unit.push_back(id);
    kind.push_back(u.first);
    seconds.push_back(u.second);
  }
  h5::GroupId group;
  PWEMOE_RETURN_IF_ERROR(MakeGroup(file, "units", p, &group));
  PWEMOE_RETURN_IF_ERROR(WriteI64(group.get(), "unit_id", unit, p));
  PWEMOE_RETURN_IF_ERROR(WriteStrings(group.get(), "kind", kind, p));
  return WriteF64(group.get(), "seconds", seconds, p);
}

Status WriteFile(const std::string& path, const StoreHeader& header, const ResultSet& results) {
  Plists p;
  PWEMOE_RETURN_IF_ERROR(MakePlists(&p));
  h5::PlistId fcpl;
  H5_CHECK(fcpl.Reset(H5Pcreate(H5P_FILE_CREATE)));
  H5_CHECK(H5Pset_obj_track_times(fcpl.get(), false));
  h5::FileId file;
  H5_CHECK(file.Reset(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.get(), H5P_DEFAULT)));
  hid_t f = file.get();
  PWEMOE_RETURN_IF_ERROR(h5::WriteInt(f, "schema_version", kSchemaVersion));
  PWEMOE_RETURN_IF_ERROR(h5::WriteString(f, "config_hash", header.config_hash));
  PWEMOE_RETURN_IF_ERROR(h5::WriteString(f, "experiment_toml", header.experiment_toml));
  PWEMOE_RETURN_IF_ERROR(h5::WriteString(f, "software_version", header.software_version));
  PWEMOE_RETURN_IF_ERROR(h5::WriteString(f, "command_line", header.command_line));
  PWEMOE_RETURN_IF_ERROR(h5::WriteInt(f, "num_units", header.num_units));
  PWEMOE_RETURN_IF_ERROR(
      h5::WriteInt(f, "units_done", static_cast<int64_t>(results.result_kind().size())));
  PWEMOE_RETURN_IF_ERROR(
      h5::WriteInt(f, "units_failed", static_cast<int64_t>(results.failures().size())));
  PWEMOE_RETURN_IF_ERROR(h5::WriteString(f, "eval_samples", kEvalSamplesRule));
  PWEMOE_RETURN_IF_ERROR(WriteUnits(f, results, p));
  PWEMOE_RETURN_IF_ERROR(WriteRuns(f, results, p));
  PWEMOE_RETURN_IF_ERROR(WriteBaselines(f, results, p));
  PWEMOE_RETURN_IF_ERROR(WriteFailures(f, results, p));
  PWEMOE_RETURN_IF_ERROR(WriteSessions(f, results, p));
  H5_CHECK(file.Close());
  return Status::Ok();
}

Status SyncFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoFailure(path, "open for flushing", errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return ErrnoFailure(path, "flush", err);
  return Status::Ok();
}

}  // namespace

std::string LinkName(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (c == '/') {
      out += "__";
    } else {
      out += c;
    }
  }
  return out;
}

Status WriteResultsHdf5(const std::string& path, const StoreHeader& header,
                        const ResultSet& results) {
  const std::string temp = path + ".tmp-" + std::to_string(::getpid());
  Status written;
  {
    auto lock = h5::LockHdf5();
    written = WriteFile(temp, header, results);
  }
  if (written.ok()) written = SyncFile(temp);
  if (written.ok() && ::rename(temp.c_str(), path.c_str()) != 0) {
    written = ErrnoFailure(path, "rename " + temp + " to it", errno);
  }
  if (!written.ok()) {
    ::unlink(temp.c_str());
    return written.WithContext(path);
  }
  SyncParentFolder(path);
  return Status::Ok();
}

}  // namespace pwemoe::results
