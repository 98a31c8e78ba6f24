#include "pwemoe/image/prepare_data.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "pwemoe/data/dataset_writer.h"
#include "pwemoe/image/decode.h"
#include "pwemoe/util/parallel.h"

namespace pwemoe::image {
namespace {

using Clock = std::chrono::steady_clock;

// Images in flight: decoded into a ring of slots, written in list order by the calling thread.
// Image i goes to slot i % capacity once every image before i - capacity + 1 has been written.
class Pipeline {
 public:
  Pipeline(const ImageList& list, const PrepareOptions& options, int threads)
      : list_(list),
        options_(options),
        image_bytes_(static_cast<size_t>(options.clip.crop) * options.clip.crop * 3),
        capacity_(Capacity(threads, image_bytes_)),
        pixels_(image_bytes_ * capacity_),
        state_(capacity_, kPending),
        status_(capacity_) {
    for (int t = 0; t < threads; ++t) workers_.emplace_back([this] { Work(); });
  }

  ~Pipeline() { Stop(); }

  // Stops the workers (after the image each is on) and joins them.
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    space_.notify_all();
    for (std::thread& t : workers_) {
      if (t.joinable()) t.join();
    }
  }

  // Waits for image `written_` and the ones after it that are ready (up to the ring's end) and
  // hands them to `sink(first, count)`; false when every image is written.
  template <typename Sink>
  Status Next(const Sink& sink, bool* more) {
    const int64_t total = static_cast<int64_t>(list_.entries.size());
    if (written_ >= total) {
      *more = false;
      return Status::Ok();
    }
    int64_t count = 0;
    {
      std::unique_lock<std::mutex> lock(mu_);
      ready_.wait(lock, [&] { return state_[written_ % capacity_] != kPending; });
      const int64_t start_slot = written_ % capacity_;
      while (written_ + count < total && start_slot + count < capacity_ &&
             state_[start_slot + count] != kPending) {
        ++count;
      }
    }
    // The slots handed out stay untouched by workers until `written_` moves past them.
    PWEMOE_RETURN_IF_ERROR(sink(written_, count));
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (int64_t i = 0; i < count; ++i) state_[(written_ + i) % capacity_] = kPending;
      written_ += count;
    }
    space_.notify_all();
    *more = true;
    return Status::Ok();
  }

  // Slots in the ring: 16 per thread (at least 64) to absorb uneven decoding times, fewer when
  // they would take more than 256 MiB (large --size), but never under 2 per thread.
  static int64_t Capacity(int threads, size_t image_bytes) {
    const int64_t wanted = std::max<int64_t>(64, int64_t{threads} * 16);
    const int64_t affordable = static_cast<int64_t>((size_t{256} << 20) / image_bytes);
    return std::max<int64_t>(int64_t{threads} * 2, std::min(wanted, affordable));
  }

  const uint8_t* pixels(int64_t image) const {
    return pixels_.data() + (image % capacity_) * image_bytes_;
  }
  const Status& status(int64_t image) const { return status_[image % capacity_]; }
  size_t image_bytes() const { return image_bytes_; }

 private:
  enum State : uint8_t { kPending, kDone };

  void Work() {
    ClipPreprocessor preprocessor(options_.clip);
    RgbImage decoded;
    std::vector<uint8_t> file;
    const int64_t total = static_cast<int64_t>(list_.entries.size());
    for (;;) {
      const int64_t i = next_.fetch_add(1);
      if (i >= total) return;
      {
        std::unique_lock<std::mutex> lock(mu_);
        space_.wait(lock, [&] { return stop_ || i < written_ + capacity_; });
        if (stop_) return;
      }
      const int64_t slot = i % capacity_;
      Status st = DecodeImageFile(list_.entries[i].path, &decoded, &file);
      if (st.ok()) st = preprocessor.Run(decoded, pixels_.data() + slot * image_bytes_);
      if (!st.ok() && st.message().find(list_.entries[i].path) == std::string::npos) {
        st = st.WithContext(list_.entries[i].path);
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        status_[slot] = std::move(st);
        state_[slot] = kDone;
      }
      ready_.notify_all();
    }
  }

