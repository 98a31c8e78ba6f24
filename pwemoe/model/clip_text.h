// The CLIP text transformer as a pure function of (name -> tensor map, token ids): the math of
// Hugging Face's CLIPTextModel (CLIPTextTransformer) followed by CLIPModel's text_projection, over
// parameters in Hugging Face key layout, so a CLIPModel checkpoint loads without renaming.
//
//   h = token_embedding.weight[ids] + position_embedding.weight[0, T)  [B, T, D]
//   per layer:  h = h + out_proj(causal_attention(layer_norm1(h)))      q scaled by head_dim^-0.5
//               h = h + fc2(act(fc1(layer_norm2(h))))                   act = config.hidden_act
//               (clip_encoder.h; position i attends to positions j <= i only)
//   pooled = final_layer_norm(h[b, p_b])                                [B, D]
//   text_embeds = pooled . text_projection.weight^T                     [B, projection_dim]
//                                                                       (no bias)
//
// The pooling position p_b of row b (ClipTextPoolIndices) follows transformers' rule since PR
// #24773: when eos_token_id == 2 (the value configs written before that PR carry), the first
// position of the row's largest id — with CLIP's vocabulary, where "<|endoftext|>" (49407) is the
// largest id, the first end token; otherwise the first position holding eos_token_id. (The newest
// transformers tests "every row's largest id is 49407" in place of eos_token_id == 2; for
// tokenizer output on CLIP's vocabulary both choose the same position.) A row without
// eos_token_id is an error here, where transformers would silently pool position 0.
//
// No attention mask is taken. Because attention is causal, the output at p_b depends only on
// positions <= p_b, so the padding after the end token (where the tokenizer's attention_mask is 0)
// cannot change it: the pooled output equals transformers' with or without that attention_mask.
// The forward therefore runs only the first max_b(p_b) + 1 positions of the batch — for CLIP's
// inputs padded to 77 tokens, several times less work; the ids after them take no part in the
// computation (they are still checked against the vocabulary).
//
// Every function is thread-safe: none keeps state, and parameters are only read. Results are
// deterministic for identical inputs, device and LibTorch thread count.
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

using io::ClipTextConfig;
using io::TensorMap;

// Key names of the CLIP text tower and CLIPModel's text-side tensors (Hugging Face layout).
inline constexpr const char* kTokenEmbedding = "text_model.embeddings.token_embedding.weight";
inline constexpr const char* kTextPositionEmbedding =
    "text_model.embeddings.position_embedding.weight";
inline constexpr const char* kFinalLayerNorm = "text_model.final_layer_norm";
inline constexpr const char* kTextProjection = "text_projection.weight";
// CLIPModel's learned temperature, stored as its logarithm: logits use exp(logit_scale).
inline constexpr const char* kClipLogitScale = "logit_scale";

// The eos_token_id of configs written before transformers PR #24773; with it the text tower pools
// at the argmax of the input ids.
inline constexpr int64_t kLegacyEosTokenId = 2;

// "text_model.encoder.layers.<layer>." — the prefix of every key of one text encoder layer.
std::string ClipTextLayerPrefix(int64_t layer);

// Checks the config fields the forward relies on: every size positive, hidden_size divisible by
// num_attention_heads, eos_token_id >= 0, layer_norm_eps positive and finite, a supported
// hidden_act (ParseActivation). InvalidArgument "CLIP text config: ..." naming the field otherwise.
Status ValidateClipTextConfig(const ClipTextConfig& config);

// Every parameter the forward reads, in forward order, with its shape for `config` (D =
// hidden_size, I = intermediate_size, V = vocab_size, P = max_position_embeddings):
//   token_embedding.weight [V, D], position_embedding.weight [P, D]; per layer
//   self_attn.{q,k,v,out}_proj.weight [D, D] and .bias [D], layer_norm{1,2}.{weight,bias} [D],
//   mlp.fc1.weight [I, D], mlp.fc1.bias [I], mlp.fc2.weight [D, I], mlp.fc2.bias [D];
//   final_layer_norm.{weight,bias} [D]; and, when `with_projection`, text_projection.weight
//   [projection_dim, D]. logit_scale is not a parameter of the forward and is not listed.
// The config is not validated (call ValidateClipTextConfig first); never fails.
std::vector<std::pair<std::string, std::vector<int64_t>>> ClipTextParamShapes(
    const ClipTextConfig& config, bool with_projection = true);

