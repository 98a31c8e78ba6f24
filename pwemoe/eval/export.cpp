#include "pwemoe/eval/export.h"

#include <stdlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <vector>

#include "pwemoe/model/clip_vit.h"

namespace pwemoe::eval {
namespace fs = std::filesystem;
namespace {

// A fresh folder "<parent>/.<name>.tmp-XXXXXX" next to `out_dir`.
Status MakeTempFolder(const std::string& out_dir, std::string* out) {
  fs::path target = fs::path(out_dir).lexically_normal();
  if (target.filename().empty()) target = target.parent_path();
  fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  std::string pattern = (parent / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  if (::mkdtemp(name.data()) == nullptr) {
    return Status::IoError(out_dir + ": cannot create a temporary folder next to it: " +
                           std::strerror(errno));
  }
  *out = name.data();
  return Status::Ok();
}

// The checkpoint as contiguous CPU tensors.
Status ToCpu(const io::TensorMap& params, io::TensorMap* out) {
  try {
    for (const auto& [key, t] : params) (*out)[key] = t.detach().to(torch::kCPU).contiguous();
  } catch (const std::exception& e) {
    return Status::Internal(std::string("export: moving tensors to the CPU: ") + e.what());
  }
  return Status::Ok();
}

Status WriteFolder(const std::string& dir, const io::ClipVisionConfig& config,
                   const io::TensorMap& cpu, std::map<std::string, std::string> metadata) {
  metadata["format"] = "pt";
  PWEMOE_RETURN_IF_ERROR(io::SaveTensors(dir + "/model.safetensors", cpu, metadata));
  return io::WriteClipVisionConfig(dir + "/config.json", config);
}

}  // namespace

io::TensorMap VisionModelKeys(const io::TensorMap& params) {
  io::TensorMap out;
  for (const auto& [key, t] : params) {
    if (key.rfind("vision_model.", 0) == 0 || key == model::kVisualProjection) out[key] = t;
  }
  return out;
}

Status CheckExportTarget(const std::string& out_dir, const std::string& name) {
  std::error_code ec;
  if (!fs::exists(out_dir, ec)) return Status::Ok();
  if (fs::is_directory(out_dir, ec) && fs::is_empty(out_dir, ec)) return Status::Ok();
  return Status::InvalidArgument(name + ": '" + out_dir +
                                 "' exists and is not an empty folder; remove it or pick another");
}

Status ExportVisionModel(const std::string& out_dir, const io::ClipVisionConfig& config,
                         const io::TensorMap& params,
                         const std::map<std::string, std::string>& metadata) {
  const io::TensorMap vision = VisionModelKeys(params);
  PWEMOE_RETURN_IF_ERROR(model::ValidateClipVisionParams(config, vision, true));
  PWEMOE_RETURN_IF_ERROR(CheckExportTarget(out_dir, "export"));
  io::TensorMap cpu;
  PWEMOE_RETURN_IF_ERROR(ToCpu(vision, &cpu));
  std::string temp;
  PWEMOE_RETURN_IF_ERROR(MakeTempFolder(out_dir, &temp));
  Status st = WriteFolder(temp, config, cpu, metadata);
  if (st.ok() && std::rename(temp.c_str(), out_dir.c_str()) != 0) {
    st = Status::IoError(out_dir + ": cannot rename the finished export into place: " +
                         std::strerror(errno));
  }
  if (!st.ok()) {
    std::error_code ec;
    fs::remove_all(temp, ec);
  }
  return st;
}

}  // namespace pwemoe::eval
