// The experiment's crash-safe result store, written by the coordinator only.
//
// Two files share a stem: "<stem>.journal" (journal.h), an append-only, checksummed log with a
// header record, then one record per finished or failed unit and one per session, fsynced per
// record (or per group, see set_flush_each), which is the source of truth; and "<stem>.h5"
// (SCHEMA.md), the user-facing file, rewritten atomically from the journal by WriteHdf5. A
// kill -9 at any moment loses at most the records not yet appended (a power failure: also those
// appended since the last flush, under group commit): reopening with the same configuration
// reads the journal back (dropping an incomplete last record), IsDone tells the orchestrator what
// to skip, and the final WriteHdf5 gives the same file as an uninterrupted run (records are laid
// out sorted by unit id).
//
// Resume rules: a unit with a result (train, eval or baseline record) is done and never redone;
// a unit with only a failure is NOT done, so a rerun retries it (its failure stays in /failures
// until a result replaces it). The first result of a unit wins (ResultSet).
//
// Thread safety: every method may be called from any thread; calls are serialized on an
// internal mutex. Only one ResultStore (in any process) can hold a stem at a time: the journal
// is locked (flock) while the store is open.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "pwemoe/util/status.h"
#include "results/store/journal.h"
#include "results/store/records.h"
#include "results/store/result_set.h"

namespace pwemoe::results {

class ResultStore {
 public:
  // Opens or creates the store at `path_stem` (its folder must exist). `header` must pass
  // Validate (its Status otherwise).
  //  - No journal yet (or an empty one): starts one whose first record is `header`.
  //    InvalidArgument when "<stem>.h5" exists without a journal (an output this store cannot
  //    resume), unless fresh.
  //  - A journal of the same config_hash: resumes it; its records are loaded (damaged or
  //    incomplete tails are repaired, see Journal::Open; a record whose frame is intact but whose
  //    payload does not decode is dropped with every later one, saved aside as Journal::DropFrom
  //    does; each repair is logged as a warning). The stored header (TOML, version, command line
  //    of the first run) is kept; another software version is noted as a warning.
  //  - A journal of another config_hash: InvalidArgument naming the file and both hashes and
  //    suggesting --fresh, unless fresh.
  //  - fresh: existing "<stem>.journal" and "<stem>.h5" are renamed to
  //    "<name>.old-<UTC time>" (never deleted) and a new store starts.
  // A journal whose header was lost to damage counts as absent (InvalidArgument when "<stem>.h5"
  // exists, unless fresh). Corrupt when the journal's first record is an intact frame of another
  // type or an undecodable header; IoError when the files cannot be read, written or locked
  // (another store holds the journal). Stale temporary HDF5 files of earlier killed runs
  // ("<stem>.h5.tmp-<pid>") are removed.
  static Status Open(const std::string& path_stem, const StoreHeader& header, bool fresh,
                     std::unique_ptr<ResultStore>* out);

  ~ResultStore();
  ResultStore(const ResultStore&) = delete;
  ResultStore& operator=(const ResultStore&) = delete;

  // Whether the unit has a result (a failure alone does not count: reruns retry failed units).
  bool IsDone(int64_t unit_id) const;
  // Whether the unit's latest record is a failure (and it has no result).
  bool HasFailure(int64_t unit_id) const;
  // Units with a result, ascending.
  std::vector<int64_t> DoneUnits() const;
  // Units with a failure and no result, ascending.
  std::vector<int64_t> FailedUnits() const;

  // Appends one unit's record to the journal and returns once it is on disk (with flush_each
  // false: once it is written; on disk at the next Flush). A result for a unit
  // that already has one is ignored (OK, nothing written): the first result wins. A failure for
  // a unit with a result is ignored likewise; an empty FailureRecord::time is set to now.
  // InvalidArgument (nothing written) for a record that fails Validate; IoError when the journal
  // cannot be written (the record is not kept; the store stays usable unless the journal could
  // not be cut back, see Journal::Append).
  Status Append(const TrainRecord& record);
  Status Append(const EvalRecord& record);
  Status Append(const BaselineRecord& record);
  Status Append(const FailureRecord& record);
  // Appends a session record (one per orchestrator invocation, after Open); always kept.
  // InvalidArgument (nothing written) when it fails Validate; IoError as above.
  Status Append(const SessionRecord& record);

  // Group commit. With flush_each false, Append writes records to the journal without flushing
  // them; they reach the disk at the next Flush. A crash before it loses them, so a caller must
  // not treat them as done (or tell anyone they are) until Flush returns OK. Default: true
  // (every Append flushes).
  void set_flush_each(bool flush_each);
  // Flushes records appended since the last flush. IoError naming the journal on failure; the
  // journal then refuses every later Append.
  Status Flush();

  // Atomically (re)writes "<stem>.h5" from every record (h5_writer.h). Call it at the end of a
  // run, on SIGTERM, and periodically if users should see progress. IoError on failure, with the
  // previous .h5 left intact; InvalidArgument when two names (of runs or tasks) map to one HDF5
  // link name (WriteResultsHdf5).
  Status WriteHdf5() const;

  // The header the store was created with (on resume: the first run's).
  StoreHeader header() const;
  // The repairs and notes of Open (also logged with spdlog::warn), for tests and reports.
  std::vector<std::string> warnings() const;
  // A copy of the records as they will be written.
  ResultSet results() const;

  const std::string& journal_path() const { return journal_path_; }
  const std::string& hdf5_path() const { return hdf5_path_; }

 private:
  ResultStore(std::string journal_path, std::string hdf5_path)
      : journal_path_(std::move(journal_path)), hdf5_path_(std::move(hdf5_path)) {}
  // Checks the journal's header record (entries[0]) against `header`, keeps it and loads the
  // records after it; notes of the resume go to `notes`.
  Status Resume(const StoreHeader& header, std::vector<JournalEntry> entries,
                std::vector<std::string>* notes);
  // Loads journal records (after the header) into results_, dropping the first undecodable one
  // and every later one from the journal.
  Status Load(std::vector<JournalEntry> entries);
  template <typename Record>
  Status AppendRecord(Record record, uint32_t type);

  const std::string journal_path_;
  const std::string hdf5_path_;
  mutable std::mutex mutex_;
  std::unique_ptr<Journal> journal_;
  StoreHeader header_;
  ResultSet results_;
  std::vector<std::string> warnings_;
  bool flush_each_ = true;
};

}  // namespace pwemoe::results
