#include "results/store/result_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <utility>

#include "pwemoe/util/files.h"
#include "results/store/h5_writer.h"
#include "results/store/record_codec.h"

namespace pwemoe::results {

namespace {

// Moves an existing journal aside for --fresh, refusing when another store holds it.
Status MoveJournalAside(const std::string& path, std::vector<std::string>* notes) {
  if (!PathExists(path)) return Status::Ok();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoFailure(path, "open", errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return Status::IoError(path + ": the journal is in use by another process or store");
    }
    return ErrnoFailure(path, "lock", err);
  }
  std::string moved;
  Status status = MoveAside(path, "old", &moved);
  ::close(fd);
  PWEMOE_RETURN_IF_ERROR(status);
  notes->push_back("--fresh: moved " + path + " to " + moved);
  return Status::Ok();
}

// Removes "<hdf5_path>.tmp-<digits>" files left by killed writers.
void RemoveStaleTemporaries(const std::string& hdf5_path) {
  size_t slash = hdf5_path.find_last_of('/');
  std::string folder = slash == std::string::npos ? "." : hdf5_path.substr(0, slash + 1);
  std::string prefix = (slash == std::string::npos ? hdf5_path : hdf5_path.substr(slash + 1)) + ".tmp-";
  DIR* dir = ::opendir(folder.c_str());
  if (dir == nullptr) return;
  while (dirent* e = ::readdir(dir)) {
    std::string name = e->d_name;
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    if (name.find_first_not_of("0123456789", prefix.size()) != std::string::npos) continue;
    std::string path = slash == std::string::npos ? name : folder + name;
    ::unlink(path.c_str());
  }
  ::closedir(dir);
}

bool NonEmptyFile(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && st.st_size > 0;
}

template <typename Record>
Status DecodeInto(const JournalEntry& entry, ResultSet* set) {
  Record record;
  PWEMOE_RETURN_IF_ERROR(Decode(entry.payload, &record));
  set->Add(std::move(record));
  return Status::Ok();
}

// With `fresh`, moves the journal and the HDF5 file aside; without it, refuses an HDF5 file
// whose journal is absent or empty.
Status PrepareOutputs(const std::string& journal_path, const std::string& hdf5_path, bool fresh,
                      std::vector<std::string>* notes) {
  if (fresh) {
    PWEMOE_RETURN_IF_ERROR(MoveJournalAside(journal_path, notes));
    if (PathExists(hdf5_path)) {
      std::string moved;
      PWEMOE_RETURN_IF_ERROR(MoveAside(hdf5_path, "old", &moved));
      notes->push_back("--fresh: moved " + hdf5_path + " to " + moved);
    }
  } else if (!NonEmptyFile(journal_path) && PathExists(hdf5_path)) {
    return Status::InvalidArgument(
        hdf5_path + " exists without its journal " + journal_path +
        ", so it cannot be resumed; pass --fresh to move it aside and start over, or choose "
        "another output");
  }
  return Status::Ok();
}

}  // namespace

Status ResultStore::Open(const std::string& path_stem, const StoreHeader& header, bool fresh,
                         std::unique_ptr<ResultStore>* out) {
  PWEMOE_RETURN_IF_ERROR(Validate(header));
  std::unique_ptr<ResultStore> store(new ResultStore(path_stem + ".journal", path_stem + ".h5"));
  const std::string& journal_path = store->journal_path_;
  const std::string& hdf5_path = store->hdf5_path_;
  std::vector<std::string> notes;
  PWEMOE_RETURN_IF_ERROR(PrepareOutputs(journal_path, hdf5_path, fresh, &notes));

  std::vector<JournalEntry> entries;
  JournalRecovery recovery;
  PWEMOE_RETURN_IF_ERROR(Journal::Open(journal_path, &store->journal_, &entries, &recovery));
  for (std::string& w : recovery.warnings) notes.push_back(std::move(w));
  RemoveStaleTemporaries(hdf5_path);

  if (entries.empty() && !fresh && PathExists(hdf5_path)) {
    // The journal's header was lost to damage (its bytes were saved aside above): nothing tells
    // whose results the .h5 holds.
    for (const std::string& note : notes) spdlog::warn("{}", note);
    return Status::InvalidArgument(
        journal_path + " has no readable header, so " + hdf5_path +
        " cannot be resumed; pass --fresh to move it aside and start over");
  }
  if (entries.empty()) {
    // New store (or one killed while writing its header).
    PWEMOE_RETURN_IF_ERROR(store->journal_->Append(static_cast<uint32_t>(RecordType::kHeader),
                                                   Encode(header)));
    store->header_ = header;
  } else {
    PWEMOE_RETURN_IF_ERROR(store->Resume(header, std::move(entries), &notes));
  }
  for (const std::string& note : notes) spdlog::warn("{}", note);
  store->warnings_.insert(store->warnings_.begin(), notes.begin(), notes.end());
  *out = std::move(store);
  return Status::Ok();
}

