// The CLIP text tower against numpy (tests/model/make_clip_text_golden.py, an independent forward
// on a tiny random model; its outputs are committed in clip_text_golden/): the first-eos and the
// legacy argmax pooling, F32 / F16 / BF16 / sharded checkpoints, batches of different lengths, and
// the errors for missing or misshapen tensors and bad token ids.
#include "pwemoe/model/clip_text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

namespace pwemoe::model {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const std::string kGolden = std::string(PWEMOE_TEST_DATA_DIR) + "/clip_text_golden";

double MaxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

class ClipText : public ::testing::Test {
 protected:
  void SetUp() override {
    torch::set_num_threads(1);
    std::string pattern = ::testing::TempDir() + "pwemoe_clip_text_XXXXXX";
    std::vector<char> name(pattern.begin(), pattern.end());
    name.push_back('\0');
    ASSERT_NE(::mkdtemp(name.data()), nullptr) << pattern;
    dir_ = name.data();
    Status st = io::LoadTensors(kGolden + "/expected.safetensors", &expected_, {true});
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // The golden model (F32), failing the test when it does not load.
  ClipTextModel Golden() {
    ClipTextModel m;
    Status st = LoadClipTextModel(kGolden, &m);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return m;
  }

  // Every tensor of the golden F32 checkpoint, as stored (vision scraps and position_ids too).
  io::TensorMap GoldenTensors() {
    io::TensorMap t;
    Status st = io::LoadTensors(kGolden + "/model.safetensors", &t, {true});
    EXPECT_TRUE(st.ok()) << st.ToString();
    return t;
  }

  // A model folder under the temp dir: the golden config.json and `tensors` as model.safetensors.
  std::string Folder(const std::string& name, const io::TensorMap& tensors) {
    std::string folder = dir_ + "/" + name;
    fs::create_directories(folder);
    fs::copy_file(kGolden + "/config.json", folder + "/config.json");
    Status st = io::SaveTensors(folder + "/model.safetensors", tensors);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return folder;
  }

  torch::Tensor Embeds(const ClipTextModel& m, const torch::Tensor& ids) {
    torch::Tensor out;
    Status st = ClipTextForward(m.config, m.params, ids, &out);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }

  std::string dir_;
  io::TensorMap expected_;
};

TEST_F(ClipText, MatchesNumpyOnTinyModel) {
  ClipTextModel m = Golden();
  EXPECT_EQ(m.config.vocab_size, 64);
  EXPECT_EQ(m.config.eos_token_id, 63);
  EXPECT_EQ(m.params.size(), ClipTextParamShapes(m.config).size());  // the vision tower not loaded
  EXPECT_FLOAT_EQ(m.logit_scale, 4.6052f);
  const torch::Tensor& ids = expected_.at("ids");
  torch::Tensor embeds = Embeds(m, ids), pooled;
  ASSERT_TRUE(ClipTextPooled(m.config, m.params, ids, &pooled).ok());
  EXPECT_EQ(embeds.sizes(), (std::vector<int64_t>{ids.size(0), 24}));
  EXPECT_EQ(embeds.scalar_type(), torch::kFloat32);
  const double d_embeds = MaxAbsDiff(embeds, expected_.at("text_embeds"));
  const double d_pooled = MaxAbsDiff(pooled, expected_.at("pooled"));
  std::printf("float32 forward vs numpy: text_embeds max |diff| %.3g, pooled %.3g\n", d_embeds,
              d_pooled);
  EXPECT_LT(d_embeds, 1e-4);
  EXPECT_LT(d_pooled, 1e-4);
  // The comparison means something: the outputs are not small.
  EXPECT_GT(expected_.at("text_embeds").abs().max().item<double>(), 0.5);
}

TEST_F(ClipText, Float64ForwardMatchesNumpyToRounding) {
  // In float64 only the same math comes this close to numpy's float64 forward.
  ClipTextModel m = Golden();
  for (auto& [key, t] : m.params) t = t.to(torch::kFloat64);
  ASSERT_TRUE(ValidateClipTextParams(m.config, m.params).ok());
  const double d = MaxAbsDiff(Embeds(m, expected_.at("ids")), expected_.at("text_embeds"));
  std::printf("float64 forward vs numpy: text_embeds max |diff| %.3g\n", d);
  EXPECT_LT(d, 1e-10);
}

TEST_F(ClipText, PoolsAtFirstEosToken) {
  ClipTextModel m = Golden();
  torch::Tensor idx;
  ASSERT_TRUE(ClipTextPoolIndices(m.config, expected_.at("ids"), &idx).ok());
  EXPECT_EQ(std::vector<int64_t>(idx.data_ptr<int64_t>(), idx.data_ptr<int64_t>() + idx.numel()),
            (std::vector<int64_t>{3, 9, 15, 1, 6, 3}));
}

TEST_F(ClipText, LegacyEosTokenIdPoolsAtArgmaxOfIds) {
  ClipTextModel m = Golden();
  m.config.eos_token_id = kLegacyEosTokenId;
  const torch::Tensor& ids = expected_.at("legacy_ids");
  torch::Tensor idx;
  ASSERT_TRUE(ClipTextPoolIndices(m.config, ids, &idx).ok());
  // The first position of each row's largest id; never the position of the id 2.
  EXPECT_EQ(std::vector<int64_t>(idx.data_ptr<int64_t>(), idx.data_ptr<int64_t>() + idx.numel()),
            (std::vector<int64_t>{2, 2, 1, 15, 0}));
  const double d = MaxAbsDiff(Embeds(m, ids), expected_.at("legacy_text_embeds"));
  std::printf("legacy (argmax) pooling vs numpy: max |diff| %.3g\n", d);
  EXPECT_LT(d, 1e-4);
  // Row 0 holds 2 at position 1 and its largest id at position 2: the rules differ there.
  m.config.eos_token_id = 3;  // any other id: the first-eos rule
  ASSERT_TRUE(ClipTextPoolIndices(m.config, ids.slice(0, 2, 3), &idx).ok());
  EXPECT_EQ(idx.item<int64_t>(), 0);  // row 2 = [3, 9, 2, 9, 1, ...]: the first 3
}

TEST_F(ClipText, LoadsF16AndBf16CheckpointsAsFloat32) {
  for (const char* kind : {"f16", "bf16"}) {
    SCOPED_TRACE(kind);
    const std::string folder = dir_ + "/" + kind;
    fs::create_directories(folder);
    fs::copy_file(kGolden + "/config.json", folder + "/config.json");
    fs::copy_file(kGolden + "/model_" + std::string(kind) + ".safetensors",
                  folder + "/model.safetensors");
    ClipTextModel m;
    Status st = LoadClipTextModel(folder, &m);
    ASSERT_TRUE(st.ok()) << st.ToString();
    for (const auto& [key, t] : m.params) EXPECT_EQ(t.scalar_type(), torch::kFloat32) << key;
    const double d = MaxAbsDiff(Embeds(m, expected_.at("ids")),
                                expected_.at(std::string(kind) + "_text_embeds"));
    std::printf("%s checkpoint vs numpy on the same rounded weights: max |diff| %.3g\n", kind, d);
    EXPECT_LT(d, 1e-4);
    // The rounding is visible: these are not the F32 results.
    EXPECT_GT(MaxAbsDiff(expected_.at(std::string(kind) + "_text_embeds"),
                         expected_.at("text_embeds")),
              1e-4);
  }
}

TEST_F(ClipText, LoadsShardedCheckpoint) {
  io::TensorMap all = GoldenTensors(), first, second;
  std::string weight_map;
  for (const auto& [key, t] : all) {
    const bool in_first = key.find("layers.1.") == std::string::npos && key != kTextProjection;
    (in_first ? first : second)[key] = t;
    weight_map += std::string(weight_map.empty() ? "" : ",") + "\"" + key + "\": \"" +
                  (in_first ? "a.safetensors" : "b.safetensors") + "\"";
  }
  const std::string folder = dir_ + "/sharded";
  fs::create_directories(folder);
  fs::copy_file(kGolden + "/config.json", folder + "/config.json");
  ASSERT_TRUE(io::SaveTensors(folder + "/a.safetensors", first).ok());
  ASSERT_TRUE(io::SaveTensors(folder + "/b.safetensors", second).ok());
  std::ofstream(folder + "/model.safetensors.index.json")
      << "{\"metadata\": {}, \"weight_map\": {" << weight_map << "}}";
  ClipTextModel sharded, single = Golden();
  Status st = LoadClipTextModel(folder, &sharded);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(sharded.params.size(), single.params.size());
  for (const auto& [key, t] : single.params) {
    EXPECT_TRUE(torch::equal(sharded.params.at(key), t)) << key;
  }
  EXPECT_EQ(sharded.logit_scale, single.logit_scale);

  // A misshapen tensor in the second shard is reported against that shard's file.
  second["text_model.encoder.layers.1.mlp.fc1.bias"] = torch::zeros({63});
  ASSERT_TRUE(io::SaveTensors(folder + "/b.safetensors", second).ok());
  st = LoadClipTextModel(folder, &sharded);
  EXPECT_EQ(st.code(), Status::Code::kCorrupt);
  EXPECT_THAT(st.message(), HasSubstr(folder + "/b.safetensors: tensor "
                                               "'text_model.encoder.layers.1.mlp.fc1.bias' "
                                               "has shape [63], expected [64]"));
}

TEST_F(ClipText, BatchOfDifferentLengthsMatchesEachRowAlone) {
  ClipTextModel m = Golden();
  const torch::Tensor& ids = expected_.at("ids");
  torch::Tensor batch = Embeds(m, ids), idx;
  ASSERT_TRUE(ClipTextPoolIndices(m.config, ids, &idx).ok());
  double worst = 0;
  for (int64_t r = 0; r < ids.size(0); ++r) {
    // The row alone, cut right after its end token: no padding at all.
    const int64_t length = idx[r].item<int64_t>() + 1;
    torch::Tensor alone = Embeds(m, ids.slice(0, r, r + 1).slice(1, 0, length));
    worst = std::max(worst, MaxAbsDiff(alone, batch.slice(0, r, r + 1)));
  }
  std::printf("rows alone (unpadded) vs in the padded batch: max |diff| %.3g\n", worst);
  EXPECT_LT(worst, 1e-5);

  // Whatever follows the end token changes nothing.
  torch::Tensor other = ids.clone();
  for (int64_t r = 0; r < ids.size(0); ++r) {
    for (int64_t t = idx[r].item<int64_t>() + 1; t < ids.size(1); ++t) other[r][t] = (t * 7) % 60;
  }
  EXPECT_LT(MaxAbsDiff(Embeds(m, other), batch), 1e-6);
}

TEST_F(ClipText, MissingTensorsNameCheckpointAndKey) {
  const char* fc2_bias = "text_model.encoder.layers.1.mlp.fc2.bias";
  int n = 0;
  for (const char* key : {fc2_bias, kTextProjection, kClipLogitScale, kTokenEmbedding}) {
    SCOPED_TRACE(key);
    io::TensorMap t = GoldenTensors();
    t.erase(key);
    const std::string folder = Folder("missing" + std::to_string(n++), t);
    ClipTextModel m;
    m.logit_scale = -7;
    Status st = LoadClipTextModel(folder, &m);
    EXPECT_EQ(st.code(), Status::Code::kNotFound);
    EXPECT_THAT(st.message(), HasSubstr(folder + "/model.safetensors: missing tensor '" +
                                        std::string(key) + "'"));
    if (key == fc2_bias) {
      EXPECT_THAT(st.message(), HasSubstr("(expected shape [32])"));
    }
    EXPECT_EQ(m.logit_scale, -7);  // untouched on error
  }
}

TEST_F(ClipText, WrongShapesNameFileKeyAndBothShapes) {
  struct Case {
    const char* key;
    std::vector<int64_t> shape;
    const char* want;
  };
  const Case cases[] = {
      {kTokenEmbedding, {63, 32}, "has shape [63, 32], expected [64, 32]"},
      {kTextPositionEmbedding, {77, 32}, "has shape [77, 32], expected [16, 32]"},
      {"text_model.encoder.layers.0.self_attn.q_proj.weight", {32, 31},
       "has shape [32, 31], expected [32, 32]"},
      {kTextProjection, {32, 24}, "has shape [32, 24], expected [24, 32]"},
      {kClipLogitScale, {2}, "has shape [2], expected [] or [1]"},
  };
  int n = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.key);
    io::TensorMap t = GoldenTensors();
    t[c.key] = torch::zeros(c.shape);
    const std::string folder = Folder("shape" + std::to_string(n++), t);
    ClipTextModel m;
    Status st = LoadClipTextModel(folder, &m);
    EXPECT_EQ(st.code(), Status::Code::kCorrupt);
    EXPECT_THAT(st.message(), HasSubstr(folder + "/model.safetensors: tensor '" +
                                        std::string(c.key) + "' " + c.want));
  }
}

