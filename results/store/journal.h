// The journal: an append-only file of framed, checksummed records, the store's source of truth.
//
// Frame (all integers little-endian):
//   offset 0  u32 magic 0x314A5750 (the bytes "PWJ1")
//   offset 4  u32 record type (RecordType in record_codec.h; the journal does not interpret it)
//   offset 8  u64 payload length (at most kMaxPayloadBytes)
//   offset 16 u32 CRC-32 (zlib) of bytes 4..15 followed by the payload
//   offset 20 payload
// A record counts once its whole frame is in the file. It is durable (survives a power failure,
// not only a crash of the process) once fdatasynced: by Append itself (the default), or, for
// frames appended with flush = false (group commit), by the next Flush or flushing Append. A crash
// mid-append leaves an incomplete last frame; Open drops it.
//
// Thread safety: a Journal is used by one thread at a time. It holds an exclusive flock on the
// file, so a second Journal on the same file (in this or another process) fails to open.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pwemoe/util/status.h"

namespace pwemoe::results {

constexpr uint32_t kJournalMagic = 0x314A5750;  // "PWJ1"
constexpr size_t kFrameHeaderBytes = 20;
constexpr uint64_t kMaxPayloadBytes = uint64_t{1} << 30;

// One record read back from the journal.
struct JournalEntry {
  uint32_t type = 0;
  std::string payload;
  uint64_t offset = 0;  // where its frame starts
};

// What Open had to repair. Empty warnings: the file was intact.
struct JournalRecovery {
  std::vector<std::string> warnings;  // one line per repair, naming the file and offset
  uint64_t dropped_bytes = 0;         // bytes cut off the end of the file
  std::string saved_to;               // where dropped corrupt bytes were copied ("" if none)
};

// The bytes of one frame (tests build damaged files from these).
std::string EncodeFrame(uint32_t type, const std::string& payload);

class Journal {
 public:
  // Opens `path` for appending, creating it (mode 0644) when absent, and reads every record up
  // to the first incomplete or damaged frame into `entries`. The file is then cut back to the
  // end of the last good frame, so that appends continue after it:
  //  - an incomplete frame at the end (a crash during an append) is dropped;
  //  - a damaged frame (bad magic, implausible length, CRC mismatch) is dropped with every later
  //    byte, after copying those bytes to "<path>.corrupt-<time>" (never lost; see DropFrom).
  // Each repair adds a line to `recovery->warnings` (the caller logs them). The parent folder is
  // synced, so that a newly created journal is durable.
  // IoError naming the path when the file cannot be opened, read, locked (another process or
  // Journal holds it) or cut back, or naming the copy when the damaged bytes cannot be saved.
  static Status Open(const std::string& path, std::unique_ptr<Journal>* out,
                     std::vector<JournalEntry>* entries, JournalRecovery* recovery);

  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Appends one frame and, when `flush`, flushes it and every earlier unflushed frame to disk
  // (fdatasync) before returning. On failure the file is cut back to its previous size (IoError
  // naming the path); if even that fails, the journal refuses every later append (IoError).
  // Frames appended with flush = false reach the disk at the next Flush (or flushing Append):
  // group commit, one fdatasync for many frames. InvalidArgument (nothing written) for a payload
  // over kMaxPayloadBytes.
  Status Append(uint32_t type, const std::string& payload, bool flush = true);

  // Flushes frames appended without flush (fdatasync; nothing when there are none). IoError
  // naming the path on failure; the journal then refuses every later append.
  Status Flush();

  // Cuts the file back to `offset` (a frame start), first copying the bytes after it to
  // "<path>.corrupt-<time>" ("-1", "-2", ... appended when that exists; returned in `saved_to`)
  // and syncing the copy. For records whose frame is intact but whose payload the caller cannot
  // decode. IoError naming the copy or the path on failure; Internal for an offset past the end.
  Status DropFrom(uint64_t offset, std::string* saved_to);

  const std::string& path() const { return path_; }
  uint64_t size() const { return size_; }

 private:
  Journal(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  // Opens (creating) and flocks `path`; the journal's size is not read yet.
  static Status OpenLocked(const std::string& path, std::unique_ptr<Journal>* out);
  // Drops the bytes from `pos` (the end of the last good frame) to size_, as Open documents.
  Status Repair(uint64_t pos, bool incomplete, const std::string& damage,
                JournalRecovery* recovery);
  Status ReadAll(std::string* bytes) const;
  Status CutTo(uint64_t offset);

  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
  bool unflushed_ = false;  // frames appended with flush = false since the last fdatasync
  bool broken_ = false;
};

}  // namespace pwemoe::results