  const ImageList& list_;
  const PrepareOptions& options_;
  const size_t image_bytes_;
  const int64_t capacity_;
  std::vector<uint8_t> pixels_;
  std::vector<State> state_;      // guarded by mu_
  std::vector<Status> status_;    // a slot's entry is written by its worker before kDone
  std::atomic<int64_t> next_{0};  // the next image a worker takes
  std::mutex mu_;
  std::condition_variable ready_;  // a slot became kDone
  std::condition_variable space_;  // written_ moved (or stop_)
  int64_t written_ = 0;            // images handed to the sink; guarded by mu_ for workers
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

double Since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The list and options checks of PrepareDataset.
Status CheckInputs(const ImageList& list, const PrepareOptions& options) {
  if (list.entries.empty()) return Status::InvalidArgument("no images to convert");
  if (options.clip.crop <= 0 || options.clip.shortest_edge < options.clip.crop) {
    return Status::InvalidArgument("image size: crop " + std::to_string(options.clip.crop) +
                                   " must be positive and at most the shortest edge " +
                                   std::to_string(options.clip.shortest_edge));
  }
  if (options.threads < 0) {
    return Status::InvalidArgument("threads must be >= 0, got " + std::to_string(options.threads));
  }
  return Status::Ok();
}

// options.threads (0: DefaultWorkers()), at most one per image.
int DecodingThreads(const PrepareOptions& options, size_t images) {
  const int threads = options.threads == 0 ? DefaultWorkers() : options.threads;
  return static_cast<int>(std::min<int64_t>(threads, static_cast<int64_t>(images)));
}

// Creates the dataset file with the list's classes, CLIP's normalization, the task and the split.
Status CreateWriter(const ImageList& list, const PrepareOptions& options,
                    std::unique_ptr<data::DatasetWriter>* writer) {
  data::WriterOptions writer_options;
  writer_options.deflate_level = options.deflate_level;
  PWEMOE_RETURN_IF_ERROR(data::DatasetWriter::Create(
      options.out_path, {options.clip.crop, options.clip.crop, 3}, writer_options, writer));
  PWEMOE_RETURN_IF_ERROR((*writer)->SetClasses(list.classes));
  PWEMOE_RETURN_IF_ERROR((*writer)->SetNormalization(ClipMean(), ClipStd()));
  (*writer)->SetTask(options.task);
  (*writer)->SetSplit(options.split);
  return Status::Ok();
}

// Where decoded images go: the file, and the counts PrepareDataset returns.
struct Output {
  data::DatasetWriter* writer = nullptr;
  PrepareResult* result = nullptr;
  std::vector<int64_t> labels;  // scratch: the labels of one Append
};

// Appends the good images [first, end) of the pipeline to the file in one call.
Status AppendRun(const ImageList& list, const Pipeline& pipeline, int64_t first, int64_t end,
                 Output* out) {
  if (end == first) return Status::Ok();
  out->labels.clear();
  for (int64_t i = first; i < end; ++i) out->labels.push_back(list.entries[i].label);
  PWEMOE_RETURN_IF_ERROR(
      out->writer->Append(pipeline.pixels(first), out->labels.data(), end - first));
  out->result->written += end - first;
  return Status::Ok();
}

// Appends images [first, first + count) of the pipeline: runs of good images in one call each. A
// bad image fails with its Status, or with skip_bad is recorded in result->skipped.
Status AppendImages(const ImageList& list, const PrepareOptions& options,
                    const Pipeline& pipeline, int64_t first, int64_t count, Output* out) {
  int64_t run = first;
  for (int64_t i = first; i < first + count; ++i) {
    const Status& st = pipeline.status(i);
    if (st.ok()) continue;
    if (!options.skip_bad) return st;
    PWEMOE_RETURN_IF_ERROR(AppendRun(list, pipeline, run, i, out));
    run = i + 1;
    out->result->skipped.push_back({list.entries[i].path, st.message()});
  }
  return AppendRun(list, pipeline, run, first + count, out);
}

// Decodes every image on `threads` threads and appends them in list order, calling `progress`
// (when set) with `report` at most every options.progress_seconds before the last image.
Status DecodeAndWrite(const ImageList& list, const PrepareOptions& options, int threads,
                      const std::function<void(const PrepareProgress&)>& progress,
                      Clock::time_point start, Output* out, PrepareProgress* report) {
  const int64_t total = static_cast<int64_t>(list.entries.size());
  report->total = total;
  Clock::time_point last_report = start;
  Pipeline pipeline(list, options, threads);
  auto sink = [&](int64_t first, int64_t count) {
    return AppendImages(list, options, pipeline, first, count, out);
  };
  bool more = true;
  while (more) {
    Status st = pipeline.Next(sink, &more);
    if (!st.ok()) {
      pipeline.Stop();
      return st;
    }
    const PrepareResult& result = *out->result;
    report->done = result.written + static_cast<int64_t>(result.skipped.size());
    report->skipped = static_cast<int64_t>(result.skipped.size());
    if (progress && report->done < total && Since(last_report) >= options.progress_seconds) {
      report->seconds = Since(start);
      progress(*report);
      last_report = Clock::now();
    }
  }
  pipeline.Stop();
  return Status::Ok();
}

}  // namespace

Status PrepareDataset(const ImageList& list, const PrepareOptions& options,
                      const std::function<void(const PrepareProgress&)>& progress,
                      PrepareResult* result) {
  const Clock::time_point start = Clock::now();
  *result = PrepareResult();
  PWEMOE_RETURN_IF_ERROR(CheckInputs(list, options));
  const int threads = DecodingThreads(options, list.entries.size());
  std::unique_ptr<data::DatasetWriter> writer;
  PWEMOE_RETURN_IF_ERROR(CreateWriter(list, options, &writer));

  Output out;
  out.writer = writer.get();
  out.result = result;
  PrepareProgress report;
  PWEMOE_RETURN_IF_ERROR(DecodeAndWrite(list, options, threads, progress, start, &out, &report));
  if (result->written == 0) {
    return Status::InvalidArgument("none of the " + std::to_string(report.total) +
                                   " images could be decoded; the first: " +
                                   result->skipped.front().reason);
  }
  PWEMOE_RETURN_IF_ERROR(writer->Close());
  result->seconds = Since(start);
  if (progress) {
    report.seconds = result->seconds;
    progress(report);
  }
  return Status::Ok();
}

}  // namespace pwemoe::image
