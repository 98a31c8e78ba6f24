// Runs a plan unit on this worker: translates it into worker/unit_runner.h's specs, runs it and
// fills the report with the record's bytes or the error (coordinator.h, step 5).
//
// Thread safety: one call at a time per context (its UnitRunner is single-threaded).
#pragma once

#include "comm/group_comm.h"
#include "config/experiment_config.h"
#include "orchestrator/plan.h"
#include "orchestrator/protocol.h"
#include "worker/unit_runner.h"

namespace pwemoe::orchestrator {

struct ExecutionContext {
  const config::ExperimentConfig* config = nullptr;
  const Plan* plan = nullptr;
  worker::UnitRunner* runner = nullptr;
  comm::GroupComm* group = nullptr;  // this rank's training group; null on a rank that never trains
};

// Unit failures (bad data, NaN, routers that do not fit) go into the report (failed, error);
// the return value is non-OK only for a training unit on a rank without a group (Internal).
Status ExecuteUnit(const ExecutionContext& context, const Unit& unit, const Assignment& assignment,
                   WorkerReport* report);

// The specs of a unit, for tests and for ExecuteUnit.
worker::TrainSpec TrainSpecOf(const config::ExperimentConfig& config, const Plan& plan, const Unit& unit);
worker::EvalSpec EvalSpecOf(const config::ExperimentConfig& config, const Plan& plan, const Unit& unit,
                            std::vector<results::NamedTensor> routers);
worker::BaselineSpec BaselineSpecOf(const config::ExperimentConfig& config, const Plan& plan, const Unit& unit);

}  // namespace pwemoe::orchestrator