// Checks `params` against ClipTextParamShapes(config, with_projection) after
// ValidateClipTextConfig(config): every key present and defined (NotFound naming the key and its
// expected shape otherwise), every shape as expected (InvalidArgument naming the key, the expected
// and the actual shape), every tensor of one floating dtype and on one device, those of
// token_embedding.weight (InvalidArgument naming the key and both dtypes / devices). Other keys
// (the vision tower, position_ids buffers, logit_scale, ...) are ignored. The first problem found,
// in the order above, is reported. Never modifies `params`.
Status ValidateClipTextParams(const ClipTextConfig& config, const TensorMap& params,
                              bool with_projection = true);

// The pooling position of each row of `input_ids` (see the top of this file) as an int64 CPU
// tensor [B], into *indices (replaced). `input_ids` is [B >= 1, T] with 1 <= T <=
// max_position_embeddings, of an integer dtype (not bool), on any device, every id in
// [0, vocab_size). InvalidArgument "CLIP text forward: ..." otherwise — naming the first id out of
// the vocabulary by row and position, or the first row without eos_token_id (unless eos_token_id
// is kLegacyEosTokenId); also ValidateClipTextConfig's errors. *indices is untouched on error.
Status ClipTextPoolIndices(const ClipTextConfig& config, const torch::Tensor& input_ids,
                           torch::Tensor* indices);

// The pooled output of CLIPTextModel (final_layer_norm at each row's pooling position),
// [B, hidden_size], into *pooled (replaced), with the parameters' dtype and device (`input_ids` is
// moved there). Errors for the ids as ClipTextPoolIndices. Precondition: `params` passed
// ValidateClipTextParams(config, params, false); the forward does not validate them again, but a
// violated precondition yields an error (Internal), never a crash. Gradients flow to every
// parameter when it requires grad. Internal with LibTorch's message when it fails (for example,
// out of memory). *pooled is untouched on error.
Status ClipTextPooled(const ClipTextConfig& config, const TensorMap& params,
                      const torch::Tensor& input_ids, torch::Tensor* pooled);

// ClipTextPooled followed by text_projection: text_embeds [B, projection_dim] (not normalised),
// into *text_embeds (replaced) — CLIPModel.get_text_features. Precondition:
// ValidateClipTextParams(config, params) passed (with the projection). Errors and gradients as
// ClipTextPooled.
Status ClipTextForward(const ClipTextConfig& config, const TensorMap& params,
                       const torch::Tensor& input_ids, torch::Tensor* text_embeds);

// The text side of a CLIPModel checkpoint.
struct ClipTextModel {
  ClipTextConfig config;
  TensorMap params;          // exactly the ClipTextParamShapes(config) tensors: float32, CPU
  double logit_scale = 0.0;  // the checkpoint's logit_scale as stored: the log of the multiplier
};

// Loads the text tower of the CLIPModel folder `folder`: the config from folder/config.json
// (io::LoadClipTextConfig, then ValidateClipTextConfig), and from the folder's checkpoint
// (io::Checkpoint::Open: model.safetensors, or the shards of model.safetensors.index.json) only
// the ClipTextParamShapes(config) tensors and logit_scale — not the vision tower. F16, BF16 and F64
// tensors are converted to float32. *out is replaced only on success. Errors: those of the config
// and Checkpoint::Open as they are; NotFound "<checkpoint>: missing tensor '<key>' (expected shape
// [...])"; Corrupt "<file holding it>: tensor '<key>' has shape [...], expected [...] (<config>)",
// "... has dtype <D>, expected F32, F16, BF16 or F64", and for a logit_scale that is not a single
// finite value; Internal when LibTorch fails.
Status LoadClipTextModel(const std::string& folder, ClipTextModel* out);

}  // namespace pwemoe::model
