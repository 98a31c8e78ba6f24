#include "pwemoe/io/tensor_io.h"

#include <cstring>
#include <vector>

#include "pwemoe/io/safetensors_writer.h"

namespace pwemoe::io {

namespace {

struct DTypePair {
  DType dtype;
  torch::ScalarType type;
};

constexpr DTypePair kPairs[] = {
    {DType::kF64, torch::kFloat64}, {DType::kF32, torch::kFloat32},
    {DType::kF16, torch::kFloat16}, {DType::kBF16, torch::kBFloat16},
    {DType::kI64, torch::kInt64},   {DType::kI32, torch::kInt32},
    {DType::kI16, torch::kInt16},   {DType::kI8, torch::kInt8},
    {DType::kU8, torch::kUInt8},    {DType::kBool, torch::kBool},
};

std::string Where(const std::string& file, const std::string& tensor) {
  return file + ": tensor '" + tensor + "'";
}

Status CheckBoolBytes(const std::string& file, const TensorInfo& t) {
  for (size_t i = 0; i < t.nbytes; ++i) {
    if (t.data[i] > 1) {
      return Status::Corrupt(Where(file, t.name) + ": BOOL byte " + std::to_string(i) + " is " +
                             std::to_string(t.data[i]) + ", expected 0 or 1");
    }
  }
  return Status::Ok();
}

// One fresh tensor holding `t`'s bytes (converted to F32 when `widen`).
Status LoadOne(const std::string& file, const TensorInfo& t, bool widen, torch::Tensor* out) {
  if (t.dtype == DType::kBool) PWEMOE_RETURN_IF_ERROR(CheckBoolBytes(file, t));
  std::vector<int64_t> shape(t.shape.begin(), t.shape.end());
  try {
    if (widen) {
      torch::Tensor dst = torch::empty(shape, torch::kFloat32);
      PWEMOE_RETURN_IF_ERROR(ConvertToFloat32(t.dtype, t.data, t.numel, dst.data_ptr<float>()));
      *out = dst;
    } else {
      torch::Tensor dst = torch::empty(shape, ToTorchDType(t.dtype));
      if (t.nbytes > 0) std::memcpy(dst.data_ptr(), t.data, t.nbytes);
      *out = dst;
    }
  } catch (const std::exception& e) {
    return Status::Internal(Where(file, t.name) + ": cannot make the tensor: " + e.what());
  }
  return Status::Ok();
}

}  // namespace

torch::ScalarType ToTorchDType(DType dtype) {
  for (const DTypePair& p : kPairs) {
    if (p.dtype == dtype) return p.type;
  }
  return torch::kFloat32;  // unreachable: kPairs covers every DType
}

bool FromTorchDType(torch::ScalarType type, DType* out) {
  for (const DTypePair& p : kPairs) {
    if (p.type == type) {
      *out = p.dtype;
      return true;
    }
  }
  return false;
}

Status LoadTensor(const std::string& file, const TensorInfo& info, torch::Tensor* out,
                  const LoadOptions& options) {
  bool widen = !options.keep_dtype && (info.dtype == DType::kF16 || info.dtype == DType::kBF16);
  return LoadOne(file, info, widen, out);
}

Status LoadTensors(const Checkpoint& checkpoint, TensorMap* out, const LoadOptions& options) {
  TensorMap tensors;
  for (const auto& file : checkpoint.files()) {
    for (const TensorInfo& t : file->tensors()) {
      PWEMOE_RETURN_IF_ERROR(LoadTensor(file->path(), t, &tensors[t.name], options));
    }
  }
  *out = std::move(tensors);
  return Status::Ok();
}

Status LoadTensors(const std::string& path, TensorMap* out, const LoadOptions& options) {
  std::unique_ptr<Checkpoint> checkpoint;
  PWEMOE_RETURN_IF_ERROR(Checkpoint::Open(path, &checkpoint));
  return LoadTensors(*checkpoint, out, options);
}

Status SaveTensors(const std::string& path, const TensorMap& tensors,
                   const std::map<std::string, std::string>& metadata) {
  std::vector<torch::Tensor> keep;  // contiguous copies live until the write is done
  std::vector<TensorToWrite> items;
  for (const auto& [name, tensor] : tensors) {
    std::string where = Where(path, name) + ": ";
    if (!tensor.defined()) return Status::InvalidArgument(where + "undefined tensor");
    if (!tensor.device().is_cpu()) {
      return Status::InvalidArgument(where + "on " + tensor.device().str() + ", expected CPU");
    }
    DType dtype;
    if (!FromTorchDType(tensor.scalar_type(), &dtype)) {
      return Status::InvalidArgument(where + "dtype " +
                                     std::string(c10::toString(tensor.scalar_type())) +
                                     " has no safetensors name here");
    }
    keep.push_back(tensor.contiguous());
    const torch::Tensor& c = keep.back();
    items.push_back({name, dtype, c.sizes().vec(), c.data_ptr(), static_cast<size_t>(c.nbytes())});
  }
  return WriteSafetensors(path, items, metadata);
}

}  // namespace pwemoe::io
