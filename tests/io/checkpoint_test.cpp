#include "pwemoe/io/checkpoint.h"

#include <gtest/gtest.h>

#include "pwemoe/io/safetensors_writer.h"
#include "io_testing.h"

namespace pwemoe::io {
namespace {

using testing::MakeTempDir;
using testing::SafetensorsBytes;
using testing::WriteBytes;

const float kData[4] = {1, 2, 3, 4};

// Writes a shard holding one F32 [n] tensor per name.
void WriteShard(const std::string& path, const std::vector<std::string>& names, int64_t n = 2) {
  std::vector<TensorToWrite> tensors;
  for (const std::string& name : names) {
    tensors.push_back({name, DType::kF32, {n}, kData, static_cast<size_t>(n) * 4});
  }
  ASSERT_TRUE(WriteSafetensors(path, tensors).ok());
}

// A folder with two shards: a, b in shard 1; c in shard 2; and an index mapping them.
std::string ShardedFolder(const std::string& weight_map) {
  std::string dir = MakeTempDir();
  WriteShard(dir + "/model-00001-of-00002.safetensors", {"a", "b"});
  WriteShard(dir + "/model-00002-of-00002.safetensors", {"c"});
  WriteBytes(dir + "/model.safetensors.index.json",
             R"({"metadata":{"total_size":24},"weight_map":)" + weight_map + "}");
  return dir;
}

const char* kGoodMap =
    R"({"a":"model-00001-of-00002.safetensors","b":"model-00001-of-00002.safetensors",)"
    R"("c":"model-00002-of-00002.safetensors"})";

Status OpenFolder(const std::string& dir, std::unique_ptr<Checkpoint>* out = nullptr) {
  std::unique_ptr<Checkpoint> local;
  return Checkpoint::Open(dir, out ? out : &local);
}

TEST(Checkpoint, OpensShardedFolder) {
  std::string dir = ShardedFolder(kGoodMap);
  std::unique_ptr<Checkpoint> ckpt;
  Status st = OpenFolder(dir, &ckpt);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(ckpt->tensors().size(), 3u);
  EXPECT_EQ(ckpt->files().size(), 2u);
  EXPECT_EQ(ckpt->tensors()[0]->name, "a");
  EXPECT_EQ(ckpt->tensors()[2]->name, "c");
  ASSERT_NE(ckpt->Find("c"), nullptr);
  EXPECT_EQ(ckpt->Find("c")->shape, std::vector<int64_t>({2}));
  EXPECT_EQ(ckpt->Find("d"), nullptr);
  // The index itself opens the same way.
  ASSERT_TRUE(Checkpoint::Open(dir + "/model.safetensors.index.json", &ckpt).ok());
  EXPECT_EQ(ckpt->tensors().size(), 3u);
}

TEST(Checkpoint, FolderPrefersTheSingleFile) {
  std::string dir = ShardedFolder(kGoodMap);
  WriteShard(dir + "/model.safetensors", {"only"});
  std::unique_ptr<Checkpoint> ckpt;
  ASSERT_TRUE(OpenFolder(dir, &ckpt).ok());
  ASSERT_EQ(ckpt->tensors().size(), 1u);
  EXPECT_EQ(ckpt->tensors()[0]->name, "only");
}

TEST(Checkpoint, OpensASingleFileByPath) {
  std::string path = MakeTempDir() + "/weights.safetensors";
  WriteShard(path, {"x", "y"});
  std::unique_ptr<Checkpoint> ckpt;
  ASSERT_TRUE(Checkpoint::Open(path, &ckpt).ok());
  EXPECT_EQ(ckpt->path(), path);
  EXPECT_EQ(ckpt->tensors().size(), 2u);
}

TEST(Checkpoint, EmptyFolderIsNotFound) {
  std::string dir = MakeTempDir();
  Status st = OpenFolder(dir);
  EXPECT_EQ(st.code(), Status::Code::kNotFound);
  EXPECT_NE(st.message().find(dir), std::string::npos);
  EXPECT_NE(st.message().find("model.safetensors.index.json"), std::string::npos);
}

struct ShardCase {
  const char* name;
  std::string weight_map;
  Status::Code code;
  std::vector<std::string> phrases;  // all must appear, besides the index path
};

TEST(Checkpoint, RejectsInconsistentShardIndexes) {
  const std::string s1 = "model-00001-of-00002.safetensors",
                    s2 = "model-00002-of-00002.safetensors";
  const ShardCase cases[] = {
      {"missing_shard",
       R"({"a":")" + s1 + R"(","b":")" + s1 + R"(","c":"gone.safetensors"})",
       Status::Code::kNotFound,
       {"shard 'gone.safetensors'", "no such file"}},
      {"tensor_not_in_shard",
       R"({"a":")" + s1 + R"(","b":")" + s1 + R"(","c":")" + s2 + R"(","d":")" + s2 + R"("})",
       Status::Code::kCorrupt,
       {"tensor 'd'", "shard '" + s2 + "'", "does not contain"}},
      {"tensor_not_listed",
       R"({"a":")" + s1 + R"(","c":")" + s2 + R"("})",
       Status::Code::kCorrupt,
       {"tensor 'b'", "shard '" + s1 + "'", "does not list"}},
      {"weight_map_not_object", "[]", Status::Code::kCorrupt, {"weight_map"}},
      {"shard_not_string", R"({"a":3})", Status::Code::kCorrupt, {"tensor 'a'", "shard file name"}},
      {"shard_escapes",
       R"({"a":"../x.safetensors"})",
       Status::Code::kCorrupt,
       {"tensor 'a'", "'../x.safetensors'", "relative path"}},
      {"shard_absolute",
       R"({"a":"/etc/x.safetensors"})",
       Status::Code::kCorrupt,
       {"tensor 'a'", "relative path"}},
      {"index_invalid_json", "{", Status::Code::kCorrupt, {"invalid JSON"}},
  };
  for (const ShardCase& c : cases) {
    SCOPED_TRACE(c.name);
    std::string dir = ShardedFolder(c.weight_map);
    Status st = OpenFolder(dir);
    EXPECT_EQ(st.code(), c.code) << st.ToString();
    EXPECT_NE(st.message().find(dir + "/model.safetensors.index.json"), std::string::npos)
        << st.message();
    for (const std::string& phrase : c.phrases) {
      EXPECT_NE(st.message().find(phrase), std::string::npos) << st.message();
    }
  }
}

TEST(Checkpoint, RejectsATensorStoredInTwoShards) {
  std::string dir = ShardedFolder(kGoodMap);
  WriteShard(dir + "/model-00002-of-00002.safetensors", {"c", "a"});
  Status st = OpenFolder(dir);
  EXPECT_EQ(st.code(), Status::Code::kCorrupt);
  EXPECT_NE(st.message().find("model.safetensors.index.json: tensor 'a' appears twice"),
            std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("model-00002-of-00002.safetensors"), std::string::npos);
}

TEST(Checkpoint, ShardErrorsNameIndexShardAndTensor) {
  std::string dir = ShardedFolder(kGoodMap);
  WriteBytes(dir + "/model-00002-of-00002.safetensors",
             SafetensorsBytes(R"({"c":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 4));
  Status st = OpenFolder(dir);
  EXPECT_EQ(st.code(), Status::Code::kCorrupt);
  EXPECT_NE(st.message().find("model.safetensors.index.json: shard "
                              "'model-00002-of-00002.safetensors': "),
            std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("tensor 'c'"), std::string::npos);
  EXPECT_NE(st.message().find("truncated"), std::string::npos);
}

}  // namespace
}  // namespace pwemoe::io
