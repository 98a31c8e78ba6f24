// Classification heads: one frozen linear map per task from CLIP image embeddings to class logits,
//
//   logits = logit_scale * normalize(image_embeds) . weight^T
//
// (normalize: L2 along the feature dim), as in docs/DESIGN.md, "Classification head". `weight` rows are
// typically zero-shot text embeddings (already normalised by whoever made the file) or a linear
// probe; they are used as they are. A head file is a safetensors file holding exactly `weight`
// [classes, projection_dim] and `logit_scale` (a scalar or [1], the multiplier itself, not its
// logarithm as in CLIPModel). Heads never train: the weight carries no gradient, but gradients do
// flow through the logits back into image_embeds (and from there into routers).
//
// Thread safety: no function keeps state; a loaded head may be read from any number of threads.
#pragma once

#include <cstdint>
#include <string>

#include "pwemoe/io/tensor_io.h"
#include "pwemoe/util/status.h"

namespace pwemoe::model {

struct ClassificationHead {
  torch::Tensor weight;      // [classes, projection_dim], floating point, requires_grad false
  double logit_scale = 1.0;  // finite, > 0

  int64_t num_classes() const { return weight.defined() ? weight.size(0) : 0; }
  int64_t projection_dim() const { return weight.defined() ? weight.size(1) : 0; }
};

// Checks a head's invariants (`name` starts every message): weight defined, 2-D with at least one
// class and one feature, floating point, all finite; logit_scale finite and positive. Corrupt
// naming the field otherwise.
Status ValidateHead(const std::string& name, const ClassificationHead& head);

// Loads the head file at `path` into *out (replaced only on success). The weight keeps its file
// dtype (F16 / BF16 load as F32) and lives on the CPU, detached. Errors from io::LoadTensors (file
// missing or malformed) as they are; NotFound "<path>: missing tensor 'weight'" / 'logit_scale';
// Corrupt naming the file and tensor for a tensor other than the two, a weight that is not 2-D
// floating point, a logit_scale that is not a single floating-point value, and anything
// ValidateHead rejects.
Status LoadHead(const std::string& path, ClassificationHead* out);

// Writes `head` to `path` atomically: weight in its own dtype (a contiguous CPU copy), logit_scale
// as an F64 scalar, so LoadHead(SaveHead(h)) == h bit for bit. InvalidArgument when ValidateHead
// rejects `head`; IoError naming the path when writing fails.
Status SaveHead(const std::string& path, const ClassificationHead& head);

// logits [B, classes] = logit_scale * normalize(image_embeds) . weight^T for image_embeds
// [B, projection_dim] (any floating dtype and device; the weight is converted to match, without
// gradient). normalize divides each row by max(||row||_2, 1e-12) (torch's F.normalize; equal to
// transformers' x / ||x|| for every nonzero row). InvalidArgument for an embedding that is not 2-D
// with projection_dim features or not floating point, or a head without a 2-D weight; Internal
// with LibTorch's message if it fails. *logits is untouched on error.
Status HeadLogits(const ClassificationHead& head, const torch::Tensor& image_embeds,
                  torch::Tensor* logits);

}  // namespace pwemoe::model
