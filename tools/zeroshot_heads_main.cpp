// pwemoe-zeroshot-heads: the zero-shot classification head of one task from a CLIPModel folder
// (config.json, model.safetensors or its shards, vocab.json, merges.txt; or a model id such as
// openai/clip-vit-base-patch32, looked up offline in the Hugging Face cache as pwemoe/io/hf_cache.h
// describes), a file of class names
// and a file of prompt templates (data/ta8/README.md describes both), written as a head file
// (pwemoe/model/head.h: `weight` [classes, projection_dim], `logit_scale` the multiplier).
//
// Every template is filled with every class name, tokenized with CLIP's tokenizer
// (pwemoe/text/clip_tokenizer.h, padded to the text tower's max_position_embeddings) and embedded
// with the text tower (pwemoe/model/clip_text.h); each class's row is the normalized mean of the
// normalized embeddings of its prompts, and logit_scale is exp(logit_scale) of the checkpoint
// (pwemoe/model/zeroshot.h). Progress goes to stderr, a JSON summary to stdout.
//
// Exit codes: 0 success; 2 a bad command line; 1 a runtime failure (a missing or malformed file,
// an empty class list, a template without "{}", ...). Every error message names the file at fault.
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pwemoe/io/hf_cache.h"
#include "pwemoe/model/clip_text.h"
#include "pwemoe/model/head.h"
#include "pwemoe/model/zeroshot.h"
#include "pwemoe/text/clip_tokenizer.h"
#include "pwemoe/text/prompts.h"
#include "pwemoe/util/tool.h"

