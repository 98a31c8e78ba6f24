// Writing a dataset file (FORMAT.md) in a stream: images and labels are appended in pieces to
// chunked, extendible HDF5 datasets, so the writer never holds more than the caller's piece.
//
// The file is written under "<path>.tmp" and renamed to `path` by a successful Close(), after it
// is complete and flushed to disk: a crash, an error or a writer destroyed without Close() never
// leaves a partial file under `path` (a stale "<path>.tmp" may remain after a crash and is
// overwritten by the next writer). No LibTorch.
//
// Thread safety: a DatasetWriter is used by one thread at a time; two writers must not target
// the same path at once. HDF5 calls take the process-wide lock (pwemoe/h5/check.h), so writers and
// readers of different files may run in different threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pwemoe/data/dataset_format.h"
#include "pwemoe/h5/handle.h"
#include "pwemoe/util/status.h"

namespace pwemoe::data {

// The shape of every image of a dataset: H x W x C, each > 0.
struct ImageShape {
  int64_t height = 0;
  int64_t width = 0;
  int64_t channels = 0;
};

struct WriterOptions {
  // Images per HDF5 chunk; 0 picks about 256 KiB of pixels per chunk (at least one image).
  int64_t chunk_images = 0;
  // 0 stores chunks uncompressed; 1..9 compresses them with gzip (deflate) at that level.
  int deflate_level = 0;
};

class DatasetWriter {
 public:
  // Starts "<path>.tmp" (truncating a stale one) with empty `images` and `labels` datasets.
  // InvalidArgument naming `path` for a non-positive shape value, a negative chunk size or a
  // deflate level outside 0..9; IoError naming the path when the file cannot be created (for
  // example, a missing folder).
  static Status Create(const std::string& path, const ImageShape& shape,
                       const WriterOptions& options, std::unique_ptr<DatasetWriter>* out);

  // Without a successful Close(): closes the file and removes "<path>.tmp".
  ~DatasetWriter();
  DatasetWriter(const DatasetWriter&) = delete;
  DatasetWriter& operator=(const DatasetWriter&) = delete;

  // The class names (required before Close). InvalidArgument naming the file for an empty list,
  // an empty name, or fewer classes than a label already appended needs.
  Status SetClasses(std::vector<std::string> classes);

  // The per-channel mean and std of the normalization (required before Close). InvalidArgument
  // naming the file unless both have C finite values and every std is > 0.
  Status SetNormalization(std::vector<double> mean, std::vector<double> std);

  // Optional `task` and `split` attributes ("" writes none).
  void SetTask(std::string task) { task_ = std::move(task); }
  void SetSplit(std::string split) { split_ = std::move(split); }

  // Appends `count` images (uint8, row-major [count, H, W, C], the caller's buffer, only read)
  // and their `count` labels. InvalidArgument naming the file for a negative count, a negative
  // label or one not below the number of classes (when set); IoError when HDF5 fails, after
  // which every call but destruction fails.
  Status Append(const uint8_t* images, const int64_t* labels, int64_t count);

  // Checks that there is at least one image, classes and normalization are set and every label
  // is below the number of classes; writes the attributes, closes the file, flushes it to disk
  // and renames it to `path`. On error (InvalidArgument for a missing item, IoError for a failed
  // write or rename, each naming the file) no file appears under `path` and the writer is spent.
  // Call at most once.
  Status Close();

  // Images appended so far.
  int64_t size() const { return size_; }
  const std::string& path() const { return path_; }
  std::string temp_path() const { return path_ + ".tmp"; }

 private:
  DatasetWriter(std::string path, const ImageShape& shape)
      : path_(std::move(path)), shape_(shape) {}
  Status Open(const WriterOptions& options);
  Status CreateDatasets(const WriterOptions& options);
  Status CheckLabels(const int64_t* labels, int64_t count) const;
  Status CheckComplete() const;
  Status WriteAttributes();
  Status Finish();
  void Discard();
  Status Fail(Status status);

  std::string path_;
  ImageShape shape_;
  h5::FileId file_;
  h5::DatasetId images_;
  h5::DatasetId labels_;
  std::vector<std::string> classes_;
  std::vector<double> mean_;
  std::vector<double> std_;
  std::string task_;
  std::string split_;
  int64_t size_ = 0;
  int64_t max_label_ = -1;
  Status failed_;      // the error that spent the writer
  bool done_ = false;  // Close() was called
};

}  // namespace pwemoe::data
