#include "results/store/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "pwemoe/util/durable.h"

namespace pwemoe::results {

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

}  // namespace pwemoe::results