TEST_F(ClipText, NonFloatTensorsAndBadLogitScaleAreCorrupt) {
  io::TensorMap t = GoldenTensors();
  t["text_model.final_layer_norm.bias"] = torch::zeros({32}, torch::kInt64);
  ClipTextModel m;
  Status st = LoadClipTextModel(Folder("int", t), &m);
  EXPECT_EQ(st.code(), Status::Code::kCorrupt);
  EXPECT_THAT(st.message(), HasSubstr("tensor 'text_model.final_layer_norm.bias' has dtype I64, "
                                      "expected F32, F16, BF16 or F64"));
  t = GoldenTensors();
  t[kClipLogitScale] = torch::tensor(std::numeric_limits<float>::infinity());
  st = LoadClipTextModel(Folder("inf", t), &m);
  EXPECT_EQ(st.code(), Status::Code::kCorrupt);
  EXPECT_THAT(st.message(), HasSubstr("tensor 'logit_scale' is inf, expected a finite value"));
  // logit_scale of shape [1] (some conversions store it so) is accepted.
  t = GoldenTensors();
  t[kClipLogitScale] = torch::full({1}, 2.5);
  ASSERT_TRUE(LoadClipTextModel(Folder("scale1", t), &m).ok());
  EXPECT_EQ(m.logit_scale, 2.5);
}

