#include "pwemoe/model/clip_vit.h"

#include <cmath>
#include <exception>
#include <stdexcept>
#include <utility>

#include <torch/torch.h>

#include "pwemoe/io/torch_text.h"
#include "pwemoe/util/strings.h"

namespace pwemoe::model {

namespace {

using io::ExceptionText;
using io::ShapeString;

constexpr double kPi = 3.14159265358979323846;

struct ActivationName {
  const char* name;
  Activation activation;
};

constexpr ActivationName kActivations[] = {
    {"quick_gelu", Activation::kQuickGelu},
    {"gelu", Activation::kGelu},
    {"gelu_python", Activation::kGelu},
    {"gelu_new", Activation::kGeluNew},
    {"gelu_pytorch_tanh", Activation::kGeluTanh},
    {"relu", Activation::kRelu},
    {"silu", Activation::kSilu},
    {"swish", Activation::kSilu},
};

std::vector<std::string> ActivationNames() {
  std::vector<std::string> names;
  for (const ActivationName& a : kActivations) names.push_back(a.name);
  return names;
}

// ---- validation --------------------------------------------------------------------------------

Status CheckPositive(const char* field, int64_t value) {
  if (value > 0) return Status::Ok();
  return Status::InvalidArgument("CLIP vision config: " + std::string(field) + " is " +
                                 std::to_string(value) + ", must be positive");
}

// One parameter's presence, shape, dtype and device; `first` is class_embedding (or null while
// checking class_embedding itself).
Status CheckParam(const TensorMap& params, const std::string& key,
                  const std::vector<int64_t>& shape, const torch::Tensor* first) {
  auto it = params.find(key);
  if (it == params.end() || !it->second.defined()) {
    return Status::NotFound("CLIP vision parameters: missing tensor '" + key +
                            "' (expected shape " + ShapeString(shape) + ")");
  }
  const torch::Tensor& t = it->second;
  if (t.sizes() != c10::IntArrayRef(shape)) {
    return Status::InvalidArgument("CLIP vision parameters: tensor '" + key + "' has shape " +
                                   ShapeString(t.sizes()) + ", expected " + ShapeString(shape));
  }
  if (first == nullptr) {
    if (!torch::isFloatingType(t.scalar_type())) {
      return Status::InvalidArgument("CLIP vision parameters: tensor '" + key + "' has dtype " +
                                     std::string(c10::toString(t.scalar_type())) +
                                     ", expected a floating-point dtype");
    }
    return Status::Ok();
  }
  if (t.scalar_type() != first->scalar_type()) {
    return Status::InvalidArgument("CLIP vision parameters: tensor '" + key + "' has dtype " +
                                   c10::toString(t.scalar_type()) + ", expected " +
                                   c10::toString(first->scalar_type()) + " (the dtype of '" +
                                   kClassEmbedding + "')");
  }
  if (t.device() != first->device()) {
    return Status::InvalidArgument("CLIP vision parameters: tensor '" + key + "' is on " +
                                   t.device().str() + ", expected " + first->device().str() +
                                   " (the device of '" + kClassEmbedding + "')");
  }
  return Status::Ok();
}

Status CheckPixels(const ClipVisionConfig& config, const torch::Tensor& pixels,
                   const torch::Tensor& reference) {
  const std::vector<int64_t> want = {config.num_channels, config.image_size, config.image_size};
  if (!pixels.defined()) return Status::InvalidArgument("CLIP vision forward: pixels undefined");
  if (pixels.dim() != 4 || pixels.size(0) < 1 ||
      pixels.sizes().slice(1) != c10::IntArrayRef(want)) {
    return Status::InvalidArgument("CLIP vision forward: pixels have shape " +
                                   ShapeString(pixels.sizes()) + ", expected [B >= 1, " +
                                   std::to_string(want[0]) + ", " + std::to_string(want[1]) + ", " +
                                   std::to_string(want[2]) + "]");
  }
  if (pixels.scalar_type() != reference.scalar_type() || pixels.device() != reference.device()) {
    return Status::InvalidArgument(
        std::string("CLIP vision forward: pixels are ") + c10::toString(pixels.scalar_type()) +
        " on " + pixels.device().str() + ", the parameters " +
        c10::toString(reference.scalar_type()) + " on " + reference.device().str());
  }
  return Status::Ok();
}

// ---- forward -----------------------------------------------------------------------------------
// These assume validated parameters; a missing key throws std::out_of_range, caught at the API.

const torch::Tensor& Param(const TensorMap& params, const std::string& key) {
  auto it = params.find(key);
  if (it == params.end()) throw std::out_of_range("missing tensor '" + key + "'");
  return it->second;
}

torch::Tensor LayerNorm(const TensorMap& params, const std::string& prefix, double eps,
                        const torch::Tensor& x) {
  return torch::layer_norm(x, {x.size(-1)}, Param(params, prefix + ".weight"),
                           Param(params, prefix + ".bias"), eps);
}

torch::Tensor Linear(const TensorMap& params, const std::string& prefix, const torch::Tensor& x) {
  return torch::linear(x, Param(params, prefix + ".weight"), Param(params, prefix + ".bias"));
}

torch::Tensor Activate(Activation act, const torch::Tensor& x) {
  switch (act) {
    case Activation::kQuickGelu:
      return x * torch::sigmoid(1.702 * x);
    case Activation::kGelu:
      return torch::gelu(x);
    case Activation::kGeluNew:
      return 0.5 * x *
             (1.0 + torch::tanh(std::sqrt(2.0 / kPi) * (x + 0.044715 * torch::pow(x, 3.0))));
    case Activation::kGeluTanh:
      return torch::gelu(x, "tanh");
    case Activation::kRelu:
      return torch::relu(x);
    case Activation::kSilu:
      return torch::silu(x);
  }
  return x;  // unreachable: every enumerator is handled above
}

// Patch and position embeddings: [B, C, S, S] -> [B, N+1, D].
torch::Tensor Embed(const ClipVisionConfig& config, const TensorMap& params,
                    const torch::Tensor& pixels) {
  const int64_t batch = pixels.size(0), width = config.hidden_size;
  torch::Tensor patches = torch::conv2d(pixels, Param(params, kPatchEmbedding), {},
                                        config.patch_size);  // [B, D, S/P, S/P]
  patches = patches.flatten(2).transpose(1, 2);              // [B, N, D]
  torch::Tensor cls =
      Param(params, kClassEmbedding).reshape({1, 1, width}).expand({batch, 1, width});
  return torch::cat({cls, patches}, 1) + Param(params, kPositionEmbedding);
}

// Softmax over the last dim; half-precision inputs are reduced in float32, as transformers does.
torch::Tensor Softmax(const torch::Tensor& x) {
  if (x.scalar_type() == torch::kHalf || x.scalar_type() == torch::kBFloat16) {
    return torch::softmax(x, -1, torch::kFloat32).to(x.scalar_type());
  }
  return torch::softmax(x, -1);
}

// CLIPAttention (eager): [B, T, D] -> [B, T, D].
torch::Tensor Attention(const ClipVisionConfig& config, const TensorMap& params,
                        const std::string& prefix, const torch::Tensor& x) {
  const int64_t batch = x.size(0), tokens = x.size(1), width = x.size(2);
  const int64_t heads = config.num_attention_heads, head_dim = width / heads;
  auto split = [&](const torch::Tensor& t) {  // [B, T, D] -> [B, H, T, head_dim]
    return t.reshape({batch, tokens, heads, head_dim}).transpose(1, 2);
  };
  torch::Tensor q = split(Linear(params, prefix + "q_proj", x) * std::pow(head_dim, -0.5));
  torch::Tensor k = split(Linear(params, prefix + "k_proj", x));
  torch::Tensor v = split(Linear(params, prefix + "v_proj", x));
  torch::Tensor weights = Softmax(torch::matmul(q, k.transpose(-1, -2)));  // [B, H, T, T]
  torch::Tensor out = torch::matmul(weights, v).transpose(1, 2).reshape({batch, tokens, width});
  return Linear(params, prefix + "out_proj", out);
}

// One pre-LN encoder layer.
torch::Tensor EncoderLayer(const ClipVisionConfig& config, const TensorMap& params, Activation act,
                           int64_t layer, const torch::Tensor& x) {
  const std::string prefix = ClipLayerPrefix(layer);
  const double eps = config.layer_norm_eps;
  torch::Tensor h = x + Attention(config, params, prefix + "self_attn.",
                                  LayerNorm(params, prefix + "layer_norm1", eps, x));
  torch::Tensor mlp_in = LayerNorm(params, prefix + "layer_norm2", eps, h);
  torch::Tensor mlp_out =
      Linear(params, prefix + "mlp.fc2", Activate(act, Linear(params, prefix + "mlp.fc1", mlp_in)));
  return h + mlp_out;
}

torch::Tensor Pooled(const ClipVisionConfig& config, const TensorMap& params, Activation act,
                     const torch::Tensor& pixels) {
  torch::Tensor h =
      LayerNorm(params, kPreLayerNorm, config.layer_norm_eps, Embed(config, params, pixels));
  for (int64_t layer = 0; layer < config.num_hidden_layers; ++layer) {
    h = EncoderLayer(config, params, act, layer, h);
  }
  return LayerNorm(params, kPostLayerNorm, config.layer_norm_eps, h.select(1, 0));
}

// Shared by both entry points: checks the config and pixels, runs the tower, optionally projects.
Status RunForward(const ClipVisionConfig& config, const TensorMap& params,
                  const torch::Tensor& pixels, bool project, torch::Tensor* out) {
  Activation act;
  PWEMOE_RETURN_IF_ERROR(ParseActivation(config.hidden_act, &act));
  auto cls = params.find(kClassEmbedding);
  if (cls == params.end() || !cls->second.defined()) {
    return Status::Internal(std::string("CLIP vision forward: no '") + kClassEmbedding +
                            "' (parameters not validated)");
  }
  PWEMOE_RETURN_IF_ERROR(CheckPixels(config, pixels, cls->second));
  try {
    torch::Tensor result = Pooled(config, params, act, pixels);
    if (project) result = torch::linear(result, Param(params, kVisualProjection));
    *out = std::move(result);
  } catch (const std::out_of_range& e) {
    return Status::Internal(std::string("CLIP vision forward: ") + e.what() +
                            " (parameters not validated with ValidateClipVisionParams)");
  } catch (const std::exception& e) {
    return Status::Internal("CLIP vision forward: " + ExceptionText(e));
  }
  return Status::Ok();
}

}  // namespace

std::string ClipLayerPrefix(int64_t layer) {
  return "vision_model.encoder.layers." + std::to_string(layer) + ".";
}

Status ParseActivation(const std::string& name, Activation* out) {
  for (const ActivationName& a : kActivations) {
    if (name == a.name) {
      *out = a.activation;
      return Status::Ok();
    }
  }
  return Status::InvalidArgument(
      "CLIP vision config: hidden_act '" + name +
      "' is not supported by the forward (supported: " + Join(ActivationNames(), ", ") + ")");
}

Status ValidateClipVisionConfig(const ClipVisionConfig& config) {
  PWEMOE_RETURN_IF_ERROR(CheckPositive("hidden_size", config.hidden_size));
  PWEMOE_RETURN_IF_ERROR(CheckPositive("intermediate_size", config.intermediate_size));
  PWEMOE_RETURN_IF_ERROR(CheckPositive("num_hidden_layers", config.num_hidden_layers));
  PWEMOE_RETURN_IF_ERROR(CheckPositive("num_attention_heads", config.num_attention_heads));
  PWEMOE_RETURN_IF_ERROR(CheckPositive("image_size", config.image_size));
  PWEMOE_RETURN_IF_ERROR(CheckPositive("patch_size", config.patch_size));
  PWEMOE_RETURN_IF_ERROR(CheckPositive("num_channels", config.num_channels));
  PWEMOE_RETURN_IF_ERROR(CheckPositive("projection_dim", config.projection_dim));
  if (config.hidden_size % config.num_attention_heads != 0) {
    return Status::InvalidArgument(
        "CLIP vision config: hidden_size " + std::to_string(config.hidden_size) +
        " is not divisible by num_attention_heads " + std::to_string(config.num_attention_heads));
  }
  if (config.image_size % config.patch_size != 0) {
    return Status::InvalidArgument(
        "CLIP vision config: image_size " + std::to_string(config.image_size) +
        " is not divisible by patch_size " + std::to_string(config.patch_size));
  }
  if (!(config.layer_norm_eps > 0) || !std::isfinite(config.layer_norm_eps)) {
    return Status::InvalidArgument("CLIP vision config: layer_norm_eps " +
                                   FormatDouble(config.layer_norm_eps) +
                                   " must be positive and finite");
  }
  Activation act;
  return ParseActivation(config.hidden_act, &act);
}

std::vector<std::pair<std::string, std::vector<int64_t>>> ClipVisionParamShapes(
    const ClipVisionConfig& config, bool with_projection) {
  const int64_t d = config.hidden_size, inner = config.intermediate_size;
  const int64_t grid = config.patch_size > 0 ? config.image_size / config.patch_size : 0;
  std::vector<std::pair<std::string, std::vector<int64_t>>> shapes = {
      {kClassEmbedding, {d}},
      {kPatchEmbedding, {d, config.num_channels, config.patch_size, config.patch_size}},
      {kPositionEmbedding, {grid * grid + 1, d}},
      {std::string(kPreLayerNorm) + ".weight", {d}},
      {std::string(kPreLayerNorm) + ".bias", {d}},
  };
  for (int64_t layer = 0; layer < config.num_hidden_layers; ++layer) {
    const std::string p = ClipLayerPrefix(layer);
    shapes.push_back({p + "layer_norm1.weight", {d}});
    shapes.push_back({p + "layer_norm1.bias", {d}});
    for (const char* proj : {"q_proj", "k_proj", "v_proj", "out_proj"}) {
      shapes.push_back({p + "self_attn." + proj + ".weight", {d, d}});
      shapes.push_back({p + "self_attn." + proj + ".bias", {d}});
    }
    shapes.push_back({p + "layer_norm2.weight", {d}});
    shapes.push_back({p + "layer_norm2.bias", {d}});
    shapes.push_back({p + "mlp.fc1.weight", {inner, d}});
    shapes.push_back({p + "mlp.fc1.bias", {inner}});
    shapes.push_back({p + "mlp.fc2.weight", {d, inner}});
    shapes.push_back({p + "mlp.fc2.bias", {d}});
  }
  shapes.push_back({std::string(kPostLayerNorm) + ".weight", {d}});
  shapes.push_back({std::string(kPostLayerNorm) + ".bias", {d}});
  if (with_projection) shapes.push_back({kVisualProjection, {config.projection_dim, d}});
  return shapes;
}

Status ValidateClipVisionParams(const ClipVisionConfig& config, const TensorMap& params,
                                bool with_projection) {
  PWEMOE_RETURN_IF_ERROR(ValidateClipVisionConfig(config));
  const torch::Tensor* first = nullptr;
  for (const auto& [key, shape] : ClipVisionParamShapes(config, with_projection)) {
    PWEMOE_RETURN_IF_ERROR(CheckParam(params, key, shape, first));
    if (first == nullptr) first = &params.at(key);
  }
  return Status::Ok();
}

Status ClipVisionPooled(const ClipVisionConfig& config, const TensorMap& params,
                        const torch::Tensor& pixels, torch::Tensor* pooled) {
  return RunForward(config, params, pixels, /*project=*/false, pooled);
}

Status ClipVisionForward(const ClipVisionConfig& config, const TensorMap& params,
                         const torch::Tensor& pixels, torch::Tensor* image_embeds) {
  return RunForward(config, params, pixels, /*project=*/true, image_embeds);
}

}  // namespace pwemoe::model
