#include "results/store/h5_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <utility>

#include "pwemoe/h5/check.h"
#include "pwemoe/h5/handle.h"
#include "results/store/h5_node.h"
#include "results/store/h5_run_reader.h"
#include "results/store/h5_writer.h"

namespace pwemoe::results {


namespace {

// The file exists, is readable and starts like HDF5; its size into *size.
Status CheckFile(const std::string& path, uint64_t* size) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return Status::NotFound("no such file");
    return Status::IoError(std::string("cannot access: ") + std::strerror(errno));
  }
  if (S_ISDIR(info.st_mode)) return Status::Corrupt("is a folder, expected a results .h5 file");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IoError(std::string("cannot open: ") + std::strerror(errno));
  ::close(fd);
  *size = static_cast<uint64_t>(info.st_size);
  htri_t is_hdf5;
  H5_CHECK(is_hdf5 = H5Fis_hdf5(path.c_str()));
  if (is_hdf5 == 0) return Status::Corrupt("not an HDF5 file (no HDF5 signature)");
  return Status::Ok();
}

struct OpenFile {
  h5::FileId file;
  Node root;
};

Status Open(const std::string& path, OpenFile* out) {
  uint64_t size = 0;
  PWEMOE_RETURN_IF_ERROR(CheckFile(path, &size));
  h5::PlistId access;
  H5_CHECK(access.Reset(H5Pcreate(H5P_FILE_ACCESS)));
  // The writer renames complete files into place and never modifies them; locks only fail on
  // some cluster file systems.
  H5_CHECK(H5Pset_file_locking(access.get(), false, true));
  if (out->file.Reset(H5Fopen(path.c_str(), H5F_ACC_RDONLY, access.get())) < 0) {
    return Status::Corrupt("cannot be opened as HDF5 (truncated or damaged): " +
                           h5::ErrorStackText());
  }
  out->root = Node{out->file.get(), "/", size};
  return Status::Ok();
}

Status ReadHeader(const Node& root, StoreHeader* header) {
  int64_t version = 0;
  PWEMOE_RETURN_IF_ERROR(ReadAttrInt(root, "schema_version", &version));
  if (version != kSchemaVersion) {
    return Status::Corrupt("/: schema_version " + std::to_string(version) +
                           " is not supported (this reader reads " +
                           std::to_string(kSchemaVersion) + ")");
  }
  StoreHeader h;
  PWEMOE_RETURN_IF_ERROR(ReadAttrString(root, "config_hash", &h.config_hash));
  PWEMOE_RETURN_IF_ERROR(ReadAttrString(root, "experiment_toml", &h.experiment_toml));
  PWEMOE_RETURN_IF_ERROR(ReadAttrString(root, "software_version", &h.software_version));
  PWEMOE_RETURN_IF_ERROR(ReadAttrString(root, "command_line", &h.command_line));
  PWEMOE_RETURN_IF_ERROR(ReadAttrInt(root, "num_units", &h.num_units));
  *header = std::move(h);
  return Status::Ok();
}

// /units: unit id -> (kind, seconds).
using UnitTable = std::map<int64_t, std::pair<std::string, double>>;

Status ReadUnits(const Node& root, UnitTable* units) {
  h5::GroupId group;
  Node node;
  PWEMOE_RETURN_IF_ERROR(OpenGroup(root, "units", &group, &node));
  std::vector<int64_t> id;
  std::vector<std::string> kind;
  std::vector<double> seconds;
  PWEMOE_RETURN_IF_ERROR(ReadI64Column(node, "unit_id", -1, &id));
  const int64_t n = static_cast<int64_t>(id.size());
  PWEMOE_RETURN_IF_ERROR(ReadStringColumn(node, "kind", n, &kind));
  PWEMOE_RETURN_IF_ERROR(ReadF64Column(node, "seconds", n, &seconds));
  for (size_t i = 0; i < id.size(); ++i) {
    if (kind[i] != "train" && kind[i] != "eval" && kind[i] != "baseline" && kind[i] != "failure") {
      return Status::Corrupt("/units/kind: unit " + std::to_string(id[i]) + " has kind '" +
                             kind[i] + "'");
    }
    if (!units->emplace(id[i], std::make_pair(kind[i], seconds[i])).second) {
      return Status::Corrupt("/units/unit_id: unit " + std::to_string(id[i]) + " appears twice");
    }
  }
  return Status::Ok();
}

// The /units row of `id`, which must be of `kind`; marks it used.
Status TakeUnit(UnitTable* units, std::map<int64_t, bool>* used, int64_t id, const char* kind,
                const std::string& where, double* seconds) {
  auto it = units->find(id);
  if (it == units->end()) {
    return Status::Corrupt(where + ": unit " + std::to_string(id) + " is not listed in /units");
  }
  if (it->second.first != kind || (*used)[id]) {
    return Status::Corrupt(where + ": unit " + std::to_string(id) + " is listed in /units as '" +
                           it->second.first + "'" + ((*used)[id] ? " and appears twice" : ""));
  }
  (*used)[id] = true;
  if (seconds != nullptr) *seconds = it->second.second;
  return Status::Ok();
}