TEST_F(ClipText, MissingOrInvalidConfigIsAnError) {
  const std::string empty = dir_ + "/empty";
  fs::create_directories(empty);
  ClipTextModel m;
  Status st = LoadClipTextModel(empty, &m);
  EXPECT_EQ(st.code(), Status::Code::kNotFound);
  EXPECT_THAT(st.message(), HasSubstr(empty + "/config.json"));

  const std::string folder = Folder("mish", GoldenTensors());
  std::ofstream(folder + "/config.json")
      << R"({"model_type": "clip", "text_config": {"hidden_act": "mish"}})";
  st = LoadClipTextModel(folder, &m);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr(folder + "/config.json: CLIP text config: hidden_act "
                                               "'mish' is not supported"));
  // No checkpoint next to a valid config.
  fs::remove(folder + "/model.safetensors");
  fs::copy_file(kGolden + "/config.json", folder + "/config.json",
                fs::copy_options::overwrite_existing);
  EXPECT_EQ(LoadClipTextModel(folder, &m).code(), Status::Code::kNotFound);
}

TEST_F(ClipText, ValidateParamsNamesKeyAndShape) {
  ClipTextModel m = Golden();
  EXPECT_TRUE(ValidateClipTextParams(m.config, m.params).ok());
  TensorMap p = m.params;
  p.erase(kTextProjection);
  EXPECT_TRUE(ValidateClipTextParams(m.config, p, /*with_projection=*/false).ok());
  Status st = ValidateClipTextParams(m.config, p);
  EXPECT_EQ(st.code(), Status::Code::kNotFound);
  EXPECT_THAT(st.message(), HasSubstr("missing tensor 'text_projection.weight' (expected shape "
                                      "[24, 32])"));
  p = m.params;
  p["text_model.encoder.layers.1.mlp.fc1.weight"] = torch::zeros({64, 31});
  st = ValidateClipTextParams(m.config, p);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("'text_model.encoder.layers.1.mlp.fc1.weight' has shape "
                                      "[64, 31], expected [64, 32]"));
  p = m.params;
  p[kFinalLayerNorm + std::string(".weight")] = torch::ones({32}, torch::kFloat64);
  st = ValidateClipTextParams(m.config, p);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("has dtype Double, expected Float"));
  ClipTextConfig bad = m.config;
  bad.num_attention_heads = 5;
  st = ValidateClipTextParams(bad, m.params);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("not divisible by num_attention_heads 5"));
}

