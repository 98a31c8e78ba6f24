#include "pwemoe/mini/recipe.h"

#include <algorithm>
#include <cstdio>

#include "pwemoe/util/strings.h"

namespace pwemoe::mini {
namespace {

// Bumped whenever the way the benchmark is made changes, so old benchmarks are rebuilt.
// 2: models seeded by catalogue position (RecipeText).
constexpr int kFormatVersion = 2;

io::ClipVisionConfig TinyClip(int64_t hidden, int64_t layers, int64_t heads, int64_t patch) {
  io::ClipVisionConfig c;
  c.image_size = 28;
  c.patch_size = patch;
  c.num_channels = 1;
  c.hidden_size = hidden;
  c.intermediate_size = 4 * hidden;
  c.num_hidden_layers = layers;
  c.num_attention_heads = heads;
  c.projection_dim = hidden;
  c.hidden_act = "quick_gelu";
  c.layer_norm_eps = 1e-5;
  return c;
}

std::string BudgetText(const char* name, const FitBudget& b) {
  return std::string(name) + "=" + std::to_string(b.steps) + "x" + std::to_string(b.batch_size) +
         ",lr=" + FormatDouble(b.lr) + ",wd=" + FormatDouble(b.weight_decay) +
         ",warmup=" + FormatDouble(b.warmup) + ";";
}

}  // namespace

Recipe RecipeFor(Size size) {
  Recipe r;
  r.size = size;
  if (size == Size::kMicro) {
    r.model = TinyClip(32, 2, 2, 7);
    r.pretrain = {150, 64, 3e-3, 0.05, 0.1};
    r.probe = {150, 128, 3e-2, 0.0, 0.05};
    r.expert = {60, 32, 1e-3, 0.0, 0.1};
  } else {
    r.model = TinyClip(64, 4, 4, 7);
    r.pretrain = {2500, 64, 2e-3, 0.05, 0.1};
    r.probe = {300, 256, 3e-2, 0.0, 0.05};
    r.expert = {800, 64, 1.5e-4, 0.0, 0.1};
  }
  r.probe_logit_scale = 20.0;
  r.threads = 1;
  return r;
}

std::string RecipeText(const Recipe& recipe, const DataOptions& data) {
  const io::ClipVisionConfig& m = recipe.model;
  // Models are seeded by their task's position in MiniTasks() (format 2). Before, by position in
  // the list; the two agree when the list is a prefix of MiniTasks() (the default 8, the 20),
  // whose files did not change and whose text stays at format 1.
  const std::vector<std::string>& tasks = data.tasks.empty() ? MiniTaskNames() : data.tasks;
  const bool prefix = tasks.size() <= AllMiniTaskNames().size() &&
                      std::equal(tasks.begin(), tasks.end(), AllMiniTaskNames().begin());
  std::string text = "pwemoe-mini v" + std::to_string(prefix ? 1 : kFormatVersion) + ";";
  text += std::string("size=") + SizeName(recipe.size) + ";seed=" + std::to_string(data.seed) + ";";
  text += "tasks=" + Join(tasks, ",") + ";";
  text += "model=" + std::to_string(m.image_size) + "/" + std::to_string(m.patch_size) + "/" +
          std::to_string(m.num_channels) + "/" + std::to_string(m.hidden_size) + "/" +
          std::to_string(m.intermediate_size) + "/" + std::to_string(m.num_hidden_layers) + "/" +
          std::to_string(m.num_attention_heads) + "/" + std::to_string(m.projection_dim) + "/" +
          m.hidden_act + ";";
  text += BudgetText("pretrain", recipe.pretrain) + BudgetText("probe", recipe.probe) +
          BudgetText("expert", recipe.expert);
  text += "logit_scale=" + FormatDouble(recipe.probe_logit_scale) + ";";
  text += "threads=" + std::to_string(recipe.threads) + ";";
  return text;
}

std::string HashText(const std::string& text) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace pwemoe::mini
