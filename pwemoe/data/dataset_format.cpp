#include "pwemoe/data/dataset_format.h"

#include <cmath>

#include "pwemoe/util/strings.h"

namespace pwemoe::data {

namespace {

Status CheckChannelValues(const char* name, const std::vector<double>& values, int64_t channels,
                          bool positive) {
  std::string where = std::string("attribute '") + name + "': ";
  if (static_cast<int64_t>(values.size()) != channels) {
    return Status::Corrupt(where + "expected C = " + std::to_string(channels) +
                           " values (one per channel), found " + std::to_string(values.size()));
  }
  for (size_t c = 0; c < values.size(); ++c) {
    bool good = std::isfinite(values[c]) && (!positive || values[c] > 0);
    if (!good) {
      return Status::Corrupt(where + "entry " + std::to_string(c) + " must be a finite value" +
                             (positive ? " > 0" : "") + ", found " + FormatDouble(values[c]));
    }
  }
  return Status::Ok();
}

}  // namespace

Status ValidateClasses(const std::vector<std::string>& classes) {
  if (classes.empty()) {
    return Status::Corrupt(std::string("attribute '") + kClassesAttr +
                           "': expected at least one class name, found none");
  }
  for (size_t i = 0; i < classes.size(); ++i) {
    if (classes[i].empty()) {
      return Status::Corrupt(std::string("attribute '") + kClassesAttr + "': entry " +
                             std::to_string(i) + " is empty, expected a class name");
    }
  }
  return Status::Ok();
}

Status ValidateNormalization(const std::vector<double>& mean, const std::vector<double>& std,
                             int64_t channels) {
  PWEMOE_RETURN_IF_ERROR(CheckChannelValues(kMeanAttr, mean, channels, /*positive=*/false));
  return CheckChannelValues(kStdAttr, std, channels, /*positive=*/true);
}

Status ValidateLabels(const int64_t* labels, int64_t count, int64_t num_classes) {
  for (int64_t i = 0; i < count; ++i) {
    if (labels[i] < 0 || labels[i] >= num_classes) {
      return Status::Corrupt(std::string("dataset '") + kLabelsName + "': entry " +
                             std::to_string(i) + " is " + std::to_string(labels[i]) +
                             ", expected a value in [0, " + std::to_string(num_classes) +
                             ") (the number of classes)");
    }
  }
  return Status::Ok();
}

void NormalizeImages(const DatasetInfo& info, const uint8_t* pixels, int64_t count, float* out) {
  const int64_t channels = info.channels;
  const int64_t plane = info.height * info.width;
  std::vector<float> table(static_cast<size_t>(channels * 256));
  for (int64_t c = 0; c < channels; ++c) {
    const float mean = static_cast<float>(info.mean[c]);
    const float std = static_cast<float>(info.std[c]);
    for (int p = 0; p < 256; ++p)
      table[c * 256 + p] = (static_cast<float>(p) / 255.0f - mean) / std;
  }
  for (int64_t n = 0; n < count; ++n) {
    const uint8_t* image = pixels + n * plane * channels;
    float* target = out + n * plane * channels;
    for (int64_t c = 0; c < channels; ++c) {
      const float* lookup = table.data() + c * 256;
      float* channel = target + c * plane;
      for (int64_t i = 0; i < plane; ++i) channel[i] = lookup[image[i * channels + c]];
    }
  }
}

}  // namespace pwemoe::data
