#include "results/store/records.h"

#include <string>

namespace pwemoe::results {

namespace {

Status Bad(const std::string& what, int64_t unit_id, const std::string& problem) {
  return Status::InvalidArgument(what + " of unit " + std::to_string(unit_id) + ": " + problem);
}

std::string Size(size_t n) { return std::to_string(n); }

// A name used as an HDF5 link name (after '/' is escaped): non-empty, no NUL, not "." or "..".
Status CheckName(const std::string& what, int64_t unit_id, const std::string& field,
                 const std::string& name) {
  if (name.empty()) return Bad(what, unit_id, field + " is empty");
  if (name.find('\0') != std::string::npos) return Bad(what, unit_id, field + " contains NUL");
  if (name == "." || name == "..") return Bad(what, unit_id, field + " is '" + name + "'");
  return Status::Ok();
}

Status CheckUnit(const std::string& what, int64_t unit_id) {
  if (unit_id < 0) return Bad(what, unit_id, "negative unit id");
  return Status::Ok();
}

Status CheckTensors(const std::string& what, int64_t unit_id, const std::string& where,
                    const std::vector<NamedTensor>& tensors) {
  for (size_t i = 0; i < tensors.size(); ++i) {
    const NamedTensor& t = tensors[i];
    PWEMOE_RETURN_IF_ERROR(CheckName(what, unit_id, where + " tensor " + Size(i) + " name", t.name));
    for (size_t j = 0; j < i; ++j) {
      if (tensors[j].name == t.name) {
        return Bad(what, unit_id, where + " tensor '" + t.name + "' appears twice");
      }
    }
    int64_t n = 1;
    for (int64_t d : t.shape) {
      if (d < 0) return Bad(what, unit_id, where + " tensor '" + t.name + "' has a negative dimension");
      n *= d;
    }
    if (static_cast<int64_t>(t.values.size()) != n) {
      return Bad(what, unit_id, where + " tensor '" + t.name + "' has " + Size(t.values.size()) +
                                    " values for " + std::to_string(n) + " elements of its shape");
    }
  }
  return Status::Ok();
}

Status CheckLength(const std::string& what, int64_t unit_id, const std::string& field, size_t got,
                   size_t want) {
  if (got == want) return Status::Ok();
  return Bad(what, unit_id, field + " has " + Size(got) + " entries, expected " + Size(want));
}

}  // namespace

Status Validate(const StoreHeader& header) {
  if (header.config_hash.empty()) return Status::InvalidArgument("store header: empty config_hash");
  if (header.num_units < 0) return Status::InvalidArgument("store header: negative num_units");
  return Status::Ok();
}

Status Validate(const TrainRecord& r) {
  const std::string what = "training record '" + r.run_name + "'";
  PWEMOE_RETURN_IF_ERROR(CheckUnit(what, r.unit_id));
  PWEMOE_RETURN_IF_ERROR(CheckName(what, r.unit_id, "run name", r.run_name));
  if (r.variant != "LS" && r.variant != "EPO") {
    return Bad(what, r.unit_id, "variant '" + r.variant + "' is neither LS nor EPO");
  }
  if (r.tasks.empty()) return Bad(what, r.unit_id, "no tasks");
  for (const std::string& t : r.tasks) PWEMOE_RETURN_IF_ERROR(CheckName(what, r.unit_id, "task", t));
  const size_t T = r.tasks.size();
  const bool epo = r.variant == "EPO";
  for (size_t i = 0; i < r.steps.size(); ++i) {
    const TrainStep& s = r.steps[i];
    const std::string at = "step record " + Size(i) + " ";
    if (i > 0 && s.step <= r.steps[i - 1].step) {
      return Bad(what, r.unit_id, at + "(step " + std::to_string(s.step) + ") is not after the previous one");
    }
    PWEMOE_RETURN_IF_ERROR(CheckLength(what, r.unit_id, at + "ray", s.ray.size(), T));
    PWEMOE_RETURN_IF_ERROR(CheckLength(what, r.unit_id, at + "losses", s.losses.size(), T));
    PWEMOE_RETURN_IF_ERROR(CheckLength(what, r.unit_id, at + "loss_weights", s.loss_weights.size(), T));
    PWEMOE_RETURN_IF_ERROR(
        CheckLength(what, r.unit_id, at + "epo_alpha", s.epo_alpha.size(), epo ? T : 0));
  }
  for (size_t i = 0; i < r.checkpoints.size(); ++i) {
    const RouterCheckpoint& c = r.checkpoints[i];
    if (i > 0 && c.step <= r.checkpoints[i - 1].step) {
      return Bad(what, r.unit_id, "checkpoint at step " + std::to_string(c.step) + " is not after the previous one");
    }
    PWEMOE_RETURN_IF_ERROR(
        CheckTensors(what, r.unit_id, "checkpoint step " + std::to_string(c.step), c.tensors));
  }
  return CheckTensors(what, r.unit_id, "final router", r.final_router);
}

Status Validate(const EvalRecord& r) {
  const std::string what = "evaluation record '" + r.run_name + "' on '" + r.task + "'";
  PWEMOE_RETURN_IF_ERROR(CheckUnit(what, r.unit_id));
  PWEMOE_RETURN_IF_ERROR(CheckName(what, r.unit_id, "run name", r.run_name));
  PWEMOE_RETURN_IF_ERROR(CheckName(what, r.unit_id, "task", r.task));
  const size_t k = r.ray_index.size();
  PWEMOE_RETURN_IF_ERROR(CheckLength(what, r.unit_id, "ray_label", r.ray_label.size(), k));
  PWEMOE_RETURN_IF_ERROR(CheckLength(what, r.unit_id, "rays", r.rays.size(), k));
  PWEMOE_RETURN_IF_ERROR(CheckLength(what, r.unit_id, "accuracy", r.accuracy.size(), k));
  PWEMOE_RETURN_IF_ERROR(CheckLength(what, r.unit_id, "mean_loss", r.mean_loss.size(), k));
  PWEMOE_RETURN_IF_ERROR(CheckLength(what, r.unit_id, "count", r.count.size(), k));
  for (size_t i = 0; i < k; ++i) {
    if (r.ray_index[i] < 0) return Bad(what, r.unit_id, "negative ray index");
    PWEMOE_RETURN_IF_ERROR(
        CheckLength(what, r.unit_id, "ray " + Size(i), r.rays[i].size(), r.rays[0].size()));
  }
  return Status::Ok();
}

Status Validate(const BaselineRecord& r) {
  const std::string what = "baseline record '" + r.name + "' on '" + r.task + "'";
  PWEMOE_RETURN_IF_ERROR(CheckUnit(what, r.unit_id));
  PWEMOE_RETURN_IF_ERROR(CheckName(what, r.unit_id, "method", r.method));
  PWEMOE_RETURN_IF_ERROR(CheckName(what, r.unit_id, "name", r.name));
  PWEMOE_RETURN_IF_ERROR(CheckName(what, r.unit_id, "task", r.task));
  if (r.rows.empty()) return Bad(what, r.unit_id, "no rows");
  for (const BaselineRow& row : r.rows) {
    if (row.ray_index < -1) return Bad(what, r.unit_id, "ray index below -1");
  }
  return Status::Ok();
}

Status Validate(const FailureRecord& r) {
  return CheckUnit("failure record", r.unit_id);
}

Status Validate(const SessionRecord& r) {
  if (r.ranks < 1) {
    return Status::InvalidArgument("session record: ranks is " + std::to_string(r.ranks));
  }
  if (r.start_time.empty()) return Status::InvalidArgument("session record: start_time is empty");
  for (const std::string& host : r.hosts) {
    if (host.empty() || host.find(',') != std::string::npos || host.find('\0') != std::string::npos) {
      return Status::InvalidArgument("session record: host name '" + host +
                                     "' is empty or contains ',' or NUL");
    }
  }
  return Status::Ok();
}

}  // namespace pwemoe::results
