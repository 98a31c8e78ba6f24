// What CLIP's two towers share, over parameters in Hugging Face key layout: the activations that
// config.hidden_act names, layer norm, and one pre-LN encoder layer (HF's CLIPEncoderLayer),
//
//   h = x + out_proj(attention(layer_norm1(x)))     q scaled by head_dim^-0.5, optional causal mask
//   y = h + fc2(act(fc1(layer_norm2(h))))
//
// clip_vit.h (no mask) and clip_text.h (causal mask) build their forwards from these.
//
// Every function is thread-safe: none keeps state, and parameters are only read. The tensor
// functions assume validated parameters and report problems by throwing (std::out_of_range for a
// missing key, c10::Error from LibTorch); each tower's API catches them and returns a Status.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "pwemoe/io/tensor_io.h"
#include "pwemoe/util/status.h"

namespace pwemoe::model {

// Activation functions the forwards implement (Hugging Face ACT2FN semantics):
//   quick_gelu         x * sigmoid(1.702 x)
//   gelu, gelu_python  0.5 x (1 + erf(x / sqrt 2))
//   gelu_new           0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))   (written out, as HF does)
//   gelu_pytorch_tanh  torch's gelu(approximate="tanh"), the same function
//   relu               max(x, 0)
//   silu, swish        x * sigmoid(x)
enum class Activation { kQuickGelu, kGelu, kGeluNew, kGeluTanh, kRelu, kSilu };

// Parses a config's hidden_act. InvalidArgument "hidden_act '<name>' is not supported by the
// forward (supported: ...)" for any other name (including names transformers knows but the
// forwards do not implement); callers add which config it came from.
Status ParseActivation(const std::string& name, Activation* out);

// `act` applied elementwise to `x` (any floating dtype and device).
torch::Tensor ApplyActivation(Activation act, const torch::Tensor& x);

// params.at(key), throwing std::out_of_range "missing tensor '<key>'" when absent.
const torch::Tensor& ParamAt(const io::TensorMap& params, const std::string& key);

// torch's layer_norm over the last dim with `<prefix>.weight` and `<prefix>.bias`.
torch::Tensor ClipLayerNorm(const io::TensorMap& params, const std::string& prefix, double eps,
                            const torch::Tensor& x);

// (key, shape) pairs of a tower's parameters, in Hugging Face's order.
using ParamShapes = std::vector<std::pair<std::string, std::vector<int64_t>>>;

// Appends the parameters of one encoder layer under `prefix` (ending in ".") with hidden size
// `d` and MLP width `inner`: layer_norm1, self_attn.{q,k,v,out}_proj, layer_norm2, mlp.fc1,
// mlp.fc2, each weight then bias.
void AppendEncoderLayerShapes(const std::string& prefix, int64_t d, int64_t inner, ParamShapes* shapes);

// Checks `params` against `shapes` in order, the first problem reported with `tower` ("CLIP
// vision", "CLIP text") starting the message: NotFound "<tower> parameters: missing tensor 'K'
// (expected shape [..])" for an absent or undefined tensor; InvalidArgument for another shape, a
// first tensor that is not floating point, or a dtype or device that differs from the first
// tensor's ("... (the dtype of '<first key>')"). Keys not in `shapes` are ignored.
Status CheckParamShapes(const std::string& tower, const io::TensorMap& params, const ParamShapes& shapes);

// One encoder layer on x [B, T, D] -> [B, T, D], with the parameters under `prefix` (ending in
// "."): layer_norm{1,2}.{weight,bias}, self_attn.{q,k,v,out}_proj.{weight,bias},
// mlp.fc{1,2}.{weight,bias}. `heads` divides D. When `causal`, position i attends only to
// positions j <= i (HF's causal mask; masked scores get -inf, which after the softmax is the same
// exact 0 as HF's additive finfo.min). The softmax of half-precision scores is computed in float32,
// as transformers does. Gradients flow to every parameter and to x.
//
// Mixed precision (precision.h): every matrix product runs in the dtype of its weight, its input
// cast to it; layer norms run in the dtype of x and their parameters. So with float32 x and layer
// norms and bfloat16 projection and MLP weights, the residual stream, the layer norms and the
// softmax stay float32 and the products run in bfloat16 (the split of PyTorch's autocast), and the
// layer returns float32.
torch::Tensor ClipEncoderLayer(const io::TensorMap& params, const std::string& prefix,
                               int64_t heads, double eps, Activation act, bool causal,
                               const torch::Tensor& x);

// ClipEncoderLayer (not causal) at the first token only: [B, T, D] -> [B, 1, D]. Keys and values
// come from every token; the query, the residual, the output projection and the MLP from token 0
// alone. Equal to ClipEncoderLayer(..., x).narrow(1, 0, 1) in exact arithmetic (up to float
// rounding in practice), at a fraction of its cost: the vision tower's last layer, whose only
// output read is the class token's. Gradients as ClipEncoderLayer.
torch::Tensor ClipEncoderLayerFirstToken(const io::TensorMap& params, const std::string& prefix,
                                         int64_t heads, double eps, Activation act,
                                         const torch::Tensor& x);

}  // namespace pwemoe::model
