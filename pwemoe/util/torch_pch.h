// Precompiled header for every target that uses LibTorch (see cmake/Torch.cmake).
#pragma once
#include <torch/torch.h>