// Joins the records read from the groups with /units and checks the root counts.
Status Assemble(const Node& root, UnitTable units, RunRecords runs,
                std::map<int64_t, BaselineRecord> baselines,
                std::map<int64_t, FailureRecord> failures, ResultSet* out) {
  std::map<int64_t, bool> used;
  ResultSet set;
  for (TrainRecord& r : runs.train) {
    PWEMOE_RETURN_IF_ERROR(TakeUnit(&units, &used, r.unit_id, "train",
                                    "/runs/" + LinkName(r.run_name), nullptr));
    set.Add(std::move(r));
  }
  for (auto& [id, r] : runs.eval) {
    PWEMOE_RETURN_IF_ERROR(TakeUnit(&units, &used, id, "eval",
                                    "/runs/" + LinkName(r.run_name) + "/eval/" + LinkName(r.task),
                                    &r.seconds));
    set.Add(std::move(r));
  }
  for (auto& [id, r] : baselines) {
    PWEMOE_RETURN_IF_ERROR(TakeUnit(&units, &used, id, "baseline", "/baselines", &r.seconds));
    set.Add(std::move(r));
  }
  for (auto& [id, r] : failures) {
    PWEMOE_RETURN_IF_ERROR(TakeUnit(&units, &used, id, "failure", "/failures", nullptr));
    set.Add(std::move(r));
  }
  for (const auto& [id, unit] : units) {
    if (used[id]) continue;
    if (unit.first != "eval") {
      return Status::Corrupt("/units: " + unit.first + " unit " + std::to_string(id) +
                             " has no record in the file");
    }
    EvalRecord empty;  // an evaluation unit without rows leaves only its /units row
    empty.unit_id = id;
    empty.seconds = unit.second;
    set.Add(std::move(empty));
  }
  int64_t done = 0, failed = 0;
  PWEMOE_RETURN_IF_ERROR(ReadAttrInt(root, "units_done", &done));
  PWEMOE_RETURN_IF_ERROR(ReadAttrInt(root, "units_failed", &failed));
  if (done != static_cast<int64_t>(set.result_kind().size()) ||
      failed != static_cast<int64_t>(set.failures().size())) {
    return Status::Corrupt("/: units_done " + std::to_string(done) + " and units_failed " +
                           std::to_string(failed) + " disagree with the file's " +
                           std::to_string(set.result_kind().size()) + " results and " +
                           std::to_string(set.failures().size()) + " failures");
  }
  *out = std::move(set);
  return Status::Ok();
}

Status ReadAll(const std::string& path, StoreHeader* header, ResultSet* out) {
  OpenFile f;
  PWEMOE_RETURN_IF_ERROR(Open(path, &f));
  StoreHeader h;
  PWEMOE_RETURN_IF_ERROR(ReadHeader(f.root, &h));
  UnitTable units;
  PWEMOE_RETURN_IF_ERROR(ReadUnits(f.root, &units));
  RunRecords runs;
  PWEMOE_RETURN_IF_ERROR(ReadRuns(f.root, &runs));
  std::map<int64_t, BaselineRecord> baselines;
  PWEMOE_RETURN_IF_ERROR(ReadBaselines(f.root, &baselines));
  std::map<int64_t, FailureRecord> failures;
  PWEMOE_RETURN_IF_ERROR(ReadFailures(f.root, &failures));
  std::vector<SessionRecord> sessions;
  PWEMOE_RETURN_IF_ERROR(ReadSessions(f.root, &sessions));
  ResultSet set;
  PWEMOE_RETURN_IF_ERROR(Assemble(f.root, std::move(units), std::move(runs), std::move(baselines),
                                  std::move(failures), &set));
  for (SessionRecord& s : sessions) set.Add(std::move(s));
  *header = std::move(h);
  *out = std::move(set);
  return Status::Ok();
}

}  // namespace

Status ReadResults(const std::string& h5_path, StoreHeader* header, ResultSet* out) {
  auto lock = h5::LockHdf5();
  return ReadAll(h5_path, header, out).WithContext(h5_path);
}

Status ReadStoreHeader(const std::string& h5_path, StoreHeader* header) {
  auto lock = h5::LockHdf5();
  OpenFile f;
  Status st = Open(h5_path, &f);
  if (st.ok()) st = ReadHeader(f.root, header);
  return st.WithContext(h5_path);
}

Status ReadRunRouters(const std::string& h5_path, const std::string& run_name, int64_t step,
                      std::vector<NamedTensor>* out, std::vector<std::string>* tasks) {
  auto lock = h5::LockHdf5();
  OpenFile f;
  Status st = Open(h5_path, &f);
  if (st.ok()) st = ReadRouters(f.root, run_name, step, out, tasks);
  return st.WithContext(h5_path);
}

}  // namespace pwemoe::results
