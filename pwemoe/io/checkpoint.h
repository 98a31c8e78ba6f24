// A checkpoint: one safetensors file, or a sharded set described by a Hugging Face
// `model.safetensors.index.json` ({"weight_map": {tensor: shard file}}), seen as one collection of
// memory-mapped, validated tensors.
//
// Thread safety: immutable after Open; concurrent reads are safe.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "pwemoe/io/safetensors.h"
#include "pwemoe/util/status.h"

namespace pwemoe::io {

// File names Hugging Face uses inside a model folder.
constexpr const char* kSingleFileName = "model.safetensors";
constexpr const char* kShardIndexName = "model.safetensors.index.json";

class Checkpoint {
 public:
  // Opens `path`: a folder (its model.safetensors, else its model.safetensors.index.json, as
  // Hugging Face prefers), a file whose name ends in ".index.json" (sharded), or any other file
  // (a single safetensors file). NotFound naming the folder and both names when a folder holds
  // neither; other errors as OpenSharded / SafetensorsReader::Open.
  static Status Open(const std::string& path, std::unique_ptr<Checkpoint>* out);

  // Opens the shard index at `index_path` and every shard it names (paths relative to the index's
  // folder). Corrupt, naming the index (and the shard and tensor where one is at fault), when: the
  // index is not JSON or has no "weight_map" object of strings, a shard name is empty, absolute or
  // climbs out with "..", a mapped tensor is missing from its shard, a shard holds a tensor the map
  // does not list or maps elsewhere (a tensor stored twice). Shard errors carry the index as
  // context.
  static Status OpenSharded(const std::string& index_path, std::unique_ptr<Checkpoint>* out);

  Checkpoint(const Checkpoint&) = delete;
  Checkpoint& operator=(const Checkpoint&) = delete;

  // The path given to Open.
  const std::string& path() const { return path_; }

  // Every tensor: shards in file-name order, each in file order. Pointers (and each
  // TensorInfo::data) stay valid while this checkpoint lives.
  const std::vector<const TensorInfo*>& tensors() const { return tensors_; }

  // The tensor called `name`, or null.
  const TensorInfo* Find(const std::string& name) const;

  // The open files (one unless sharded), in file-name order.
  const std::vector<std::unique_ptr<SafetensorsReader>>& files() const { return files_; }

 private:
  Checkpoint(std::string path, std::vector<std::unique_ptr<SafetensorsReader>> files);

  std::string path_;
  std::vector<std::unique_ptr<SafetensorsReader>> files_;
  std::vector<const TensorInfo*> tensors_;
  std::unordered_map<std::string, const TensorInfo*> by_name_;
};

}  // namespace pwemoe::io
