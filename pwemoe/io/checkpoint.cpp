#include "pwemoe/io/checkpoint.h"

#include <filesystem>
#include <map>
#include <set>
#include <utility>

#include "pwemoe/io/json_file.h"

namespace pwemoe::io {

namespace {

namespace fs = std::filesystem;
using WeightMap = std::map<std::string, std::string>;  // tensor -> shard file name

std::string Quote(const std::string& s) { return "'" + s + "'"; }

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A shard name must stay inside the index's folder.
bool IsSafeShardName(const std::string& name) {
  if (name.empty()) return false;
  fs::path p(name);
  if (p.is_absolute()) return false;
  for (const fs::path& part : p) {
    if (part == "..") return false;
  }
  return true;
}

Status ReadWeightMap(const std::string& index, WeightMap* out) {
  nlohmann::json doc;
  PWEMOE_RETURN_IF_ERROR(ReadJsonFile(index, &doc));
  if (!doc.is_object()) {
    return Status::Corrupt(index + ": index is " + DescribeJson(doc) +
                           ", expected an object with \"weight_map\"");
  }
  auto it = doc.find("weight_map");
  if (it == doc.end() || !it->is_object()) {
    return Status::Corrupt(index + ": \"weight_map\" is " +
                           (it == doc.end() ? std::string("missing") : DescribeJson(*it)) +
                           ", expected an object mapping tensor names to shard files");
  }
  for (const auto& item : it->items()) {
    const std::string where = index + ": weight_map: tensor " + Quote(item.key());
    if (!item.value().is_string()) {
      return Status::Corrupt(where + " maps to " + DescribeJson(item.value()) +
                             ", expected a shard file name");
    }
    std::string shard = item.value().get<std::string>();
    if (!IsSafeShardName(shard)) {
      return Status::Corrupt(where + ": shard " + Quote(shard) +
                             " must be a relative path inside the index's folder");
    }
    (*out)[item.key()] = shard;
  }
  return Status::Ok();
}

// Every tensor a shard holds must be listed in weight_map for that same shard.
Status CheckShardContents(const std::string& index, const std::string& shard,
                          const SafetensorsReader& reader, const WeightMap& weight_map) {
  for (const TensorInfo& t : reader.tensors()) {
    auto it = weight_map.find(t.name);
    if (it == weight_map.end()) {
      return Status::Corrupt(index + ": shard " + Quote(shard) + " holds tensor " + Quote(t.name) +
                             ", which weight_map does not list");
    }
    if (it->second != shard) {
      return Status::Corrupt(index + ": tensor " + Quote(t.name) + " appears twice: in shard " +
                             Quote(it->second) + " (where weight_map puts it) and in shard " +
                             Quote(shard));
    }
  }
  return Status::Ok();
}

}  // namespace

Checkpoint::Checkpoint(std::string path, std::vector<std::unique_ptr<SafetensorsReader>> files)
    : path_(std::move(path)), files_(std::move(files)) {
  for (const auto& file : files_) {
    for (const TensorInfo& t : file->tensors()) {
      tensors_.push_back(&t);
      by_name_[t.name] = &t;
    }
  }
}

Status Checkpoint::OpenSharded(const std::string& index_path, std::unique_ptr<Checkpoint>* out) {
  WeightMap weight_map;
  PWEMOE_RETURN_IF_ERROR(ReadWeightMap(index_path, &weight_map));
  std::set<std::string> shard_names;
  for (const auto& [tensor, shard] : weight_map) shard_names.insert(shard);
  fs::path folder = fs::path(index_path).parent_path();
  std::map<std::string, size_t> shard_index;
  std::vector<std::unique_ptr<SafetensorsReader>> files;
  for (const std::string& shard : shard_names) {
    std::unique_ptr<SafetensorsReader> reader;
    Status st = SafetensorsReader::Open((folder / shard).string(), &reader);
    if (!st.ok()) return st.WithContext(index_path + ": shard " + Quote(shard));
    shard_index[shard] = files.size();
    files.push_back(std::move(reader));
  }
  for (const auto& [tensor, shard] : weight_map) {
    if (files[shard_index[shard]]->Find(tensor) == nullptr) {
      return Status::Corrupt(index_path + ": tensor " + Quote(tensor) + " is mapped to shard " +
                             Quote(shard) + ", which does not contain it");
    }
  }
  for (const auto& [shard, i] : shard_index) {
    PWEMOE_RETURN_IF_ERROR(CheckShardContents(index_path, shard, *files[i], weight_map));
  }
  out->reset(new Checkpoint(index_path, std::move(files)));
  return Status::Ok();
}

Status Checkpoint::Open(const std::string& path, std::unique_ptr<Checkpoint>* out) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    fs::path single = fs::path(path) / kSingleFileName;
    fs::path index = fs::path(path) / kShardIndexName;
    if (fs::exists(single, ec)) return Open(single.string(), out);
    if (fs::exists(index, ec)) return OpenSharded(index.string(), out);
    return Status::NotFound(path + ": folder holds neither " + kSingleFileName + " nor " +
                            kShardIndexName);
  }
  if (EndsWith(path, ".index.json")) return OpenSharded(path, out);
  std::unique_ptr<SafetensorsReader> reader;
  PWEMOE_RETURN_IF_ERROR(SafetensorsReader::Open(path, &reader));
  std::vector<std::unique_ptr<SafetensorsReader>> files;
  files.push_back(std::move(reader));
  out->reset(new Checkpoint(path, std::move(files)));
  return Status::Ok();
}

const TensorInfo* Checkpoint::Find(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

}  // namespace pwemoe::io
