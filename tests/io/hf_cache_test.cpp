// Model ids resolved offline in a Hugging Face hub cache laid out as huggingface_hub writes it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "pwemoe/io/hf_cache.h"

namespace pwemoe::io {
namespace {

namespace fs = std::filesystem;

const std::string kMain = "0123456789abcdef0123456789abcdef01234567";
const std::string kOld = "89abcdef0123456789abcdef0123456789abcdef";

// <root>/hub/models--openai--clip-vit-base-patch32 with refs/main -> kMain, snapshots for kMain
// and kOld, a blobs/ folder the snapshot files link into, and a broken ref.
class HubCache {
 public:
  HubCache() {
    char tmpl[] = "/tmp/pwemoe-hf-cache-XXXXXX";
    root_ = mkdtemp(tmpl);
    const fs::path model = fs::path(hub()) / "models--openai--clip-vit-base-patch32";
    fs::create_directories(model / "refs");
    fs::create_directories(model / "blobs");
    std::ofstream(model / "refs" / "main") << kMain;  // huggingface_hub writes no newline
    std::ofstream(model / "refs" / "v1") << kOld << "\n";
    std::ofstream(model / "refs" / "broken") << "not a hash\n";
    std::ofstream(model / "blobs" / "abc") << "{}";
    for (const std::string& commit : {kMain, kOld}) {
      fs::create_directories(model / "snapshots" / commit);
      fs::create_symlink("../../blobs/abc", model / "snapshots" / commit / "config.json");
    }
  }
  ~HubCache() { fs::remove_all(root_); }
  std::string root() const { return root_; }
  std::string hub() const { return root_ + "/hub"; }
  std::string snapshot(const std::string& commit) const {
    return hub() + "/models--openai--clip-vit-base-patch32/snapshots/" + commit;
  }

 private:
  std::string root_;
};

using Vars = std::vector<std::pair<std::string, std::string>>;

// Sets environment variables for one scope (clearing the other cache variables) and restores them after.
class ScopedEnv {
 public:
  explicit ScopedEnv(const Vars& vars) {
    for (const char* name : {"HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME", "HOME"}) {
      const char* v = std::getenv(name);
      saved_.push_back({name, v != nullptr, v != nullptr ? v : ""});
      unsetenv(name);
    }
    for (const auto& [k, v] : vars) setenv(k.c_str(), v.c_str(), 1);
  }
  ~ScopedEnv() {
    for (const Saved& s : saved_) {
      if (s.set) setenv(s.name.c_str(), s.value.c_str(), 1);
      else unsetenv(s.name.c_str());
    }
  }

 private:
  struct Saved {
    std::string name;
    bool set;
    std::string value;
  };
  std::vector<Saved> saved_;
};

TEST(HfCache, ModelIdShapes) {
  const std::vector<std::pair<std::string, bool>> cases = {
      {"openai/clip-vit-base-patch32", true},
      {"tanganke/clip-vit-base-patch32_sun397", true},
      {"org/name@main", true},
      {"org/name@" + kMain, true},
      {"org/name@refs/pr/1", true},
      {"gpt2", false},                  // one part: a relative path, never an id
      {"/abs/path", false},
      {"./org/name", false},
      {"../org/name", false},
      {"org/name/extra", false},
      {"org/..", false},
      {".hidden/name", false},
      {"org/name@", false},
      {"org name/x", false},
      {"", false},
  };
  for (const auto& [s, want] : cases) EXPECT_EQ(LooksLikeHfModelId(s), want) << s;
}

TEST(HfCache, CacheFolderFollowsHuggingFaceOrder) {
  {
    ScopedEnv env(Vars{{"HF_HUB_CACHE", "/a"}, {"HUGGINGFACE_HUB_CACHE", "/b"}, {"HF_HOME", "/c"}, {"HOME", "/h"}});
    EXPECT_EQ(HfHubCacheDir(), "/a");
  }
  {
    ScopedEnv env(Vars{{"HUGGINGFACE_HUB_CACHE", "/b"}, {"HF_HOME", "/c"}, {"HOME", "/h"}});
    EXPECT_EQ(HfHubCacheDir(), "/b");
  }
  {
    ScopedEnv env(Vars{{"HF_HOME", "/c"}, {"XDG_CACHE_HOME", "/x"}, {"HOME", "/h"}});
    EXPECT_EQ(HfHubCacheDir(), "/c/hub");
  }
  {
    ScopedEnv env(Vars{{"XDG_CACHE_HOME", "/x"}, {"HOME", "/h"}});
    EXPECT_EQ(HfHubCacheDir(), "/x/huggingface/hub");
  }
  {
    ScopedEnv env(Vars{{"HOME", "/h"}});
    EXPECT_EQ(HfHubCacheDir(), "/h/.cache/huggingface/hub");
  }
  {
    ScopedEnv env(Vars{});
    EXPECT_EQ(HfHubCacheDir(), "");
  }
}

TEST(HfCache, ResolvesBranchesTagsAndCommits) {
  HubCache cache;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"openai/clip-vit-base-patch32", kMain},
      {"openai/clip-vit-base-patch32@main", kMain},
      {"openai/clip-vit-base-patch32@v1", kOld},  // a ref file with a trailing newline
      {"openai/clip-vit-base-patch32@" + kOld, kOld},
  };
  for (const auto& [id, commit] : cases) {
    std::string dir;
    Status st = ResolveHfModel(id, cache.hub(), &dir);
    ASSERT_TRUE(st.ok()) << id << ": " << st.ToString();
    EXPECT_EQ(dir, cache.snapshot(commit)) << id;
    EXPECT_TRUE(fs::exists(fs::path(dir) / "config.json"));  // through the blob link
  }
}

