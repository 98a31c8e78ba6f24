#include "pwemoe/model/clip_text.h"

#include <cmath>
#include <exception>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <utility>

#include <torch/torch.h>

#include "pwemoe/io/checkpoint.h"
#include "pwemoe/io/tensor_messages.h"
#include "pwemoe/util/strings.h"

namespace pwemoe::model {

namespace {

using io::ExceptionText;
using io::ShapeString;

// ---- validation --------------------------------------------------------------------------------

Status TextActivation(const ClipTextConfig& config, Activation* act) {
  Status st = ParseActivation(config.hidden_act, act);
  return st.ok() ? st : st.WithContext("CLIP text config");
}

Status CheckPositive(const char* field, int64_t value) {
  if (value > 0) return Status::Ok();
  return Status::InvalidArgument("CLIP text config: " + std::string(field) + " is " +
                                 std::to_string(value) + ", must be positive");
}

// Shape, dtype and range of the ids; `ids` receives them as int64 on the CPU.
Status CheckIds(const ClipTextConfig& config, const torch::Tensor& input_ids, torch::Tensor* ids) {
  if (!input_ids.defined()) {
    return Status::InvalidArgument("CLIP text forward: input_ids undefined");
  }
  if (input_ids.dim() != 2 || input_ids.size(0) < 1 || input_ids.size(1) < 1 ||
      input_ids.size(1) > config.max_position_embeddings) {
    return Status::InvalidArgument(
        "CLIP text forward: input_ids have shape " + ShapeString(input_ids.sizes()) +
        ", expected [B >= 1, T] with 1 <= T <= max_position_embeddings " +
        std::to_string(config.max_position_embeddings));
  }
  const torch::ScalarType type = input_ids.scalar_type();
  if (!torch::isIntegralType(type, /*includeBool=*/false)) {
    return Status::InvalidArgument(std::string("CLIP text forward: input_ids have dtype ") +
                                   c10::toString(type) + ", expected an integer dtype");
  }
  torch::Tensor cpu = input_ids.to(torch::kCPU, torch::kLong).contiguous();
  auto a = cpu.accessor<int64_t, 2>();
  for (int64_t b = 0; b < cpu.size(0); ++b) {
    for (int64_t t = 0; t < cpu.size(1); ++t) {
      if (a[b][t] < 0 || a[b][t] >= config.vocab_size) {
        return Status::InvalidArgument(
            "CLIP text forward: input_ids[" + std::to_string(b) + ", " + std::to_string(t) +
            "] = " + std::to_string(a[b][t]) + " is outside the vocabulary [0, " +
            std::to_string(config.vocab_size) + ")");
      }
    }
  }
  *ids = std::move(cpu);
  return Status::Ok();
}

// The pooling position of each row of validated int64 CPU ids.
Status PoolIndices(const ClipTextConfig& config, const torch::Tensor& ids, torch::Tensor* out) {
  const int64_t rows = ids.size(0), length = ids.size(1);
  torch::Tensor indices = torch::empty({rows}, torch::kLong);
  auto a = ids.accessor<int64_t, 2>();
  auto idx = indices.accessor<int64_t, 1>();
  const bool legacy = config.eos_token_id == kLegacyEosTokenId;
  for (int64_t b = 0; b < rows; ++b) {
    int64_t at = -1;
    for (int64_t t = 0; t < length; ++t) {
      if (legacy ? (at < 0 || a[b][t] > a[b][at]) : (a[b][t] == config.eos_token_id)) {
        at = t;
        if (!legacy) break;
      }
    }
    if (at < 0) {
      return Status::InvalidArgument("CLIP text forward: input_ids row " + std::to_string(b) +
                                     " holds no eos_token_id " +
                                     std::to_string(config.eos_token_id) + ", nowhere to pool");
    }
    idx[b] = at;
  }
  *out = std::move(indices);
  return Status::Ok();
}

// ---- forward -----------------------------------------------------------------------------------
// These assume validated parameters; a missing key throws std::out_of_range, caught at the API.

// [B, T] ids (on the parameters' device) -> pooled [B, D], pooling at `indices` ([B], same device).
torch::Tensor Pooled(const ClipTextConfig& config, const TensorMap& params, Activation act,
                     const torch::Tensor& ids, const torch::Tensor& indices) {
  const int64_t rows = ids.size(0), length = ids.size(1), width = config.hidden_size;
  torch::Tensor h = torch::embedding(ParamAt(params, kTokenEmbedding), ids) +
                    ParamAt(params, kTextPositionEmbedding).slice(0, 0, length);
  for (int64_t layer = 0; layer < config.num_hidden_layers; ++layer) {
    h = ClipEncoderLayer(params, ClipTextLayerPrefix(layer), config.num_attention_heads,
                         config.layer_norm_eps, act, /*causal=*/true, h);
  }
  torch::Tensor at = h.gather(1, indices.reshape({rows, 1, 1}).expand({rows, 1, width}));
  return ClipLayerNorm(params, kFinalLayerNorm, config.layer_norm_eps, at.squeeze(1));
}

// Shared by both entry points: checks the config and ids, runs the tower, optionally projects.
Status RunForward(const ClipTextConfig& config, const TensorMap& params,
                  const torch::Tensor& input_ids, bool project, torch::Tensor* out) {
  Activation act;
  PWEMOE_RETURN_IF_ERROR(TextActivation(config, &act));
  auto token = params.find(kTokenEmbedding);
  if (token == params.end() || !token->second.defined()) {
    return Status::Internal(std::string("CLIP text forward: no '") + kTokenEmbedding +
                            "' (parameters not validated)");
  }
  torch::Tensor indices;
  try {
    PWEMOE_RETURN_IF_ERROR(ClipTextPoolIndices(config, input_ids, &indices));
    // Causal attention: positions after the last pooling position cannot change the result.
    const int64_t used = indices.max().item<int64_t>() + 1;
    const torch::Device device = token->second.device();
    torch::Tensor ids = input_ids.slice(1, 0, used).to(device, torch::kLong);
    torch::Tensor result = Pooled(config, params, act, ids, indices.to(device));
    if (project) result = torch::linear(result, ParamAt(params, kTextProjection));
    *out = std::move(result);
  } catch (const std::out_of_range& e) {
    return Status::Internal(std::string("CLIP text forward: ") + e.what() +
                            " (parameters not validated with ValidateClipTextParams)");
  } catch (const std::exception& e) {
    return Status::Internal("CLIP text forward: " + ExceptionText(e));
  }
  return Status::Ok();
}

// ---- loading -----------------------------------------------------------------------------------

// The path of the checkpoint file that holds `name` (the checkpoint's own path if none does).
std::string FileHolding(const io::Checkpoint& checkpoint, const std::string& name) {
  for (const auto& file : checkpoint.files()) {
    if (file->Find(name) != nullptr) return file->path();
  }
  return checkpoint.path();
}

bool IsFloatDType(io::DType dtype) {
  return dtype == io::DType::kF32 || dtype == io::DType::kF16 || dtype == io::DType::kBF16 ||
         dtype == io::DType::kF64;
}

// Finds `key` in the checkpoint, checks its shape against `shape` (null: any) and its dtype, and
// loads it as float32.
Status LoadChecked(const io::Checkpoint& checkpoint, const std::string& config_file,
                   const std::string& key, const std::vector<int64_t>* shape, torch::Tensor* out) {
  const io::TensorInfo* info = checkpoint.Find(key);
  if (info == nullptr) {
    return Status::NotFound(checkpoint.path() + ": missing tensor '" + key + "'" +
                            (shape ? " (expected shape " + ShapeString(*shape) + ")" : ""));
  }
  const std::string file = FileHolding(checkpoint, key);
  const std::string where = file + ": tensor '" + key + "'";
  if (shape != nullptr && info->shape != *shape) {
    return Status::Corrupt(where + " has shape " + ShapeString(info->shape) + ", expected " +
                           ShapeString(*shape) + " (" + config_file + ")");
  }
  if (!IsFloatDType(info->dtype)) {
    return Status::Corrupt(where + " has dtype " + io::DTypeName(info->dtype) +
                           ", expected F32, F16, BF16 or F64");
  }
  torch::Tensor t;
  PWEMOE_RETURN_IF_ERROR(io::LoadTensor(file, *info, &t));  // F16 / BF16 widen to F32
  try {
    *out = t.to(torch::kFloat32);
  } catch (const std::exception& e) {
    return Status::Internal(where + ": " + ExceptionText(e));
  }
  return Status::Ok();
}

Status LoadLogitScale(const io::Checkpoint& checkpoint, const std::string& config_file,
                      double* out) {
  torch::Tensor t;
  PWEMOE_RETURN_IF_ERROR(LoadChecked(checkpoint, config_file, kClipLogitScale, nullptr, &t));
  const std::string where = FileHolding(checkpoint, kClipLogitScale) + ": tensor '" +
                            kClipLogitScale + "'";
  if (t.dim() > 1 || t.numel() != 1) {
    return Status::Corrupt(where + " has shape " + ShapeString(t.sizes()) +
                           ", expected [] or [1]");
  }
  const double value = t.to(torch::kFloat64).item<double>();
  if (!std::isfinite(value)) {
    return Status::Corrupt(where + " is " + FormatDouble(value) + ", expected a finite value");
  }
  *out = value;
  return Status::Ok();
}

}  // namespace

std::string ClipTextLayerPrefix(int64_t layer) {
  return "text_model.encoder.layers." + std::to_string(layer) + ".";
}

Status ValidateClipTextConfig(const ClipTextConfig& config) {
  PWEMOE_RETURN_IF_ERROR(CheckPositive("vocab_size", config.vocab_size));
  PWEMOE_RETURN_IF_ERROR(CheckPositive("hidden_size", config.hidden_size));
  PWEMOE_RETURN_IF_ERROR(CheckPositive("intermediate_size", config.intermediate_size));
  PWEMOE_RETURN_IF_ERROR(CheckPositive("num_hidden_layers", config.num_hidden_layers));
  PWEMOE_RETURN_IF_ERROR(CheckPositive("num_attention_heads", config.num_attention_heads));
  PWEMOE_RETURN_IF_ERROR(
      CheckPositive("max_position_embeddings", config.max_position_embeddings));
  PWEMOE_RETURN_IF_ERROR(CheckPositive("projection_dim", config.projection_dim));
  if (config.hidden_size % config.num_attention_heads != 0) {
    return Status::InvalidArgument(
        "CLIP text config: hidden_size " + std::to_string(config.hidden_size) +
        " is not divisible by num_attention_heads " + std::to_string(config.num_attention_heads));
  }
  if (config.eos_token_id < 0) {
    return Status::InvalidArgument("CLIP text config: eos_token_id is " +
                                   std::to_string(config.eos_token_id) + ", must be >= 0");
  }
  if (!(config.layer_norm_eps > 0) || !std::isfinite(config.layer_norm_eps)) {
    return Status::InvalidArgument("CLIP text config: layer_norm_eps " +
                                   FormatDouble(config.layer_norm_eps) +
                                   " must be positive and finite");
  }
  Activation act;
  return TextActivation(config, &act);
}

std::vector<std::pair<std::string, std::vector<int64_t>>> ClipTextParamShapes(
    const ClipTextConfig& config, bool with_projection) {
  const int64_t d = config.hidden_size, inner = config.intermediate_size;
  std::vector<std::pair<std::string, std::vector<int64_t>>> shapes = {
      {kTokenEmbedding, {config.vocab_size, d}},
      {kTextPositionEmbedding, {config.max_position_embeddings, d}},
  };
  for (int64_t layer = 0; layer < config.num_hidden_layers; ++layer) {
    const std::string p = ClipTextLayerPrefix(layer);
    AppendEncoderLayerShapes(p, d, inner, &shapes);
  }
  shapes.push_back({std::string(kFinalLayerNorm) + ".weight", {d}});
  shapes.push_back({std::string(kFinalLayerNorm) + ".bias", {d}});
  if (with_projection) shapes.push_back({kTextProjection, {config.projection_dim, d}});
  return shapes;
}

Status ValidateClipTextParams(const ClipTextConfig& config, const TensorMap& params,
                              bool with_projection) {
  PWEMOE_RETURN_IF_ERROR(ValidateClipTextConfig(config));
  return CheckParamShapes("CLIP text", params, ClipTextParamShapes(config, with_projection));
}

Status ClipTextPoolIndices(const ClipTextConfig& config, const torch::Tensor& input_ids,
                           torch::Tensor* indices) {
  PWEMOE_RETURN_IF_ERROR(ValidateClipTextConfig(config));
  try {
    torch::Tensor ids;
    PWEMOE_RETURN_IF_ERROR(CheckIds(config, input_ids, &ids));
    return PoolIndices(config, ids, indices);
  } catch (const std::exception& e) {
    return Status::Internal("CLIP text forward: " + ExceptionText(e));
  }
}

Status ClipTextPooled(const ClipTextConfig& config, const TensorMap& params,
                      const torch::Tensor& input_ids, torch::Tensor* pooled) {
  return RunForward(config, params, input_ids, /*project=*/false, pooled);
}

Status ClipTextForward(const ClipTextConfig& config, const TensorMap& params,
                       const torch::Tensor& input_ids, torch::Tensor* text_embeds) {
  return RunForward(config, params, input_ids, /*project=*/true, text_embeds);
}

Status LoadClipTextModel(const std::string& folder, ClipTextModel* out) {
  const std::string config_file = (std::filesystem::path(folder) / "config.json").string();
  ClipTextModel model;
  PWEMOE_RETURN_IF_ERROR(io::LoadClipTextConfig(config_file, &model.config));
  Status st = ValidateClipTextConfig(model.config);
  if (!st.ok()) return st.WithContext(config_file);
  std::unique_ptr<io::Checkpoint> checkpoint;
  PWEMOE_RETURN_IF_ERROR(io::Checkpoint::Open(folder, &checkpoint));
  for (const auto& [key, shape] : ClipTextParamShapes(model.config)) {
    PWEMOE_RETURN_IF_ERROR(LoadChecked(*checkpoint, config_file, key, &shape, &model.params[key]));
  }
  PWEMOE_RETURN_IF_ERROR(LoadLogitScale(*checkpoint, config_file, &model.logit_scale));
  *out = std::move(model);
  return Status::Ok();
}

}  // namespace pwemoe::model
