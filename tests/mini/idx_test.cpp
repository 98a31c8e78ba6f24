#include "pwemoe/mini/idx.h"

#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "mini_testing.h"

namespace pwemoe::mini {
namespace {

using Bytes = std::vector<uint8_t>;

void WriteGz(const std::string& path, const Bytes& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr) << path;
  if (!bytes.empty()) {
    ASSERT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())),
              static_cast<int>(bytes.size()));
  }
  ASSERT_EQ(gzclose(f), Z_OK);
}

Bytes ReadRaw(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void WriteRaw(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// An IDX file of unsigned bytes with the given dimensions and `data`.
Bytes Idx(const std::vector<uint32_t>& dims, const Bytes& data) {
  Bytes b = {0, 0, 0x08, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(d >> s));
  }
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

struct Case {
  const char* name;
  Bytes bytes;
  int rank;  // expected rank passed to ReadIdx
  Status::Code code;
  const char* message;  // a substring of the error
};

TEST(Idx, RejectsMalformedFiles) {
  const std::string dir = testing::MakeTempDir();
  const std::vector<Case> cases = {
      {"empty", {}, 0, Status::Code::kCorrupt, "truncated IDX header"},
      {"short_magic", {0, 0, 8}, 0, Status::Code::kCorrupt, "truncated IDX header"},
      {"bad_magic", {1, 0, 8, 1, 0, 0, 0, 1, 7}, 0, Status::Code::kCorrupt, "not an IDX file"},
      {"float_type", {0, 0, 0x0D, 1, 0, 0, 0, 1, 7, 7, 7, 7}, 0, Status::Code::kCorrupt,
       "0x0d, expected 0x08"},
      {"rank_zero", {0, 0, 8, 0}, 0, Status::Code::kCorrupt, "rank 0"},
      {"rank_five", {0, 0, 8, 5}, 0, Status::Code::kCorrupt, "rank 5"},
      {"wrong_rank", Idx({3}, {1, 2, 3}), 3, Status::Code::kCorrupt, "rank 1, expected 3"},
      {"zero_dim", Idx({2, 0, 2}, {}), 3, Status::Code::kCorrupt, "dimension 1 is 0"},
      {"short_dims", {0, 0, 8, 3, 0, 0, 0, 2, 0, 0}, 0, Status::Code::kCorrupt,
       "6 of 12 dimension bytes"},
      {"huge_dims", Idx({65536, 65536}, {}), 0, Status::Code::kCorrupt, "bytes of data"},
      {"short_data", Idx({2, 3}, {1, 2, 3, 4, 5}), 2, Status::Code::kCorrupt,
       "truncated IDX data: 5 of 6 bytes"},
      {"trailing", Idx({2}, {1, 2, 3}), 1, Status::Code::kCorrupt, "trailing bytes"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string path = dir + "/" + c.name + ".gz";
    WriteGz(path, c.bytes);
    IdxArray out;
    out.dims = {42};
    const Status st = ReadIdx(path, c.rank, "", &out);
    EXPECT_EQ(st.code(), c.code) << st.ToString();
    EXPECT_NE(st.message().find(path), std::string::npos) << st.message();
    EXPECT_NE(st.message().find(c.message), std::string::npos) << st.message();
    EXPECT_EQ(out.dims, std::vector<int64_t>{42}) << "untouched on failure";
  }
}

TEST(Idx, ReadsGzipAndPlainFiles) {
  const std::string dir = testing::MakeTempDir();
  const Bytes file = Idx({2, 3}, {1, 2, 3, 4, 5, 255});
  WriteGz(dir + "/a.gz", file);
  WriteRaw(dir + "/a.idx", file);
  for (const char* name : {"/a.gz", "/a.idx"}) {
    IdxArray out;
    ASSERT_TRUE(ReadIdx(dir + name, 2, "", &out).ok());
    EXPECT_EQ(out.dims, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(out.data, (Bytes{1, 2, 3, 4, 5, 255}));
  }
}

TEST(Idx, RejectsTruncatedGzipStream) {
  const std::string dir = testing::MakeTempDir();
  Bytes data(5000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7919 % 251);
  const std::string path = dir + "/t.gz";
  WriteGz(path, Idx({5000}, data));
  Bytes gz = ReadRaw(path);
  gz.resize(gz.size() / 2);
  WriteRaw(path, gz);
  IdxArray out;
  const Status st = ReadIdx(path, 1, "", &out);
  EXPECT_EQ(st.code(), Status::Code::kCorrupt) << st.ToString();
  EXPECT_NE(st.message().find(path), std::string::npos) << st.message();
}

TEST(Idx, RejectsDamagedGzipStream) {
  const std::string dir = testing::MakeTempDir();
  Bytes data(5000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7919 % 251);
  const std::string path = dir + "/d.gz";
  WriteGz(path, Idx({5000}, data));
  Bytes gz = ReadRaw(path);
  gz[gz.size() - 6] ^= 0xFF;  // inside the CRC-32 trailer
  WriteRaw(path, gz);
  IdxArray out;
  const Status st = ReadIdx(path, 1, "", &out);
  EXPECT_EQ(st.code(), Status::Code::kCorrupt) << st.ToString();
  EXPECT_NE(st.message().find(path), std::string::npos) << st.message();
}

TEST(Idx, MissingFileIsNotFoundWithHint) {
  const std::string path = testing::MakeTempDir() + "/none.gz";
  IdxArray out;
  const Status st = ReadIdx(path, 0, "; install it", &out);
  EXPECT_EQ(st.code(), Status::Code::kNotFound);
  EXPECT_NE(st.message().find(path), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("; install it"), std::string::npos) << st.message();
}

TEST(Idx, MissingFashionMnistNamesFileAndPackage) {
  const std::string dir = testing::MakeTempDir();
  FashionMnist fm;
  const Status st = LoadFashionMnist(dir, &fm);
  EXPECT_EQ(st.code(), Status::Code::kNotFound);
  EXPECT_NE(st.message().find(dir + "/" + kFashionTrainImages), std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("apt-get install dataset-fashion-mnist"), std::string::npos)
      << st.message();
}

TEST(Idx, RejectsInconsistentFashionMnist) {
  const std::string dir = testing::MakeTempDir();
  WriteGz(dir + "/" + kFashionTrainImages, Idx({2, 28, 28}, Bytes(2 * 784, 9)));
  WriteGz(dir + "/" + kFashionTrainLabels, Idx({3}, {1, 2, 3}));
  WriteGz(dir + "/" + kFashionTestImages, Idx({1, 28, 28}, Bytes(784, 9)));
  WriteGz(dir + "/" + kFashionTestLabels, Idx({1}, {4}));
  FashionMnist fm;
  Status st = LoadFashionMnist(dir, &fm);
  EXPECT_EQ(st.code(), Status::Code::kCorrupt);
  EXPECT_NE(st.message().find(kFashionTrainLabels), std::string::npos) << st.message();

  WriteGz(dir + "/" + kFashionTrainLabels, Idx({2}, {1, 10}));
  st = LoadFashionMnist(dir, &fm);
  EXPECT_EQ(st.code(), Status::Code::kCorrupt);
  EXPECT_NE(st.message().find("label 1 is 10"), std::string::npos) << st.message();

  WriteGz(dir + "/" + kFashionTrainLabels, Idx({2}, {1, 9}));
  WriteGz(dir + "/" + kFashionTestImages, Idx({1, 27, 28}, Bytes(27 * 28, 9)));
  st = LoadFashionMnist(dir, &fm);
  EXPECT_EQ(st.code(), Status::Code::kCorrupt);
  EXPECT_NE(st.message().find("27 x 28"), std::string::npos) << st.message();

  WriteGz(dir + "/" + kFashionTestImages, Idx({1, 28, 28}, Bytes(784, 9)));
  ASSERT_TRUE(LoadFashionMnist(dir, &fm).ok());
  EXPECT_EQ(fm.train_size(), 2);
  EXPECT_EQ(fm.test_size(), 1);
}

TEST(Idx, ReadsDebianFashionMnist) {
  FashionMnist fm;
  const Status st = LoadFashionMnist("/usr/share/datasets/fashion-mnist", &fm);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(fm.train_size(), 60000);
  EXPECT_EQ(fm.test_size(), 10000);
}

}  // namespace
}  // namespace pwemoe::mini
