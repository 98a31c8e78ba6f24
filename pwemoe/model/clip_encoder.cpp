#include "pwemoe/model/clip_encoder.h"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include <torch/torch.h>

#include "pwemoe/io/tensor_messages.h"
#include "pwemoe/model/precision.h"
#include "pwemoe/util/strings.h"

namespace pwemoe::model {

namespace {

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

// x . weight^T + bias in the weight's dtype (ProductLinear), so a layer whose weights were cast
// for a lower compute precision (precision.h) runs its product in that precision and returns it.
torch::Tensor Linear(const io::TensorMap& params, const std::string& prefix,
                     const torch::Tensor& x) {
  const torch::Tensor& w = ParamAt(params, prefix + ".weight");
  return ProductLinear(x, w, ParamAt(params, prefix + ".bias"));
}

// Softmax over the last dim; half-precision inputs are reduced in float32, as transformers does.
torch::Tensor Softmax(const torch::Tensor& x) {
  if (x.scalar_type() == torch::kHalf || x.scalar_type() == torch::kBFloat16) {
    return torch::softmax(x, -1, torch::kFloat32).to(x.scalar_type());
  }
  return torch::softmax(x, -1);
}

// CLIPAttention (eager) of the queries `xq` [B, Tq, D] over the keys and values of `x` [B, T, D]
// -> [B, Tq, D]. `xq` is `x` itself for every layer but the vision tower's last (its first token
// only). With `causal` (xq == x), position i attends only to positions j <= i.
torch::Tensor Attention(const io::TensorMap& params, const std::string& prefix, int64_t heads,
                        bool causal, const torch::Tensor& xq, const torch::Tensor& x) {
  const int64_t batch = x.size(0), tokens = x.size(1), width = x.size(2);
  const int64_t queries = xq.size(1);
  const int64_t head_dim = width / heads;
  auto split = [&](const torch::Tensor& t, int64_t n) {  // [B, n, D] -> [B, H, n, head_dim]
    return t.reshape({batch, n, heads, head_dim}).transpose(1, 2);
  };
  torch::Tensor q = split(Linear(params, prefix + "q_proj", xq) * std::pow(head_dim, -0.5), queries);
  torch::Tensor k = split(Linear(params, prefix + "k_proj", x), tokens);
  torch::Tensor v = split(Linear(params, prefix + "v_proj", x), tokens);
  torch::Tensor scores = ProductMatmul(q, k.transpose(-1, -2));  // [B, H, Tq, T]
  if (causal && tokens > 1) {
    torch::Tensor future = torch::ones({tokens, tokens}, x.options().dtype(torch::kBool)).triu(1);
    scores = scores.masked_fill(future, -std::numeric_limits<double>::infinity());
  }
  torch::Tensor out =
      ProductMatmul(Softmax(scores), v).transpose(1, 2).reshape({batch, queries, width});
  return Linear(params, prefix + "out_proj", out);
}

// The MLP half of the layer: h + fc2(act(fc1(layer_norm2(h)))).
torch::Tensor MlpBlock(const io::TensorMap& params, const std::string& prefix, double eps,
                       Activation act, const torch::Tensor& h) {
  torch::Tensor mlp_in = ClipLayerNorm(params, prefix + "layer_norm2", eps, h);
  torch::Tensor mlp_out =
      Linear(params, prefix + "mlp.fc2",
             ApplyActivation(act, Linear(params, prefix + "mlp.fc1", mlp_in)));
  return h + mlp_out;
}

}  // namespace

Status ParseActivation(const std::string& name, Activation* out) {
  for (const ActivationName& a : kActivations) {
    if (name == a.name) {
      *out = a.activation;
      return Status::Ok();
    }
  }
  return Status::InvalidArgument("hidden_act '" + name +
                                 "' is not supported by the forward (supported: " +
                                 Join(ActivationNames(), ", ") + ")");
}

torch::Tensor ApplyActivation(Activation act, const torch::Tensor& x) {
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

const torch::Tensor& ParamAt(const io::TensorMap& params, const std::string& key) {
  auto it = params.find(key);
  if (it == params.end()) throw std::out_of_range("missing tensor '" + key + "'");
  return it->second;
}

torch::Tensor ClipLayerNorm(const io::TensorMap& params, const std::string& prefix, double eps,
                            const torch::Tensor& x) {
  return torch::layer_norm(x, {x.size(-1)}, ParamAt(params, prefix + ".weight"),
                           ParamAt(params, prefix + ".bias"), eps);
}

torch::Tensor ClipEncoderLayer(const io::TensorMap& params, const std::string& prefix,
                               int64_t heads, double eps, Activation act, bool causal,
                               const torch::Tensor& x) {
  torch::Tensor normed = ClipLayerNorm(params, prefix + "layer_norm1", eps, x);
  torch::Tensor h = x + Attention(params, prefix + "self_attn.", heads, causal, normed, normed);
  return MlpBlock(params, prefix, eps, act, h);
}

torch::Tensor ClipEncoderLayerFirstToken(const io::TensorMap& params, const std::string& prefix,
                                         int64_t heads, double eps, Activation act,
                                         const torch::Tensor& x) {
  torch::Tensor normed = ClipLayerNorm(params, prefix + "layer_norm1", eps, x);
  torch::Tensor h = x.narrow(1, 0, 1) + Attention(params, prefix + "self_attn.", heads,
                                                  /*causal=*/false, normed.narrow(1, 0, 1), normed);
  return MlpBlock(params, prefix, eps, act, h);
}

void AppendEncoderLayerShapes(const std::string& p, int64_t d, int64_t inner, ParamShapes* shapes) {
  shapes->push_back({p + "layer_norm1.weight", {d}});
  shapes->push_back({p + "layer_norm1.bias", {d}});
  for (const char* proj : {"q_proj", "k_proj", "v_proj", "out_proj"}) {
    shapes->push_back({p + "self_attn." + proj + ".weight", {d, d}});
    shapes->push_back({p + "self_attn." + proj + ".bias", {d}});
  }
  shapes->push_back({p + "layer_norm2.weight", {d}});
  shapes->push_back({p + "layer_norm2.bias", {d}});
  shapes->push_back({p + "mlp.fc1.weight", {inner, d}});
  shapes->push_back({p + "mlp.fc1.bias", {inner}});
  shapes->push_back({p + "mlp.fc2.weight", {d, inner}});
  shapes->push_back({p + "mlp.fc2.bias", {d}});
}

Status CheckParamShapes(const std::string& tower, const io::TensorMap& params, const ParamShapes& shapes) {
  const std::string what = tower + " parameters: ";
  const torch::Tensor* first = nullptr;
  std::string first_key;
  for (const auto& [key, shape] : shapes) {
    auto it = params.find(key);
    if (it == params.end() || !it->second.defined()) {
      return Status::NotFound(what + "missing tensor '" + key + "' (expected shape " + io::ShapeString(shape) + ")");
    }
    const torch::Tensor& t = it->second;
    if (t.sizes() != c10::IntArrayRef(shape)) {
      return Status::InvalidArgument(what + "tensor '" + key + "' has shape " + io::ShapeString(t.sizes()) +
                                     ", expected " + io::ShapeString(shape));
    }
    if (first == nullptr) {
      if (!torch::isFloatingType(t.scalar_type())) {
        return Status::InvalidArgument(what + "tensor '" + key + "' has dtype " +
                                       std::string(c10::toString(t.scalar_type())) +
                                       ", expected a floating-point dtype");
      }
      first = &t, first_key = key;
      continue;
    }
    if (t.scalar_type() != first->scalar_type()) {
      return Status::InvalidArgument(what + "tensor '" + key + "' has dtype " + c10::toString(t.scalar_type()) +
                                     ", expected " + c10::toString(first->scalar_type()) + " (the dtype of '" +
                                     first_key + "')");
    }
    if (t.device() != first->device()) {
      return Status::InvalidArgument(what + "tensor '" + key + "' is on " + t.device().str() + ", expected " +
                                     first->device().str() + " (the device of '" + first_key + "')");
    }
  }
  return Status::Ok();
}

}  // namespace pwemoe::model
