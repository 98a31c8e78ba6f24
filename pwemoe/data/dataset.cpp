#include "pwemoe/data/dataset.h"

#include <algorithm>
#include <cstring>
#include <exception>
#include <functional>

namespace pwemoe::data {

namespace {

// Fills `count` rows of raw pixels (uint8 [count, H, W, C]) into the given buffer.
using RowSource = std::function<Status(uint8_t* out)>;

Status Allocate(const Dataset& dataset, std::vector<int64_t> shape, torch::ScalarType type,
                torch::Tensor* out) {
  try {
    *out = torch::empty(shape, torch::TensorOptions().dtype(type));
    return Status::Ok();
  } catch (const std::exception& e) {  // c10::Error, std::bad_alloc
    return Status::Internal(dataset.info().path + ": cannot allocate a tensor: " + e.what());
  }
}

Status RawImages(const Dataset& dataset, int64_t count, const RowSource& read,
                 torch::Tensor* images) {
  const DatasetInfo& info = dataset.info();
  torch::Tensor out;
  PWEMOE_RETURN_IF_ERROR(
      Allocate(dataset, {count, info.height, info.width, info.channels}, torch::kUInt8, &out));
  PWEMOE_RETURN_IF_ERROR(read(out.data_ptr<uint8_t>()));
  *images = std::move(out);
  return Status::Ok();
}

Status NormalizedImages(const Dataset& dataset, int64_t count, const RowSource& read,
                        torch::Tensor* pixels) {
  const DatasetInfo& info = dataset.info();
  std::vector<uint8_t> raw(static_cast<size_t>(count * info.image_bytes()));
  PWEMOE_RETURN_IF_ERROR(read(raw.data()));
  torch::Tensor out;
  PWEMOE_RETURN_IF_ERROR(
      Allocate(dataset, {count, info.channels, info.height, info.width}, torch::kFloat32, &out));
  NormalizeImages(info, raw.data(), count, out.data_ptr<float>());
  *pixels = std::move(out);
  return Status::Ok();
}

// Labels for rows `rows(i)`, i in [0, count).
Status GatherLabels(const Dataset& dataset, int64_t count,
                    const std::function<int64_t(int64_t)>& rows, torch::Tensor* labels) {
  if (labels == nullptr) return Status::Ok();
  torch::Tensor out;
  PWEMOE_RETURN_IF_ERROR(Allocate(dataset, {count}, torch::kInt64, &out));
  int64_t* target = out.data_ptr<int64_t>();
  for (int64_t i = 0; i < count; ++i) target[i] = dataset.labels()[rows(i)];
  *labels = std::move(out);
  return Status::Ok();
}

Status CheckOpen(const Dataset& dataset) {
  if (dataset.is_open()) return Status::Ok();
  return Status::InvalidArgument("read from a dataset that is not open");
}

// The number of rows a batch read returns, after checking its arguments.
Status BatchRows(const Dataset& dataset, int64_t begin, int64_t count, int64_t* rows) {
  PWEMOE_RETURN_IF_ERROR(CheckOpen(dataset));
  const int64_t size = dataset.info().size;
  if (begin < 0 || begin > size || count < 0) {
    return Status::InvalidArgument(dataset.info().path + ": batch begin " + std::to_string(begin) +
                                   " count " + std::to_string(count) + ", expected begin in [0, " +
                                   std::to_string(size) + "] and count >= 0");
  }
  *rows = std::min(count, size - begin);
  return Status::Ok();
}

}  // namespace

Status ReadBatch(const Dataset& dataset, int64_t begin, int64_t count, torch::Tensor* pixels,
                 torch::Tensor* labels) {
  int64_t rows = 0;
  PWEMOE_RETURN_IF_ERROR(BatchRows(dataset, begin, count, &rows));
  auto read = [&](uint8_t* out) { return dataset.ReadImages(begin, rows, out); };
  PWEMOE_RETURN_IF_ERROR(NormalizedImages(dataset, rows, read, pixels));
  return GatherLabels(
      dataset, rows, [&](int64_t i) { return begin + i; }, labels);
}

Status ReadBatchRaw(const Dataset& dataset, int64_t begin, int64_t count, torch::Tensor* images,
                    torch::Tensor* labels) {
  int64_t rows = 0;
  PWEMOE_RETURN_IF_ERROR(BatchRows(dataset, begin, count, &rows));
  auto read = [&](uint8_t* out) { return dataset.ReadImages(begin, rows, out); };
  PWEMOE_RETURN_IF_ERROR(RawImages(dataset, rows, read, images));
  return GatherLabels(
      dataset, rows, [&](int64_t i) { return begin + i; }, labels);
}

Status ReadIndices(const Dataset& dataset, const std::vector<int64_t>& indices,
                   torch::Tensor* pixels, torch::Tensor* labels) {
  PWEMOE_RETURN_IF_ERROR(CheckOpen(dataset));
  const auto rows = static_cast<int64_t>(indices.size());
  auto read = [&](uint8_t* out) { return dataset.ReadImagesAt(indices, out); };
  PWEMOE_RETURN_IF_ERROR(NormalizedImages(dataset, rows, read, pixels));
  return GatherLabels(
      dataset, rows, [&](int64_t i) { return indices[i]; }, labels);
}

Status ReadIndicesRaw(const Dataset& dataset, const std::vector<int64_t>& indices,
                      torch::Tensor* images, torch::Tensor* labels) {
  PWEMOE_RETURN_IF_ERROR(CheckOpen(dataset));
  const auto rows = static_cast<int64_t>(indices.size());
  auto read = [&](uint8_t* out) { return dataset.ReadImagesAt(indices, out); };
  PWEMOE_RETURN_IF_ERROR(RawImages(dataset, rows, read, images));
  return GatherLabels(
      dataset, rows, [&](int64_t i) { return indices[i]; }, labels);
}

}  // namespace pwemoe::data
