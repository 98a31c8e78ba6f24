// The generic HDF5 layer: what each writer stores reads back unchanged through the readers both
// formats use, and a reader asked for the wrong kind of value says which attribute and what it
// found.
#include "pwemoe/h5/attribute.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "pwemoe/h5/check.h"
#include "pwemoe/h5/handle.h"
#include "pwemoe/h5/strings.h"

namespace pwemoe::h5 {
namespace {

class H5Attributes : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("pwemoe_h5_test_" + std::to_string(getpid()) + ".h5"))
                .string();
    lock_ = LockHdf5();
    ASSERT_GE(file_.Reset(H5Fcreate(path_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT)), 0);
  }
  void TearDown() override {
    file_.Close();
    lock_.unlock();
    std::filesystem::remove(path_);
  }
  hid_t file() const { return file_.get(); }

 private:
  std::string path_;
  std::unique_lock<std::recursive_mutex> lock_;
  FileId file_;
};

TEST_F(H5Attributes, ScalarsRoundTrip) {
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, std::numeric_limits<uint64_t>::max()}) {
    const std::string name = "u" + std::to_string(v);
    ASSERT_TRUE(WriteU64(file(), name, v).ok());
    uint64_t back = 7;
    ASSERT_TRUE(ReadU64(file(), name, &back).ok());
    EXPECT_EQ(back, v);
  }
  int index = 0;
  for (double v : {0.0, -1.5, 1e-300, std::numeric_limits<double>::infinity()}) {
    const std::string name = "f" + std::to_string(index++);
    ASSERT_TRUE(WriteF64(file(), name, v).ok());
    double back = 7;
    ASSERT_TRUE(ReadF64(file(), name, &back).ok());
    EXPECT_EQ(back, v);
  }
  ASSERT_TRUE(WriteInt(file(), "i", -42).ok());
  int64_t i = 0;
  ASSERT_TRUE(ReadInt(file(), "i", &i).ok());
  EXPECT_EQ(i, -42);
}

TEST_F(H5Attributes, StringsRoundTripAsUtf8) {
  const std::vector<std::string> values = {"", "eurosat", "Zürich ∑", std::string(300, 'x')};
  ASSERT_TRUE(WriteStrings(file(), "names", values).ok());
  std::vector<std::string> back;
  ASSERT_TRUE(ReadStrings(file(), "names", &back).ok());
  EXPECT_EQ(back, values);
  ASSERT_TRUE(WriteString(file(), "one", "Zürich").ok());
  std::string one;
  ASSERT_TRUE(ReadString(file(), "one", &one).ok());
  EXPECT_EQ(one, "Zürich");
}

TEST_F(H5Attributes, VariableStringsReadFromADataset) {
  TypeId type;
  ASSERT_TRUE(MakeUtf8StringType(&type).ok());
  const std::vector<std::string> values = {"a", "", "ß∂"};
  std::vector<const char*> pointers;
  for (const std::string& v : values) pointers.push_back(v.c_str());
  hsize_t dims[1] = {values.size()};
  SpaceId space;
  ASSERT_GE(space.Reset(H5Screate_simple(1, dims, nullptr)), 0);
  DatasetId dataset;
  ASSERT_GE(dataset.Reset(H5Dcreate2(file(), "column", type.get(), space.get(), H5P_DEFAULT,
                                     H5P_DEFAULT, H5P_DEFAULT)),
            0);
  ASSERT_GE(H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()), 0);
  std::vector<std::string> back;
  ASSERT_TRUE(ReadVariableStrings(dataset.get(), /*is_attribute=*/false, type.get(), space.get(),
                                  values.size(), &back)
                  .ok());
  EXPECT_EQ(back, values);
}

TEST_F(H5Attributes, WrongKindNamesTheAttributeAndWhatItFound) {
  ASSERT_TRUE(WriteF64(file(), "seconds", 1.5).ok());
  ASSERT_TRUE(WriteU64(file(), "seed", 3).ok());
  ASSERT_TRUE(WriteDoubles(file(), "pair", {1, 2}).ok());
  struct Case {
    const char* name;
    bool as_u64;
    const char* message;
  };
  for (const Case& c : {
           Case{"seconds", true, "attribute 'seconds': expected an integer, found float64"},
           Case{"seed", false, "attribute 'seed': expected a float, found uint64"},
           Case{"pair", false, "attribute 'pair': expected one float, found 2 values"},
           Case{"absent", true, "attribute 'absent': missing"},
       }) {
    uint64_t u = 0;
    double d = 0;
    const Status st = c.as_u64 ? ReadU64(file(), c.name, &u) : ReadF64(file(), c.name, &d);
    EXPECT_EQ(st.code(), Status::Code::kCorrupt) << c.name;
    EXPECT_EQ(st.message(), c.message);
  }
}

}  // namespace
}  // namespace pwemoe::h5