Status ResultStore::Resume(const StoreHeader& header, std::vector<JournalEntry> entries,
                           std::vector<std::string>* notes) {
  if (entries[0].type != static_cast<uint32_t>(RecordType::kHeader)) {
    return Status::Corrupt(journal_path_ + ": does not start with a header record; pass --fresh "
                                           "to move it aside and start over");
  }
  Status decoded = Decode(entries[0].payload, &header_);
  if (!decoded.ok()) {
    return decoded.WithContext(journal_path_ + " (pass --fresh to move it aside and start over)");
  }
  if (header_.config_hash != header.config_hash) {
    return Status::InvalidArgument(
        journal_path_ + " holds results of configuration " + header_.config_hash +
        ", not of this run's configuration " + header.config_hash +
        "; pass --fresh to move the old results aside and start over, or choose another output");
  }
  if (header_.software_version != header.software_version) {
    notes->push_back(journal_path_ + ": resuming results of software version " +
                     header_.software_version + " with version " + header.software_version);
  }
  entries.erase(entries.begin());
  return Load(std::move(entries));
}

Status ResultStore::Load(std::vector<JournalEntry> entries) {
  for (const JournalEntry& entry : entries) {
    Status status;
    switch (static_cast<RecordType>(entry.type)) {
      case RecordType::kTrain: status = DecodeInto<TrainRecord>(entry, &results_); break;
      case RecordType::kEval: status = DecodeInto<EvalRecord>(entry, &results_); break;
      case RecordType::kBaseline: status = DecodeInto<BaselineRecord>(entry, &results_); break;
      case RecordType::kFailure: status = DecodeInto<FailureRecord>(entry, &results_); break;
      case RecordType::kSession: status = DecodeInto<SessionRecord>(entry, &results_); break;
      default:
        status = Status::Corrupt("record of unknown type " + std::to_string(entry.type));
    }
    if (!status.ok()) {
      // Intact frame, unreadable payload (a writer of another codec version, or a bug): keep the
      // records before it, save the rest aside.
      std::string saved_to;
      PWEMOE_RETURN_IF_ERROR(journal_->DropFrom(entry.offset, &saved_to));
      std::string warning = journal_path_ + ": unreadable record at offset " +
                            std::to_string(entry.offset) + " (" + status.message() +
                            "); dropped it and every later record, saved to " + saved_to;
      spdlog::warn("{}", warning);
      warnings_.push_back(std::move(warning));
      break;
    }
  }
  return Status::Ok();
}

ResultStore::~ResultStore() = default;

bool ResultStore::IsDone(int64_t unit_id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return results_.HasResult(unit_id);
}

bool ResultStore::HasFailure(int64_t unit_id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return results_.HasFailure(unit_id);
}

std::vector<int64_t> ResultStore::DoneUnits() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<int64_t> ids;
  for (const auto& [id, kind] : results_.result_kind()) ids.push_back(id);
  return ids;
}

std::vector<int64_t> ResultStore::FailedUnits() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<int64_t> ids;
  for (const auto& [id, failure] : results_.failures()) ids.push_back(id);
  return ids;
}

template <typename Record>
Status ResultStore::AppendRecord(Record record, uint32_t type) {
  PWEMOE_RETURN_IF_ERROR(Validate(record));
  std::lock_guard<std::mutex> lock(mutex_);
  if (results_.HasResult(record.unit_id)) {
    spdlog::debug("result store: unit {} already has a result; ignoring the new record",
                  record.unit_id);
    return Status::Ok();
  }
  PWEMOE_RETURN_IF_ERROR(journal_->Append(type, Encode(record), flush_each_));
  results_.Add(std::move(record));
  return Status::Ok();
}

Status ResultStore::Append(const TrainRecord& record) {
  return AppendRecord(record, static_cast<uint32_t>(RecordType::kTrain));
}

Status ResultStore::Append(const EvalRecord& record) {
  return AppendRecord(record, static_cast<uint32_t>(RecordType::kEval));
}

Status ResultStore::Append(const BaselineRecord& record) {
  return AppendRecord(record, static_cast<uint32_t>(RecordType::kBaseline));
}

Status ResultStore::Append(const FailureRecord& record) {
  FailureRecord copy = record;
  if (copy.time.empty()) copy.time = IsoUtcTime();
  return AppendRecord(std::move(copy), static_cast<uint32_t>(RecordType::kFailure));
}

Status ResultStore::Append(const SessionRecord& record) {
  PWEMOE_RETURN_IF_ERROR(Validate(record));
  std::lock_guard<std::mutex> lock(mutex_);
  PWEMOE_RETURN_IF_ERROR(journal_->Append(static_cast<uint32_t>(RecordType::kSession),
                                          Encode(record), flush_each_));
  results_.Add(record);
  return Status::Ok();
}

void ResultStore::set_flush_each(bool flush_each) {
  std::lock_guard<std::mutex> lock(mutex_);
  flush_each_ = flush_each;
}

Status ResultStore::Flush() {
  std::lock_guard<std::mutex> lock(mutex_);
  return journal_->Flush();
}

Status ResultStore::WriteHdf5() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return WriteResultsHdf5(hdf5_path_, header_, results_);
}

StoreHeader ResultStore::header() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return header_;
}

std::vector<std::string> ResultStore::warnings() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return warnings_;
}

ResultSet ResultStore::results() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return results_;
}

}  // namespace pwemoe::results
