#include "pwemoe/io/hf_config.h"

#include <gtest/gtest.h>

#include "io_testing.h"

namespace pwemoe::io {
namespace {

using testing::MakeTempDir;
using testing::WriteBytes;

// As in openai/clip-vit-base-patch32 (abridged text config).
const char* kClipConfig = R"({
  "architectures": ["CLIPModel"],
  "model_type": "clip",
  "projection_dim": 512,
  "text_config": {"hidden_size": 512, "model_type": "clip_text_model"},
  "text_config_dict": null,
  "vision_config": {
    "hidden_act": "quick_gelu", "hidden_size": 768, "image_size": 224,
    "intermediate_size": 3072, "layer_norm_eps": 1e-05, "model_type": "clip_vision_model",
    "num_attention_heads": 12, "num_channels": 3, "num_hidden_layers": 12, "patch_size": 32,
    "projection_dim": 512
  },
  "vision_config_dict": null
})";

ClipVisionConfig MustParse(const std::string& text) {
  ClipVisionConfig c;
  Status st = ParseClipVisionConfig("config.json", text, &c);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return c;
}

TEST(HfConfig, ParsesClipConfigVisionTower) {
  ClipVisionConfig c = MustParse(kClipConfig);
  EXPECT_EQ(c.hidden_size, 768);
  EXPECT_EQ(c.intermediate_size, 3072);
  EXPECT_EQ(c.num_hidden_layers, 12);
  EXPECT_EQ(c.num_attention_heads, 12);
  EXPECT_EQ(c.image_size, 224);
  EXPECT_EQ(c.patch_size, 32);
  EXPECT_EQ(c.num_channels, 3);
  EXPECT_EQ(c.hidden_act, "quick_gelu");
  EXPECT_EQ(c.layer_norm_eps, 1e-5);
  EXPECT_EQ(c.projection_dim, 512);
}

TEST(HfConfig, ParsesClipVisionModelConfig) {
  ClipVisionConfig c = MustParse(R"({"model_type": "clip_vision_model", "hidden_size": 64,
      "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4,
      "image_size": 32, "patch_size": 8, "num_channels": 1, "hidden_act": "gelu",
      "layer_norm_eps": 1e-6, "projection_dim": 16, "dropout": 0.0})");
  EXPECT_EQ(c.hidden_size, 64);
  EXPECT_EQ(c.num_channels, 1);
  EXPECT_EQ(c.hidden_act, "gelu");
  EXPECT_EQ(c.layer_norm_eps, 1e-6);
  EXPECT_EQ(c.projection_dim, 16);
}

TEST(HfConfig, AppliesHuggingFaceDefaults) {
  for (const char* text : {R"({"model_type": "clip_vision_model"})", R"({"model_type": "clip"})",
                           R"({"model_type": "clip", "vision_config": null})"}) {
    ClipVisionConfig c = MustParse(text);
    ClipVisionConfig d;
    EXPECT_EQ(c.hidden_size, 768);
    EXPECT_EQ(c.intermediate_size, 3072);
    EXPECT_EQ(c.projection_dim, 512);
    EXPECT_EQ(c.num_hidden_layers, 12);
    EXPECT_EQ(c.num_attention_heads, 12);
    EXPECT_EQ(c.num_channels, 3);
    EXPECT_EQ(c.image_size, 224);
    EXPECT_EQ(c.patch_size, 32);
    EXPECT_EQ(c.hidden_act, "quick_gelu");
    EXPECT_EQ(c.layer_norm_eps, 1e-5);
    EXPECT_EQ(c.layer_norm_eps, d.layer_norm_eps);
  }
}

TEST(HfConfig, ClipConfigTakesProjectionDimFromTopLevel) {
  ClipVisionConfig c = MustParse(
      R"({"model_type": "clip", "projection_dim": 768,
          "vision_config": {"projection_dim": 512, "hidden_size": 1024,
                            "num_attention_heads": 16}})");
  EXPECT_EQ(c.projection_dim, 768);
  EXPECT_EQ(c.hidden_size, 1024);
  EXPECT_EQ(MustParse(R"({"model_type": "clip", "vision_config": {"projection_dim": 64}})")
                .projection_dim,
            512);
}

