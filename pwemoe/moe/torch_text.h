// Helpers shared by the pwemoe/moe sources (internal); the message helpers live in
// pwemoe/io/torch_text.h.
//
// Thread safety: pure functions.
#pragma once

#include <exception>
#include <string>

#include <torch/torch.h>

#include "pwemoe/io/torch_text.h"

namespace pwemoe::moe::internal {

using io::ExceptionText;
using io::ShapeString;

// The dtype in which merging arithmetic runs for a floating-point tensor of dtype `t`: float64
// stays float64, every other floating dtype (float32, float16, bfloat16) computes in float32.
torch::ScalarType WorkDType(torch::ScalarType t);

}  // namespace pwemoe::moe::internal