TEST_F(ClipText, BadTokenIdsAreErrors) {
  ClipTextModel m = Golden();
  auto ids = [](std::vector<int64_t> v, int64_t rows = 1) {
    return torch::tensor(v, torch::kLong).reshape({rows, -1});
  };
  struct Case {
    torch::Tensor ids;
    const char* want;
  };
  const Case cases[] = {
      {ids({62, 5, 64, 63}), "input_ids[0, 2] = 64 is outside the vocabulary [0, 64)"},
      {ids({62, 63, 62, -1}, 2), "input_ids[1, 1] = -1 is outside the vocabulary"},
      {ids({62, 5, 6, 7}), "input_ids row 0 holds no eos_token_id 63, nowhere to pool"},
      {ids({62, 63, 62, 5}, 2), "input_ids row 1 holds no eos_token_id 63"},
      {torch::full({1, 17}, 63, torch::kLong), "have shape [1, 17], expected [B >= 1, T] with "
                                               "1 <= T <= max_position_embeddings 16"},
      {torch::full({3}, 63, torch::kLong), "have shape [3]"},
      {torch::zeros({0, 4}, torch::kLong), "have shape [0, 4]"},
      {torch::zeros({2, 0}, torch::kLong), "have shape [2, 0]"},
      {torch::full({1, 4}, 63.0), "have dtype Float, expected an integer dtype"},
      {torch::ones({1, 4}, torch::kBool), "have dtype Bool, expected an integer dtype"},
      {torch::Tensor(), "input_ids undefined"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.want);
    torch::Tensor out;
    Status st = ClipTextForward(m.config, m.params, c.ids, &out);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
    EXPECT_THAT(st.message(), HasSubstr(c.want));
    EXPECT_FALSE(out.defined());
  }
  // Other integer dtypes are fine.
  torch::Tensor out;
  ASSERT_TRUE(
      ClipTextForward(m.config, m.params, expected_.at("ids").to(torch::kInt32), &out).ok());
  EXPECT_LT(MaxAbsDiff(out, expected_.at("text_embeds")), 1e-4);
}

