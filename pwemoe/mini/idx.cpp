#include "pwemoe/mini/idx.h"

#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace pwemoe::mini {
namespace {

// Larger data than this is taken for a corrupt header (Fashion-MNIST's train images: 47 MB).
constexpr int64_t kMaxDataBytes = int64_t{1} << 31;

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

// Reads up to `n` bytes; `*got` is how many came. Corrupt for a damaged stream.
Status ReadSome(gzFile f, const std::string& path, uint8_t* buf, int64_t n, int64_t* got) {
  *got = 0;
  while (*got < n) {
    const int64_t want = std::min<int64_t>(n - *got, int64_t{1} << 30);
    const int r = gzread(f, buf + *got, static_cast<unsigned>(want));
    if (r < 0) {
      int errnum = 0;
      const char* msg = gzerror(f, &errnum);
      if (errnum == Z_ERRNO) {
        return Status::IoError(path + ": cannot read: " + std::strerror(errno));
      }
      return Status::Corrupt(path + ": damaged gzip stream: " + (msg ? msg : "unknown error"));
    }
    if (r == 0) break;
    *got += r;
  }
  if (*got < n) {
    int errnum = 0;
    const char* msg = gzerror(f, &errnum);
    if (errnum != Z_OK && errnum != Z_STREAM_END) {
      return Status::Corrupt(path + ": damaged gzip stream: " + (msg ? msg : "unknown error"));
    }
  }
  return Status::Ok();
}

uint32_t BigEndian32(const uint8_t* b) {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
}

// Opens `path` for reading (gzip or plain) into *file. NotFound with `missing_hint` when it does
// not exist; IoError for a folder or a file that cannot be opened.
Status OpenIdx(const std::string& path, const std::string& missing_hint, GzFile* file) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return Status::NotFound(path + ": no such file" + missing_hint);
    }
    return Status::IoError(path + ": cannot open: " + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) return Status::IoError(path + ": is a directory, expected an IDX file");
  file->reset(gzopen(path.c_str(), "rb"));
  if (!*file) return Status::IoError(path + ": cannot open: " + std::strerror(errno));
  return Status::Ok();
}

// Reads the 4 magic bytes and returns the rank they give (1 to 4, and `expected_rank` when it is
// > 0) in *rank. Corrupt for a truncated header, bad magic, data type or rank.
Status ReadMagic(gzFile f, const std::string& path, int expected_rank, int* rank) {
  uint8_t magic[4];
  int64_t got = 0;
  PWEMOE_RETURN_IF_ERROR(ReadSome(f, path, magic, 4, &got));
  if (got < 4) {
    return Status::Corrupt(path + ": truncated IDX header: " + std::to_string(got) +
                           " of 4 magic bytes");
  }
  if (magic[0] != 0 || magic[1] != 0) {
    return Status::Corrupt(path + ": not an IDX file: the magic number does not start with two "
                           "zero bytes");
  }
  if (magic[2] != 0x08) {
    char hex[3];
    std::snprintf(hex, sizeof hex, "%02x", magic[2]);
    return Status::Corrupt(path + ": IDX data type 0x" + hex + ", expected 0x08 (unsigned byte)");
  }
  *rank = magic[3];
  if (*rank < 1 || *rank > 4) {
    return Status::Corrupt(path + ": IDX rank " + std::to_string(*rank) + ", expected 1 to 4");
  }
  if (expected_rank > 0 && *rank != expected_rank) {
    return Status::Corrupt(path + ": IDX rank " + std::to_string(*rank) + ", expected " +
                           std::to_string(expected_rank));
  }
  return Status::Ok();
}

