// The dataset HDF5 format shared by the writer and the reader (FORMAT.md describes it for
// users): names, the format tag, the description of an open file, the checks both sides apply to
// its attributes, and the normalization of pixels into model inputs.
//
// Thread safety: constants and pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pwemoe/util/status.h"

namespace pwemoe::data {

inline constexpr char kImagesName[] = "images";    // uint8 [N, H, W, C]
inline constexpr char kLabelsName[] = "labels";    // int64 [N]
inline constexpr char kFormatAttr[] = "format";    // string, kFormatTag
inline constexpr char kVersionAttr[] = "version";  // integer, kFormatVersion
inline constexpr char kClassesAttr[] = "classes";  // strings, one per class
inline constexpr char kMeanAttr[] = "mean";        // float per channel
inline constexpr char kStdAttr[] = "std";          // float per channel, > 0
inline constexpr char kTaskAttr[] = "task";        // optional string
inline constexpr char kSplitAttr[] = "split";      // optional string
inline constexpr char kFormatTag[] = "pwemoe-dataset";
inline constexpr int64_t kFormatVersion = 1;

// What a dataset file holds, besides the pixels and labels themselves.
struct DatasetInfo {
  std::string path;                  // the file it was read from
  int64_t size = 0;                  // N, the number of images (> 0)
  int64_t height = 0;                // H
  int64_t width = 0;                 // W
  int64_t channels = 0;              // C
  std::vector<std::string> classes;  // class names; labels lie in [0, classes.size())
  std::vector<double> mean;          // per channel, length C
  std::vector<double> std;           // per channel, length C, each > 0
  std::string task;                  // "" when the file has no `task` attribute
  std::string split;                 // "" when the file has no `split` attribute

  // Bytes of one image: H * W * C.
  int64_t image_bytes() const { return height * width * channels; }
};

// Corrupt "attribute 'classes': ..." unless `classes` is non-empty and no name is empty.
Status ValidateClasses(const std::vector<std::string>& classes);

// Corrupt naming the attribute unless `mean` and `std` both have `channels` finite values and
// every std is > 0.
Status ValidateNormalization(const std::vector<double>& mean, const std::vector<double>& std,
                             int64_t channels);

// Corrupt "dataset 'labels': entry <i> is <label>, expected a value in [0, <num_classes>) ..."
// for the first label out of range; OK otherwise.
Status ValidateLabels(const int64_t* labels, int64_t count, int64_t num_classes);

// Model inputs from pixels: `count` images of `info`'s shape in file layout (uint8 NHWC) become
// float32 NCHW values out[n][c][y][x] = (float(p) / 255.0f - float(mean[c])) / float(std[c]),
// each in exactly that float32 arithmetic. `out` holds count * C * H * W floats.
void NormalizeImages(const DatasetInfo& info, const uint8_t* pixels, int64_t count, float* out);

}  // namespace pwemoe::data
