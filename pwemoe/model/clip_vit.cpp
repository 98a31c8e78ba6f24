#include "pwemoe/model/clip_vit.h"

#include <cmath>
#include <exception>
#include <stdexcept>
#include <utility>

#include <torch/torch.h>

#include "pwemoe/io/tensor_messages.h"
#include "pwemoe/model/precision.h"
#include "pwemoe/util/strings.h"

namespace pwemoe::model {

namespace {

using io::ExceptionText;
using io::ShapeString;

// ---- validation --------------------------------------------------------------------------------

// ParseActivation of config.hidden_act, its message saying which config.
Status VisionActivation(const ClipVisionConfig& config, Activation* act) {
  Status st = ParseActivation(config.hidden_act, act);
  return st.ok() ? st : st.WithContext("CLIP vision config");
}

Status CheckPositive(const char* field, int64_t value) {
  if (value > 0) return Status::Ok();
  return Status::InvalidArgument("CLIP vision config: " + std::string(field) + " is " +
                                 std::to_string(value) + ", must be positive");
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

// Patch and position embeddings: [B, C, S, S] -> [B, N+1, D], in the dtype of the class
// embedding. The patch embedding is a convolution whose stride is its kernel, computed as what it
// is, one matrix product of the flattened patches [B, N, C*P*P] with the kernel [D, C*P*P], in
// the kernel's dtype (precision.h).
torch::Tensor Embed(const ClipVisionConfig& config, const TensorMap& params,
                    const torch::Tensor& pixels) {
  const int64_t batch = pixels.size(0), width = config.hidden_size;
  const int64_t p = config.patch_size, grid = config.image_size / p, c = config.num_channels;
  const torch::Tensor& kernel = ParamAt(params, kPatchEmbedding);  // [D, C, P, P]
  const torch::Tensor& cls_embedding = ParamAt(params, kClassEmbedding);
  torch::Tensor patches = pixels.reshape({batch, c, grid, p, grid, p})
                              .permute({0, 2, 4, 1, 3, 5})  // [B, gy, gx, C, P, P]
                              .reshape({batch, grid * grid, c * p * p});
  patches = ProductLinear(patches, kernel.reshape({width, c * p * p}), torch::Tensor())
                .to(cls_embedding.scalar_type());  // [B, N, D]
  torch::Tensor cls = cls_embedding.reshape({1, 1, width}).expand({batch, 1, width});
  return torch::cat({cls, patches}, 1) + ParamAt(params, kPositionEmbedding);
}

// The last layer runs at the class token only: pooling reads nothing else.
torch::Tensor Pooled(const ClipVisionConfig& config, const TensorMap& params, Activation act,
                     const torch::Tensor& pixels) {
  torch::Tensor h =
      ClipLayerNorm(params, kPreLayerNorm, config.layer_norm_eps, Embed(config, params, pixels));
  const int64_t last = config.num_hidden_layers - 1;
  for (int64_t layer = 0; layer < last; ++layer) {
    h = ClipEncoderLayer(params, ClipLayerPrefix(layer), config.num_attention_heads,
                         config.layer_norm_eps, act, /*causal=*/false, h);
  }
  h = ClipEncoderLayerFirstToken(params, ClipLayerPrefix(last), config.num_attention_heads,
                                 config.layer_norm_eps, act, h);
  return ClipLayerNorm(params, kPostLayerNorm, config.layer_norm_eps, h.select(1, 0));
}

// Shared by both entry points: checks the config and pixels, runs the tower, optionally projects.
Status RunForward(const ClipVisionConfig& config, const TensorMap& params,
                  const torch::Tensor& pixels, bool project, torch::Tensor* out) {
  Activation act;
  PWEMOE_RETURN_IF_ERROR(VisionActivation(config, &act));
  auto cls = params.find(kClassEmbedding);
  if (cls == params.end() || !cls->second.defined()) {
    return Status::Internal(std::string("CLIP vision forward: no '") + kClassEmbedding +
                            "' (parameters not validated)");
  }
  PWEMOE_RETURN_IF_ERROR(CheckPixels(config, pixels, cls->second));
  try {
    torch::Tensor result = Pooled(config, params, act, pixels);
    if (project) {  // in the projection's dtype, returned in the class embedding's (precision.h)
      const torch::Tensor& projection = ParamAt(params, kVisualProjection);
      result = ProductLinear(result, projection, torch::Tensor()).to(cls->second.scalar_type());
    }
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
  return VisionActivation(config, &act);
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
    AppendEncoderLayerShapes(p, d, inner, &shapes);
  }
  shapes.push_back({std::string(kPostLayerNorm) + ".weight", {d}});
  shapes.push_back({std::string(kPostLayerNorm) + ".bias", {d}});
  if (with_projection) shapes.push_back({kVisualProjection, {config.projection_dim, d}});
  return shapes;
}

Status ValidateClipVisionParams(const ClipVisionConfig& config, const TensorMap& params,
                                bool with_projection) {
  PWEMOE_RETURN_IF_ERROR(ValidateClipVisionConfig(config));
  return CheckParamShapes("CLIP vision", params, ClipVisionParamShapes(config, with_projection));
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
