#include "pwemoe/model/head.h"

#include <cmath>
#include <exception>
#include <utility>

#include <torch/torch.h>

#include "pwemoe/io/tensor_messages.h"
#include "pwemoe/util/strings.h"

namespace pwemoe::model {

namespace {

using io::ExceptionText;
using io::ShapeString;

constexpr const char* kWeight = "weight";
constexpr const char* kLogitScale = "logit_scale";

// "<name>: tensor '<tensor>': "
std::string Where(const std::string& name, const char* tensor) {
  return name + ": tensor '" + tensor + "': ";
}

Status CheckWeight(const std::string& name, const torch::Tensor& w) {
  if (!w.defined()) return Status::Corrupt(Where(name, kWeight) + "undefined");
  if (w.dim() != 2 || w.size(0) < 1 || w.size(1) < 1) {
    return Status::Corrupt(Where(name, kWeight) + "shape " + ShapeString(w.sizes()) +
                           ", expected [classes >= 1, projection_dim >= 1]");
  }
  if (!torch::isFloatingType(w.scalar_type())) {
    return Status::Corrupt(Where(name, kWeight) + "dtype " + c10::toString(w.scalar_type()) +
                           ", expected a floating-point dtype");
  }
  if (!torch::isfinite(w).all().item<bool>()) {
    return Status::Corrupt(Where(name, kWeight) + "holds NaN or Inf");
  }
  return Status::Ok();
}

// The single value of a logit_scale tensor (shape [] or [1], floating point).
Status ReadLogitScale(const std::string& name, const torch::Tensor& t, double* out) {
  if (t.dim() > 1 || t.numel() != 1) {
    return Status::Corrupt(Where(name, kLogitScale) + "shape " + ShapeString(t.sizes()) +
                           ", expected [] or [1]");
  }
  if (!torch::isFloatingType(t.scalar_type())) {
    return Status::Corrupt(Where(name, kLogitScale) + "dtype " + c10::toString(t.scalar_type()) +
                           ", expected a floating-point dtype");
  }
  *out = t.to(torch::kFloat64).item<double>();
  return Status::Ok();
}

Status HeadFromTensors(const std::string& path, const io::TensorMap& tensors,
                       ClassificationHead* head) {
  for (const auto& entry : tensors) {
    if (entry.first != kWeight && entry.first != kLogitScale) {
      return Status::Corrupt(path + ": unexpected tensor '" + entry.first +
                             "' (a head holds only 'weight' and 'logit_scale')");
    }
  }
  for (const char* key : {kWeight, kLogitScale}) {
    if (tensors.count(key) == 0) {
      return Status::NotFound(path + ": missing tensor '" + std::string(key) + "'");
    }
  }
  head->weight = tensors.at(kWeight).detach();
  PWEMOE_RETURN_IF_ERROR(CheckWeight(path, head->weight));
  return ReadLogitScale(path, tensors.at(kLogitScale), &head->logit_scale);
}

}  // namespace

Status ValidateHead(const std::string& name, const ClassificationHead& head) {
  try {
    PWEMOE_RETURN_IF_ERROR(CheckWeight(name, head.weight));
  } catch (const std::exception& e) {
    return Status::Internal(Where(name, kWeight) + ExceptionText(e));
  }
  if (!std::isfinite(head.logit_scale) || !(head.logit_scale > 0)) {
    return Status::Corrupt(Where(name, kLogitScale) + "value " + FormatDouble(head.logit_scale) +
                           ", expected finite and positive");
  }
  return Status::Ok();
}

Status LoadHead(const std::string& path, ClassificationHead* out) {
  io::TensorMap tensors;
  PWEMOE_RETURN_IF_ERROR(io::LoadTensors(path, &tensors));
  ClassificationHead head;
  try {
    PWEMOE_RETURN_IF_ERROR(HeadFromTensors(path, tensors, &head));
  } catch (const std::exception& e) {
    return Status::Internal(path + ": " + ExceptionText(e));
  }
  PWEMOE_RETURN_IF_ERROR(ValidateHead(path, head));
  *out = std::move(head);
  return Status::Ok();
}

Status SaveHead(const std::string& path, const ClassificationHead& head) {
  Status valid = ValidateHead(path, head);
  if (!valid.ok()) return Status::InvalidArgument(valid.message());
  io::TensorMap tensors;
  try {
    tensors[kWeight] = head.weight.detach().to(torch::kCPU).contiguous();
    tensors[kLogitScale] = torch::tensor(head.logit_scale, torch::kFloat64).reshape({});
  } catch (const std::exception& e) {
    return Status::Internal(path + ": " + ExceptionText(e));
  }
  return io::SaveTensors(path, tensors);
}

Status HeadLogits(const ClassificationHead& head, const torch::Tensor& image_embeds,
                  torch::Tensor* logits) {
  if (!head.weight.defined() || head.weight.dim() != 2) {
    return Status::InvalidArgument("head logits: the head has no 2-D weight");
  }
  if (!image_embeds.defined() || image_embeds.dim() != 2 ||
      image_embeds.size(1) != head.projection_dim() ||
      !torch::isFloatingType(image_embeds.scalar_type())) {
    return Status::InvalidArgument(
        "head logits: image_embeds " +
        (image_embeds.defined() ? std::string(c10::toString(image_embeds.scalar_type())) + " " +
                                      ShapeString(image_embeds.sizes())
                                : std::string("undefined")) +
        ", expected floating point [B, " + std::to_string(head.projection_dim()) + "]");
  }
  try {
    torch::Tensor weight =
        head.weight.detach().to(image_embeds.device(), image_embeds.scalar_type());
    torch::Tensor norm = image_embeds.norm(2, {1}, /*keepdim=*/true).clamp_min(1e-12);
    *logits = head.logit_scale * torch::matmul(image_embeds / norm, weight.t());
  } catch (const std::exception& e) {
    return Status::Internal("head logits: " + ExceptionText(e));
  }
  return Status::Ok();
}

}  // namespace pwemoe::model