TEST(HfConfig, VisionConfigDictTakesPrecedence) {
  // Like openai/clip-vit-large-patch14: the *_dict holds the real values.
  ClipVisionConfig c = MustParse(
      R"({"model_type": "clip", "projection_dim": 768,
          "vision_config": {"hidden_size": 768, "patch_size": 32, "num_hidden_layers": 12},
          "vision_config_dict": {"hidden_size": 1024, "intermediate_size": 4096,
                                 "num_attention_heads": 16, "num_hidden_layers": 24,
                                 "patch_size": 14}})");
  EXPECT_EQ(c.hidden_size, 1024);
  EXPECT_EQ(c.num_hidden_layers, 24);
  EXPECT_EQ(c.patch_size, 14);
  EXPECT_EQ(c.projection_dim, 768);
}

struct BadConfig {
  std::string text;
  Status::Code code;
  const char* key;  // must appear in the message
  const char* problem;
};

TEST(HfConfig, RejectsInvalidConfigsNamingFileAndKey) {
  const BadConfig cases[] = {
      {"{", Status::Code::kCorrupt, "", "invalid JSON"},
      {"[1]", Status::Code::kCorrupt, "", "not an object"},
      {R"({"hidden_size": 8})", Status::Code::kInvalidArgument, "model_type", "missing"},
      {R"({"model_type": "vit"})", Status::Code::kInvalidArgument, "model_type", "not supported"},
      {R"({"model_type": 3})", Status::Code::kCorrupt, "model_type", "not a string"},
      {R"({"model_type": "clip_vision_model", "hidden_size": 100, "num_attention_heads": 12})",
       Status::Code::kCorrupt, "num_attention_heads", "does not divide hidden_size 100"},
      {R"({"model_type": "clip_vision_model", "image_size": 225})", Status::Code::kCorrupt,
       "patch_size", "does not divide image_size 225"},
      {R"({"model_type": "clip_vision_model", "num_hidden_layers": 0})", Status::Code::kCorrupt,
       "num_hidden_layers", "must be in [1, 2147483647]"},
      {R"({"model_type": "clip_vision_model", "num_channels": -3})", Status::Code::kCorrupt,
       "num_channels", "must be in"},
      {R"({"model_type": "clip_vision_model", "intermediate_size": 99999999999})",
       Status::Code::kCorrupt, "intermediate_size", "must be in"},
      {R"({"model_type": "clip_vision_model", "hidden_size": 768.0})", Status::Code::kCorrupt,
       "hidden_size", "not an integer"},
      {R"({"model_type": "clip_vision_model", "patch_size": "32"})", Status::Code::kCorrupt,
       "patch_size", "not an integer"},
      {R"({"model_type": "clip_vision_model", "hidden_act": "quick_gelo"})", Status::Code::kCorrupt,
       "hidden_act", "did you mean 'quick_gelu'"},
      {R"({"model_type": "clip_vision_model", "hidden_act": 1})", Status::Code::kCorrupt,
       "hidden_act", "not a string"},
      {R"({"model_type": "clip_vision_model", "layer_norm_eps": 0})", Status::Code::kCorrupt,
       "layer_norm_eps", "positive"},
      {R"({"model_type": "clip_vision_model", "layer_norm_eps": "1e-5"})", Status::Code::kCorrupt,
       "layer_norm_eps", "not a number"},
      {R"({"model_type": "clip_vision_model", "projection_dim": 0})", Status::Code::kCorrupt,
       "projection_dim", "must be in"},
      {R"({"model_type": "clip", "vision_config": [1]})", Status::Code::kCorrupt, "vision_config",
       "not an object"},
      {R"({"model_type": "clip", "vision_config": {"patch_size": 0}})", Status::Code::kCorrupt,
       "vision_config.patch_size", "must be in"},
      {R"({"model_type": "clip", "vision_config": {"hidden_size": 1.5}})", Status::Code::kCorrupt,
       "vision_config.hidden_size", "not an integer"},
  };
  for (const BadConfig& c : cases) {
    SCOPED_TRACE(c.text);
    ClipVisionConfig out;
    Status st = ParseClipVisionConfig("/m/config.json", c.text, &out);
    EXPECT_EQ(st.code(), c.code) << st.ToString();
    EXPECT_EQ(st.message().rfind("/m/config.json: ", 0), 0u) << st.message();
    EXPECT_NE(st.message().find(c.key), std::string::npos) << st.message();
    EXPECT_NE(st.message().find(c.problem), std::string::npos) << st.message();
  }
}

