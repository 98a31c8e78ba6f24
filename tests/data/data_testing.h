// Helpers for the dataset tests: scratch folders and small deterministic datasets written with
// DatasetWriter.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pwemoe/data/dataset_writer.h"

namespace pwemoe::data::testing {

// A fresh, empty folder under the test temp dir, unique per call.
std::string MakeTempDir();

bool FileExists(const std::string& path);

// The number of open HDF5 file-bound identifiers in the process (files, datasets, groups,
// attributes, named datatypes): equal before and after an operation when nothing leaked.
int64_t OpenHdf5Ids();

// The content of a dataset file.
struct Sample {
  ImageShape shape;
  std::vector<uint8_t> images;  // [N, H, W, C]
  std::vector<int64_t> labels;  // [N]
  std::vector<std::string> classes;
  std::vector<double> mean;
  std::vector<double> std;
  std::string task;
  std::string split;

  int64_t size() const { return static_cast<int64_t>(labels.size()); }
  int64_t image_bytes() const { return shape.height * shape.width * shape.channels; }
};

// `n` images of `shape` with pseudo-random pixels covering 0..255 and labels cycling over
// `num_classes` classes in a scrambled order; mean/std differ per channel.
Sample MakeSample(int64_t n, ImageShape shape, int num_classes, uint32_t seed = 1);

// Writes `sample` to `path` with DatasetWriter, appending `piece` images at a time; fails the
// current test on error.
void WriteSample(const std::string& path, const Sample& sample, int64_t piece = 4,
                 const WriterOptions& options = {});

}  // namespace pwemoe::data::testing
