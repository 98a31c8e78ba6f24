// The LibTorch face of dataset files (FORMAT.md): open a file with every check done up front
// (OpenDataset, from dataset_reader.h), then read minibatches as tensors, streamed from the file
// by hyperslab (the file is never read whole).
//
// Model inputs are float32 NCHW: pixels[n][c][y][x] = (p / 255 - mean[c]) / std[c] in float32
// arithmetic, p the uint8 pixel at images[n][y][x][c] (see NormalizeImages). Labels are int64.
//
// Thread safety: a Dataset may be read from several threads at once (HDF5 calls serialize on the
// process-wide HDF5 lock, see pwemoe/h5/check.h; normalization runs outside it). The functions keep no
// other state.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "pwemoe/data/dataset_reader.h"
#include "pwemoe/util/status.h"

namespace pwemoe::data {

// Reads images [begin, min(begin + count, N)): the last batch of a pass may be partial, and
// begin == N gives empty tensors. `*pixels` becomes a new float32 [n, C, H, W] tensor of model
// inputs and `*labels` (when not null) a new int64 [n] tensor. InvalidArgument naming the file
// for a closed dataset, begin outside [0, N] or a negative count; IoError naming the file when
// HDF5 fails; Internal when LibTorch cannot allocate.
Status ReadBatch(const Dataset& dataset, int64_t begin, int64_t count, torch::Tensor* pixels,
                 torch::Tensor* labels);

// As ReadBatch, with `*images` the file's pixels unchanged: uint8 [n, H, W, C].
Status ReadBatchRaw(const Dataset& dataset, int64_t begin, int64_t count, torch::Tensor* images,
                    torch::Tensor* labels);

// Reads the images at `indices` (any order, repeats allowed; a random minibatch) into
// `*pixels` float32 [k, C, H, W] and `*labels` (when not null) int64 [k], k = indices.size(),
// row i holding image indices[i]. The file is read in ascending index order, one hyperslab per
// run of consecutive indices. InvalidArgument naming the file and the first index outside
// [0, N); other errors as ReadBatch.
Status ReadIndices(const Dataset& dataset, const std::vector<int64_t>& indices,
                   torch::Tensor* pixels, torch::Tensor* labels);

// As ReadIndices, with `*images` the file's pixels unchanged: uint8 [k, H, W, C].
Status ReadIndicesRaw(const Dataset& dataset, const std::vector<int64_t>& indices,
                      torch::Tensor* images, torch::Tensor* labels);

}  // namespace pwemoe::data
