// CLIP's image preprocessing as Hugging Face's CLIPImageProcessor does it (transformers'
// image_processing_clip.py with do_convert_rgb, do_resize, do_center_crop): the image (already
// RGB, decode.h) is resized with Pillow's BICUBIC so that its shortest side is `shortest_edge`
// (get_resize_output_image_size with default_to_square=False: the long side becomes
// int(shortest_edge * long / short), truncated), then center-cropped to crop x crop (top =
// (height - crop) // 2, left = (width - crop) // 2). The result is uint8 RGB HWC, the layout of
// the dataset files (pwemoe/data/FORMAT.md); rescaling by 1/255 and normalising with kClipMean and
// kClipStd happen at training time from the file's `mean` and `std` attributes.
//
// Thread safety: the free functions and constants are pure; a ClipPreprocessor keeps scratch
// buffers, so use one per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "pwemoe/image/image.h"
#include "pwemoe/image/resample.h"
#include "pwemoe/util/status.h"

namespace pwemoe::image {

// CLIPImageProcessor's defaults (openai/clip-vit-base-patch32's preprocessor_config.json).
inline constexpr int kClipImageSize = 224;  // shortest_edge and crop_size
inline constexpr double kClipMean[3] = {0.48145466, 0.4578275, 0.40821073};
inline constexpr double kClipStd[3] = {0.26862954, 0.26130258, 0.27577711};

// kClipMean and kClipStd as vectors (DatasetWriter::SetNormalization takes them so).
std::vector<double> ClipMean();
std::vector<double> ClipStd();

// The size an image of width x height takes when its shortest side becomes `shortest_edge`, as
// Hugging Face computes it (the long side int(shortest_edge * long / short) in double
// arithmetic; width == height keeps a square). InvalidArgument when a value is not positive or
// the long side would not fit an int.
Status ShortestEdgeSize(int width, int height, int shortest_edge, int* out_width,
                        int* out_height);

// Hugging Face's center_crop window of crop_width x crop_height in an image of width x height
// (top = (height - crop_height) // 2, left = (width - crop_width) // 2, floor division), for a
// crop no larger than the image.
Window CenterCropWindow(int width, int height, int crop_width, int crop_height);

struct ClipOptions {
  int shortest_edge = kClipImageSize;  // size of the shortest side after the resize
  int crop = kClipImageSize;           // side of the square center crop, <= shortest_edge
};

class ClipPreprocessor {
 public:
  // Options are checked by Run (a bad value fails every call).
  explicit ClipPreprocessor(const ClipOptions& options = {}) : options_(options) {}

  const ClipOptions& options() const { return options_; }
  // Bytes Run writes: crop * crop * 3.
  size_t output_bytes() const {
    return static_cast<size_t>(options_.crop) * static_cast<size_t>(options_.crop) * 3;
  }

  // Resizes and crops `in` (RGB, non-empty) into `out` (output_bytes() bytes, uint8 RGB HWC,
  // row-major: out[(y * crop + x) * 3 + c]). InvalidArgument for an empty image, non-positive
  // options or a crop larger than shortest_edge (Hugging Face would pad; pwemoe does not).
  Status Run(const RgbImage& in, uint8_t* out);

 private:
  ClipOptions options_;
  BicubicResizer resizer_;
};

}  // namespace pwemoe::image
