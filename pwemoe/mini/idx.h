// Reading IDX files (the Fashion-MNIST / MNIST format), gzip-compressed or plain, with every
// check done while reading: the magic (two zero bytes, type 0x08 = unsigned byte, 1 to 4
// dimensions), each dimension > 0, the data exactly as long as the dimensions say.
//
// Thread safety: the functions keep no state; distinct calls may run in distinct threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pwemoe/util/status.h"

namespace pwemoe::mini {

// An IDX array of unsigned bytes: its dimensions (outermost first) and its data, row-major.
struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;
};

// Reads the IDX file at `path` (gzip or plain) into `*out` (replaced on success, left as it was
// on failure). NotFound naming the file when it does not exist, with `missing_hint` appended
// (for example "; install it with: apt-get install dataset-fashion-mnist"); Corrupt naming the
// file for a bad magic, a data type other than unsigned byte, a zero dimension, a truncated
// header or data, trailing bytes, or a damaged gzip stream; IoError naming the file when it
// cannot be read. When `expected_rank` > 0 the file must have that many dimensions (Corrupt).
Status ReadIdx(const std::string& path, int expected_rank, const std::string& missing_hint,
               IdxArray* out);

// Fashion-MNIST's four files, checked for consistency.
struct FashionMnist {
  IdxArray train_images;  // [60000, 28, 28] in the Debian package
  IdxArray train_labels;  // [60000], each < 10
  IdxArray test_images;   // [10000, 28, 28]
  IdxArray test_labels;   // [10000]

  int64_t train_size() const { return train_images.dims.empty() ? 0 : train_images.dims[0]; }
  int64_t test_size() const { return test_images.dims.empty() ? 0 : test_images.dims[0]; }
  // The 28 x 28 pixels of image `i` (no bounds check).
  const uint8_t* train_image(int64_t i) const { return train_images.data.data() + i * 784; }
  const uint8_t* test_image(int64_t i) const { return test_images.data.data() + i * 784; }
};

// The file names of Fashion-MNIST inside its folder.
inline constexpr char kFashionTrainImages[] = "train-images-idx3-ubyte.gz";
inline constexpr char kFashionTrainLabels[] = "train-labels-idx1-ubyte.gz";
inline constexpr char kFashionTestImages[] = "t10k-images-idx3-ubyte.gz";
inline constexpr char kFashionTestLabels[] = "t10k-labels-idx1-ubyte.gz";

// Reads Fashion-MNIST from `dir` (Debian: /usr/share/datasets/fashion-mnist). NotFound naming
// the missing file and "apt-get install dataset-fashion-mnist"; Corrupt naming the file when
// images are not 28 x 28, image and label counts differ, or a label is >= 10; ReadIdx's errors.
Status LoadFashionMnist(const std::string& dir, FashionMnist* out);

}  // namespace pwemoe::mini
