#include "pwemoe/moe/merge_dtype.h"

namespace pwemoe::moe::internal {

torch::ScalarType WorkDType(torch::ScalarType t) {
  return t == torch::kFloat64 ? torch::kFloat64 : torch::kFloat32;
}

}  // namespace pwemoe::moe::internal
