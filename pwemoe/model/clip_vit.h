// The CLIP vision transformer as a pure function of (name -> tensor map, images): exactly the math
// of Hugging Face's CLIPVisionModel followed by CLIPModel's visual_projection, over parameters in
// Hugging Face key layout, so real checkpoints load without renaming and merged weights (plain or
// autograd-tracked tensors) can be passed in as they are.
//
//   x = conv2d(pixels, patch_embedding.weight, stride P)          [B, D, S/P, S/P] -> [B, N, D]
//   h = cat(class_embedding, x) + position_embedding.weight       [B, N+1, D]
//   h = pre_layrnorm(h)                                           (sic: Hugging Face's key name)
//   per layer:  h = h + out_proj(attention(layer_norm1(h)))        q scaled by head_dim^-0.5
//               h = h + fc2(act(fc1(layer_norm2(h))))             act = config.hidden_act
//               (clip_encoder.h: the layer and activations shared with the text tower)
//   pooled = post_layernorm(h[:, 0])                              [B, D]
//   image_embeds = pooled . visual_projection.weight^T            [B, projection_dim], no bias
//
// Every function is thread-safe: none keeps state, and parameters are only read (concurrent
// forwards over one shared map are safe). Results are deterministic for identical inputs, device
// and LibTorch thread count.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "pwemoe/io/hf_config.h"
#include "pwemoe/io/tensor_io.h"
#include "pwemoe/model/clip_encoder.h"
#include "pwemoe/util/status.h"

namespace pwemoe::model {

using io::ClipVisionConfig;
using io::TensorMap;

// Key names of the CLIP vision tower (Hugging Face layout).
inline constexpr const char* kClassEmbedding = "vision_model.embeddings.class_embedding";
inline constexpr const char* kPatchEmbedding = "vision_model.embeddings.patch_embedding.weight";
inline constexpr const char* kPositionEmbedding =
    "vision_model.embeddings.position_embedding.weight";
inline constexpr const char* kPreLayerNorm = "vision_model.pre_layrnorm";
inline constexpr const char* kPostLayerNorm = "vision_model.post_layernorm";
inline constexpr const char* kVisualProjection = "visual_projection.weight";

// "vision_model.encoder.layers.<layer>." — the prefix of every key of one encoder layer.
std::string ClipLayerPrefix(int64_t layer);

// Checks the config fields the forward relies on: every size positive, hidden_size divisible by
// num_attention_heads, image_size divisible by patch_size, layer_norm_eps positive and finite, a
// supported hidden_act (ParseActivation). InvalidArgument naming the field otherwise.
Status ValidateClipVisionConfig(const ClipVisionConfig& config);

// Every parameter the forward reads, in forward order, with its shape for `config` (D =
// hidden_size, I = intermediate_size, C = num_channels, P = patch_size,
// N = (image_size / patch_size)^2):
//   class_embedding [D], patch_embedding.weight [D, C, P, P], position_embedding.weight [N+1, D],
//   pre_layrnorm.{weight,bias} [D]; per layer self_attn.{q,k,v,out}_proj.weight [D, D] and .bias
//   [D], layer_norm{1,2}.{weight,bias} [D], mlp.fc1.weight [I, D], mlp.fc1.bias [I],
//   mlp.fc2.weight [D, I], mlp.fc2.bias [D]; post_layernorm.{weight,bias} [D]; and, when
//   `with_projection`, visual_projection.weight [projection_dim, D].
// The config is not validated (call ValidateClipVisionConfig first); never fails.
std::vector<std::pair<std::string, std::vector<int64_t>>> ClipVisionParamShapes(
    const ClipVisionConfig& config, bool with_projection = true);

// Checks `params` against ClipVisionParamShapes(config, with_projection) after
// ValidateClipVisionConfig(config): every key present and defined (NotFound naming the key and its
// expected shape otherwise), every shape as expected (InvalidArgument naming the key, the expected
// and the actual shape), every tensor of one floating dtype and on one device, those of
// class_embedding (InvalidArgument naming the key and both dtypes / devices). Other keys (text
// tower, position_ids buffers, ...) are ignored. The first problem found, in the order above, is
// reported. Never modifies `params`.
Status ValidateClipVisionParams(const ClipVisionConfig& config, const TensorMap& params,
                                bool with_projection = true);

// The pooled output of CLIPVisionModel (post_layernorm of the class token), [B, hidden_size], into
// *pooled (replaced). `pixels` is [B, num_channels, image_size, image_size], B >= 1, with the
// parameters' dtype and device; InvalidArgument otherwise. Precondition: `params` passed
// ValidateClipVisionParams(config, params, false); the forward does not validate them again, but a
// violated precondition yields an error (Internal), never a crash. Gradients flow to every
// parameter and to `pixels` when they require grad. Internal with LibTorch's message when it fails
// (for example, out of memory). *pooled is untouched on error.
Status ClipVisionPooled(const ClipVisionConfig& config, const TensorMap& params,
                        const torch::Tensor& pixels, torch::Tensor* pooled);

// ClipVisionPooled followed by visual_projection: image_embeds [B, projection_dim] (not
// normalised), into *image_embeds (replaced). Precondition: ValidateClipVisionParams(config,
// params) passed (with the projection). Errors and gradients as ClipVisionPooled.
Status ClipVisionForward(const ClipVisionConfig& config, const TensorMap& params,
                         const torch::Tensor& pixels, torch::Tensor* image_embeds);

}  // namespace pwemoe::model