TEST(HfConfig, LoadsFromFileOrFolder) {
  std::string dir = MakeTempDir();
  WriteBytes(dir + "/config.json", kClipConfig);
  ClipVisionConfig a, b;
  ASSERT_TRUE(LoadClipVisionConfig(dir, &a).ok());
  ASSERT_TRUE(LoadClipVisionConfig(dir + "/config.json", &b).ok());
  EXPECT_EQ(a.hidden_size, 768);
  EXPECT_EQ(b.patch_size, 32);
  Status st = LoadClipVisionConfig(dir + "/none.json", &a);
  EXPECT_EQ(st.code(), Status::Code::kNotFound);
  WriteBytes(dir + "/bad.json", R"({"model_type": "clip_vision_model", "image_size": 0})");
  st = LoadClipVisionConfig(dir + "/bad.json", &a);
  EXPECT_EQ(st.code(), Status::Code::kCorrupt);
  EXPECT_NE(st.message().find(dir + "/bad.json: image_size"), std::string::npos) << st.message();
}

TEST(HfConfig, WriteThenLoadRoundTrips) {
  ClipVisionConfig c;
  c.hidden_size = 48;
  c.intermediate_size = 100;
  c.num_hidden_layers = 3;
  c.num_attention_heads = 6;
  c.image_size = 30;
  c.patch_size = 5;
  c.num_channels = 4;
  c.hidden_act = "gelu_new";
  c.layer_norm_eps = 1.2345678901234567e-7;
  c.projection_dim = 24;
  std::string path = MakeTempDir() + "/config.json";
  ASSERT_TRUE(WriteClipVisionConfig(path, c).ok());
  std::string text = testing::ReadBytes(path);
  EXPECT_NE(text.find("\"model_type\": \"clip_vision_model\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"CLIPVisionModelWithProjection\""), std::string::npos) << text;
  ClipVisionConfig back;
  ASSERT_TRUE(LoadClipVisionConfig(path, &back).ok());
  EXPECT_EQ(back.hidden_size, c.hidden_size);
  EXPECT_EQ(back.intermediate_size, c.intermediate_size);
  EXPECT_EQ(back.num_hidden_layers, c.num_hidden_layers);
  EXPECT_EQ(back.num_attention_heads, c.num_attention_heads);
  EXPECT_EQ(back.image_size, c.image_size);
  EXPECT_EQ(back.patch_size, c.patch_size);
  EXPECT_EQ(back.num_channels, c.num_channels);
  EXPECT_EQ(back.hidden_act, c.hidden_act);
  EXPECT_EQ(back.layer_norm_eps, c.layer_norm_eps);
  EXPECT_EQ(back.projection_dim, c.projection_dim);
}

TEST(HfConfig, WriterRejectsInvalidConfig) {
  ClipVisionConfig c;
  c.num_attention_heads = 7;
  std::string path = MakeTempDir() + "/config.json";
  Status st = WriteClipVisionConfig(path, c);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find(path), std::string::npos);
  EXPECT_NE(st.message().find("num_attention_heads"), std::string::npos);
}

// ---- text tower ---------------------------------------------------------------------------------

// As in openai/clip-vit-base-patch32: an old config whose text_config_dict holds the real values
// (eos_token_id 2, from before transformers PR #24773) and whose text_config repeats them.
const char* kClipTextConfig = R"({
  "model_type": "clip",
  "projection_dim": 512,
  "text_config": {"eos_token_id": 2, "hidden_size": 512, "model_type": "clip_text_model",
                  "num_hidden_layers": 12},
  "text_config_dict": {"eos_token_id": 2, "hidden_size": 768, "intermediate_size": 3072,
                       "num_attention_heads": 12, "max_position_embeddings": 77,
                       "vocab_size": 49408, "hidden_act": "quick_gelu", "layer_norm_eps": 1e-05,
                       "projection_dim": 768, "num_hidden_layers": 12},
  "vision_config": {"hidden_size": 768}
})";

