#include "pwemoe/io/hf_config.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "pwemoe/util/files.h"
#include "pwemoe/io/json_file.h"
#include "pwemoe/util/strings.h"

namespace pwemoe::io {

namespace {

using json = nlohmann::json;

constexpr int64_t kMaxSize = 2147483647;  // 2^31 - 1

// transformers' ACT2FN names.
const std::vector<std::string>& KnownActivations() {
  static const std::vector<std::string> names = {
      "gelu",          "gelu_10", "gelu_fast",  "gelu_new", "gelu_python", "gelu_pytorch_tanh",
      "gelu_accurate", "laplace", "leaky_relu", "linear",   "mish",        "prelu",
      "quick_gelu",    "relu",    "relu2",      "relu6",    "sigmoid",     "silu",
      "swish",         "tanh"};
  return names;
}

// Reads obj[key] into *out when present. `where` is "<file>: <prefix>".
Status ReadInt(const json& obj, const std::string& where, const char* key, int64_t* out) {
  auto it = obj.find(key);
  if (it == obj.end()) return Status::Ok();
  if (!it->is_number_integer()) {
    return Status::Corrupt(where + key + ": " + DescribeJson(*it) + " is not an integer");
  }
  if (it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(kMaxSize)) {
    return Status::Corrupt(where + key + ": " + DescribeJson(*it) + " must be in [1, 2147483647]");
  }
  *out = it->get<int64_t>();
  return Status::Ok();
}

Status ReadDouble(const json& obj, const std::string& where, const char* key, double* out) {
  auto it = obj.find(key);
  if (it == obj.end()) return Status::Ok();
  if (!it->is_number()) {
    return Status::Corrupt(where + key + ": " + DescribeJson(*it) + " is not a number");
  }
  *out = it->get<double>();
  return Status::Ok();
}

Status ReadString(const json& obj, const std::string& where, const char* key, std::string* out) {
  auto it = obj.find(key);
  if (it == obj.end()) return Status::Ok();
  if (!it->is_string()) {
    return Status::Corrupt(where + key + ": " + DescribeJson(*it) + " is not a string");
  }
  *out = it->get<std::string>();
  return Status::Ok();
}

// Reads the vision fields of `obj` (projection_dim is read by the caller).
Status ReadVisionFields(const json& obj, const std::string& where, ClipVisionConfig* c) {
  PWEMOE_RETURN_IF_ERROR(ReadInt(obj, where, "hidden_size", &c->hidden_size));
  PWEMOE_RETURN_IF_ERROR(ReadInt(obj, where, "intermediate_size", &c->intermediate_size));
  PWEMOE_RETURN_IF_ERROR(ReadInt(obj, where, "num_hidden_layers", &c->num_hidden_layers));
  PWEMOE_RETURN_IF_ERROR(ReadInt(obj, where, "num_attention_heads", &c->num_attention_heads));
  PWEMOE_RETURN_IF_ERROR(ReadInt(obj, where, "image_size", &c->image_size));
  PWEMOE_RETURN_IF_ERROR(ReadInt(obj, where, "patch_size", &c->patch_size));
  PWEMOE_RETURN_IF_ERROR(ReadInt(obj, where, "num_channels", &c->num_channels));
  PWEMOE_RETURN_IF_ERROR(ReadString(obj, where, "hidden_act", &c->hidden_act));
  return ReadDouble(obj, where, "layer_norm_eps", &c->layer_norm_eps);
}

using SizeField = std::pair<const char*, int64_t>;

// "<prefix><key>: <value> must be in [1, 2147483647]" for the first of `sizes` outside that
// range; "" when all lie in it.
std::string SizeProblem(const std::vector<SizeField>& sizes, const std::string& prefix) {
  for (const auto& [key, value] : sizes) {
    if (value < 1 || value > kMaxSize) {
      return prefix + key + ": " + std::to_string(value) + " must be in [1, 2147483647]";
    }
  }
  return "";
}

// The fields both towers have and check alike.
struct TowerFields {
  int64_t projection_dim = 0, hidden_size = 0, num_attention_heads = 0;
  double layer_norm_eps = 0;
  std::string hidden_act;
};

// The checks both towers share, in this order: projection_dim (a CLIPConfig key, so without
// `prefix`), layer_norm_eps, hidden_act, num_attention_heads dividing hidden_size. "" when all
// pass.
std::string TowerProblem(const TowerFields& f, const std::string& prefix) {
  if (f.projection_dim < 1 || f.projection_dim > kMaxSize) {
    return "projection_dim: " + std::to_string(f.projection_dim) + " must be in [1, 2147483647]";
  }
  if (!(f.layer_norm_eps > 0) || !std::isfinite(f.layer_norm_eps)) {
    return prefix + "layer_norm_eps: must be positive and finite";
  }
  const auto& acts = KnownActivations();
  if (std::find(acts.begin(), acts.end(), f.hidden_act) == acts.end()) {
    return prefix + "hidden_act: unknown activation '" + f.hidden_act + "'" +
           DidYouMean(f.hidden_act, acts) + " (known: " + Join(acts, ", ") + ")";
  }
  if (f.hidden_size % f.num_attention_heads != 0) {
    return prefix + "num_attention_heads: " + std::to_string(f.num_attention_heads) +
           " does not divide hidden_size " + std::to_string(f.hidden_size);
  }
  return "";
}

// "" when `c` is valid, else "<key>: <problem>". `prefix` is prepended to vision keys.
std::string Problem(const ClipVisionConfig& c, const std::string& prefix) {
  std::string problem = SizeProblem({{"hidden_size", c.hidden_size},
                                     {"intermediate_size", c.intermediate_size},
                                     {"num_hidden_layers", c.num_hidden_layers},
                                     {"num_attention_heads", c.num_attention_heads},
                                     {"image_size", c.image_size},
                                     {"patch_size", c.patch_size},
                                     {"num_channels", c.num_channels}},
                                    prefix);
  if (problem.empty()) {
    problem = TowerProblem({c.projection_dim, c.hidden_size, c.num_attention_heads,
                            c.layer_norm_eps, c.hidden_act},
                           prefix);
  }
  if (!problem.empty()) return problem;
  if (c.image_size % c.patch_size != 0) {
    return prefix + "patch_size: " + std::to_string(c.patch_size) + " does not divide image_size " +
           std::to_string(c.image_size);
  }
  return "";
}

// The object holding a CLIPConfig's fields of one tower: non-null `<tower>_config_dict`, else
// `<tower>_config`, else none (all defaults). Sets *key to the one used.
Status FindTowerObject(const std::string& name, const json& doc, const std::string& tower,
                       const json** object, std::string* key) {
  static const json kEmpty = json::object();
  *object = &kEmpty;
  for (const std::string& candidate : {tower + "_config_dict", tower + "_config"}) {
    auto it = doc.find(candidate);
    if (it == doc.end() || it->is_null()) continue;
    if (!it->is_object()) {
      return Status::Corrupt(name + ": " + candidate + ": " + DescribeJson(*it) +
                             " is not an object");
    }
    *object = &*it;
    *key = candidate;
    return Status::Ok();
  }
  *key = tower + "_config";
  return Status::Ok();
}

// model_type must be "clip" or `tower_type` ("clip_vision_model", "clip_text_model").
Status ParseModelType(const std::string& name, const json& doc, const std::string& tower_type,
                      std::string* model_type) {
  const std::string expected = "expected \"" + tower_type + "\" or \"clip\"";
  auto it = doc.find("model_type");
  if (it == doc.end()) {
    return Status::InvalidArgument(name + ": model_type: missing; " + expected);
  }
  if (!it->is_string()) {
    return Status::Corrupt(name + ": model_type: " + DescribeJson(*it) + " is not a string");
  }
  *model_type = it->get<std::string>();
  if (*model_type != "clip" && *model_type != tower_type) {
    return Status::InvalidArgument(name + ": model_type: \"" + *model_type +
                                   "\" is not supported; " + expected);
  }
  return Status::Ok();
}

// The object of the config document `doc` that holds one tower's fields, and the prefix of its
// keys in messages: `doc` itself and "" for the tower's own config (model_type `tower_type`), or
// the `tower` object of a CLIPConfig (model_type "clip") and "<its key>.".
Status FindTowerFields(const std::string& name, const json& doc, const std::string& tower_type,
                       const std::string& tower, const json** fields, std::string* prefix) {
  if (!doc.is_object()) {
    return Status::Corrupt(name + ": " + DescribeJson(doc) + " is not an object");
  }
  std::string model_type;
  PWEMOE_RETURN_IF_ERROR(ParseModelType(name, doc, tower_type, &model_type));
  *fields = &doc;
  prefix->clear();
  if (model_type != "clip") return Status::Ok();
  std::string key;
  PWEMOE_RETURN_IF_ERROR(FindTowerObject(name, doc, tower, fields, &key));
  *prefix = key + ".";
  return Status::Ok();
}

Status ParseConfigDoc(const std::string& name, const json& doc, ClipVisionConfig* out) {
  const json* vision = nullptr;
  std::string prefix;
  PWEMOE_RETURN_IF_ERROR(
      FindTowerFields(name, doc, "clip_vision_model", "vision", &vision, &prefix));
  ClipVisionConfig config;
  PWEMOE_RETURN_IF_ERROR(ReadVisionFields(*vision, name + ": " + prefix, &config));
  PWEMOE_RETURN_IF_ERROR(ReadInt(doc, name + ": ", "projection_dim", &config.projection_dim));
  std::string problem = Problem(config, prefix);
  if (!problem.empty()) return Status::Corrupt(name + ": " + problem);
  *out = config;
  return Status::Ok();
}

// ---- text tower --------------------------------------------------------------------------------

Status ReadTextFields(const json& obj, const std::string& where, ClipTextConfig* c) {
  PWEMOE_RETURN_IF_ERROR(ReadInt(obj, where, "vocab_size", &c->vocab_size));
  PWEMOE_RETURN_IF_ERROR(ReadInt(obj, where, "hidden_size", &c->hidden_size));
  PWEMOE_RETURN_IF_ERROR(ReadInt(obj, where, "intermediate_size", &c->intermediate_size));
  PWEMOE_RETURN_IF_ERROR(ReadInt(obj, where, "num_hidden_layers", &c->num_hidden_layers));
  PWEMOE_RETURN_IF_ERROR(ReadInt(obj, where, "num_attention_heads", &c->num_attention_heads));
  PWEMOE_RETURN_IF_ERROR(
      ReadInt(obj, where, "max_position_embeddings", &c->max_position_embeddings));
  PWEMOE_RETURN_IF_ERROR(ReadInt(obj, where, "eos_token_id", &c->eos_token_id));
  PWEMOE_RETURN_IF_ERROR(ReadString(obj, where, "hidden_act", &c->hidden_act));
  return ReadDouble(obj, where, "layer_norm_eps", &c->layer_norm_eps);
}

// "" when `c` is valid, else "<key>: <problem>". `prefix` is prepended to text keys.
std::string TextProblem(const ClipTextConfig& c, const std::string& prefix) {
  const std::string problem = SizeProblem({{"vocab_size", c.vocab_size},
                                           {"hidden_size", c.hidden_size},
                                           {"intermediate_size", c.intermediate_size},
                                           {"num_hidden_layers", c.num_hidden_layers},
                                           {"num_attention_heads", c.num_attention_heads},
                                           {"max_position_embeddings", c.max_position_embeddings}},
                                          prefix);
  if (!problem.empty()) return problem;
  if (c.eos_token_id < 0 || c.eos_token_id > kMaxSize) {
    return prefix + "eos_token_id: " + std::to_string(c.eos_token_id) +
           " must be in [0, 2147483647]";
  }
  return TowerProblem({c.projection_dim, c.hidden_size, c.num_attention_heads, c.layer_norm_eps,
                       c.hidden_act},
                      prefix);
}

Status ParseTextConfigDoc(const std::string& name, const json& doc, ClipTextConfig* out) {
  const json* text = nullptr;
  std::string prefix;
  PWEMOE_RETURN_IF_ERROR(FindTowerFields(name, doc, "clip_text_model", "text", &text, &prefix));
  ClipTextConfig config;
  PWEMOE_RETURN_IF_ERROR(ReadTextFields(*text, name + ": " + prefix, &config));
  // CLIPModel's text_projection is [CLIPConfig.projection_dim, hidden]; a CLIPTextConfig's own
  // projection_dim serves CLIPTextModelWithProjection.
  PWEMOE_RETURN_IF_ERROR(ReadInt(doc, name + ": ", "projection_dim", &config.projection_dim));
  std::string problem = TextProblem(config, prefix);
  if (!problem.empty()) return Status::Corrupt(name + ": " + problem);
  *out = config;
  return Status::Ok();
}

// Parses `text` as JSON into *doc; Corrupt naming `name` otherwise.
Status ParseJsonText(const std::string& name, const std::string& text, json* doc) {
  if (text.find('\0') != std::string::npos) {
    return Status::Corrupt(name + ": invalid JSON: the file contains a NUL byte");
  }
  try {
    *doc = json::parse(text);
  } catch (const json::exception& e) {
    return Status::Corrupt(name + ": invalid JSON: " + e.what());
  }
  return Status::Ok();
}

// `path` itself, or `path`/config.json when it is a folder.
std::string ConfigFile(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_directory(path, ec)
             ? (std::filesystem::path(path) / "config.json").string()
             : path;
}

}  // namespace

Status ParseClipVisionConfig(const std::string& name, const std::string& text,
                             ClipVisionConfig* out) {
  json doc;
  PWEMOE_RETURN_IF_ERROR(ParseJsonText(name, text, &doc));
  return ParseConfigDoc(name, doc, out);
}

Status LoadClipVisionConfig(const std::string& path, ClipVisionConfig* out) {
  const std::string file = ConfigFile(path);
  json doc;
  PWEMOE_RETURN_IF_ERROR(ReadJsonFile(file, &doc));  // NotFound / IoError / invalid JSON
  return ParseConfigDoc(file, doc, out);
}

Status ParseClipTextConfig(const std::string& name, const std::string& text,
                           ClipTextConfig* out) {
  json doc;
  PWEMOE_RETURN_IF_ERROR(ParseJsonText(name, text, &doc));
  return ParseTextConfigDoc(name, doc, out);
}

Status LoadClipTextConfig(const std::string& path, ClipTextConfig* out) {
  const std::string file = ConfigFile(path);
  json doc;
  PWEMOE_RETURN_IF_ERROR(ReadJsonFile(file, &doc));  // NotFound / IoError / invalid JSON
  return ParseTextConfigDoc(file, doc, out);
}

Status ClipVisionConfigToJson(const ClipVisionConfig& config, const std::string& architecture,
                              std::string* out) {
  std::string problem = Problem(config, "");
  if (!problem.empty()) return Status::InvalidArgument("CLIP vision config: " + problem);
  json doc = {{"model_type", "clip_vision_model"},
              {"architectures", json::array({architecture})},
              {"hidden_size", config.hidden_size},
              {"intermediate_size", config.intermediate_size},
              {"num_hidden_layers", config.num_hidden_layers},
              {"num_attention_heads", config.num_attention_heads},
              {"image_size", config.image_size},
              {"patch_size", config.patch_size},
              {"num_channels", config.num_channels},
              {"hidden_act", config.hidden_act},
              {"layer_norm_eps", config.layer_norm_eps},
              {"projection_dim", config.projection_dim}};
  try {
    *out = doc.dump(2) + "\n";
  } catch (const json::exception& e) {
    return Status::InvalidArgument(std::string("CLIP vision config: architecture is not valid "
                                               "UTF-8: ") +
                                   e.what());
  }
  return Status::Ok();
}

Status WriteClipVisionConfig(const std::string& path, const ClipVisionConfig& config,
                             const std::string& architecture) {
  std::string text;
  Status st = ClipVisionConfigToJson(config, architecture, &text);
  if (!st.ok()) return st.WithContext(path);
  return WriteFileAtomically(path, text);
}

}  // namespace pwemoe::io
