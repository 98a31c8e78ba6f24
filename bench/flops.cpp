#include "flops.h"

namespace pwemoe::bench {
namespace {

struct Dims {
  double n, l, d, i, c, p, r, layers;
};

Dims DimsOf(const io::ClipVisionConfig& config) {
  const double side = static_cast<double>(config.image_size / config.patch_size);
  Dims x;
  x.n = side * side;
  x.l = x.n + 1;
  x.d = static_cast<double>(config.hidden_size);
  x.i = static_cast<double>(config.intermediate_size);
  x.c = static_cast<double>(config.num_channels);
  x.p = static_cast<double>(config.patch_size);
  x.r = static_cast<double>(config.projection_dim);
  x.layers = static_cast<double>(config.num_hidden_layers);
  return x;
}

}  // namespace

double ClipForwardFlops(const io::ClipVisionConfig& config, int64_t batch) {
  const Dims x = DimsOf(config);
  const double patch = 2 * x.n * x.d * x.c * x.p * x.p;
  const double layer = 8 * x.l * x.d * x.d + 4 * x.l * x.l * x.d + 4 * x.l * x.d * x.i;
  const double last = 4 * x.l * x.d * x.d + 4 * x.d * x.d + 4 * x.l * x.d + 4 * x.d * x.i;
  const double projection = 2 * x.d * x.r;
  return static_cast<double>(batch) * (patch + (x.layers - 1) * layer + last + projection);
}

double ClipFullForwardFlops(const io::ClipVisionConfig& config, int64_t batch) {
  const Dims x = DimsOf(config);
  const double patch = 2 * x.n * x.d * x.c * x.p * x.p;
  const double layer = 8 * x.l * x.d * x.d + 4 * x.l * x.l * x.d + 4 * x.l * x.d * x.i;
  const double projection = 2 * x.d * x.r;
  return static_cast<double>(batch) * (patch + x.layers * layer + projection);
}

double TrainStepFlops(const io::ClipVisionConfig& config, int64_t num_tasks, int64_t batch) {
  const Dims x = DimsOf(config);
  const double forward = ClipForwardFlops(config, 1);
  const double middle = 8 * x.l * x.d * x.d + 8 * x.l * x.l * x.d + 4 * x.l * x.d * x.i;
  const double last = 4 * x.l * x.d * x.d + 4 * x.d * x.d + 8 * x.l * x.d + 4 * x.d * x.i;
  const double first = 2 * x.l * x.d * x.i;  // fc2's input only
  const double backward_activations = first + (x.layers - 2) * middle + last + 2 * x.d * x.r;
  const double backward_mlp_weights = (x.layers - 1) * 4 * x.l * x.d * x.i + 4 * x.d * x.i;
  return static_cast<double>(num_tasks) * static_cast<double>(batch) *
         (forward + backward_activations + backward_mlp_weights);
}

}  // namespace pwemoe::bench