// Reads `rank` dimensions into *dims and their product into *total. Corrupt for a truncated
// header, a zero dimension or more than kMaxDataBytes of data.
Status ReadDims(gzFile f, const std::string& path, int rank, std::vector<int64_t>* dims,
                int64_t* total) {
  uint8_t dim_bytes[16];
  int64_t got = 0;
  PWEMOE_RETURN_IF_ERROR(ReadSome(f, path, dim_bytes, 4 * rank, &got));
  if (got < 4 * rank) {
    return Status::Corrupt(path + ": truncated IDX header: " + std::to_string(got) + " of " +
                           std::to_string(4 * rank) + " dimension bytes");
  }
  *total = 1;
  for (int d = 0; d < rank; ++d) {
    const int64_t dim = BigEndian32(dim_bytes + 4 * d);
    if (dim == 0) {
      return Status::Corrupt(path + ": IDX dimension " + std::to_string(d) + " is 0");
    }
    *total *= dim;  // each dim < 2^32 and total stays below kMaxDataBytes * 2^32 < 2^63
    if (*total > kMaxDataBytes) {
      return Status::Corrupt(path + ": IDX dimensions give more than " +
                             std::to_string(kMaxDataBytes) + " bytes of data");
    }
    dims->push_back(dim);
  }
  return Status::Ok();
}

}  // namespace

Status ReadIdx(const std::string& path, int expected_rank, const std::string& missing_hint,
               IdxArray* out) {
  GzFile file;
  PWEMOE_RETURN_IF_ERROR(OpenIdx(path, missing_hint, &file));
  int rank = 0;
  PWEMOE_RETURN_IF_ERROR(ReadMagic(file.get(), path, expected_rank, &rank));
  IdxArray array;
  int64_t total = 0;
  PWEMOE_RETURN_IF_ERROR(ReadDims(file.get(), path, rank, &array.dims, &total));
  array.data.resize(static_cast<size_t>(total));
  int64_t got = 0;
  PWEMOE_RETURN_IF_ERROR(ReadSome(file.get(), path, array.data.data(), total, &got));
  if (got < total) {
    return Status::Corrupt(path + ": truncated IDX data: " + std::to_string(got) + " of " +
                           std::to_string(total) + " bytes");
  }
  uint8_t extra;
  PWEMOE_RETURN_IF_ERROR(ReadSome(file.get(), path, &extra, 1, &got));
  if (got != 0) {
    return Status::Corrupt(path + ": trailing bytes after the " + std::to_string(total) +
                           " bytes of IDX data");
  }
  *out = std::move(array);
  return Status::Ok();
}

Status LoadFashionMnist(const std::string& dir, FashionMnist* out) {
  const std::string hint = "; install Fashion-MNIST with: apt-get install dataset-fashion-mnist";
  const std::string base = dir.empty() || dir.back() == '/' ? dir : dir + "/";
  FashionMnist fm;
  struct Part {
    const char* name;
    int rank;
    IdxArray* array;
  };
  const Part parts[] = {{kFashionTrainImages, 3, &fm.train_images},
                        {kFashionTrainLabels, 1, &fm.train_labels},
                        {kFashionTestImages, 3, &fm.test_images},
                        {kFashionTestLabels, 1, &fm.test_labels}};
  for (const Part& part : parts) {
    PWEMOE_RETURN_IF_ERROR(ReadIdx(base + part.name, part.rank, hint, part.array));
  }
  for (int i = 0; i < 2; ++i) {
    const Part& images = parts[2 * i];
    const Part& labels = parts[2 * i + 1];
    const auto& dims = images.array->dims;
    if (dims[1] != 28 || dims[2] != 28) {
      return Status::Corrupt(base + images.name + ": images are " + std::to_string(dims[1]) +
                             " x " + std::to_string(dims[2]) + ", expected 28 x 28");
    }
    if (labels.array->dims[0] != dims[0]) {
      return Status::Corrupt(base + labels.name + ": " + std::to_string(labels.array->dims[0]) +
                             " labels for the " + std::to_string(dims[0]) + " images of " +
                             images.name);
    }
    const auto& data = labels.array->data;
    for (size_t k = 0; k < data.size(); ++k) {
      if (data[k] >= 10) {
        return Status::Corrupt(base + labels.name + ": label " + std::to_string(k) + " is " +
                               std::to_string(data[k]) + ", expected 0 to 9");
      }
    }
  }
  *out = std::move(fm);
  return Status::Ok();
}

}  // namespace pwemoe::mini
