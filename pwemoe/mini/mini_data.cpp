#include "pwemoe/mini/mini_data.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <system_error>

#include "pwemoe/data/dataset_writer.h"
#include "pwemoe/mini/glyphs.h"
#include "pwemoe/mini/idx.h"
#include "pwemoe/mini/image.h"
#include "pwemoe/mini/tasks.h"
#include "pwemoe/util/strings.h"

namespace pwemoe::mini {
namespace {

struct Normalization {
  double mean = 0.0;
  double std = 1.0;
};

// Mean and std of pixel / 255 over all of `ex`, from exact integer sums.
Normalization ComputeNormalization(const Examples& ex) {
  uint64_t sum = 0, sum_sq = 0;
  for (uint8_t p : ex.pixels) {
    sum += p;
    sum_sq += static_cast<uint64_t>(p) * p;
  }
  const double n = static_cast<double>(ex.pixels.size());
  const double mean = static_cast<double>(sum) / n;
  const double var = static_cast<double>(sum_sq) / n - mean * mean;
  Normalization norm;
  norm.mean = mean / 255.0;
  norm.std = std::max(std::sqrt(std::max(var, 0.0)) / 255.0, 1e-3);
  return norm;
}

Status WriteFile(const std::string& path, const TaskDef& task, Split split, const Examples& ex,
                 const Normalization& norm) {
  std::unique_ptr<data::DatasetWriter> writer;
  PWEMOE_RETURN_IF_ERROR(
      data::DatasetWriter::Create(path, data::ImageShape{kSide, kSide, 1}, {}, &writer));
  PWEMOE_RETURN_IF_ERROR(writer->SetClasses(task.classes));
  PWEMOE_RETURN_IF_ERROR(writer->SetNormalization({norm.mean}, {norm.std}));
  writer->SetTask(task.name);
  writer->SetSplit(SplitName(split));
  PWEMOE_RETURN_IF_ERROR(writer->Append(ex.pixels.data(), ex.labels.data(), ex.count));
  return writer->Close();
}

// The tasks named by `names` (empty: the default 8), in order, into *out. InvalidArgument for
// an unknown name (with a did-you-mean) or a repeated one.
Status ResolveTasks(const std::vector<std::string>& names, std::vector<const TaskDef*>* out) {
  std::vector<const TaskDef*> tasks;
  if (names.empty()) {
    for (size_t i = 0; i < kDefaultTaskCount; ++i) tasks.push_back(&MiniTasks()[i]);
  }
  for (const std::string& name : names) {
    const TaskDef* found = nullptr;
    for (const TaskDef& task : MiniTasks()) {
      if (task.name == name) found = &task;
    }
    if (!found) {
      return Status::InvalidArgument("unknown benchmark task '" + name + "'" +
                                     DidYouMean(name, AllMiniTaskNames()) + " (tasks: " +
                                     Join(AllMiniTaskNames(), ", ") + ")");
    }
    if (std::find(tasks.begin(), tasks.end(), found) != tasks.end()) {
      return Status::InvalidArgument("benchmark task '" + name + "' is listed twice");
    }
    tasks.push_back(found);
  }
  *out = std::move(tasks);
  return Status::Ok();
}

// Writes data_dir/<task>/<split>.h5, creating the folder, and reports it to `progress` (may be
// empty).
Status WriteSplit(const std::string& data_dir, const TaskDef& task, Split split,
                  const Examples& ex, const Normalization& norm,
                  const std::function<void(const std::string&)>& progress) {
  const std::filesystem::path dir = std::filesystem::path(data_dir) / task.name;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IoError(dir.string() + ": cannot create the folder: " + ec.message());
  const std::string path = (dir / (std::string(SplitName(split)) + ".h5")).string();
  PWEMOE_RETURN_IF_ERROR(WriteFile(path, task, split, ex, norm));
  if (progress) {
    progress("wrote " + path + " (" + std::to_string(ex.count) + " images, " +
             std::to_string(task.classes.size()) + " classes)");
  }
  return Status::Ok();
}

}  // namespace

Status ParseSize(const std::string& text, Size* out) {
  if (text == "micro") {
    *out = Size::kMicro;
  } else if (text == "full") {
    *out = Size::kFull;
  } else {
    return Status::InvalidArgument("benchmark size '" + text + "': expected 'micro' or 'full'" +
                                   DidYouMean(text, {"micro", "full"}));
  }
  return Status::Ok();
}

const char* SizeName(Size size) { return size == Size::kMicro ? "micro" : "full"; }

SplitSizes SizesFor(Size size) {
  if (size == Size::kMicro) return SplitSizes{1024, 256, 256, 128};
  return SplitSizes{12000, 2000, 8000, 1000};
}

const std::vector<std::string>& AllMiniTaskNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const TaskDef& task : MiniTasks()) out.push_back(task.name);
    return out;
  }();
  return names;
}

