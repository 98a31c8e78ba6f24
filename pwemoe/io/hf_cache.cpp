#include "pwemoe/io/hf_cache.h"

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

namespace pwemoe::io {
namespace {

namespace fs = std::filesystem;

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

bool IsCommitHash(const std::string& s) { return std::regex_match(s, std::regex("[0-9a-f]{40}")); }

const char* kHowToFill =
    "fill the cache on a machine with internet access (hf download <id>, or from_pretrained) and copy it, "
    "or give the model's local folder instead";

}  // namespace

bool LooksLikeHfModelId(const std::string& s) {
  static const std::regex re(R"(^[A-Za-z0-9_-][A-Za-z0-9_.-]*/[A-Za-z0-9_-][A-Za-z0-9_.-]*(@[A-Za-z0-9_./-]+)?$)");
  return std::regex_match(s, re) && s.find("..") == std::string::npos;
}

std::string HfHubCacheDir() {
  for (const char* var : {"HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"}) {
    if (!Env(var).empty()) return Env(var);
  }
  if (!Env("HF_HOME").empty()) return (fs::path(Env("HF_HOME")) / "hub").string();
  if (!Env("XDG_CACHE_HOME").empty()) return (fs::path(Env("XDG_CACHE_HOME")) / "huggingface" / "hub").string();
  if (!Env("HOME").empty()) return (fs::path(Env("HOME")) / ".cache" / "huggingface" / "hub").string();
  return "";
}

Status ResolveHfModel(const std::string& id, const std::string& cache_dir, std::string* snapshot_dir) {
  if (!LooksLikeHfModelId(id)) return Status::InvalidArgument("'" + id + "' is not a model id (org/name[@revision])");
  const size_t at = id.find('@');
  const std::string name = id.substr(0, at);
  const std::string revision = at == std::string::npos ? "main" : id.substr(at + 1);
  const std::string folder_name = "models--" + name.substr(0, name.find('/')) + "--" + name.substr(name.find('/') + 1);
  const std::string what = "model " + name + " (revision " + revision + ")";
  if (cache_dir.empty()) {
    return Status::NotFound(what + ": no Hugging Face cache (set HF_HUB_CACHE or HF_HOME); " + kHowToFill);
  }
  const fs::path model = fs::path(cache_dir) / folder_name;
  std::error_code ec;
  if (!fs::is_directory(model, ec)) {
    return Status::NotFound(what + " is not in the Hugging Face cache: " + model.string() + " does not exist; " +
                            kHowToFill);
  }
  std::string commit = revision;
  if (!IsCommitHash(revision)) {
    const fs::path ref = model / "refs" / revision;
    std::ifstream in(ref);
    if (!in) {
      return Status::NotFound(what + ": " + ref.string() + " does not exist (the cache holds no '" + revision +
                              "' of this model; name a commit with " + name + "@<hash>, or " + kHowToFill + ")");
    }
    std::getline(in, commit);
    while (!commit.empty() && std::isspace(static_cast<unsigned char>(commit.back()))) commit.pop_back();
    if (!IsCommitHash(commit)) {
      return Status::Corrupt(ref.string() + ": expected a 40-digit commit hash, found '" + commit + "'");
    }
  }
  const fs::path snapshot = model / "snapshots" / commit;
  if (!fs::is_directory(snapshot, ec)) {
    return Status::NotFound(what + ": the snapshot " + snapshot.string() + " does not exist; " + kHowToFill);
  }
  *snapshot_dir = snapshot.string();
  return Status::Ok();
}

Status ResolveModelPath(const std::string& location, std::string* path) {
  std::error_code ec;
  if (location.empty()) return Status::InvalidArgument("empty model location");
  if (fs::exists(location, ec)) {
    *path = fs::absolute(location, ec).lexically_normal().string();
    return Status::Ok();
  }
  if (!LooksLikeHfModelId(location)) return Status::NotFound(location + " does not exist");
  Status st = ResolveHfModel(location, HfHubCacheDir(), path);
  if (st.code() == Status::Code::kNotFound) {
    return Status::NotFound(location + " is neither an existing path nor a model in the cache: " + st.message());
  }
  return st;
}

}  // namespace pwemoe::io
