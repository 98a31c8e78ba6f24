#include "clip_reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace pwemoe::model::testing {

namespace {

using torch::Tensor;

const Tensor& Get(const io::TensorMap& params, const std::string& key) {
  auto it = params.find(key);
  if (it == params.end()) {
    ADD_FAILURE() << "reference: no parameter " << key;
    static const Tensor kEmpty;
    return kEmpty;
  }
  return it->second;
}

// Parameter `key` as float64.
Tensor D(const io::TensorMap& params, const std::string& key) {
  return Get(params, key).to(torch::kFloat64);
}

Tensor RefLayerNorm(const io::TensorMap& params, const std::string& prefix, double eps,
                    const Tensor& x) {
  Tensor mean = x.sum(-1, /*keepdim=*/true) / x.size(-1);
  Tensor centered = x - mean;
  Tensor var = (centered * centered).sum(-1, /*keepdim=*/true) / x.size(-1);  // biased
  return centered / (var + eps).sqrt() * D(params, prefix + ".weight") +
         D(params, prefix + ".bias");
}

Tensor RefLinear(const io::TensorMap& params, const std::string& prefix, const Tensor& x) {
  return torch::matmul(x, D(params, prefix + ".weight").t()) + D(params, prefix + ".bias");
}

Tensor RefSoftmax(const Tensor& x) {
  Tensor e = (x - std::get<0>(x.max(-1, /*keepdim=*/true))).exp();
  return e / e.sum(-1, /*keepdim=*/true);
}

// [B, C, S, S] -> [B, N, D]: each patch (row-major over the grid) flattened as (c, y, x) and
// multiplied by the flattened conv kernel.
Tensor RefPatchEmbed(const io::ClipVisionConfig& c, const io::TensorMap& params,
                     const Tensor& pixels) {
  const int64_t p = c.patch_size, grid = c.image_size / c.patch_size, b = pixels.size(0);
  Tensor kernel = D(params, "vision_model.embeddings.patch_embedding.weight")
                      .reshape({c.hidden_size, c.num_channels * p * p});
  std::vector<Tensor> tokens;
  for (int64_t gy = 0; gy < grid; ++gy) {
    for (int64_t gx = 0; gx < grid; ++gx) {
      Tensor patch = pixels.slice(2, gy * p, (gy + 1) * p).slice(3, gx * p, (gx + 1) * p);
      tokens.push_back(torch::matmul(patch.reshape({b, -1}), kernel.t()));  // [B, D]
    }
  }
  return torch::stack(tokens, 1);
}

Tensor RefAttention(const io::ClipVisionConfig& c, const io::TensorMap& params,
                    const std::string& prefix, const Tensor& x) {
  const int64_t hd = c.hidden_size / c.num_attention_heads;
  Tensor q = RefLinear(params, prefix + "q_proj", x);
  Tensor k = RefLinear(params, prefix + "k_proj", x);
  Tensor v = RefLinear(params, prefix + "v_proj", x);
  std::vector<Tensor> heads;
  for (int64_t h = 0; h < c.num_attention_heads; ++h) {
    Tensor qh = q.slice(2, h * hd, (h + 1) * hd), kh = k.slice(2, h * hd, (h + 1) * hd);
    Tensor vh = v.slice(2, h * hd, (h + 1) * hd);
    Tensor scores = torch::matmul(qh, kh.transpose(1, 2)) / std::sqrt(static_cast<double>(hd));
    heads.push_back(torch::matmul(RefSoftmax(scores), vh));  // [B, T, hd]
  }
  return RefLinear(params, prefix + "out_proj", torch::cat(heads, 2));
}

}  // namespace

io::ClipVisionConfig TinyConfig(int64_t image_size, int64_t patch_size, int64_t channels,
                                int64_t hidden_size, int64_t heads, int64_t layers,
                                int64_t projection_dim, const std::string& act) {
  io::ClipVisionConfig c;
  c.image_size = image_size;
  c.patch_size = patch_size;
  c.num_channels = channels;
  c.hidden_size = hidden_size;
  c.intermediate_size = 2 * hidden_size;
  c.num_attention_heads = heads;
  c.num_hidden_layers = layers;
  c.projection_dim = projection_dim;
  c.hidden_act = act;
  c.layer_norm_eps = 1e-5;
  return c;
}

