// Zero-shot classification heads from CLIP's text tower (head.h holds what they become). Each
// class's row of the head is CLIP's prompt ensemble,
//
//   weight[c] = normalize(mean over templates t of normalize(text_embeds(prompt(c, t))))
//
// (normalize: divide by the L2 norm), and the head's logit_scale is exp(logit_scale) of the
// CLIPModel checkpoint — how Radford et al., Ilharco et al. and FusionBench build the heads of the
// task-arithmetic tasks. Tokenizing the prompts is the caller's part
// (pwemoe/text/clip_tokenizer.h), so this module needs no tokenizer.
//
// Thread safety: no state; the model is only read.
#pragma once

#include <cstdint>
#include <functional>

#include "pwemoe/model/clip_text.h"
#include "pwemoe/model/head.h"
#include "pwemoe/util/status.h"

namespace pwemoe::model {

// Called after each batch with the number of prompts embedded so far and the total.
using ZeroShotProgress = std::function<void(int64_t done, int64_t total)>;

// The zero-shot head of `num_classes` classes from `prompt_ids`, [num_classes * T, L] token ids
// class-major (row c * T + t is template t filled with class c; T >= 1 templates), embedded with
// ClipTextForward `batch_size` rows at a time on the model's parameters' device. The per-prompt
// normalization, the mean and the final normalization are computed in float64; the weight is
// stored as float32 [num_classes, projection_dim] on the CPU. logit_scale = exp(model.logit_scale).
// `progress` may be empty. *out is replaced only on success. Errors: InvalidArgument when
// num_classes < 1, batch_size < 1, or prompt_ids is not 2-D with a positive multiple of num_classes
// rows; ClipTextForward's errors (bad ids, a row without the end token, ...) with the rows of the
// batch as context; Numerical naming the class when a prompt embedding or a class mean has a zero
// or non-finite norm, or exp(logit_scale) is not finite and positive.
Status ZeroShotHead(const ClipTextModel& model, const torch::Tensor& prompt_ids,
                    int64_t num_classes, int64_t batch_size, const ZeroShotProgress& progress,
                    ClassificationHead* out);

}  // namespace pwemoe::model
