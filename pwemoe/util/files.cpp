#include "pwemoe/util/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <vector>

namespace pwemoe {

void SyncParentFolder(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  const std::string folder = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

namespace {

std::string FormatUtc(const char* format) {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[64];
  size_t n = std::strftime(buffer, sizeof(buffer), format, &tm);
  return std::string(buffer, n);
}

}  // namespace

std::string CompactUtcTime() { return FormatUtc("%Y%m%dT%H%M%SZ"); }

std::string IsoUtcTime() { return FormatUtc("%Y-%m-%dT%H:%M:%SZ"); }

bool PathExists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

Status ErrnoFailure(const std::string& path, const std::string& what, int err) {
  return Status::IoError(path + ": cannot " + what + ": " + std::strerror(err));
}

Status MoveAside(const std::string& path, const std::string& tag, std::string* moved_to) {
  const std::string base = path + "." + tag + "-" + CompactUtcTime();
  std::string target = base;
  for (int i = 1; PathExists(target); ++i) target = base + "-" + std::to_string(i);
  // link + unlink instead of rename, so that a target created meanwhile is never replaced.
  if (::link(path.c_str(), target.c_str()) != 0) {
    int err = errno;
    if (err == EEXIST) return ErrnoFailure(path, "move aside to " + target, err);
    // File systems without hard links: a plain rename.
    if (::rename(path.c_str(), target.c_str()) != 0) {
      return ErrnoFailure(path, "move aside to " + target, err);
    }
  } else if (::unlink(path.c_str()) != 0) {
    return ErrnoFailure(path, "remove after linking it to " + target, errno);
  }
  SyncParentFolder(target);
  *moved_to = target;
  return Status::Ok();
}

Status AtomicFile::Create(const std::string& path, std::unique_ptr<AtomicFile>* out) {
  std::string pattern = path + ".tmp.XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  int fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) return ErrnoFailure(path, "create a temporary file", errno);
  if (::fchmod(fd, 0644) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(name.data());
    return ErrnoFailure(path, "set file mode", err);
  }
  out->reset(new AtomicFile(path, name.data(), fd));
  return Status::Ok();
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_path_.c_str());
}

Status AtomicFile::Append(const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd_, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return ErrnoFailure(path_, "write", n < 0 ? errno : EIO);
    p += n;
    size -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status AtomicFile::Commit() {
  if (::fsync(fd_) != 0) return ErrnoFailure(path_, "flush", errno);
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) return ErrnoFailure(path_, "close", errno);
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) return ErrnoFailure(path_, "rename", errno);
  committed_ = true;
  SyncParentFolder(path_);
  return Status::Ok();
}

Status WriteFileAtomically(const std::string& path, const std::string& content) {
  std::unique_ptr<AtomicFile> file;
  PWEMOE_RETURN_IF_ERROR(AtomicFile::Create(path, &file));
  PWEMOE_RETURN_IF_ERROR(file->Append(content.data(), content.size()));
  return file->Commit();
}

}  // namespace pwemoe
