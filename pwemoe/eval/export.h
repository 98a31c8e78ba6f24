// Writing a plain (merged) CLIP vision model as a Hugging Face model folder:
// `model.safetensors` (the vision_model.* keys and visual_projection.weight) and `config.json`
// (a CLIPVisionConfig with architecture CLIPVisionModelWithProjection), readable by
// transformers' CLIPVisionModelWithProjection.from_pretrained, by io::LoadTensors and by
// pwemoe-eval.
//
// Thread safety: no shared state; two exports must not target the same folder at once.
#pragma once

#include <map>
#include <string>

#include "pwemoe/io/hf_config.h"
#include "pwemoe/io/tensor_io.h"
#include "pwemoe/util/status.h"

namespace pwemoe::eval {

// The keys a CLIPVisionModelWithProjection checkpoint holds: those starting with "vision_model."
// and "visual_projection.weight". Other keys (a text tower, ...) are dropped. Shares the tensors.
io::TensorMap VisionModelKeys(const io::TensorMap& params);

// Writes VisionModelKeys(params), each as a contiguous CPU tensor in its own dtype, to
// `out_dir`/model.safetensors (with `metadata` plus "format": "pt", which transformers requires)
// and `config` to `out_dir`/config.json. Atomic: both files are written into a fresh temporary
// folder next to `out_dir`, which is then renamed to `out_dir`; on any error the temporary folder
// is removed and `out_dir` is unchanged. `out_dir` must not exist or be an empty folder.
// InvalidArgument when the parameters fail model::ValidateClipVisionParams(config, ...,
// with projection) or `out_dir` exists and is not an empty folder; IoError naming the folder when
// a file cannot be written or the rename fails; Internal with LibTorch's message.
Status ExportVisionModel(const std::string& out_dir, const io::ClipVisionConfig& config,
                         const io::TensorMap& params,
                         const std::map<std::string, std::string>& metadata = {});

// InvalidArgument "<name>: '<out_dir>' exists and is not an empty folder" when so; OK otherwise
// (for checking a command line before any work).
Status CheckExportTarget(const std::string& out_dir, const std::string& name);

}  // namespace pwemoe::eval
