// Hugging Face `config.json` for the CLIP towers. Vision: a CLIPVisionConfig
// (model_type "clip_vision_model") or a CLIPConfig (model_type "clip") whose "vision_config" (or,
// in older files, non-null "vision_config_dict", which takes precedence as in transformers) holds
// the vision fields. Text: a CLIPTextConfig (model_type "clip_text_model") or a CLIPConfig whose
// "text_config" (or non-null "text_config_dict", which takes precedence) holds the text fields.
//
// Every function is thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <string>

#include "pwemoe/util/status.h"

namespace pwemoe::io {

// The vision-tower fields pwemoe uses, with transformers' CLIPVisionConfig defaults.
struct ClipVisionConfig {
  int64_t hidden_size = 768;
  int64_t intermediate_size = 3072;
  int64_t num_hidden_layers = 12;
  int64_t num_attention_heads = 12;
  int64_t image_size = 224;
  int64_t patch_size = 32;
  int64_t num_channels = 3;
  std::string hidden_act = "quick_gelu";
  double layer_norm_eps = 1e-5;
  // Width of visual_projection: the CLIPConfig's top-level projection_dim for model_type "clip",
  // the vision config's own for "clip_vision_model".
  int64_t projection_dim = 512;
};

// Parses config.json text; `name` (the path) starts every message. Missing fields take the
// defaults above; unknown keys are ignored. Corrupt "<name>: <key>: ..." for invalid JSON, a field
// of the wrong JSON type (integers must be JSON integers), a non-positive or too large (> 2^31-1)
// size, a non-positive or non-finite layer_norm_eps, an activation transformers does not know,
// hidden_size not divisible by num_attention_heads, image_size not divisible by patch_size.
// InvalidArgument for a model_type other than "clip" or "clip_vision_model" (or none).
Status ParseClipVisionConfig(const std::string& name, const std::string& text,
                             ClipVisionConfig* out);

// Reads and parses `path`, a config.json or a folder holding one. NotFound / IoError when it cannot
// be read; otherwise as ParseClipVisionConfig.
Status LoadClipVisionConfig(const std::string& path, ClipVisionConfig* out);

// The config.json text of a CLIPVisionConfig (model_type "clip_vision_model", architectures
// [`architecture`], every field above), pretty-printed with sorted keys. InvalidArgument when the
// config fails the checks ParseClipVisionConfig applies.
Status ClipVisionConfigToJson(const ClipVisionConfig& config, const std::string& architecture,
                              std::string* out);

// Writes ClipVisionConfigToJson(config, architecture) to `path` atomically (temporary file, then
// rename). The default architecture matches a checkpoint with vision_model.* and
// visual_projection.weight keys. IoError naming the path on failure.
Status WriteClipVisionConfig(const std::string& path, const ClipVisionConfig& config,
                             const std::string& architecture = "CLIPVisionModelWithProjection");

// The text-tower fields pwemoe uses, with transformers' CLIPTextConfig defaults.
struct ClipTextConfig {
  int64_t vocab_size = 49408;
  int64_t hidden_size = 512;
  int64_t intermediate_size = 2048;
  int64_t num_hidden_layers = 12;
  int64_t num_attention_heads = 8;
  int64_t max_position_embeddings = 77;
  std::string hidden_act = "quick_gelu";
  double layer_norm_eps = 1e-5;
  // The id the text tower pools at. 2 in configs written before transformers PR #24773 (which
  // pool at the argmax of the input ids instead; see pwemoe/model/clip_text.h).
  int64_t eos_token_id = 49407;
  // Width of text_projection: the CLIPConfig's top-level projection_dim for model_type "clip",
  // the text config's own for "clip_text_model".
  int64_t projection_dim = 512;
};

// Parses config.json text for the text tower; `name` (the path) starts every message. Missing
// fields take the defaults above; unknown keys are ignored. Corrupt "<name>: <key>: ..." (for a
// CLIPConfig the key prefixed with "text_config." or "text_config_dict.") for invalid JSON, a
// field of the wrong JSON type (integers must be JSON integers), a non-positive or too large
// (> 2^31-1) size, a negative or too large eos_token_id, a non-positive or non-finite
// layer_norm_eps, an activation transformers does not know, hidden_size not divisible by
// num_attention_heads. InvalidArgument for a model_type other than "clip" or "clip_text_model"
// (or none).
Status ParseClipTextConfig(const std::string& name, const std::string& text, ClipTextConfig* out);

// Reads and parses `path`, a config.json or a folder holding one. NotFound / IoError when it cannot
// be read; otherwise as ParseClipTextConfig.
Status LoadClipTextConfig(const std::string& path, ClipTextConfig* out);

}  // namespace pwemoe::io