namespace pwemoe::tools {
namespace {

namespace fs = std::filesystem;

const ToolSpec kSpec =
    ToolSpec{
        "pwemoe-zeroshot-heads",
        "pwemoe-zeroshot-heads --clip DIR|ORG/NAME --classes FILE --templates FILE "
        "--out HEAD.safetensors [options]",
        "Builds the zero-shot classification head of a task with CLIP's text tower: every template\n"
        "filled with every class name is embedded, each class's row is the normalized mean of its\n"
        "prompts' normalized embeddings, and logit_scale is exp(logit_scale) of the checkpoint.",
        {
            {"--clip", "DIR|ORG/NAME", "",
             "CLIPModel folder (config.json, model.safetensors or a shard index, vocab.json, "
             "merges.txt), or a model id in the local Hugging Face cache"},
            {"--classes", "FILE", "", "class names, one per line, in label order"},
            {"--templates", "FILE", "", "prompt templates, one per line, each with one {} for the class"},
            {"--out", "FILE", "", "head .safetensors to write (weight, logit_scale); its folder is made"},
            {"--batch-size", "N", "256", "prompts per text-tower forward"},
        }}
        .WithThreads("1")
        .WithLogLevel();

struct Options {
  std::string clip, classes, templates, out;
  int64_t batch_size = 256;
};

Status ReadOptions(const ParsedFlags& flags, Options* o) {
  PWEMOE_RETURN_IF_ERROR(CheckPositional(kSpec, flags, 0));
  PWEMOE_RETURN_IF_ERROR(
      RequireFlags(kSpec, flags, {"--clip", "--classes", "--templates", "--out"}));
  o->clip = flags.Get("--clip");
  o->classes = flags.Get("--classes");
  o->templates = flags.Get("--templates");
  o->out = flags.Get("--out");
  return GetIntFlag(flags, "--batch-size", 1, &o->batch_size);
}

struct Summary {
  int64_t classes = 0, templates = 0, truncated = 0, projection_dim = 0;
  double logit_scale = 0, seconds = 0;
  std::string clip;  // the folder read
};

// Every template filled with every class (class-major), tokenized into [prompts, context] ids.
Status TokenizePrompts(const text::ClipTokenizer& tokenizer, const text::TaskPrompts& task,
                       torch::Tensor* ids, int64_t* truncated) {
  const int64_t rows = static_cast<int64_t>(task.classes.size() * task.templates.size());
  const int64_t length = tokenizer.context_length();
  *ids = torch::empty({rows, length}, torch::kLong);
  auto a = ids->accessor<int64_t, 2>();
  *truncated = 0;
  int64_t row = 0;
  for (size_t c = 0; c < task.classes.size(); ++c) {
    for (const std::string& prompt : text::ClassPrompts(task, c)) {
      text::ClipTextInput input;
      Status st = tokenizer.Encode(prompt, &input);
      if (!st.ok()) return st.WithContext("prompt '" + prompt + "'");
      if (input.truncated) {
        ++*truncated;
        spdlog::debug("prompt '{}' is longer than {} tokens and was cut", prompt, length);
      }
      for (int64_t t = 0; t < length; ++t) a[row][t] = input.input_ids[t];
      ++row;
    }
  }
  return Status::Ok();
}

Status MakeHead(const Options& o, Summary* s) {
  const auto start = std::chrono::steady_clock::now();
  text::TaskPrompts task;
  Status st = text::ReadLinesFile(o.classes, &task.classes);
  if (!st.ok()) return st.WithContext("--classes");
  st = text::LoadPromptTemplates(o.templates, &task.templates);
  if (!st.ok()) return st.WithContext("--templates");

  std::string folder;
  st = io::ResolveModelPath(o.clip, &folder);  // a folder, or a model id in the hub cache
  if (!st.ok()) return st.WithContext("--clip");
  model::ClipTextModel clip;
  PWEMOE_RETURN_IF_ERROR(model::LoadClipTextModel(folder, &clip));
  spdlog::info("text tower of {}: {} layers, width {}, projection {}, {} positions", folder,
               clip.config.num_hidden_layers, clip.config.hidden_size, clip.config.projection_dim,
               clip.config.max_position_embeddings);
  text::ClipTokenizerOptions tok_options;
  tok_options.context_length = clip.config.max_position_embeddings;
  text::ClipTokenizer tokenizer;
  PWEMOE_RETURN_IF_ERROR(text::ClipTokenizer::Load(folder, tok_options, &tokenizer));

  torch::Tensor ids;
  int64_t truncated = 0;
  PWEMOE_RETURN_IF_ERROR(TokenizePrompts(tokenizer, task, &ids, &truncated));
  spdlog::info("{} classes x {} templates = {} prompts{}", task.classes.size(),
               task.templates.size(), ids.size(0),
               truncated > 0 ? " (" + std::to_string(truncated) + " cut to " +
                                   std::to_string(ids.size(1)) + " tokens)"
                             : std::string());

  model::ClassificationHead head;
  auto progress = [&](int64_t done, int64_t total) {
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    spdlog::info("embedded {}/{} prompts ({:.1f} s)", done, total, secs);
  };
  st = model::ZeroShotHead(clip, ids, static_cast<int64_t>(task.classes.size()), o.batch_size,
                           progress, &head);
  if (!st.ok()) return st.WithContext(folder);
  const fs::path parent = fs::path(o.out).parent_path();
  std::error_code ec;
  if (!parent.empty() && !fs::create_directories(parent, ec) && ec) {
    return Status::IoError("--out: cannot create the folder " + parent.string() + ": " +
                           ec.message());
  }
  PWEMOE_RETURN_IF_ERROR(model::SaveHead(o.out, head));
  s->clip = folder;
  s->classes = head.num_classes();
  s->templates = static_cast<int64_t>(task.templates.size());
  s->truncated = truncated;
  s->projection_dim = head.projection_dim();
  s->logit_scale = head.logit_scale;
  s->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  spdlog::info("wrote {} ({} classes, logit_scale {:.4f})", o.out, s->classes, s->logit_scale);
  return Status::Ok();
}

Status Run(ToolContext* ctx) {
  Options o;
  PWEMOE_RETURN_IF_ERROR(ReadOptions(ctx->flags, &o));
  torch::set_num_threads(static_cast<int>(ctx->threads));
  Summary s;
  PWEMOE_RETURN_IF_ERROR(MakeHead(o, &s));
  nlohmann::ordered_json out = {{"out", o.out},
                                {"classes", s.classes},
                                {"templates", s.templates},
                                {"prompts", s.classes * s.templates},
                                {"truncated", s.truncated},
                                {"projection_dim", s.projection_dim},
                                {"logit_scale", s.logit_scale},
                                {"seconds", s.seconds},
                                {"clip", s.clip}};
  std::printf("%s\n", out.dump().c_str());
  return Status::Ok();
}

}  // namespace
}  // namespace pwemoe::tools

PWEMOE_TOOL_MAIN(pwemoe::tools::kSpec, pwemoe::tools::Run)
