// Internal to config/: one reader per TOML section. Each records its errors in the Section's
// sink and leaves defaults in place for keys that are absent or invalid.
#pragma once

#include <string>
#include <vector>

#include "config/experiment_config.h"
#include "config/toml_reader.h"

namespace pwemoe::config::detail {

void ReadExperimentSection(Section& s, ExperimentConfig* c);
void ReadBenchmarkSection(Section& s, ExperimentConfig* c);
// The validated task names of [tasks] (empty after an error).
std::vector<std::string> ReadTaskNames(Section& s);
void ReadUpscaleSection(Section& s, UpscaleSection* u);
void ReadTrainSection(Section& s, const std::vector<std::string>& names, uint64_t seed, TrainSection* t);
void ReadEvalSection(Section& s, EvalSection* e);
void ReadBaselinesSection(Section& s, BaselinesSection* b);
void ReadClusterSection(Section& s, ClusterSection* c);
void ReadComputeSection(Section& s, ComputeSection* c);
void ReadSlurmSection(Section& s, SlurmSection* sl);
void ReadReportSection(Section& s, ReportSection* r);

}  // namespace pwemoe::config::detail
