#include "results/store/journal.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "pwemoe/util/files.h"

namespace pwemoe::results {

namespace {

void PutLe(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t GetLe(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

uint32_t Crc(uint32_t crc, const char* data, size_t size) {
  uLong c = crc;
  while (size > 0) {
    uInt chunk = static_cast<uInt>(std::min<size_t>(size, 1u << 30));
    c = crc32(c, reinterpret_cast<const Bytef*>(data), chunk);
    data += chunk;
    size -= chunk;
  }
  return static_cast<uint32_t>(c);
}

// CRC of the type and length fields (frame bytes 4..15) and the payload.
uint32_t FrameCrc(const char* type_and_length, const char* payload, size_t payload_size) {
  uint32_t crc = Crc(static_cast<uint32_t>(crc32(0, nullptr, 0)), type_and_length, 12);
  return Crc(crc, payload, payload_size);
}

Status WriteAll(int fd, const std::string& path, const char* p, size_t size, uint64_t offset) {
  while (size > 0) {
    ssize_t n = ::pwrite(fd, p, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return ErrnoFailure(path, "write", n < 0 ? errno : EIO);
    p += n;
    size -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

// Where the scan of a journal's bytes stopped, and why.
struct FrameScan {
  uint64_t end = 0;         // the end of the last good frame
  bool incomplete = false;  // the bytes after `end` are a frame cut short by a crash
  std::string damage;       // why the frame at `end` is damaged ("" when intact or incomplete)
};

// Checks the frame at `pos` of `bytes`: on an intact one, sets `entry` and returns true; else
// records in `scan` why it stops the scan.
bool ReadFrame(const std::string& bytes, uint64_t pos, JournalEntry* entry, FrameScan* scan) {
  const char* p = bytes.data() + pos;
  const uint64_t left = bytes.size() - pos;
  if (left < kFrameHeaderBytes) {
    // A partial header is either a crash mid-append or damage; a wrong magic tells them apart.
    std::string magic;
    PutLe(&magic, kJournalMagic, 4);
    if (magic.compare(0, std::min<uint64_t>(left, 4), p, std::min<uint64_t>(left, 4)) != 0) {
      scan->damage = "bad magic";
    } else {
      scan->incomplete = true;
    }
    return false;
  }
  if (GetLe(p, 4) != kJournalMagic) {
    scan->damage = "bad magic";
    return false;
  }
  const uint64_t length = GetLe(p + 8, 8);
  if (length > kMaxPayloadBytes) {
    scan->damage = "implausible length " + std::to_string(length);
    return false;
  }
  if (length > left - kFrameHeaderBytes) {
    scan->incomplete = true;
    return false;
  }
  const uint32_t crc = static_cast<uint32_t>(GetLe(p + 16, 4));
  if (FrameCrc(p + 4, p + kFrameHeaderBytes, length) != crc) {
    scan->damage = "checksum mismatch";
    return false;
  }
  entry->type = static_cast<uint32_t>(GetLe(p + 4, 4));
  entry->payload.assign(p + kFrameHeaderBytes, length);
  entry->offset = pos;
  return true;
}

// Reads the frames of `bytes` into `entries` up to the first incomplete or damaged one.
FrameScan ScanFrames(const std::string& bytes, std::vector<JournalEntry>* entries) {
  FrameScan scan;
  JournalEntry entry;
  while (scan.end < bytes.size() && ReadFrame(bytes, scan.end, &entry, &scan)) {
    scan.end += kFrameHeaderBytes + entry.payload.size();
    entries->push_back(std::move(entry));
    entry = JournalEntry();
  }
  return scan;
}

}  // namespace

std::string EncodeFrame(uint32_t type, const std::string& payload) {
  std::string frame;
  frame.reserve(kFrameHeaderBytes + payload.size());
  PutLe(&frame, kJournalMagic, 4);
  PutLe(&frame, type, 4);
  PutLe(&frame, payload.size(), 8);
  PutLe(&frame, FrameCrc(frame.data() + 4, payload.data(), payload.size()), 4);
  frame += payload;
  return frame;
}

Status Journal::OpenLocked(const std::string& path, std::unique_ptr<Journal>* out) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoFailure(path, "open the journal", errno);
  std::unique_ptr<Journal> journal(new Journal(path, fd));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    if (err == EWOULDBLOCK) {
      return Status::IoError(path + ": the journal is in use by another process or store "
                                    "(is another run writing to the same output?)");
    }
    return ErrnoFailure(path, "lock the journal", err);
  }
  *out = std::move(journal);
  return Status::Ok();
}

Status Journal::Repair(uint64_t pos, bool incomplete, const std::string& damage,
                       JournalRecovery* recovery) {
  if (pos >= size_) return Status::Ok();
  const uint64_t dropped = size_ - pos;
  if (incomplete) {
    PWEMOE_RETURN_IF_ERROR(CutTo(pos));
    recovery->warnings.push_back(path_ + ": dropped an incomplete record of " +
                                 std::to_string(dropped) + " bytes at offset " +
                                 std::to_string(pos) + " (the writer stopped during an append)");
  } else {
    PWEMOE_RETURN_IF_ERROR(DropFrom(pos, &recovery->saved_to));
    recovery->warnings.push_back(path_ + ": damaged record at offset " + std::to_string(pos) +
                                 " (" + damage + "); dropped it and the " +
                                 std::to_string(dropped) + " bytes from there on, saved to " +
                                 recovery->saved_to);
  }
  recovery->dropped_bytes = dropped;
  return Status::Ok();
}

Status Journal::Open(const std::string& path, std::unique_ptr<Journal>* out,
                     std::vector<JournalEntry>* entries, JournalRecovery* recovery) {
  *recovery = JournalRecovery();
  entries->clear();
  std::unique_ptr<Journal> journal;
  PWEMOE_RETURN_IF_ERROR(OpenLocked(path, &journal));
  std::string bytes;
  PWEMOE_RETURN_IF_ERROR(journal->ReadAll(&bytes));
  journal->size_ = bytes.size();
  SyncParentFolder(path);  // the journal's creation is durable

  const FrameScan scan = ScanFrames(bytes, entries);
  PWEMOE_RETURN_IF_ERROR(journal->Repair(scan.end, scan.incomplete, scan.damage, recovery));
  *out = std::move(journal);
  return Status::Ok();
}

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);  // also releases the flock
}

Status Journal::ReadAll(std::string* bytes) const {
  struct stat st;
  if (::fstat(fd_, &st) != 0) return ErrnoFailure(path_, "stat the journal", errno);
  bytes->assign(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < bytes->size()) {
    ssize_t n = ::pread(fd_, bytes->data() + done, bytes->size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoFailure(path_, "read the journal", errno);
    if (n == 0) break;  // shrank meanwhile
    done += static_cast<size_t>(n);
  }
  bytes->resize(done);
  return Status::Ok();
}

Status Journal::CutTo(uint64_t offset) {
  if (::ftruncate(fd_, static_cast<off_t>(offset)) != 0) {
    return ErrnoFailure(path_, "cut the journal back to " + std::to_string(offset) + " bytes", errno);
  }
  if (::fsync(fd_) != 0) return ErrnoFailure(path_, "flush the journal", errno);
  size_ = offset;
  return Status::Ok();
}

Status Journal::DropFrom(uint64_t offset, std::string* saved_to) {
  std::string bytes;
  PWEMOE_RETURN_IF_ERROR(ReadAll(&bytes));
  if (offset > bytes.size()) {
    return Status::Internal(path_ + ": DropFrom(" + std::to_string(offset) + ") past the end");
  }
  std::string target = path_ + ".corrupt-" + CompactUtcTime();
  for (int i = 1; PathExists(target); ++i) {
    target = path_ + ".corrupt-" + CompactUtcTime() + "-" + std::to_string(i);
  }
  int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoFailure(target, "create", errno);
  Status written = WriteAll(fd, target, bytes.data() + offset, bytes.size() - offset, 0);
  if (written.ok() && ::fsync(fd) != 0) written = ErrnoFailure(target, "flush", errno);
  ::close(fd);
  PWEMOE_RETURN_IF_ERROR(written);
  SyncParentFolder(target);
  *saved_to = target;
  return CutTo(offset);
}

Status Journal::Append(uint32_t type, const std::string& payload, bool flush) {
  if (broken_) {
    return Status::IoError(path_ + ": the journal could not be repaired after a failed append");
  }
  if (payload.size() > kMaxPayloadBytes) {
    return Status::InvalidArgument(path_ + ": record of " + std::to_string(payload.size()) +
                                   " bytes exceeds the journal's limit");
  }
  const std::string frame = EncodeFrame(type, payload);
  Status written = WriteAll(fd_, path_, frame.data(), frame.size(), size_);
  if (written.ok() && flush && ::fdatasync(fd_) != 0) written = ErrnoFailure(path_, "flush the journal", errno);
  if (!written.ok()) {
    if (!CutTo(size_).ok()) broken_ = true;
    return written;
  }
  size_ += frame.size();
  unflushed_ = !flush;
  return Status::Ok();
}

Status Journal::Flush() {
  if (!unflushed_) return Status::Ok();
  if (::fdatasync(fd_) != 0) {
    broken_ = true;
    return ErrnoFailure(path_, "flush the journal", errno);
  }
  unflushed_ = false;
  return Status::Ok();
}

}  // namespace pwemoe::results
