// Text for messages about tensors, shared by every module that uses LibTorch.
//
// Thread safety: pure functions.
#pragma once

#include <exception>
#include <string>

#include <torch/torch.h>

namespace pwemoe::io {

// "[3, 4]" for a shape; "[]" for a scalar.
std::string ShapeString(c10::IntArrayRef shape);

// LibTorch's message without its C++ backtrace for a c10::Error, what() for anything else.
std::string ExceptionText(const std::exception& e);

}  // namespace pwemoe::io
