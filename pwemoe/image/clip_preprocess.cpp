#include "pwemoe/image/clip_preprocess.h"

#include <limits>
#include <string>

namespace pwemoe::image {

std::vector<double> ClipMean() { return {kClipMean[0], kClipMean[1], kClipMean[2]}; }
std::vector<double> ClipStd() { return {kClipStd[0], kClipStd[1], kClipStd[2]}; }

Status ShortestEdgeSize(int width, int height, int shortest_edge, int* out_width,
                        int* out_height) {
  if (width <= 0 || height <= 0 || shortest_edge <= 0) {
    return Status::InvalidArgument("resize: image " + std::to_string(width) + " x " +
                                   std::to_string(height) + " to shortest side " +
                                   std::to_string(shortest_edge) + ": sizes must be positive");
  }
  const bool portrait = width <= height;  // Hugging Face's "short, long = (w, h) if w <= h"
  const int64_t short_side = portrait ? width : height;
  const int64_t long_side = portrait ? height : width;
  // Python's int(a * b / c): a correctly rounded double quotient, truncated. Both operands are
  // exact in double, so this matches.
  const double quotient =
      static_cast<double>(shortest_edge * long_side) / static_cast<double>(short_side);
  if (!(quotient < static_cast<double>(std::numeric_limits<int>::max()))) {
    return Status::InvalidArgument("resize: image " + std::to_string(width) + " x " +
                                   std::to_string(height) + " is too elongated");
  }
  const int new_long = static_cast<int>(quotient);
  *out_width = portrait ? shortest_edge : new_long;
  *out_height = portrait ? new_long : shortest_edge;
  return Status::Ok();
}

Window CenterCropWindow(int width, int height, int crop_width, int crop_height) {
  auto floor_half = [](int v) { return v >= 0 ? v / 2 : -((-v + 1) / 2); };
  Window w;
  w.x = floor_half(width - crop_width);
  w.y = floor_half(height - crop_height);
  w.width = crop_width;
  w.height = crop_height;
  return w;
}

Status ClipPreprocessor::Run(const RgbImage& in, uint8_t* out) {
  if (options_.shortest_edge <= 0 || options_.crop <= 0 ||
      options_.crop > options_.shortest_edge) {
    return Status::InvalidArgument(
        "CLIP preprocessing: crop " + std::to_string(options_.crop) + " and shortest edge " +
        std::to_string(options_.shortest_edge) +
        " must be positive with the crop no larger than the shortest edge");
  }
  int width = 0, height = 0;
  PWEMOE_RETURN_IF_ERROR(ShortestEdgeSize(in.width, in.height, options_.shortest_edge, &width,
                                          &height));
  const Window window = CenterCropWindow(width, height, options_.crop, options_.crop);
  return resizer_.Resize(in, width, height, window, out);
}

}  // namespace pwemoe::image
