#include "pwemoe/io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "pwemoe/util/durable.h"

namespace pwemoe::io {

namespace {

Status Failure(const std::string& path, const char* what, int err) {
  return Status::IoError(path + ": cannot " + what + ": " + std::strerror(err));
}

}  // namespace

Status AtomicFile::Create(const std::string& path, std::unique_ptr<AtomicFile>* out) {
  std::string pattern = path + ".tmp.XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  int fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) return Failure(path, "create a temporary file", errno);
  if (::fchmod(fd, 0644) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(name.data());
    return Failure(path, "set file mode", err);
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
    if (n <= 0) return Failure(path_, "write", n < 0 ? errno : EIO);
    p += n;
    size -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status AtomicFile::Commit() {
  if (::fsync(fd_) != 0) return Failure(path_, "flush", errno);
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) return Failure(path_, "close", errno);
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) return Failure(path_, "rename", errno);
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

}  // namespace pwemoe::io
