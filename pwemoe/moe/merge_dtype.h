// The merge dtype rule (WorkDType) shared by the pwemoe/moe sources (internal), with the tensor
// message helpers of pwemoe/io/tensor_messages.h brought into moe::internal.
//
// Thread safety: pure functions.
#pragma once

#include <exception>
#include <string>

#include <torch/torch.h>

#include "pwemoe/io/tensor_messages.h"

namespace pwemoe::moe::internal {

using io::ExceptionText;
using io::ShapeString;

// The dtype in which merging arithmetic runs for a floating-point tensor of dtype `t`: float64
// stays float64, every other floating dtype (float32, float16, bfloat16) computes in float32.
torch::ScalarType WorkDType(torch::ScalarType t);

}  // namespace pwemoe::moe::internal
