#include "pwemoe/model/precision.h"

#include <exception>

#include <torch/torch.h>

#include "pwemoe/io/tensor_messages.h"
#include "pwemoe/util/cpu_features.h"

namespace pwemoe::model {

namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

const char* PrecisionName(Precision precision) {
  return precision == Precision::kBf16 ? "bf16" : "fp32";
}

Status ParsePrecision(const std::string& name, Precision* out) {
  if (name == "fp32") {
    *out = Precision::kFp32;
  } else if (name == "bf16") {
    *out = Precision::kBf16;
  } else {
    return Status::InvalidArgument("precision '" + name + "' is not one of fp32, bf16");
  }
  return Status::Ok();
}

bool IsProductOperand(const std::string& key) {
  for (const char* suffix : {"_proj.weight", "_proj.bias", ".mlp.fc1.weight", ".mlp.fc1.bias",
                             ".mlp.fc2.weight", ".mlp.fc2.bias",
                             "embeddings.patch_embedding.weight"}) {
    if (EndsWith(key, suffix)) return true;
  }
  return key == "visual_projection.weight" || key == "text_projection.weight";
}

Status CastForCompute(const io::TensorMap& params, Precision precision, io::TensorMap* out) {
  if (precision == Precision::kFp32) {
    *out = params;
    return Status::Ok();
  }
  io::TensorMap cast;
  try {
    for (const auto& [key, t] : params) {
      const bool round = t.defined() && torch::isFloatingType(t.scalar_type()) && IsProductOperand(key);
      cast.emplace(key, round ? t.to(torch::kBFloat16) : t);
    }
  } catch (const std::exception& e) {
    return Status::Internal("casting the parameters to bf16: " + io::ExceptionText(e));
  }
  *out = std::move(cast);
  return Status::Ok();
}

bool EmulatesBf16(const torch::Device& device) { return !FastBf16(device); }

namespace {

bool Emulated(const torch::Tensor& t) {
  return t.scalar_type() == torch::kBFloat16 && EmulatesBf16(t.device());
}

}  // namespace

torch::Tensor ProductLinear(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b) {
  const torch::Tensor in = x.to(w.scalar_type());
  if (!Emulated(w)) return torch::linear(in, w, b);
  const torch::Tensor b32 = b.defined() ? b.to(torch::kFloat32) : b;
  return torch::linear(in.to(torch::kFloat32), w.to(torch::kFloat32), b32).to(torch::kBFloat16);
}

torch::Tensor ProductMatmul(const torch::Tensor& a, const torch::Tensor& b) {
  if (!Emulated(a)) return torch::matmul(a, b);
  return torch::matmul(a.to(torch::kFloat32), b.to(torch::kFloat32)).to(torch::kBFloat16);
}

bool FastBf16(const torch::Device& device) {
  if (device.is_cuda()) return true;
  return CpuHasBf16Instructions();
}

Status ChoosePrecision(const std::string& setting, const torch::Device& device, Precision* out,
                       std::string* note) {
  const bool fast = FastBf16(device);
  const std::string why = "this CPU has no bfloat16 instructions (AVX512-BF16 or AMX)";
  note->clear();
  if (setting == "auto") {
    *out = fast ? Precision::kBf16 : Precision::kFp32;
    if (!fast) *note = "precision auto: fp32, " + why;
    return Status::Ok();
  }
  if (setting != "fp32" && setting != "bf16") {
    return Status::InvalidArgument("precision '" + setting + "' is not one of auto, bf16, fp32");
  }
  PWEMOE_RETURN_IF_ERROR(ParsePrecision(setting, out));
  if (*out == Precision::kBf16 && !fast) {
    *note = "precision bf16: " + why + "; its bf16 products are emulated in float32 (the same "
            "rounding, no faster than fp32)";
  }
  return Status::Ok();
}

}  // namespace pwemoe::model