io::TensorMap RandomParams(const io::ClipVisionConfig& c, uint64_t seed) {
  torch::manual_seed(seed);
  const int64_t d = c.hidden_size, i = c.intermediate_size, p = c.patch_size;
  const int64_t tokens = (c.image_size / p) * (c.image_size / p) + 1;
  auto weight = [](int64_t out, int64_t in) {
    return torch::randn({out, in}) / std::sqrt(static_cast<double>(in));
  };
  auto norm = [&](io::TensorMap& m, const std::string& prefix) {
    m[prefix + ".weight"] = 1.0 + 0.1 * torch::randn({d});
    m[prefix + ".bias"] = 0.1 * torch::randn({d});
  };
  io::TensorMap m;
  m["vision_model.embeddings.class_embedding"] = torch::randn({d});
  m["vision_model.embeddings.patch_embedding.weight"] =
      torch::randn({d, c.num_channels, p, p}) /
      std::sqrt(static_cast<double>(c.num_channels * p * p));
  m["vision_model.embeddings.position_embedding.weight"] = 0.5 * torch::randn({tokens, d});
  norm(m, "vision_model.pre_layrnorm");
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    const std::string pre = "vision_model.encoder.layers." + std::to_string(l) + ".";
    norm(m, pre + "layer_norm1");
    norm(m, pre + "layer_norm2");
    for (const char* proj : {"q_proj", "k_proj", "v_proj", "out_proj"}) {
      // q and k larger than 1/sqrt(fan_in) so that the attention is far from uniform.
      double gain = (std::string(proj) == "q_proj" || std::string(proj) == "k_proj") ? 2.0 : 1.0;
      m[pre + "self_attn." + proj + ".weight"] = gain * weight(d, d);
      m[pre + "self_attn." + proj + ".bias"] = 0.1 * torch::randn({d});
    }
    m[pre + "mlp.fc1.weight"] = weight(i, d);
    m[pre + "mlp.fc1.bias"] = 0.1 * torch::randn({i});
    m[pre + "mlp.fc2.weight"] = weight(d, i);
    m[pre + "mlp.fc2.bias"] = 0.1 * torch::randn({d});
  }
  norm(m, "vision_model.post_layernorm");
  m["visual_projection.weight"] = weight(c.projection_dim, d);
  return m;
}

Tensor RefActivation(const std::string& act, const Tensor& x) {
  const double pi = 3.14159265358979323846;
  if (act == "quick_gelu") return x / (1.0 + (-1.702 * x).exp());
  if (act == "gelu" || act == "gelu_python") return 0.5 * x * (1.0 + (x / std::sqrt(2.0)).erf());
  if (act == "gelu_new" || act == "gelu_pytorch_tanh") {
    return 0.5 * x * (1.0 + (std::sqrt(2.0 / pi) * (x + 0.044715 * x * x * x)).tanh());
  }
  if (act == "relu") return x * (x > 0).to(x.scalar_type());
  if (act == "silu" || act == "swish") return x / (1.0 + (-x).exp());
  ADD_FAILURE() << "reference: no activation " << act;
  return x;
}

Tensor RefClipVision(const io::ClipVisionConfig& c, const io::TensorMap& params,
                     const Tensor& pixels_in, bool project) {
  const double eps = c.layer_norm_eps;
  Tensor pixels = pixels_in.to(torch::kFloat64);
  const int64_t b = pixels.size(0);
  Tensor cls =
      D(params, "vision_model.embeddings.class_embedding").reshape({1, 1, -1}).repeat({b, 1, 1});
  Tensor h = torch::cat({cls, RefPatchEmbed(c, params, pixels)}, 1) +
             D(params, "vision_model.embeddings.position_embedding.weight").unsqueeze(0);
  h = RefLayerNorm(params, "vision_model.pre_layrnorm", eps, h);
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    const std::string pre = "vision_model.encoder.layers." + std::to_string(l) + ".";
    h = h + RefAttention(c, params, pre + "self_attn.",
                         RefLayerNorm(params, pre + "layer_norm1", eps, h));
    Tensor inner =
        RefLinear(params, pre + "mlp.fc1", RefLayerNorm(params, pre + "layer_norm2", eps, h));
    h = h + RefLinear(params, pre + "mlp.fc2", RefActivation(c.hidden_act, inner));
  }
  Tensor pooled = RefLayerNorm(params, "vision_model.post_layernorm", eps, h.select(1, 0));
  if (!project) return pooled;
  return torch::matmul(pooled, D(params, "visual_projection.weight").t());
}

}  // namespace pwemoe::model::testing
