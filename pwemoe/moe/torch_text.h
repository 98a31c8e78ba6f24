// Text helpers for messages about tensors, shared by the pwemoe/moe sources (internal).
//
// Thread safety: pure functions.
#pragma once

#include <exception>
#include <string>

#include <torch/torch.h>

namespace pwemoe::moe::internal {

// "[3, 4]" for a shape; "[]" for a scalar.
std::string ShapeString(c10::IntArrayRef shape);

// LibTorch's message without its backtrace for a c10::Error, what() for anything else.
std::string ExceptionText(const std::exception& e);

// The dtype in which merging arithmetic runs for a floating-point tensor of dtype `t`: float64
// stays float64, every other floating dtype (float32, float16, bfloat16) computes in float32.
torch::ScalarType WorkDType(torch::ScalarType t);

}  // namespace pwemoe::moe::internal
