// Sample records and a temporary folder for the result-store tests.
#pragma once

#include <cstdint>
#include <string>

#include "results/store/records.h"

namespace pwemoe::results::testing {

// A folder under /tmp removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

StoreHeader MakeHeader(const std::string& config_hash = "hash-a");

// A run over tasks {"clothing", "digits"} with 3 steps, a checkpoint at step 2 and a final
// router of two tensors; EPO fields filled when `epo`.
TrainRecord MakeTrain(int64_t unit_id, const std::string& run_name, bool epo);

// Rays [ray_begin, ray_begin + k) of a 2-task run on `task`.
EvalRecord MakeEval(int64_t unit_id, const std::string& run_name, const std::string& task,
                    int64_t ray_begin, int64_t k);

// Task arithmetic at lambda 0.3 (no ray), or weighted task arithmetic over 2 rays when `rays`.
BaselineRecord MakeBaseline(int64_t unit_id, const std::string& task, bool rays);

FailureRecord MakeFailure(int64_t unit_id, const std::string& message = "numerical: NaN loss");

// Reads a whole file ("" when absent).
std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& bytes);

}  // namespace pwemoe::results::testing