ClipTextConfig MustParseText(const std::string& text) {
  ClipTextConfig c;
  Status st = ParseClipTextConfig("config.json", text, &c);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return c;
}

TEST(HfConfig, ParsesClipConfigTextTower) {
  ClipTextConfig c = MustParseText(kClipTextConfig);
  EXPECT_EQ(c.vocab_size, 49408);
  EXPECT_EQ(c.hidden_size, 768);  // text_config_dict wins over text_config
  EXPECT_EQ(c.intermediate_size, 3072);
  EXPECT_EQ(c.num_hidden_layers, 12);
  EXPECT_EQ(c.num_attention_heads, 12);
  EXPECT_EQ(c.max_position_embeddings, 77);
  EXPECT_EQ(c.hidden_act, "quick_gelu");
  EXPECT_EQ(c.layer_norm_eps, 1e-5);
  EXPECT_EQ(c.eos_token_id, 2);
  EXPECT_EQ(c.projection_dim, 512);  // CLIPModel's text_projection: the top-level value
}

TEST(HfConfig, ParsesClipTextModelConfig) {
  ClipTextConfig c = MustParseText(R"({"model_type": "clip_text_model", "vocab_size": 64,
      "hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 2,
      "num_attention_heads": 4, "max_position_embeddings": 16, "hidden_act": "gelu",
      "layer_norm_eps": 1e-6, "eos_token_id": 63, "projection_dim": 24, "bos_token_id": 62})");
  EXPECT_EQ(c.vocab_size, 64);
  EXPECT_EQ(c.hidden_size, 32);
  EXPECT_EQ(c.intermediate_size, 48);
  EXPECT_EQ(c.num_hidden_layers, 2);
  EXPECT_EQ(c.num_attention_heads, 4);
  EXPECT_EQ(c.max_position_embeddings, 16);
  EXPECT_EQ(c.hidden_act, "gelu");
  EXPECT_EQ(c.layer_norm_eps, 1e-6);
  EXPECT_EQ(c.eos_token_id, 63);
  EXPECT_EQ(c.projection_dim, 24);  // its own, for CLIPTextModelWithProjection
}

TEST(HfConfig, TextTowerAppliesHuggingFaceDefaults) {
  for (const char* text : {R"({"model_type": "clip_text_model"})", R"({"model_type": "clip"})",
                           R"({"model_type": "clip", "text_config": null,
                               "text_config_dict": null})"}) {
    ClipTextConfig c = MustParseText(text);
    EXPECT_EQ(c.vocab_size, 49408);
    EXPECT_EQ(c.hidden_size, 512);
    EXPECT_EQ(c.intermediate_size, 2048);
    EXPECT_EQ(c.num_hidden_layers, 12);
    EXPECT_EQ(c.num_attention_heads, 8);
    EXPECT_EQ(c.max_position_embeddings, 77);
    EXPECT_EQ(c.hidden_act, "quick_gelu");
    EXPECT_EQ(c.layer_norm_eps, 1e-5);
    EXPECT_EQ(c.eos_token_id, 49407);
    EXPECT_EQ(c.projection_dim, 512);
  }
}

TEST(HfConfig, TextAndVisionTowersReadTheirOwnObjects) {
  const char* text = R"({"model_type": "clip", "projection_dim": 640,
      "text_config": {"hidden_size": 320, "num_attention_heads": 5},
      "vision_config": {"hidden_size": 960, "num_attention_heads": 15}})";
  EXPECT_EQ(MustParseText(text).hidden_size, 320);
  EXPECT_EQ(MustParseText(text).projection_dim, 640);
  EXPECT_EQ(MustParse(text).hidden_size, 960);
  // A text config is not a vision config, and the other way round.
  ClipVisionConfig v;
  EXPECT_EQ(ParseClipVisionConfig("c.json", R"({"model_type": "clip_text_model"})", &v).code(),
            Status::Code::kInvalidArgument);
  ClipTextConfig t;
  Status st = ParseClipTextConfig("c.json", R"({"model_type": "clip_vision_model"})", &t);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("expected \"clip_text_model\" or \"clip\""), std::string::npos)
      << st.message();
}