TEST_F(ClipText, UnvalidatedBrokenParametersGiveAnErrorNotACrash) {
  ClipTextModel m = Golden();
  TensorMap p = m.params;
  p.erase("text_model.encoder.layers.0.mlp.fc1.bias");
  torch::Tensor out;
  Status st = ClipTextForward(m.config, p, expected_.at("ids"), &out);
  EXPECT_EQ(st.code(), Status::Code::kInternal);
  EXPECT_THAT(st.message(), HasSubstr("layers.0.mlp.fc1.bias"));
  p = m.params;
  p["text_model.encoder.layers.0.mlp.fc1.weight"] = torch::zeros({5, 5});
  st = ClipTextForward(m.config, p, expected_.at("ids"), &out);
  EXPECT_EQ(st.code(), Status::Code::kInternal);
  EXPECT_FALSE(out.defined());
}

TEST_F(ClipText, GradientReachesTokenEmbeddingAndProjection) {
  ClipTextModel m = Golden();
  TensorMap p = m.params;
  p[kTokenEmbedding] = p[kTokenEmbedding].clone().requires_grad_(true);
  p[kTextProjection] = p[kTextProjection].clone().requires_grad_(true);
  torch::Tensor out;
  ASSERT_TRUE(ClipTextForward(m.config, p, expected_.at("ids"), &out).ok());
  out.sum().backward();
  ASSERT_TRUE(p[kTokenEmbedding].grad().defined());
  EXPECT_GT(p[kTokenEmbedding].grad().abs().sum().item<double>(), 0);
  EXPECT_GT(p[kTextProjection].grad().abs().sum().item<double>(), 0);
}

TEST_F(ClipText, LayerPrefixAndParameterCount) {
  EXPECT_EQ(ClipTextLayerPrefix(3), "text_model.encoder.layers.3.");
  // CLIP ViT-B/32's text tower with text_projection (the defaults), counted by hand.
  ClipTextConfig c;
  int64_t count = 0;
  for (const auto& [key, shape] : ClipTextParamShapes(c)) {
    int64_t n = 1;
    for (int64_t s : shape) n *= s;
    count += n;
  }
  EXPECT_EQ(count, 49408 * 512 + 77 * 512 +
                       12 * (4 * (512 * 512 + 512) + 4 * 512 + 2048 * 512 + 2048 + 512 * 2048 +
                             512) +
                       2 * 512 + 512 * 512);
  EXPECT_EQ(ClipTextParamShapes(c).size(), 2u + 12u * 16u + 2u + 1u);
  EXPECT_EQ(ClipTextParamShapes(c, false).size(), 2u + 12u * 16u + 2u);
}

}  // namespace
}  // namespace pwemoe::model
