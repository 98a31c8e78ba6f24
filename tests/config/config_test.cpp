#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sys/wait.h>

#include "config/experiment_config.h"
#include "config_testing.h"

namespace pwemoe::config {
namespace {

namespace fs = std::filesystem;

ExperimentConfig MustParse(const testing::ExperimentTree& tree, const std::string& text,
                           const std::vector<std::string>& overrides = {}) {
  ExperimentConfig cfg;
  Status st = ParseExperiment(text, "t.toml", overrides, &cfg);
  EXPECT_TRUE(st.ok()) << st.message();
  return cfg;
}

TEST(Config, BaseExperimentResolvesWithDefaults) {
  testing::ExperimentTree tree;
  ExperimentConfig c = MustParse(tree, tree.BaseText());
  EXPECT_EQ(c.experiment.name, "t");
  EXPECT_EQ(c.experiment.seed, 1u);
  ASSERT_EQ(c.tasks.size(), 3u);
  EXPECT_EQ(c.tasks[1].name, "cars");
  EXPECT_EQ(c.tasks[1].expert, tree.root() + "/experts/cars");
  EXPECT_EQ(c.tasks[2].head, tree.root() + "/heads/dtd.safetensors");
  EXPECT_EQ(c.tasks[0].test_data, tree.root() + "/data/sun397/test.h5");
  EXPECT_EQ(c.train.subsets, (std::vector<std::vector<int>>{{0, 1}, {0, 1, 2}}));
  EXPECT_EQ(c.train.seeds, std::vector<uint64_t>{1});  // defaults to experiment.seed
  EXPECT_EQ(c.train.variants, (std::vector<Variant>{Variant::kLs, Variant::kEpo}));
  EXPECT_EQ(c.train.steps, 10);
  EXPECT_DOUBLE_EQ(c.train.lr, 0.01);
  EXPECT_EQ(c.upscale.modules, std::vector<std::string>{"mlp"});
  EXPECT_DOUBLE_EQ(c.upscale.init_lambda, 0.3);
  EXPECT_EQ(c.upscale.router_hidden_layers, 2);
  EXPECT_EQ(c.eval.grid_points, 5);
  EXPECT_TRUE(c.eval.grid && c.eval.one_hot && c.eval.equal);
  EXPECT_EQ(c.cluster.ranks_per_group, 1);
  EXPECT_EQ(c.compute.precision, "auto");
}

TEST(Config, ResolvedTomlRoundTrips) {
  testing::ExperimentTree tree;
  std::string text = tree.WithLine(23, "ray_sets = [\"grid\", \"dirichlet\"]\ndirichlet_samples = 7\n"
                                       "[slurm]\nextra = [\"--constraint=\\\"a100\\\"\"]\n[train.nothing]");
  text = text.substr(0, text.rfind("[train.nothing]"));
  ExperimentConfig a = MustParse(tree, text, {"train.lr=0.0123456789012345", "upscale.init_lambda=-0.1",
                                              "report.reference=0.25"});
  std::string once = ToToml(a);
  ExperimentConfig b = MustParse(tree, once);
  EXPECT_EQ(ToToml(b), once);
  EXPECT_EQ(b.train.lr, 0.0123456789012345);
  EXPECT_EQ(b.upscale.init_lambda, -0.1);
  EXPECT_EQ(b.report.reference, 0.25);
  EXPECT_EQ(b.eval.dirichlet_samples, 7);
  EXPECT_EQ(b.slurm.extra, std::vector<std::string>{"--constraint=\"a100\""});
  EXPECT_EQ(b.train.subsets, a.train.subsets);
}

TEST(Config, OverridesTakeTomlValuesOrBareStrings) {
  testing::ExperimentTree tree;
  ExperimentConfig c = MustParse(tree, tree.BaseText(),
                                 {"train.lr=5e-3", "train.variants=[\"epo\"]", "experiment.name=sweep-1",
                                  "train.subsets=[\"pairs\"]", "cluster.threads_per_rank=4",
                                  "train.lr=0.02"});
  EXPECT_DOUBLE_EQ(c.train.lr, 0.02);  // the last override wins
  EXPECT_EQ(c.train.variants, std::vector<Variant>{Variant::kEpo});
  EXPECT_EQ(c.experiment.name, "sweep-1");
  EXPECT_EQ(c.train.subsets, (std::vector<std::vector<int>>{{0, 1}, {0, 2}, {1, 2}}));
  EXPECT_EQ(c.cluster.threads_per_rank, 4);
}

TEST(Config, OverrideCreatesAMissingSection) {
  testing::ExperimentTree tree;
  ExperimentConfig c = MustParse(tree, tree.BaseText(), {"slurm.partition=gpu", "slurm.gpus_per_node=4"});
  EXPECT_EQ(c.slurm.partition, "gpu");
  EXPECT_EQ(c.slurm.gpus_per_node, 4);
}

// slurm.time as a user writes it: a quoted Slurm string, integer minutes, or an unquoted TOML
// time of day, in the file or through --set (regression: --set slurm.time=00:05:00 was refused
// as "expected a string, found a time").
TEST(Config, SlurmTimeForms) {
  struct Case {
    std::string in_file;                // value after "time = " in [slurm]; empty: none
    std::vector<std::string> overrides;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"", {}, "01:00:00"},
      {"\"2-12:00:00\"", {}, "2-12:00:00"},
      {"\"90\"", {}, "90"},
      {"45", {}, "45"},
      {"00:05:00", {}, "00:05:00"},
      {"23:59:59", {}, "23:59:59"},
      {"", {"slurm.time=00:05:00"}, "00:05:00"},
      {"", {"slurm.time=30"}, "30"},
      {"", {"slurm.time=\"1-00:00:00\""}, "1-00:00:00"},
      {"\"UNLIMITED\"", {}, "UNLIMITED"},
  };
  for (const Case& c : cases) {
    testing::ExperimentTree tree;
    std::string text = tree.BaseText();
    if (!c.in_file.empty()) text += "\n[slurm]\ntime = " + c.in_file + "\n";
    ExperimentConfig cfg = MustParse(tree, text, c.overrides);
    EXPECT_EQ(cfg.slurm.time, c.expected) << c.in_file << " " << ::testing::PrintToString(c.overrides);
  }
}

// model.pretrained and model.experts may name Hugging Face model ids, resolved offline in the hub
// cache ($HF_HUB_CACHE) to their snapshot folders; one that is not there is an error naming the
// key and the missing path.
TEST(Config, ModelIdsResolveInTheHubCache) {
  testing::ExperimentTree tree;
  const std::string hub = tree.root() + "/hub";
  const std::string commit = "0123456789abcdef0123456789abcdef01234567";
  auto add_model = [&](const std::string& folder) {
    fs::create_directories(hub + "/" + folder + "/refs");
    fs::create_directories(hub + "/" + folder + "/snapshots/" + commit);
    std::ofstream(hub + "/" + folder + "/refs/main") << commit;
    return hub + "/" + folder + "/snapshots/" + commit;
  };
  const std::string pre = add_model("models--openai--clip-vit-base-patch32");
  std::vector<std::string> experts;
  for (const char* t : {"sun397", "cars", "dtd"}) experts.push_back(add_model(std::string("models--tanganke--clip_") + t));
  const char* old = std::getenv("HF_HUB_CACHE");
  const std::string saved = old ? old : "";
  setenv("HF_HUB_CACHE", hub.c_str(), 1);
  std::string text = tree.WithLine(7, "pretrained = \"openai/clip-vit-base-patch32\"");
  const std::string from = tree.Fill("experts = \"ROOT/experts/{task}\"");  // line 8
  text.replace(text.find(from), from.size(), "experts = \"tanganke/clip_{task}\"");
  ExperimentConfig c;
  Status st = ParseExperiment(text, tree.root() + "/x.toml", {}, &c);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(c.model.pretrained, pre);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(c.tasks[i].expert, experts[i]);
  // A model the cache does not hold.
  st = ParseExperiment(tree.WithLine(7, "pretrained = \"openai/clip-vit-large-patch14\""), tree.root() + "/x.toml", {}, &c);
  if (old) setenv("HF_HUB_CACHE", saved.c_str(), 1);
  else unsetenv("HF_HUB_CACHE");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("model.pretrained: the pretrained model does not exist"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("as a Hugging Face model id: model openai/clip-vit-large-patch14 (revision main) is "
                              "not in the Hugging Face cache: " + hub + "/models--openai--clip-vit-large-patch14 does not exist"),
            std::string::npos) << st.message();
}

TEST(Config, BenchmarkPathsDefaultIntoItsDirectoryAndNeedNotExistYet) {
  testing::ExperimentTree tree;
  std::string text = tree.Fill(
      "[experiment]\nname = \"mini\"\n[benchmark]\ndir = \"ROOT/bench\"\nsize = \"micro\"\n"
      "[tasks]\nnames = [\"a\", \"b\"]\n");
  ExperimentConfig c = MustParse(tree, text);
  EXPECT_TRUE(c.benchmark.enabled);
  EXPECT_EQ(c.benchmark.tasks, 0);  // absent: chosen from the task names where it is built
  EXPECT_EQ(ToToml(c).find("tasks = "), std::string::npos);  // nor printed (hashes stay as they were)
  std::string twenty = text;
  twenty.replace(twenty.find("size = "), 0, "tasks = 20\n");
  const ExperimentConfig c20 = MustParse(tree, twenty);
  EXPECT_EQ(c20.benchmark.tasks, 20);
  EXPECT_NE(ToToml(c20).find("tasks = 20"), std::string::npos);
  EXPECT_EQ(c.model.pretrained, tree.root() + "/bench/pretrained");
  EXPECT_EQ(c.tasks[1].expert, tree.root() + "/bench/experts/b");
  EXPECT_EQ(c.tasks[0].train_data, tree.root() + "/bench/data/a/train.h5");
  // A path outside the benchmark directory must still exist.
  ExperimentConfig bad;
  Status st = ParseExperiment(text + "test_data = \"" + tree.root() + "/elsewhere/{task}.h5\"\n", "t.toml", {}, &bad);
  EXPECT_EQ(st.ExitCode(), 2);
  EXPECT_NE(st.message().find("tasks.test_data: the test data of task 'a' does not exist"), std::string::npos);
}

TEST(Config, RelativePathsResolveAgainstTheWorkingDirectory) {
  testing::ExperimentTree tree;
  auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(tree.root());
  ExperimentConfig c = MustParse(tree, tree.BaseText(), {"model.pretrained=pre", "experiment.output_dir=out/x"});
  std::filesystem::current_path(cwd);
  EXPECT_EQ(c.model.pretrained, tree.root() + "/pre");
  EXPECT_EQ(c.experiment.output_dir, tree.root() + "/out/x");
}

// The tool: a bad experiment exits with code 2 and prints the located error; a good one plans.
TEST(OrchestrateCli, ExitCodesAndMessages) {
  testing::ExperimentTree tree;
  const std::string tool = std::string(PWEMOE_BINARY_DIR) + "/bin/pwemoe-orchestrate";
  std::string bad = tree.Write("bad.toml", tree.WithLine(20, "lr = -0.01"));
  std::string good = tree.Write("good.toml", tree.BaseText());
  std::string out = tree.root() + "/out.txt";
  auto run = [&](const std::string& args) {
    int rc = std::system((tool + " " + args + " > " + out + " 2>&1").c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  };
  auto output = [&] {
    std::ifstream in(out);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  EXPECT_EQ(run(bad + " --dry-run"), 2);
  EXPECT_NE(output().find(bad + ":20:6: train.lr: expected a number > 0, found float -0.01"), std::string::npos) << output();
  EXPECT_EQ(run(good + " --dry-run --set train.steps=0"), 2);
  EXPECT_NE(output().find("--set train.steps=0: train.steps: expected an integer from 1"), std::string::npos) << output();
  EXPECT_EQ(run(good + " --dry-rn"), 2);
  EXPECT_NE(output().find("unknown flag '--dry-rn', did you mean '--dry-run'?"), std::string::npos) << output();
  EXPECT_EQ(run("--dry-run"), 2);
  EXPECT_EQ(run(good + " --dry-run --log-level loud"), 2);
  EXPECT_EQ(run(good + " --dry-run"), 0);
  EXPECT_NE(output().find("training runs: 4 = 2 variants x 2 subsets x 1 seeds"), std::string::npos) << output();
  EXPECT_EQ(run("--help"), 0);
  EXPECT_NE(output().find("--log-level LEVEL"), std::string::npos);
  EXPECT_NE(output().find("(default: info)"), std::string::npos);
}

}  // namespace
}  // namespace pwemoe::config