TEST(HfConfig, RejectsInvalidTextConfigsNamingFileAndKey) {
  const BadConfig cases[] = {
      {"{", Status::Code::kCorrupt, "", "invalid JSON"},
      {"[1]", Status::Code::kCorrupt, "", "not an object"},
      {R"({"hidden_size": 8})", Status::Code::kInvalidArgument, "model_type", "missing"},
      {R"({"model_type": "bert"})", Status::Code::kInvalidArgument, "model_type", "not supported"},
      {R"({"model_type": "clip_text_model", "vocab_size": 0})", Status::Code::kCorrupt,
       "vocab_size", "must be in [1, 2147483647]"},
      {R"({"model_type": "clip_text_model", "max_position_embeddings": -1})",
       Status::Code::kCorrupt, "max_position_embeddings", "must be in"},
      {R"({"model_type": "clip_text_model", "hidden_size": 100, "num_attention_heads": 8})",
       Status::Code::kCorrupt, "num_attention_heads", "does not divide hidden_size 100"},
      {R"({"model_type": "clip_text_model", "eos_token_id": -1})", Status::Code::kCorrupt,
       "eos_token_id", "must be in [0, 2147483647]"},
      {R"({"model_type": "clip_text_model", "eos_token_id": null})", Status::Code::kCorrupt,
       "eos_token_id", "not an integer"},
      {R"({"model_type": "clip_text_model", "eos_token_id": [2]})", Status::Code::kCorrupt,
       "eos_token_id", "not an integer"},
      {R"({"model_type": "clip_text_model", "hidden_act": "gelu_neww"})", Status::Code::kCorrupt,
       "hidden_act", "did you mean 'gelu_new'"},
      {R"({"model_type": "clip_text_model", "layer_norm_eps": -1e-5})", Status::Code::kCorrupt,
       "layer_norm_eps", "positive"},
      {R"({"model_type": "clip_text_model", "projection_dim": 0})", Status::Code::kCorrupt,
       "projection_dim", "must be in"},
      {R"({"model_type": "clip", "text_config": "x"})", Status::Code::kCorrupt, "text_config",
       "not an object"},
      {R"({"model_type": "clip", "text_config": {"num_hidden_layers": 0}})",
       Status::Code::kCorrupt, "text_config.num_hidden_layers", "must be in"},
      {R"({"model_type": "clip", "text_config_dict": {"vocab_size": 1.5}})",
       Status::Code::kCorrupt, "text_config_dict.vocab_size", "not an integer"},
  };
  for (const BadConfig& c : cases) {
    SCOPED_TRACE(c.text);
    ClipTextConfig out;
    Status st = ParseClipTextConfig("/m/config.json", c.text, &out);
    EXPECT_EQ(st.code(), c.code) << st.ToString();
    EXPECT_EQ(st.message().rfind("/m/config.json: ", 0), 0u) << st.message();
    EXPECT_NE(st.message().find(c.key), std::string::npos) << st.message();
    EXPECT_NE(st.message().find(c.problem), std::string::npos) << st.message();
  }
}

TEST(HfConfig, LoadsTextConfigFromFileOrFolder) {
  std::string dir = MakeTempDir();
  WriteBytes(dir + "/config.json", kClipTextConfig);
  ClipTextConfig a, b;
  ASSERT_TRUE(LoadClipTextConfig(dir, &a).ok());
  ASSERT_TRUE(LoadClipTextConfig(dir + "/config.json", &b).ok());
  EXPECT_EQ(a.hidden_size, 768);
  EXPECT_EQ(b.eos_token_id, 2);
  Status st = LoadClipTextConfig(dir + "/none.json", &a);
  EXPECT_EQ(st.code(), Status::Code::kNotFound);
  WriteBytes(dir + "/bad.json", R"({"model_type": "clip", "text_config": {"vocab_size": 0}})");
  st = LoadClipTextConfig(dir + "/bad.json", &a);
  EXPECT_EQ(st.code(), Status::Code::kCorrupt);
  EXPECT_NE(st.message().find(dir + "/bad.json: text_config.vocab_size"), std::string::npos)
      << st.message();
}

}  // namespace
}  // namespace pwemoe::io
