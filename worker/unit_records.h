// Conversions between pwemoe/ values and the result store's records (results/store/records.h): step
// records, router tensors and their float32 NamedTensor form. Used by UnitRunner and by the tools
// that read routers back from a results file (pwemoe-export): its own target,
// pwemoe_unit_records, with LibTorch and without MPI.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "pwemoe/io/tensor_io.h"
#include "pwemoe/moe/router.h"
#include "pwemoe/moe/router_io.h"
#include "pwemoe/train/trainer.h"
#include "pwemoe/util/status.h"
#include "results/store/records.h"

namespace pwemoe::worker {

// The step record as the store keeps it; for LS (variant) epo_alpha empty, epo_mu NaN and
// epo_mode "".
results::TrainStep ToTrainStep(const train::StepRecord& record, train::Variant variant);

// Every tensor of `tensors` (map order, i.e. sorted by name) as a float32 row-major NamedTensor.
// Internal with LibTorch's message on failure.
Status ToNamedTensors(const io::TensorMap& tensors, std::vector<results::NamedTensor>* out);

// The routers as moe::RoutersToTensorMap names them, as NamedTensors. Errors as those two.
Status RoutersToNamed(const std::vector<moe::Router>& routers,
                      std::vector<results::NamedTensor>* out);

// The tensors as float32 CPU tensors keyed by name, into *out (replaced on success). Corrupt
// "<name>: tensor '<key>' ..." when a tensor's values do not match its shape or a key repeats.
Status NamedToTensorMap(const std::string& name, const std::vector<results::NamedTensor>& tensors,
                        io::TensorMap* out);

// Routers of `layout` from NamedTensors (float32 CPU leaves). Corrupt "<name>: ..." when they do
// not fit the layout (a missing, extra or misshapen tensor, or values that do not match a
// tensor's shape); InvalidArgument as moe::RoutersFromTensorMap for a bad layout.
Status RoutersFromNamed(const std::string& name, const std::vector<results::NamedTensor>& tensors,
                        const moe::RouterLayout& layout, std::vector<moe::Router>* out);

}  // namespace pwemoe::worker
