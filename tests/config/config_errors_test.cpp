// Table-driven: each malformed experiment must be rejected before any work starts, with the exact
// first error (origin:line:column: key: message) and exit code 2.
#include <gtest/gtest.h>

#include <algorithm>

#include "config/experiment_config.h"
#include "config_testing.h"

namespace pwemoe::config {
namespace {

struct BadCase {
  const char* name;
  int line;                            // base line replaced (0: none)
  std::string text;                    // its replacement
  std::vector<std::string> overrides;  // --set arguments
  std::string first_error;             // ROOT and FILE are replaced
};

const std::vector<BadCase> kCases = {
    {"SyntaxError", 20, "lr = 0.01 x", {},
     "FILE:20:11: TOML syntax error: Error while parsing key-value pair: expected a comment or whitespace, saw 'x'"},
    {"StringForInteger", 19, "steps = \"10\"", {},
     "FILE:19:9: train.steps: expected an integer from 1 to 1000000000, found string \"10\""},
    {"FloatForInteger", 19, "steps = 10.0", {},
     "FILE:19:9: train.steps: expected an integer from 1 to 1000000000, found float 10.0"},
    {"NegativeLearningRate", 20, "lr = -0.01", {},
     "FILE:20:6: train.lr: expected a number > 0, found float -0.01"},
    {"ZeroLearningRate", 20, "lr = 0", {}, "FILE:20:6: train.lr: expected a number > 0, found integer 0"},
    {"NonPositiveAlpha", 20, "lr = 0.01\nalpha = 0.0", {},
     "FILE:21:9: train.alpha: expected a number > 0, found float 0.0"},
    {"InfiniteLearningRate", 20, "lr = inf", {},
     "FILE:20:6: train.lr: expected a number > 0, found float inf"},
    {"UnknownKey", 20, "lrr = 0.01", {}, "FILE:20:1: train.lrr: unknown key, did you mean 'lr'?"},
    {"UnknownSection", 16, "[trian]", {}, "FILE:16:2: trian: unknown section [trian], did you mean 'train'?"},
    {"UnknownTopLevelKey", 0, "", {"foo.bar=1"}, "--set foo.bar=1: foo: unknown section [foo]"},
    {"UnknownTaskInSubset", 18, "subsets = [[\"sun397\", \"crs\"]]", {},
     "FILE:18:23: train.subsets: unknown task 'crs' in subset 1 (tasks are sun397, cars, dtd), did you "
     "mean 'cars'?"},
    {"SubsetWithOneTask", 18, "subsets = [[\"cars\"]]", {},
     "FILE:18:12: train.subsets: subset 1 has 1 task(s), expected at least 2"},
    {"TaskTwiceInSubset", 18, "subsets = [[\"cars\", \"cars\"]]", {},
     "FILE:18:21: train.subsets: task 'cars' appears twice in subset 1"},
    {"RepeatedSubset", 18, "subsets = [[\"cars\", \"dtd\"], [\"dtd\", \"cars\"]]", {},
     "FILE:18:29: train.subsets: subset 2 repeats the tasks of an earlier subset"},
    {"EmptySubsets", 18, "subsets = []", {},
     "FILE:18:11: train.subsets: expected a non-empty array of subsets (\"all\", \"pairs\" or arrays of "
     "task names), found an empty array"},
    {"UnknownSubsetKeyword", 18, "subsets = [\"pair\"]", {},
     "FILE:18:12: train.subsets: expected \"all\", \"pairs\" or an array of task names, found string "
     "\"pair\", did you mean 'pairs'?"},
    {"UnknownVariant", 17, "variants = [\"ls\", \"epp\"]", {},
     "FILE:17:19: train.variants: expected \"ls\" or \"epo\", found \"epp\", did you mean 'epo'?"},
    {"DuplicateVariant", 17, "variants = [\"epo\", \"epo\"]", {},
     "FILE:17:20: train.variants: variant \"epo\" given twice"},
    {"EmptyVariants", 17, "variants = []", {},
     "FILE:17:12: train.variants: expected a non-empty array of strings, found an empty array"},
    {"DuplicateTask", 12, "names = [\"sun397\", \"cars\", \"sun397\"]", {},
     "FILE:12:28: tasks.names: duplicate task 'sun397'"},
    {"SingleTask", 12, "names = [\"cars\"]", {}, "FILE:12:9: tasks.names: expected at least 2 tasks, found 1"},
    {"BadTaskName", 12, "names = [\"sun 397\", \"cars\"]", {},
     "FILE:12:10: tasks.names: expected a task name of letters, digits, '-', '_' or '.', found \"sun 397\""},
    {"MissingRequiredKey", 2, "", {},
     "FILE:1:1: experiment.name: missing required key (expected a string)"},
    {"MissingSection", 11, "[tasks_renamed]", {}, "FILE: tasks: missing required section [tasks]"},
    {"MissingExpert", 8, "experts = \"ROOT/nope/{task}\"", {},
     "FILE:8:11: model.experts: the expert of task 'sun397' does not exist: ROOT/nope/sun397"},
    {"MissingData", 14, "test_data = \"ROOT/data/{task}/tset.h5\"", {},
     "FILE:14:13: tasks.test_data: the test data of task 'sun397' does not exist: ROOT/data/sun397/tset.h5"},
    {"HeadIsADirectory", 9, "heads = \"ROOT/experts/{task}\"", {},
     "FILE:9:9: model.heads: expected a file for the head of task 'sun397', found a directory: "
     "ROOT/experts/sun397"},
    {"TemplateWithoutTask", 8, "experts = \"ROOT/experts/cars\"", {},
     "FILE:8:11: model.experts: expected a path containing {task}, or a table of task = path (one per "
     "task), found string \"ROOT/experts/cars\""},
    {"ExpertTableMissingTask", 8,
     "experts = { sun397 = \"ROOT/experts/sun397\", cars = \"ROOT/experts/cars\" }", {},
     "FILE:8:11: model.experts.dtd: missing the path of task 'dtd'"},
    {"ExpertTableUnknownTask", 8,
     "experts = { dt = \"x\", sun397 = \"ROOT/experts/sun397\", cars = \"ROOT/experts/cars\", dtd = "
     "\"ROOT/experts/dtd\" }",
     {},
     "FILE:8:13: model.experts.dt: unknown task, did you mean 'dtd'?"},
    {"RouterDepthOutOfRange", 23, "grid_points = 5\n[upscale]\nrouter_hidden_layers = 3", {},
     "FILE:25:24: upscale.router_hidden_layers: expected an integer from 0 to 2, found integer 3"},
    {"GridTooCoarse", 23, "grid_points = 1", {},
     "FILE:23:15: eval.grid_points: expected an integer from 2 to 100000, found integer 1"},
    {"DirichletWithoutSamples", 23, "ray_sets = [\"grid\", \"dirichlet\"]", {},
     "FILE:22:1: eval.dirichlet_samples: missing required key (expected an integer >= 1 when ray_sets "
     "contains \"dirichlet\")"},
    {"UnknownRaySet", 23, "ray_sets = [\"grdi\"]", {},
     "FILE:23:13: eval.ray_sets: expected one of grid, one-hot, equal, dirichlet, found \"grdi\", did "
     "you mean 'grid'?"},
    {"NegativeSeed", 18, "seeds = [-1]", {},
     "FILE:18:10: train.seeds: expected integers >= 0, found an element integer -1"},
    {"BadExperimentName", 2, "name = \"a b\"", {},
     "FILE:2:8: experiment.name: expected a name of letters, digits, '-', '_' or '.', found \"a b\""},
    {"BadBenchmarkSize", 23, "grid_points = 5\n[benchmark]\ndir = \"ROOT/bench\"\nsize = \"huge\"", {},
     "FILE:26:8: benchmark.size: expected one of micro, full, found \"huge\""},
    {"BadBenchmarkTaskCount", 23, "grid_points = 5\n[benchmark]\ndir = \"ROOT/bench\"\ntasks = 0", {},
     "FILE:26:9: benchmark.tasks: expected an integer from 1 to 1000, found integer 0"},
    {"WrongTypeBoolean", 23, "grid_points = 5\n[baselines]\nexperts = \"yes\"", {},
     "FILE:25:11: baselines.experts: expected a boolean (true or false), found string \"yes\""},
    {"UnknownDevice", 23, "grid_points = 5\n[cluster]\ndevice = \"gpus\"", {},
     "FILE:25:10: cluster.device: expected one of cpu, cuda, auto, found \"gpus\""},
    {"UnknownPrecision", 23, "grid_points = 5\n[compute]\nprecision = \"fp16\"", {},
     "FILE:25:13: compute.precision: expected one of auto, bf16, fp32, found \"fp16\""},
    {"BadSlurmTime", 23, "grid_points = 5\n[slurm]\ntime = \"1h\"", {},
     "FILE:25:8: slurm.time: expected a Slurm time limit (minutes, HH:MM:SS or D-HH:MM:SS), found \"1h\""},
    {"ZeroSlurmMinutes", 23, "grid_points = 5\n[slurm]\ntime = 0", {},
     "FILE:25:8: slurm.time: expected an integer from 1 to 100000000, found integer 0"},
    {"SlurmTimeOfWrongType", 23, "grid_points = 5\n[slurm]\ntime = 1.5", {},
     "FILE:25:8: slurm.time: expected a Slurm time limit (minutes, HH:MM:SS or D-HH:MM:SS), found float 1.5"},
    {"BadSlurmMemory", 23, "grid_points = 5\n[slurm]\nmem = \"lots\"", {},
     "FILE:25:7: slurm.mem: expected a Slurm memory size such as \"16G\" or \"4000M\", found \"lots\""},
    {"ReportReferenceOutOfRange", 23, "grid_points = 5\n[report]\nreference = 1", {},
     "FILE:25:13: report.reference: expected a number >= 0 and < 1, found integer 1"},
    {"ReportUnknownKey", 23, "grid_points = 5\n[report]\nreferense = 0.1", {},
     "FILE:25:1: report.referense: unknown key, did you mean 'reference'?"},
    {"OverrideWithoutKey", 0, "", {"cluster=3"},
     "--set cluster=3: expected --set section.key=value"},
    {"OverrideOutOfRange", 0, "", {"train.lr=-1"},
     "--set train.lr=-1: train.lr: expected a number > 0, found integer -1"},
    {"OverrideUnknownKey", 0, "", {"train.lrr=1"},
     "--set train.lrr=1: train.lrr: unknown key, did you mean 'lr'?"},
    {"OverrideIntoAValue", 0, "", {"train.lr.x=1"}, "--set train.lr.x=1: train.lr is not a table"},
    {"OutputDirIsAFile", 4, "output_dir = \"ROOT/heads/cars.safetensors\"", {},
     "FILE:4:14: experiment.output_dir: exists and is not a directory: ROOT/heads/cars.safetensors"},
};

TEST(ConfigErrors, EachMalformedExperimentNamesFileLineAndKey) {
  testing::ExperimentTree tree;
  ASSERT_GE(kCases.size(), 25u);
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    std::string path = tree.Write(std::string(c.name) + ".toml", tree.WithLine(c.line, tree.Fill(c.text)));
    ExperimentConfig cfg;
    std::vector<ConfigError> errors;
    Status st = LoadExperiment(path, c.overrides, &cfg, &errors);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.ExitCode(), 2);
    ASSERT_FALSE(errors.empty());
    std::string expected = tree.Fill(c.first_error);
    for (size_t pos; (pos = expected.find("FILE")) != std::string::npos;) expected.replace(pos, 4, path);
    EXPECT_EQ(errors[0].ToString(), expected);
    EXPECT_EQ(st.message().substr(0, st.message().find('\n')), expected);
  }
}

