// Opening a dataset file (FORMAT.md) with every check done up front, and reading its images in
// pieces (by row range or by index list) without LibTorch. dataset.h adds the LibTorch API used
// by training and evaluation.
//
// Thread safety: a Dataset's methods are const and may be called from several threads at once;
// the HDF5 reads serialize on the process-wide HDF5 lock (pwemoe/h5/check.h). Opening, moving and
// destroying a Dataset must not race with other use of the same object.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pwemoe/data/dataset_format.h"
#include "pwemoe/h5/handle.h"
#include "pwemoe/util/status.h"

namespace pwemoe::data {

// An open dataset file: its description, all its labels (read at open: they are small), and the
// open `images` dataset from which pixels are read on demand. Move-only; a default-constructed
// Dataset is closed (is_open() false) and every read from it fails.
class Dataset {
 public:
  Dataset() = default;
  Dataset(Dataset&&) = default;
  Dataset& operator=(Dataset&&) = default;

  bool is_open() const { return images_.valid(); }
  const DatasetInfo& info() const { return info_; }
  // All N labels, each in [0, classes.size()).
  const std::vector<int64_t>& labels() const { return labels_; }

  // Copies images [begin, begin + count) in file layout (uint8 [count, H, W, C]) into `out`,
  // which holds count * H * W * C bytes. InvalidArgument naming the file when the range is not
  // inside [0, N); IoError naming the file when HDF5 fails.
  Status ReadImages(int64_t begin, int64_t count, uint8_t* out) const;

  // Copies the images at `indices` (any order, repeats allowed), in that order, into `out`
  // (indices.size() * H * W * C bytes). Reads each run of consecutive indices with one hyperslab
  // in ascending order. InvalidArgument naming the file and the first index outside [0, N).
  Status ReadImagesAt(const std::vector<int64_t>& indices, uint8_t* out) const;

 private:
  friend Status OpenDataset(const std::string& path, Dataset* out);
  Status ReadSorted(const std::vector<int64_t>& sorted, uint8_t* out) const;

  DatasetInfo info_;
  std::vector<int64_t> labels_;
  h5::FileId file_;
  h5::DatasetId images_;  // declared after file_: closed first
};

// Opens the dataset file at `path` and checks it all: the `format` and `version` attributes,
// `images` uint8 of rank 4 with N > 0 and H, W, C > 0, `labels` int64 (any byte order) of rank 1
// with N entries, `classes` non-empty strings, `mean` and `std` C finite floats with std > 0,
// optional `task` and `split` strings, and every label in [0, len(classes)). On success `*out`
// is replaced; on failure it is left as it was. Errors name the file and the dataset or
// attribute and say what was expected and what was found: NotFound for a missing file, Corrupt
// for a file that is not HDF5 or breaks the format, IoError when HDF5 cannot read it (for
// example, a truncated file).
Status OpenDataset(const std::string& path, Dataset* out);

}  // namespace pwemoe::data
