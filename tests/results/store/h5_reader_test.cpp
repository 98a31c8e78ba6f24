// ReadResults / ReadRunRouters: random records round-trip through ResultStore, WriteHdf5 and the
// reader field by field; missing runs and checkpoints are NotFound listing what exists; damaged
// files are Corrupt or IoError naming the file, never a crash.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <hdf5.h>

#include <functional>
#include <memory>

#include "pwemoe/h5/check.h"
#include "random_records.h"
#include "record_compare.h"
#include "results/store/h5_reader.h"
#include "results/store/h5_writer.h"
#include "results/store/result_store.h"
#include "records_testing.h"

namespace pwemoe::results {
namespace {

using ::testing::HasSubstr;
using testing::MakeHeader;
using testing::TempDir;

// Appends every record to a new store at dir/<name> and writes its .h5; the store stays open.
std::unique_ptr<ResultStore> StoreOf(const TempDir& dir, const std::string& name,
                                     const std::vector<testing::AnyRecord>& records) {
  std::unique_ptr<ResultStore> store;
  Status st = ResultStore::Open(dir.File(name), MakeHeader(), false, &store);
  EXPECT_TRUE(st.ok()) << st.ToString();
  if (!store) return store;
  for (const testing::AnyRecord& r : records) {
    for (const auto& x : r.train) EXPECT_TRUE(store->Append(x).ok());
    for (const auto& x : r.eval) EXPECT_TRUE(store->Append(x).ok());
    for (const auto& x : r.baseline) EXPECT_TRUE(store->Append(x).ok());
    for (const auto& x : r.failure) EXPECT_TRUE(store->Append(x).ok());
    for (const auto& x : r.session) EXPECT_TRUE(store->Append(x).ok());
  }
  st = store->WriteHdf5();
  EXPECT_TRUE(st.ok()) << st.ToString();
  return store;
}

// The records as a ResultSet (the store's exactly-once rules, without its fsyncs).
ResultSet SetOf(const std::vector<testing::AnyRecord>& records) {
  ResultSet set;
  auto add = [&set](const auto& record) {
    Status valid = Validate(record);
    EXPECT_TRUE(valid.ok()) << valid.ToString();
    set.Add(record);
  };
  for (const testing::AnyRecord& r : records) {
    for (const auto& x : r.train) add(x);
    for (const auto& x : r.eval) add(x);
    for (const auto& x : r.baseline) add(x);
    for (const auto& x : r.failure) add(x);
    for (const auto& x : r.session) add(x);
  }
  return set;
}

TEST(H5Reader, RandomRecordsRoundTripFieldByField) {
  TempDir dir;
  size_t train = 0, eval = 0, stubs = 0, baselines = 0, failures = 0, sessions = 0;
  for (uint64_t seed = 0; seed < 30; ++seed) {  // each write fsyncs: ~0.2 s
    SCOPED_TRACE("seed " + std::to_string(seed));
    const std::vector<testing::AnyRecord> records = testing::RandomRecords(seed, seed % 4 == 0);
    StoreHeader written = MakeHeader();
    ResultSet set;
    std::string path;
    if (seed < 4) {  // through the store, as the orchestrator writes
      auto store = StoreOf(dir, "r" + std::to_string(seed), records);
      ASSERT_TRUE(store);
      written = store->header();
      set = store->results();
      path = store->hdf5_path();
    } else {
      set = SetOf(records);
      path = dir.File("r" + std::to_string(seed) + ".h5");
      Status st = WriteResultsHdf5(path, written, set);
      ASSERT_TRUE(st.ok()) << st.ToString();
    }
    StoreHeader header;
    ResultSet read;
    Status st = ReadResults(path, &header, &read);
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(testing::FirstDifference(written, testing::AsReadBack(set), header, read), "");
    train += read.train().size();
    eval += read.eval().size();
    for (const auto& [id, r] : read.eval()) stubs += r.ray_index.empty() ? 1 : 0;
    baselines += read.baselines().size();
    failures += read.failures().size();
    sessions += read.sessions().size();
  }
  // The generator covers every kind of record.
  EXPECT_GT(train, 20u);
  EXPECT_GT(eval, 20u);
  EXPECT_GT(stubs, 0u);
  EXPECT_GT(baselines, 20u);
  EXPECT_GT(failures, 5u);
  EXPECT_GT(sessions, 5u);
}

TEST(H5Reader, SampleRecordsReadBackExactly) {
  TempDir dir;
  ResultSet set;
  set.Add(testing::MakeTrain(0, "ls/clothing+digits/seed0", false));
  set.Add(testing::MakeTrain(1, "epo/clothing+digits/seed0", true));
  set.Add(testing::MakeBaseline(2, "digits", false));
  set.Add(testing::MakeBaseline(3, "clothing", true));
  set.Add(testing::MakeEval(4, "ls/clothing+digits/seed0", "digits", 0, 3));
  set.Add(testing::MakeEval(5, "ls/clothing+digits/seed0", "digits", 3, 2));
  set.Add(testing::MakeFailure(6));
  const std::string path = dir.File("r.h5");
  ASSERT_TRUE(WriteResultsHdf5(path, MakeHeader(), set).ok());
  StoreHeader header;
  ResultSet read;
  ASSERT_TRUE(ReadResults(path, &header, &read).ok());
  EXPECT_EQ(testing::FirstDifference(MakeHeader(), testing::AsReadBack(set), header, read), "");
  EXPECT_EQ(read.train().at(1).seed, 0xFFFFFFFFFFFFFFF1ull);
  EXPECT_EQ(read.baselines().at(2).rows[0].ray, std::vector<double>{});
  EXPECT_EQ(read.baselines().at(3).subset, (std::vector<std::string>{"clothing", "digits"}));
  StoreHeader only;
  ASSERT_TRUE(ReadStoreHeader(path, &only).ok());
  EXPECT_EQ(only.experiment_toml, MakeHeader().experiment_toml);
}

class Routers : public ::testing::Test {
 protected:
  void SetUp() override {
    ResultSet set;
    set.Add(testing::MakeTrain(0, "ls/clothing+digits/seed0", false));
    set.Add(testing::MakeEval(4, "epo/only-evaluated", "digits", 0, 3));
    ASSERT_TRUE(WriteResultsHdf5(path_, MakeHeader(), set).ok());
  }
  TempDir dir_;
  const std::string path_ = dir_.File("r.h5");
};

TEST_F(Routers, FinalAndCheckpointOfARun) {
  std::vector<NamedTensor> tensors;
  std::vector<std::string> tasks;
  Status st = ReadRunRouters(path_, "ls/clothing+digits/seed0", -1, &tensors, &tasks);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(tasks, (std::vector<std::string>{"clothing", "digits"}));
  ASSERT_EQ(tensors.size(), 2u);  // sorted by link name: "layers.0.router.fc1.weight" first
  EXPECT_EQ(tensors[0].name, "layers.0.router.fc1.weight");
  EXPECT_EQ(tensors[0].shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(tensors[0].values[0], 10.0f);  // final, not the checkpoint's 1
  EXPECT_EQ(tensors[1].name, "layers.0.router/bias");
  ASSERT_TRUE(ReadRunRouters(path_, "ls__clothing+digits__seed0", 2, &tensors, &tasks).ok());
  EXPECT_EQ(tensors[0].values[0], 1.0f);
}

TEST_F(Routers, MissingRunListsTheTrainedRuns) {
  std::vector<NamedTensor> tensors;
  std::vector<std::string> tasks;
  for (const char* run : {"ls/nope", "epo/only-evaluated", "", ".."}) {
    Status st = ReadRunRouters(path_, run, -1, &tensors, &tasks);
    EXPECT_EQ(st.code(), Status::Code::kNotFound) << run;
    EXPECT_THAT(st.message(), HasSubstr(path_));
    EXPECT_THAT(st.message(), HasSubstr("trained runs: ls/clothing+digits/seed0"));
  }
}

TEST_F(Routers, MissingCheckpointListsTheSteps) {
  std::vector<NamedTensor> tensors;
  std::vector<std::string> tasks;
  Status st = ReadRunRouters(path_, "ls/clothing+digits/seed0", 3, &tensors, &tasks);
  EXPECT_EQ(st.code(), Status::Code::kNotFound);
  EXPECT_THAT(st.message(), HasSubstr("checkpoint steps: 2"));
}

TEST(H5Reader, MissingFileIsNotFound) {
  StoreHeader header;
  ResultSet set;
  Status st = ReadResults("/nonexistent/r.h5", &header, &set);
  EXPECT_EQ(st.code(), Status::Code::kNotFound);
  EXPECT_THAT(st.message(), HasSubstr("/nonexistent/r.h5"));
}

TEST(H5Reader, GarbageAndTruncationsAreRefusedNeverACrash) {
  TempDir dir;
  const std::string garbage = dir.File("garbage.h5");
  testing::WriteFile(garbage, std::string(4096, 'x'));
  StoreHeader header;
  ResultSet set;
  Status st = ReadResults(garbage, &header, &set);
  EXPECT_EQ(st.code(), Status::Code::kCorrupt) << st.ToString();
  EXPECT_THAT(st.message(), HasSubstr(garbage));

  auto store = StoreOf(dir, "full", testing::RandomRecords(7));
  ASSERT_TRUE(store);
  const std::string bytes = testing::ReadFile(store->hdf5_path());
  const std::string cut = dir.File("cut.h5");
  for (size_t n = 0; n < bytes.size(); n += 1 + bytes.size() / 97) {  // about 100 lengths
    testing::WriteFile(cut, bytes.substr(0, n));
    st = ReadResults(cut, &header, &set);
    EXPECT_TRUE(st.code() == Status::Code::kCorrupt || st.code() == Status::Code::kIoError)
        << n << " bytes: " << st.ToString();
    EXPECT_THAT(st.message(), HasSubstr(cut)) << n;
  }
}

// Edits a written results file with the HDF5 C API.
void Edit(const std::string& path, const std::function<void(hid_t)>& edit) {
  auto lock = h5::LockHdf5();
  hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  edit(file);
  H5Fclose(file);
}

Status ReadEdited(const TempDir& dir, const std::function<void(hid_t)>& edit) {
  ResultSet set;
  set.Add(testing::MakeTrain(0, "ls/clothing+digits/seed0", true));
  set.Add(testing::MakeEval(4, "ls/clothing+digits/seed0", "digits", 0, 3));
  set.Add(testing::MakeBaseline(2, "digits", true));
  const std::string path = dir.File("edited.h5");
  EXPECT_TRUE(WriteResultsHdf5(path, MakeHeader(), set).ok());
  Edit(path, edit);
  StoreHeader header;
  ResultSet read;
  return ReadResults(path, &header, &read);
}

TEST(H5Reader, ContentOffTheSchemaIsCorruptNamingTheObject) {
  TempDir dir;
  Status st = ReadEdited(dir, [](hid_t f) { H5Ldelete(f, "/baselines/accuracy", H5P_DEFAULT); });
  EXPECT_EQ(st.code(), Status::Code::kCorrupt);
  EXPECT_THAT(st.message(), HasSubstr("/baselines/accuracy: missing"));

  st = ReadEdited(dir, [](hid_t f) { H5Adelete(f, "config_hash"); });
  EXPECT_EQ(st.code(), Status::Code::kCorrupt);
  EXPECT_THAT(st.message(), HasSubstr("config_hash"));

  st = ReadEdited(dir, [](hid_t f) {
    H5Ldelete(f, "/runs/ls__clothing+digits__seed0/train/step", H5P_DEFAULT);
    hsize_t n = 3;
    hid_t space = H5Screate_simple(1, &n, nullptr);
    hid_t d = H5Dcreate2(f, "/runs/ls__clothing+digits__seed0/train/step", H5T_IEEE_F64LE, space,
                         H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dclose(d);
    H5Sclose(space);
  });
  EXPECT_EQ(st.code(), Status::Code::kCorrupt);
  EXPECT_THAT(st.message(), HasSubstr("/runs/ls__clothing+digits__seed0/train/step: expected integers"));

  // A column that claims far more values than the file holds is refused before allocation.
  st = ReadEdited(dir, [](hid_t f) {
    H5Ldelete(f, "/units/seconds", H5P_DEFAULT);
    hsize_t n = hsize_t{1} << 40;
    hid_t space = H5Screate_simple(1, &n, nullptr);
    hid_t d = H5Dcreate2(f, "/units/seconds", H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT,
                         H5P_DEFAULT);
    H5Dclose(d);
    H5Sclose(space);
  });
  EXPECT_EQ(st.code(), Status::Code::kCorrupt);
  EXPECT_THAT(st.message(), HasSubstr("/units/seconds: shape [1099511627776] is larger than the file"));

  // Units listed in /units whose records are gone: an evaluation unit without rows is legal (it
  // reads back as a stub), a training unit without its run is not.
  st = ReadEdited(dir, [](hid_t f) {
    H5Ldelete(f, "/runs/ls__clothing+digits__seed0/eval/digits", H5P_DEFAULT);
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  st = ReadEdited(dir, [](hid_t f) {
    H5Ldelete(f, "/runs/ls__clothing+digits__seed0", H5P_DEFAULT);
  });
  EXPECT_EQ(st.code(), Status::Code::kCorrupt);
  EXPECT_THAT(st.message(), HasSubstr("/units: train unit 0 has no record in the file"));
  st = ReadEdited(dir, [](hid_t f) {
    hid_t a = H5Aopen(f, "units_done", H5P_DEFAULT);
    int64_t v = 9;
    H5Awrite(a, H5T_NATIVE_INT64, &v);
    H5Aclose(a);
  });
  EXPECT_EQ(st.code(), Status::Code::kCorrupt);
  EXPECT_THAT(st.message(), HasSubstr("units_done 9"));

  st = ReadEdited(dir, [](hid_t f) {
    hid_t a = H5Aopen(f, "schema_version", H5P_DEFAULT);
    int64_t v = 2;
    H5Awrite(a, H5T_NATIVE_INT64, &v);
    H5Aclose(a);
  });
  EXPECT_EQ(st.code(), Status::Code::kCorrupt);
  EXPECT_THAT(st.message(), HasSubstr("schema_version 2 is not supported"));
}

}  // namespace
}  // namespace pwemoe::results
