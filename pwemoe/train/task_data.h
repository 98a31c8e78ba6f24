// Where the trainer takes each task's training minibatches from: a dataset file (pwemoe/data) or
// tensors already in memory (tests, small runs). Both give float32 NCHW model inputs and int64
// labels for a list of indices.
//
// Thread safety: a TaskData is called by one training thread at a time; a DatasetTaskData over a
// Dataset shared with other readers is safe (Dataset reads serialise on the HDF5 lock).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include <torch/torch.h>

#include "pwemoe/data/dataset.h"
#include "pwemoe/util/status.h"

namespace pwemoe::train {

// One task's training split. `read(indices, &pixels, &labels)` fills pixels [k, C, H, W] (float
// inputs) and labels int64 [k] for k = indices.size() indices in [0, size); it returns a Status
// naming the source on failure. The function owns whatever it reads from.
struct TaskData {
  int64_t size = 0;  // number of examples N >= 1
  std::function<Status(const std::vector<int64_t>&, torch::Tensor*, torch::Tensor*)> read;
};

// A TaskData over an open dataset file (shared ownership; reads by data::ReadIndices). An empty
// or closed dataset gives size 0, which InitTrainState rejects.
TaskData DatasetTaskData(std::shared_ptr<const data::Dataset> dataset);

// A TaskData over in-memory tensors: pixels [N, C, H, W] floating, labels int64 [N] (the tensors
// are shared, not copied). Reads use index_select; an index outside [0, N) is InvalidArgument.
// A shape mismatch between the two gives size 0 (rejected by InitTrainState).
TaskData TensorTaskData(torch::Tensor pixels, torch::Tensor labels);

}  // namespace pwemoe::train
