// pwemoe-zeroshot-heads run as a process on the tiny CLIPModel of tests/model/clip_text_golden
// (its vocab.json and merges.txt, classes.txt and templates.txt): the head it writes equals the one
// make_clip_text_golden.py computes with numpy (its own tokenizer and forward) for the same classes
// and templates; the batch size changes nothing; --clip also takes a model id in a Hugging Face
// cache; errors name the flag and file; --help lists every flag.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "pwemoe/io/tensor_io.h"
#include "pwemoe/model/head.h"

namespace pwemoe::tools {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const std::string kGolden = std::string(PWEMOE_SOURCE_DIR) + "/tests/model/clip_text_golden";

struct ToolRun {
  int code = -1;
  std::string out, err;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class ZeroshotHeadsTool : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "pwemoe_zeroshot_XXXXXX";
    std::vector<char> name(pattern.begin(), pattern.end());
    name.push_back('\0');
    ASSERT_NE(::mkdtemp(name.data()), nullptr) << pattern;
    dir_ = name.data();
  }

  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Runs `<env> pwemoe-zeroshot-heads <args>` through the shell (no quoting needed), stdout and
  // stderr kept apart; `env` is "" or "NAME=VALUE ..." for the tool's environment.
  ToolRun Tool(const std::string& args, const std::string& env = "") {
    const std::string out = dir_ + "/stdout.txt", err = dir_ + "/stderr.txt";
    const std::string cmd = env + (env.empty() ? "" : " ") + PWEMOE_ZEROSHOT_HEADS + " " + args +
                            " > " + out + " 2> " + err;
    ToolRun run;
    const int status = std::system(cmd.c_str());
    run.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.out = ReadFile(out);
    run.err = ReadFile(err);
    return run;
  }

  // The golden model's flags with `out` as the head file.
  std::string Args(const std::string& out) {
    return "--clip " + kGolden + " --classes " + kGolden + "/classes.txt --templates " + kGolden +
           "/templates.txt --out " + out;
  }

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  std::string dir_;
};

TEST_F(ZeroshotHeadsTool, HeadMatchesNumpy) {
  const std::string out = dir_ + "/head.safetensors";
  ToolRun run = Tool(Args(out) + " --batch-size 3");
  ASSERT_EQ(run.code, 0) << run.err;
  model::ClassificationHead head;
  Status st = model::LoadHead(out, &head);
  ASSERT_TRUE(st.ok()) << st.ToString();
  io::TensorMap expected;
  ASSERT_TRUE(io::LoadTensors(kGolden + "/expected.safetensors", &expected, {true}).ok());
  ASSERT_EQ(head.weight.sizes(), (std::vector<int64_t>{4, 24}));
  EXPECT_EQ(head.weight.scalar_type(), torch::kFloat32);
  const double d = (head.weight.to(torch::kFloat64) - expected.at("head_weight"))
                       .abs()
                       .max()
                       .item<double>();
  std::printf("pwemoe-zeroshot-heads head vs numpy: max |diff| %.3g\n", d);
  EXPECT_LT(d, 1e-4);
  EXPECT_DOUBLE_EQ(head.logit_scale, expected.at("head_logit_scale").item<double>());

  const nlohmann::json summary = nlohmann::json::parse(run.out);
  EXPECT_EQ(summary.at("classes"), 4);
  EXPECT_EQ(summary.at("templates"), 4);
  EXPECT_EQ(summary.at("prompts"), 16);
  EXPECT_EQ(summary.at("truncated"), 1);  // "a photo of a red fox." loses its "."
  EXPECT_EQ(summary.at("projection_dim"), 24);
  EXPECT_EQ(summary.at("out"), out);
  EXPECT_THAT(run.err, HasSubstr("4 classes x 4 templates = 16 prompts (1 cut to 16 tokens)"));
  EXPECT_THAT(run.err, HasSubstr("embedded 3/16 prompts"));
  EXPECT_THAT(run.err, HasSubstr("embedded 16/16 prompts"));

  // One batch for everything: the same head (written into folders that do not exist yet).
  const std::string out2 = dir_ + "/heads/vit-b32/head2.safetensors";
  ASSERT_EQ(Tool(Args(out2) + " --batch-size 1000 --threads 2").code, 0);
  model::ClassificationHead head2;
  ASSERT_TRUE(model::LoadHead(out2, &head2).ok());
  EXPECT_LT((head2.weight - head.weight).abs().max().item<double>(), 1e-6);
  EXPECT_EQ(head2.logit_scale, head.logit_scale);
}

