// pwemoe-eval: evaluates one model folder (config.json + safetensors, Hugging Face CLIP vision
// layout) with one classification head on one dataset file, and prints the result as one JSON
// object on stdout.
//
// Exit codes: 0 success; 2 a bad command line (or inputs that do not fit together); 1 a runtime
// failure (a missing or malformed file, ...). Every error message names the file at fault.
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "pwemoe/data/dataset.h"
#include "pwemoe/eval/evaluate.h"
#include "pwemoe/io/hf_config.h"
#include "pwemoe/io/tensor_io.h"
#include "pwemoe/model/clip_vit.h"
#include "pwemoe/model/head.h"
#include "pwemoe/model/precision.h"
#include "pwemoe/util/tool.h"

namespace pwemoe::tools {
namespace {

const ToolSpec kSpec =
    ToolSpec{
        "pwemoe-eval",
        "pwemoe-eval --model DIR --head FILE --data FILE [options]",
        "Evaluates a CLIP vision model (Hugging Face layout) with a classification head on a dataset\n"
        "and prints {\"accuracy\", \"mean_loss\", \"count\", \"correct\", \"model\", \"head\", \"data\",\n"
        "\"precision\"} as JSON.",
        {
            {"--model", "DIR", "", "model folder: config.json and model.safetensors (or a shard index)"},
            {"--head", "FILE", "", "classification head .safetensors (weight, logit_scale)"},
            {"--data", "FILE", "", "dataset .h5 file (pwemoe/data/FORMAT.md)"},
            {"--batch-size", "N", "128", "inference batch size"},
            {"--sample-cap", "N", "0", "evaluate a class-stratified subset of N samples, the one pwemoe-orchestrate takes for eval.sample_cap; 0: all"},
            {"--save-outputs", "FILE", "",
             "also write every evaluated sample's index, label, image_embeds and logits (.safetensors)"},
            {"--precision", "P", "auto", "compute precision: auto (bf16 where the CPU or GPU has bfloat16 instructions, else fp32), bf16 or fp32"},
        }}
        .WithThreads("1")
        .WithLogLevel();

struct Options {
  std::string model, head, data, save_outputs;
  int64_t batch_size = 128, sample_cap = 0;
  model::Precision precision = model::Precision::kFp32;
};

Status ReadOptions(const ParsedFlags& flags, Options* o) {
  PWEMOE_RETURN_IF_ERROR(CheckPositional(kSpec, flags, 0));
  PWEMOE_RETURN_IF_ERROR(RequireFlags(kSpec, flags, {"--model", "--head", "--data"}));
  o->model = flags.Get("--model");
  o->head = flags.Get("--head");
  o->data = flags.Get("--data");
  o->save_outputs = flags.Get("--save-outputs");
  PWEMOE_RETURN_IF_ERROR(GetIntFlag(flags, "--batch-size", 1, &o->batch_size));
  PWEMOE_RETURN_IF_ERROR(GetIntFlag(flags, "--sample-cap", 0, &o->sample_cap));
  std::string note;
  Status st = model::ChoosePrecision(flags.Get("--precision"), torch::kCPU, &o->precision, &note);
  if (!st.ok()) return st.WithContext("--precision");
  if (!note.empty()) spdlog::info("{}", note);
  return Status::Ok();
}

// Loads the three inputs and evaluates; writes the per-sample outputs with --save-outputs.
Status Evaluate(const Options& o, eval::EvalResult* result) {
  io::ClipVisionConfig config;
  PWEMOE_RETURN_IF_ERROR(io::LoadClipVisionConfig(o.model, &config));
  io::TensorMap params;
  PWEMOE_RETURN_IF_ERROR(io::LoadTensors(o.model, &params));
  Status st = model::ValidateClipVisionParams(config, params);
  if (!st.ok()) return st.WithContext(o.model);
  model::ClassificationHead head;
  PWEMOE_RETURN_IF_ERROR(model::LoadHead(o.head, &head));
  data::Dataset dataset;
  PWEMOE_RETURN_IF_ERROR(data::OpenDataset(o.data, &dataset));
  eval::EvalOutputs outputs;
  st = eval::EvaluateModel(config, params, head, dataset, o.batch_size, o.sample_cap,
                           o.precision, result, o.save_outputs.empty() ? nullptr : &outputs);
  if (!st.ok()) return st.WithContext(o.model + " with head " + o.head);
  if (o.save_outputs.empty()) return Status::Ok();
  return io::SaveTensors(o.save_outputs, {{"indices", outputs.indices},
                                          {"labels", outputs.labels},
                                          {"image_embeds", outputs.image_embeds},
                                          {"logits", outputs.logits}},
                         {{"model", o.model}, {"head", o.head}, {"data", o.data},
                          {"precision", model::PrecisionName(o.precision)}});
}

Status Run(ToolContext* ctx) {
  Options o;
  PWEMOE_RETURN_IF_ERROR(ReadOptions(ctx->flags, &o));
  torch::set_num_threads(static_cast<int>(ctx->threads));
  eval::EvalResult r;
  PWEMOE_RETURN_IF_ERROR(Evaluate(o, &r));
  nlohmann::ordered_json out = {{"accuracy", r.accuracy}, {"mean_loss", r.mean_loss},
                                {"count", r.count},       {"correct", r.correct},
                                {"model", o.model},       {"head", o.head},
                                {"data", o.data},         {"precision", model::PrecisionName(o.precision)}};
  std::printf("%s\n", out.dump().c_str());
  return Status::Ok();
}

}  // namespace
}  // namespace pwemoe::tools

PWEMOE_TOOL_MAIN(pwemoe::tools::kSpec, pwemoe::tools::Run)
