#include "pwemoe/moe/module_patterns.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pwemoe/model/clip_vit.h"

namespace pwemoe::moe {
namespace {

using ::testing::HasSubstr;

std::string L(int layer) { return "vision_model.encoder.layers." + std::to_string(layer); }

// Every key of a ViT-B/32-shaped (12-layer) vision tower, experts' view: no visual_projection.
std::vector<std::string> VitKeys() {
  std::vector<std::string> keys;
  for (const auto& entry : model::ClipVisionParamShapes(io::ClipVisionConfig{}, false)) {
    keys.push_back(entry.first);
  }
  return keys;
}

struct SelectCase {
  std::vector<std::string> patterns;
  std::vector<std::string> modules;  // expected, in order
  size_t keys_in_first;              // keys of the first module
};

std::vector<SelectCase> SelectCases() {
  std::vector<std::string> mlps, attns, fc1s, layers_1x, layer3_and_mlps;
  for (int i = 0; i < 12; ++i) {
    mlps.push_back(L(i) + ".mlp");
    attns.push_back(L(i) + ".self_attn");
    fc1s.push_back(L(i) + ".mlp.fc1");
    layer3_and_mlps.push_back(i == 3 ? L(3) : L(i) + ".mlp");
  }
  return {
      {{"mlp"}, mlps, 4},
      {{"self_attn"}, attns, 8},
      {{"layers.0.mlp"}, {L(0) + ".mlp"}, 4},
      {{"fc1"}, fc1s, 2},
      {{"vision_model.encoder.layers.*.mlp"}, mlps, 4},
      {{"*.layers.1*"}, {L(1), L(10), L(11)}, 16},
      {{"layers.3", "mlp"}, layer3_and_mlps, 4},
      {{"mlp", "layers.0.mlp"}, mlps, 4},
      {{"embeddings"}, {"vision_model.embeddings"}, 3},
      {{"pre_layrnorm", "post_layernorm"},
       {"vision_model.post_layernorm", "vision_model.pre_layrnorm"},
       2},
  };
}

TEST(ModulePatterns, SelectsOutermostMatchedModulesInNaturalOrder) {
  const std::vector<std::string> keys = VitKeys();
  for (const SelectCase& c : SelectCases()) {
    SCOPED_TRACE(c.patterns[0]);
    std::vector<ModuleKeys> got;
    Status st = SelectModules(c.patterns, keys, &got);
    ASSERT_TRUE(st.ok()) << st.ToString();
    std::vector<std::string> names;
    for (const ModuleKeys& m : got) names.push_back(m.module);
    EXPECT_EQ(names, c.modules);
    ASSERT_FALSE(got.empty());
    EXPECT_EQ(got[0].keys.size(), c.keys_in_first);
  }
}

TEST(ModulePatterns, OneMlpModuleHoldsBothLinearLayers) {
  std::vector<ModuleKeys> got;
  ASSERT_TRUE(SelectModules({"mlp"}, VitKeys(), &got).ok());
  ASSERT_EQ(got.size(), 12u);
  EXPECT_EQ(got[2].module, L(2) + ".mlp");
  EXPECT_EQ(got[2].keys,
            (std::vector<std::string>{L(2) + ".mlp.fc1.bias", L(2) + ".mlp.fc1.weight",
                                      L(2) + ".mlp.fc2.bias", L(2) + ".mlp.fc2.weight"}));
}

struct MatchCase {
  const char* pattern;
  const char* module;
  bool match;
};

TEST(ModulePatterns, PlainPatternsMatchWholeTrailingComponents) {
  const MatchCase cases[] = {
      {"mlp", "vision_model.encoder.layers.0.mlp", true},
      {"mlp", "vision_model.encoder.layers.0.mlp.fc1", false},
      {"mlp", "vision_model.encoder.layers.0.mlp_extra", false},
      {"mlp", "vision_model.encoder.layers.0.xmlp", false},
      {"mlp", "mlp", true},
      {"layers.0.mlp", "vision_model.encoder.layers.0.mlp", true},
      {"layers.0.mlp", "vision_model.encoder.layers.10.mlp", false},
      {"encoder.layers.1", "vision_model.encoder.layers.1", true},
      {"*.mlp", "vision_model.encoder.layers.0.mlp", true},
      {"*.mlp", "vision_model.encoder.layers.0.mlp.fc1", false},
      {"*mlp*", "vision_model.encoder.layers.0.mlp.fc1", true},
      {"vision_model.*.self_attn", "vision_model.encoder.layers.11.self_attn", true},
      {"layers.*.mlp", "vision_model.encoder.layers.0.mlp", false},  // a glob spans the full name
      {"*", "vision_model", true},
  };
  for (const MatchCase& c : cases) {
    EXPECT_EQ(PatternMatches(c.pattern, c.module), c.match) << c.pattern << " ~ " << c.module;
  }
}

TEST(ModulePatterns, PatternMatchingNothingIsAnErrorNamingIt) {
  std::vector<ModuleKeys> got;
  Status st = SelectModules({"mlp", "mlps"}, VitKeys(), &got);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("module pattern 'mlps' matches no module"));
  EXPECT_THAT(st.message(), HasSubstr("did you mean 'mlp'"));
  // A parameter is not a module of itself; pretrained-only keys are not offered at all.
  EXPECT_THAT(SelectModules({"class_embedding"}, VitKeys(), &got).message(),
              HasSubstr("'class_embedding' matches no module"));
  EXPECT_THAT(SelectModules({"visual_projection"}, VitKeys(), &got).message(),
              HasSubstr("'visual_projection' matches no module"));
  EXPECT_THAT(SelectModules({"text_model.*"}, VitKeys(), &got).message(),
              HasSubstr("'text_model.*' matches no module"));
}

TEST(ModulePatterns, MalformedPatternsAreErrors) {
  std::vector<ModuleKeys> got;
  EXPECT_THAT(SelectModules({}, VitKeys(), &got).message(), HasSubstr("no module pattern"));
  EXPECT_THAT(SelectModules({""}, VitKeys(), &got).message(), HasSubstr("empty module pattern"));
  for (const char* bad : {".mlp", "mlp.", "layers..mlp"}) {
    EXPECT_THAT(SelectModules({bad}, VitKeys(), &got).message(),
                HasSubstr("empty dotted component"))
        << bad;
  }
}

TEST(ModulePatterns, NaturalOrderComparesNumbersAsNumbers) {
  EXPECT_TRUE(NaturalLess("layers.2.mlp", "layers.10.mlp"));
  EXPECT_FALSE(NaturalLess("layers.10.mlp", "layers.2.mlp"));
  EXPECT_TRUE(NaturalLess("layers.2", "layers.2.mlp"));
  EXPECT_TRUE(NaturalLess("a.mlp", "a.self_attn"));
  EXPECT_FALSE(NaturalLess("a.b", "a.b"));
}

}  // namespace
}  // namespace pwemoe::moe