TEST_F(ZeroshotHeadsTool, BadInputsNameFlagAndFile) {
  const std::string out = dir_ + "/head.safetensors";
  const std::string classes = kGolden + "/classes.txt", templates = kGolden + "/templates.txt";
  struct Case {
    std::string args;
    int code;
    std::string want;
  };
  const std::string empty = Write("empty.txt", "");
  const std::string no_braces = Write("no_braces.txt", "a photo of a {}.\na photo\n");
  const std::string blank = Write("blank.txt", "cat\n\ndog\n");
  // A CLIP folder without vocab.json.
  const std::string no_vocab = dir_ + "/no_vocab";
  fs::create_directories(no_vocab);
  for (const char* f : {"config.json", "model.safetensors", "merges.txt"}) {
    fs::copy_file(kGolden + "/" + f, no_vocab + "/" + f);
  }
  const Case cases[] = {
      {"--clip " + kGolden + " --classes " + empty + " --templates " + templates + " --out " + out,
       1, "--classes: " + empty + ": no lines"},
      {"--clip " + kGolden + " --classes " + blank + " --templates " + templates + " --out " + out,
       1, "--classes: " + blank + ": line 2 is empty"},
      {"--clip " + kGolden + " --classes " + dir_ + "/none.txt --templates " + templates +
           " --out " + out,
       1, "--classes: " + dir_ + "/none.txt: no such file"},
      {"--clip " + kGolden + " --classes " + classes + " --templates " + no_braces + " --out " +
           out,
       1, "--templates: " + no_braces + ": line 2: 'a photo' holds \"{}\" 0 times, not once"},
      {"--clip " + no_vocab + " --classes " + classes + " --templates " + templates + " --out " +
           out,
       1, no_vocab + "/vocab.json"},
      {"--clip " + dir_ + "/nothing --classes " + classes + " --templates " + templates +
           " --out " + out,
       1, "--clip: " + dir_ + "/nothing does not exist"},
      {"--clip " + kGolden + " --classes " + classes + " --templates " + templates, 2,
       "--out is required"},
      {Args(out) + " --batch-size 0", 2, "--batch-size"},
      {Args(out) + " extra", 2, "unexpected argument 'extra'"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.args);
    ToolRun run = Tool(c.args);
    EXPECT_EQ(run.code, c.code) << run.err;
    EXPECT_THAT(run.err, HasSubstr("pwemoe-zeroshot-heads: "));
    EXPECT_THAT(run.err, HasSubstr(c.want));
    EXPECT_EQ(run.out, "");
    EXPECT_FALSE(fs::exists(out));
  }
}

TEST_F(ZeroshotHeadsTool, ClipMayBeAModelIdInTheHubCache) {
  // A stand-in Hugging Face cache holding the golden model as org/tiny-clip at one commit.
  const std::string cache = dir_ + "/hub", commit = std::string(40, 'a');
  const std::string model = cache + "/models--org--tiny-clip";
  fs::create_directories(model + "/refs");
  fs::create_directories(model + "/snapshots/" + commit);
  std::ofstream(model + "/refs/main") << commit;
  for (const char* f : {"config.json", "model.safetensors", "vocab.json", "merges.txt"}) {
    fs::copy_file(kGolden + "/" + f, model + "/snapshots/" + commit + "/" + f);
  }
  const std::string tail = " --classes " + kGolden + "/classes.txt --templates " + kGolden +
                           "/templates.txt --out " + dir_ + "/head.safetensors";
  ToolRun ok = Tool("--clip org/tiny-clip" + tail, "HF_HUB_CACHE=" + cache);
  ASSERT_EQ(ok.code, 0) << ok.err;
  EXPECT_EQ(nlohmann::json::parse(ok.out).at("clip"), model + "/snapshots/" + commit);
  model::ClassificationHead head;
  ASSERT_TRUE(model::LoadHead(dir_ + "/head.safetensors", &head).ok());
  io::TensorMap expected;
  ASSERT_TRUE(io::LoadTensors(kGolden + "/expected.safetensors", &expected, {true}).ok());
  torch::Tensor diff = head.weight.to(torch::kFloat64) - expected.at("head_weight");
  EXPECT_LT(diff.abs().max().item<double>(), 1e-4);
  // A model the cache does not hold: the error says where it looked.
  ToolRun missing = Tool("--clip org/other" + tail, "HF_HUB_CACHE=" + cache);
  EXPECT_EQ(missing.code, 1);
  EXPECT_THAT(missing.err, HasSubstr("--clip: org/other is neither an existing path nor a model "
                                     "in the cache"));
  EXPECT_THAT(missing.err, HasSubstr(cache + "/models--org--other"));
}

TEST_F(ZeroshotHeadsTool, HelpListsEveryFlag) {
  ToolRun run = Tool("--help");
  EXPECT_EQ(run.code, 0);
  for (const char* flag :
       {"--clip DIR|ORG/NAME", "--classes FILE", "--templates FILE", "--out FILE", "--batch-size N",
        "--threads N", "--log-level LEVEL", "--version"}) {
    EXPECT_THAT(run.out, HasSubstr(flag));
  }
  EXPECT_THAT(run.out, HasSubstr("(default: 256)"));
}

}  // namespace
}  // namespace pwemoe::tools