const std::vector<std::string>& MiniTaskNames() {
  static const std::vector<std::string> names(AllMiniTaskNames().begin(),
                                              AllMiniTaskNames().begin() + kDefaultTaskCount);
  return names;
}

int64_t TaskIndex(const std::string& name) {
  const std::vector<std::string>& all = AllMiniTaskNames();
  const auto it = std::find(all.begin(), all.end(), name);
  return it == all.end() ? -1 : static_cast<int64_t>(it - all.begin());
}

Status FirstTasks(int64_t count, std::vector<std::string>* out) {
  const int64_t all = static_cast<int64_t>(AllMiniTaskNames().size());
  if (count < 1 || count > all) {
    return Status::InvalidArgument(std::to_string(count) + " tasks asked; the built-in benchmark has 1 to " +
                                   std::to_string(all) + " (8: the default benchmark, " +
                                   std::to_string(all) + ": every task)");
  }
  out->assign(AllMiniTaskNames().begin(), AllMiniTaskNames().begin() + count);
  return Status::Ok();
}

Status BenchmarkTasks(int64_t count, const std::vector<std::string>& wanted,
                      std::vector<std::string>* out) {
  const std::vector<std::string>& all = AllMiniTaskNames();
  size_t needed = kDefaultTaskCount;
  for (const std::string& name : wanted) {
    const int64_t index = TaskIndex(name);
    if (index < 0) {
      return Status::InvalidArgument("task '" + name + "' is not a task of the built-in benchmark" +
                                     DidYouMean(name, all) + " (tasks: " + Join(all, ", ") + ")");
    }
    needed = std::max(needed, static_cast<size_t>(index) + 1);
    if (count > 0 && index >= count) {
      return Status::InvalidArgument("task '" + name + "' is task " + std::to_string(index + 1) +
                                     " of the built-in benchmark, which is built with its first " +
                                     std::to_string(count) + " tasks; set [benchmark] tasks = " +
                                     std::to_string(all.size()));
    }
  }
  if (count > 0) return FirstTasks(count, out);
  return FirstTasks(needed > kDefaultTaskCount ? static_cast<int64_t>(all.size())
                                               : static_cast<int64_t>(kDefaultTaskCount),
                    out);
}

Status WriteMiniData(const DataOptions& options, const std::string& out_dir,
                     const std::function<void(const std::string&)>& progress) {
  std::vector<const TaskDef*> tasks;
  PWEMOE_RETURN_IF_ERROR(ResolveTasks(options.tasks, &tasks));  // before any work
  FashionMnist fashion;
  PWEMOE_RETURN_IF_ERROR(LoadFashionMnist(options.fashion_dir, &fashion));
  std::unique_ptr<GlyphRenderer> glyphs;
  PWEMOE_RETURN_IF_ERROR(GlyphRenderer::Create(&glyphs));
  const Sources sources{&fashion, glyphs.get()};
  const SplitSizes sizes = SizesFor(options.size);
  const std::string data_dir = (std::filesystem::path(out_dir) / "data").string();

  // The pretraining set first: its train split fixes the normalization of every file.
  Examples ex;
  const TaskDef& pretrain = PretrainTask();
  PWEMOE_RETURN_IF_ERROR(
      MakeExamples(pretrain, Split::kTrain, sizes.pretrain_train, options.seed, sources, &ex));
  const Normalization norm = ComputeNormalization(ex);
  PWEMOE_RETURN_IF_ERROR(WriteSplit(data_dir, pretrain, Split::kTrain, ex, norm, progress));
  PWEMOE_RETURN_IF_ERROR(
      MakeExamples(pretrain, Split::kTest, sizes.pretrain_test, options.seed, sources, &ex));
  PWEMOE_RETURN_IF_ERROR(WriteSplit(data_dir, pretrain, Split::kTest, ex, norm, progress));

  for (const TaskDef* task : tasks) {
    for (Split split : {Split::kTrain, Split::kTest}) {
      const int64_t n = split == Split::kTrain ? sizes.task_train : sizes.task_test;
      PWEMOE_RETURN_IF_ERROR(MakeExamples(*task, split, n, options.seed, sources, &ex));
      PWEMOE_RETURN_IF_ERROR(WriteSplit(data_dir, *task, split, ex, norm, progress));
    }
  }
  return Status::Ok();
}

}  // namespace pwemoe::mini
