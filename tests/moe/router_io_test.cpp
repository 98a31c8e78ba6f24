#include "pwemoe/moe/router_io.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "moe_testing.h"

namespace pwemoe::moe {
namespace {

using ::testing::HasSubstr;

const std::vector<std::string> kModules = {"vision_model.encoder.layers.0.mlp",
                                           "vision_model.encoder.layers.1.mlp"};

class RouterIo : public ::testing::Test {
 protected:
  void SetUp() override {
    torch::set_num_threads(1);
    dir_ = testing::MakeTempDir("pwemoe_router_io");
  }
  std::string dir_;
};

std::vector<std::string> Keys(const io::TensorMap& map) {
  std::vector<std::string> keys;
  for (const auto& entry : map) keys.push_back(entry.first);
  return keys;
}

TEST_F(RouterIo, KeyNamesAreFusionBenchs) {
  const std::string m = kModules[1];
  const int64_t t = 3;
  std::vector<Router> routers;
  io::TensorMap map;
  ASSERT_TRUE(InitRouters({m}, t, {2, 0.3, 1, torch::kFloat32}, &routers).ok());
  ASSERT_TRUE(RoutersToTensorMap(routers, &map).ok());
  EXPECT_EQ(Keys(map), (std::vector<std::string>{m + ".gate.0.bias", m + ".gate.0.weight",
                                                 m + ".gate.2.bias", m + ".gate.2.weight"}));
  EXPECT_EQ(map[m + ".gate.0.weight"].sizes(), (std::vector<int64_t>{2 * t, t}));  // [out, in]
  EXPECT_EQ(map[m + ".gate.2.weight"].sizes(), (std::vector<int64_t>{t, 2 * t}));
  EXPECT_FALSE(map[m + ".gate.2.bias"].requires_grad());
  ASSERT_TRUE(InitRouters({m}, t, {1, 0.3, 1, torch::kFloat32}, &routers).ok());
  ASSERT_TRUE(RoutersToTensorMap(routers, &map).ok());
  EXPECT_EQ(Keys(map), (std::vector<std::string>{m + ".gate.0.bias", m + ".gate.0.weight"}));
  ASSERT_TRUE(InitRouters({m}, t, {0, 0.3, 1, torch::kFloat32}, &routers).ok());
  ASSERT_TRUE(RoutersToTensorMap(routers, &map).ok());
  EXPECT_EQ(Keys(map), (std::vector<std::string>{m + ".gate.weight"}));
}

TEST_F(RouterIo, SaveLoadRoundTripIsBitExact) {
  for (int hidden : {0, 1, 2}) {
    for (torch::ScalarType dtype : {torch::kFloat32, torch::kFloat64}) {
      SCOPED_TRACE(hidden);
      std::vector<Router> routers, loaded;
      ASSERT_TRUE(InitRouters(kModules, 4, {hidden, 0.3, 5, dtype}, &routers).ok());
      {
        torch::NoGradGuard g;  // non-trivial values everywhere, as after training
        for (torch::Tensor& p : RouterParameters(routers)) p.add_(torch::randn_like(p));
      }
      const std::string path = dir_ + "/routers.safetensors";
      ASSERT_TRUE(SaveRouters(path, routers).ok());
      Status st = LoadRouters(path, LayoutOf(routers), &loaded);
      ASSERT_TRUE(st.ok()) << st.ToString();
      ASSERT_EQ(loaded.size(), routers.size());
      for (size_t i = 0; i < routers.size(); ++i) {
        EXPECT_EQ(loaded[i].module, routers[i].module);
        for (size_t j = 0; j < routers[i].params.size(); ++j) {
          EXPECT_EQ(loaded[i].params[j].scalar_type(), dtype);
          EXPECT_TRUE(torch::equal(loaded[i].params[j], routers[i].params[j]));
          EXPECT_TRUE(loaded[i].params[j].requires_grad());
        }
      }
    }
  }
}

struct BadFileCase {
  std::string name;
  void (*mutate)(io::TensorMap*);
  std::vector<std::string> parts;
};

TEST_F(RouterIo, MalformedFilesAreErrorsNamingFileAndKey) {
  const std::string w0 = kModules[0] + ".gate.0.weight", b2 = kModules[1] + ".gate.2.bias";
  const std::vector<BadFileCase> cases = {
      {"missing",
       [](io::TensorMap* m) { m->erase(kModules[1] + ".gate.2.bias"); },
       {"missing tensor '" + b2 + "'"}},
      {"shape",
       [](io::TensorMap* m) {
         (*m)[kModules[0] + ".gate.0.weight"] = torch::zeros({2, 4});
       },
       {"tensor '" + w0 + "'", "shape [2, 4], expected [4, 2]"}},
      {"dtype",
       [](io::TensorMap* m) {
         (*m)[kModules[1] + ".gate.2.bias"] = torch::zeros({2}, torch::kInt64);
       },
       {"tensor '" + b2 + "'", "dtype Long"}},
      {"extra",
       [](io::TensorMap* m) {
         (*m)["vision_model.encoder.layers.2.mlp.gate.0.weight"] = torch::zeros({4, 2});
       },
       {"tensor 'vision_model.encoder.layers.2.mlp.gate.0.weight'", "not a parameter"}},
  };
  std::vector<Router> routers;
  ASSERT_TRUE(InitRouters(kModules, 2, RouterInit{}, &routers).ok());
  for (const BadFileCase& c : cases) {
    SCOPED_TRACE(c.name);
    io::TensorMap map;
    ASSERT_TRUE(RoutersToTensorMap(routers, &map).ok());
    c.mutate(&map);
    const std::string path = dir_ + "/" + c.name + ".safetensors";
    ASSERT_TRUE(io::SaveTensors(path, map).ok());
    std::vector<Router> loaded;
    Status st = LoadRouters(path, LayoutOf(routers), &loaded);
    ASSERT_FALSE(st.ok());
    EXPECT_THAT(st.message(), HasSubstr(path + ": "));
    for (const std::string& part : c.parts) EXPECT_THAT(st.message(), HasSubstr(part));
    EXPECT_TRUE(loaded.empty());
  }
  std::vector<Router> loaded;
  EXPECT_THAT(LoadRouters(dir_ + "/absent.safetensors", LayoutOf(routers), &loaded).message(),
              HasSubstr("absent.safetensors"));
}

}  // namespace
}  // namespace pwemoe::moe