TEST(HfCache, MissingPiecesAreNamedWithTheirPath) {
  HubCache cache;
  struct Case {
    std::string id;
    Status::Code code;
    std::string in_message;
  };
  const std::vector<Case> cases = {
      {"openai/clip-vit-large-patch14", Status::Code::kNotFound,
       cache.hub() + "/models--openai--clip-vit-large-patch14 does not exist"},
      {"openai/clip-vit-base-patch32@dev", Status::Code::kNotFound,
       cache.hub() + "/models--openai--clip-vit-base-patch32/refs/dev does not exist"},
      {"openai/clip-vit-base-patch32@fedcba9876543210fedcba9876543210fedcba98", Status::Code::kNotFound,
       "snapshots/fedcba9876543210fedcba9876543210fedcba98 does not exist"},
      {"openai/clip-vit-base-patch32@broken", Status::Code::kCorrupt, "refs/broken: expected a 40-digit commit hash"},
      {"not an id", Status::Code::kInvalidArgument, "not a model id"},
  };
  for (const Case& c : cases) {
    std::string dir = "untouched";
    Status st = ResolveHfModel(c.id, cache.hub(), &dir);
    EXPECT_EQ(st.code(), c.code) << c.id << ": " << st.ToString();
    EXPECT_NE(st.message().find(c.in_message), std::string::npos) << st.message();
    EXPECT_EQ(dir, "untouched");
  }
  std::string dir;
  Status st = ResolveHfModel("openai/clip-vit-base-patch32", "", &dir);
  EXPECT_EQ(st.code(), Status::Code::kNotFound);
  EXPECT_NE(st.message().find("HF_HUB_CACHE"), std::string::npos) << st.message();
}

TEST(HfCache, AnExistingPathWinsOverTheCache) {
  HubCache cache;
  ScopedEnv env(Vars{{"HF_HOME", cache.root()}});
  std::string path;
  ASSERT_TRUE(ResolveModelPath("openai/clip-vit-base-patch32", &path).ok());
  EXPECT_EQ(path, cache.snapshot(kMain));
  // A relative folder of the same name, from inside the cache root.
  const fs::path cwd = fs::current_path();
  fs::create_directories(fs::path(cache.root()) / "openai" / "clip-vit-base-patch32");
  fs::current_path(cache.root());
  Status st = ResolveModelPath("openai/clip-vit-base-patch32", &path);
  fs::current_path(cwd);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(path, cache.root() + "/openai/clip-vit-base-patch32");
  st = ResolveModelPath("openai/nothing-here", &path);
  EXPECT_EQ(st.code(), Status::Code::kNotFound);
  EXPECT_NE(st.message().find("neither an existing path nor a model in the cache"), std::string::npos);
  EXPECT_NE(st.message().find("models--openai--nothing-here"), std::string::npos) << st.message();
  EXPECT_EQ(ResolveModelPath("/no/such/dir", &path).code(), Status::Code::kNotFound);
}

}  // namespace
}  // namespace pwemoe::io
