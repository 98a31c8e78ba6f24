// Converting a list of images (image_list.h) into a dataset file (pwemoe/data/FORMAT.md): each
// image decoded (decode.h) and preprocessed as CLIP's processor does it (clip_preprocess.h) on a
// pool of threads, written in list order with CLIP's mean and std as the normalization.
//
// Thread safety: PrepareDataset runs its own threads and shares nothing with the caller's but
// the progress callback, which it calls from the calling thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "pwemoe/image/clip_preprocess.h"
#include "pwemoe/image/image_list.h"
#include "pwemoe/util/status.h"

namespace pwemoe::image {

struct PrepareOptions {
  std::string out_path;       // the dataset file to write (through "<out_path>.tmp")
  ClipOptions clip;           // resize and crop sizes (CLIP's 224 / 224 by default)
  int threads = 0;            // decoding threads; 0: DefaultWorkers() (the affinity mask's CPUs)
  bool skip_bad = false;      // leave out images that fail to decode (counted) instead of failing
  std::string task;           // optional `task` attribute
  std::string split;          // optional `split` attribute
  int deflate_level = 0;      // 0 uncompressed, 1..9 gzip (DatasetWriter)
  double progress_seconds = 5;  // least time between two progress reports (0: every image)
};

struct PrepareProgress {
  int64_t done = 0;     // images handled (written or skipped)
  int64_t total = 0;    // images in the list
  int64_t skipped = 0;  // images left out so far
  double seconds = 0;   // since the start
};

struct SkippedImage {
  std::string path;
  std::string reason;  // the decoder's message
};

struct PrepareResult {
  int64_t written = 0;
  std::vector<SkippedImage> skipped;  // in list order
  double seconds = 0;
};

// Decodes and preprocesses every image of `list` with `options.threads` threads and writes them,
// in list order, with their labels, `list.classes`, CLIP's mean and std (kClipMean, kClipStd)
// and the optional task and split, to `options.out_path`. The file is complete when this
// returns OK and absent otherwise (DatasetWriter). `progress`, when set, is called on the calling
// thread at most every options.progress_seconds and once at the end. Errors: the first image
// that fails to decode, in list order (its Status names the file), unless skip_bad; then every
// failure is recorded in result->skipped and logged by the caller, and it is InvalidArgument
// when no image is left. InvalidArgument for an empty list or bad options; the writer's errors
// as DatasetWriter returns them.
Status PrepareDataset(const ImageList& list, const PrepareOptions& options,
                      const std::function<void(const PrepareProgress&)>& progress,
                      PrepareResult* result);

}  // namespace pwemoe::image