TEST(ConfigErrors, MissingFileIsAConfigurationError) {
  ExperimentConfig cfg;
  Status st = LoadExperiment("/nonexistent/experiment.toml", {}, &cfg);
  EXPECT_EQ(st.ExitCode(), 2);
  EXPECT_EQ(st.message(), "/nonexistent/experiment.toml: experiment file does not exist");
}

TEST(ConfigErrors, EveryErrorIsReportedInFileOrder) {
  testing::ExperimentTree tree;
  std::string text = tree.WithLine(20, "lr = -1\nsteps = 0");  // steps now given twice: a TOML error
  text = tree.WithLine(3, "seed = -5");
  text.replace(text.find("steps = 10"), 10, "steps = 0");
  text.replace(text.find("lr = 0.01"), 9, "lr = -1");
  std::vector<ConfigError> errors;
  ExperimentConfig cfg;
  Status st = ParseExperiment(text, "x.toml", {"eval.batch_size=0"}, &cfg, &errors);
  ASSERT_EQ(errors.size(), 4u) << st.message();
  EXPECT_EQ(errors[0].key, "experiment.seed");
  EXPECT_EQ(errors[1].key, "train.steps");
  EXPECT_EQ(errors[2].key, "train.lr");
  EXPECT_EQ(errors[3].key, "eval.batch_size");
  EXPECT_EQ(errors[3].origin, "--set eval.batch_size=0");
  EXPECT_EQ(std::count(st.message().begin(), st.message().end(), '\n'), 3);
}

}  // namespace
}  // namespace pwemoe::config
