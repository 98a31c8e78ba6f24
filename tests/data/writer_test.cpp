// DatasetWriter: temporary file then rename, argument and completeness checks, streaming in
// chunks larger and smaller than the appended pieces.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <hdf5.h>

#include <fstream>
#include <memory>

#include "pwemoe/data/dataset_reader.h"
#include "pwemoe/data/dataset_writer.h"
#include "data_testing.h"

namespace pwemoe::data {
namespace {

using testing::FileExists;
using ::testing::HasSubstr;
using testing::MakeSample;
using testing::MakeTempDir;
using testing::Sample;
using testing::WriteSample;

const ImageShape kShape{3, 5, 2};

std::unique_ptr<DatasetWriter> MustCreate(const std::string& path, WriterOptions options = {}) {
  std::unique_ptr<DatasetWriter> writer;
  Status st = DatasetWriter::Create(path, kShape, options, &writer);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return writer;
}

TEST(DatasetWriterTest, WritesUnderTempNameAndRenamesOnClose) {
  std::string path = MakeTempDir() + "/train.h5";
  Sample sample = MakeSample(6, kShape, 3);
  const int64_t ids_before = testing::OpenHdf5Ids();
  auto writer = MustCreate(path);
  ASSERT_TRUE(writer);
  EXPECT_EQ(writer->temp_path(), path + ".tmp");
  ASSERT_TRUE(writer->SetClasses(sample.classes).ok());
  ASSERT_TRUE(writer->SetNormalization(sample.mean, sample.std).ok());
  ASSERT_TRUE(writer->Append(sample.images.data(), sample.labels.data(), 6).ok());
  EXPECT_TRUE(FileExists(path + ".tmp"));
  EXPECT_FALSE(FileExists(path));
  Status st = writer->Close();
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(FileExists(path));
  EXPECT_FALSE(FileExists(path + ".tmp"));
  EXPECT_EQ(writer->size(), 6);
  EXPECT_EQ(testing::OpenHdf5Ids(), ids_before);
  Status again = writer->Close();
  EXPECT_EQ(again.code(), Status::Code::kInvalidArgument);
}

TEST(DatasetWriterTest, DestroyedWithoutCloseLeavesNoFile) {
  std::string path = MakeTempDir() + "/train.h5";
  Sample sample = MakeSample(4, kShape, 2);
  {
    auto writer = MustCreate(path);
    ASSERT_TRUE(writer->Append(sample.images.data(), sample.labels.data(), 4).ok());
    EXPECT_TRUE(FileExists(path + ".tmp"));
  }
  EXPECT_FALSE(FileExists(path + ".tmp"));
  EXPECT_FALSE(FileExists(path));
}

TEST(DatasetWriterTest, OverwritesAStaleTempFile) {
  std::string path = MakeTempDir() + "/train.h5";
  std::ofstream(path + ".tmp") << "left over from a crash";
  WriteSample(path, MakeSample(3, kShape, 2));
  Dataset dataset;
  Status st = OpenDataset(path, &dataset);
  EXPECT_TRUE(st.ok()) << st.ToString();
}

struct IncompleteCase {
  const char* name;
  bool classes;
  bool normalization;
  int64_t images;
  const char* expected;
};

void PrintTo(const IncompleteCase& c, std::ostream* os) {
  *os << c.name;
}

class DatasetWriterIncompleteTest : public ::testing::TestWithParam<IncompleteCase> {};

TEST_P(DatasetWriterIncompleteTest, CloseFailsAndLeavesNoFile) {
  const IncompleteCase& c = GetParam();
  std::string path = MakeTempDir() + "/test.h5";
  const int64_t ids_before = testing::OpenHdf5Ids();
  Sample sample = MakeSample(4, kShape, 2);
  auto writer = MustCreate(path);
  if (c.classes) {
    ASSERT_TRUE(writer->SetClasses(sample.classes).ok());
  }
  if (c.normalization) {
    ASSERT_TRUE(writer->SetNormalization(sample.mean, sample.std).ok());
  }
  ASSERT_TRUE(writer->Append(sample.images.data(), sample.labels.data(), c.images).ok());
  Status st = writer->Close();
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << st.ToString();
  EXPECT_THAT(st.message(), HasSubstr(path));
  EXPECT_THAT(st.message(), HasSubstr(c.expected));
  EXPECT_FALSE(FileExists(path));
  EXPECT_FALSE(FileExists(path + ".tmp"));
  EXPECT_FALSE(writer->Append(sample.images.data(), sample.labels.data(), 1).ok());
  EXPECT_EQ(testing::OpenHdf5Ids(), ids_before) << "a failed Close must release the file";
}

INSTANTIATE_TEST_SUITE_P(
    Cases, DatasetWriterIncompleteTest,
    ::testing::Values(IncompleteCase{"no_classes", false, true, 4, "classes"},
                      IncompleteCase{"no_normalization", true, false, 4, "mean and std"},
                      IncompleteCase{"no_images", true, true, 0, "no images"}),
    [](const ::testing::TestParamInfo<IncompleteCase>& info) { return info.param.name; });

TEST(DatasetWriterTest, RejectsBadArguments) {
  std::string dir = MakeTempDir();
  std::unique_ptr<DatasetWriter> writer;
  EXPECT_EQ(DatasetWriter::Create(dir + "/a.h5", {0, 5, 3}, {}, &writer).code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(DatasetWriter::Create(dir + "/a.h5", kShape, {0, 10}, &writer).code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(DatasetWriter::Create(dir + "/a.h5", kShape, {-1, 0}, &writer).code(),
            Status::Code::kInvalidArgument);
  Status st = DatasetWriter::Create(dir + "/missing/a.h5", kShape, {}, &writer);
  EXPECT_EQ(st.code(), Status::Code::kIoError) << st.ToString();
  EXPECT_THAT(st.message(), HasSubstr(dir + "/missing/a.h5"));
  EXPECT_THAT(st.message(), HasSubstr("H5Fcreate"));
  EXPECT_FALSE(writer);
}

TEST(DatasetWriterTest, RejectsBadClassesNormalizationAndLabels) {
  std::string path = MakeTempDir() + "/a.h5";
  Sample sample = MakeSample(4, kShape, 2);
  auto writer = MustCreate(path);
  EXPECT_EQ(writer->SetClasses({}).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(writer->SetClasses({"cat", ""}).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(writer->SetNormalization({0.5}, {0.5}).code(), Status::Code::kInvalidArgument);
  Status st = writer->SetNormalization({0.5, 0.5}, {0.5, 0.0});
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("attribute 'std'"));

  int64_t negative[1] = {-1};
  st = writer->Append(sample.images.data(), negative, 1);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr(path));
  int64_t five[1] = {5};
  ASSERT_TRUE(writer->Append(sample.images.data(), five, 1).ok());
  st = writer->SetClasses({"a", "b", "c"});
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("label 5"));
  ASSERT_TRUE(writer->SetClasses({"a", "b", "c", "d", "e", "f"}).ok());
  int64_t six[1] = {6};
  st = writer->Append(sample.images.data(), six, 1);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("[0, 6)"));
  EXPECT_EQ(writer->size(), 1);
}

// Raw HDF5 look at the images dataset's layout.
struct Layout {
  std::vector<hsize_t> chunk = std::vector<hsize_t>(4);
  hsize_t max_rows = 0;
  int filters = 0;
};

Layout ReadLayout(const std::string& path) {
  Layout layout;
  hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t images = H5Dopen2(file, "images", H5P_DEFAULT);
  hid_t create = H5Dget_create_plist(images);
  EXPECT_EQ(H5Pget_chunk(create, 4, layout.chunk.data()), 4);
  layout.filters = H5Pget_nfilters(create);
  hid_t space = H5Dget_space(images);
  std::vector<hsize_t> dims(4), max_dims(4);
  H5Sget_simple_extent_dims(space, dims.data(), max_dims.data());
  layout.max_rows = max_dims[0];
  H5Sclose(space);
  H5Pclose(create);
  H5Dclose(images);
  H5Fclose(file);
  return layout;
}

TEST(DatasetWriterTest, StreamsPiecesAcrossChunks) {
  std::string path = MakeTempDir() + "/big.h5";
  Sample sample = MakeSample(15, kShape, 3);
  WriteSample(path, sample, /*piece=*/5, WriterOptions{/*chunk_images=*/4, /*deflate_level=*/6});

  Layout layout = ReadLayout(path);
  EXPECT_EQ(layout.chunk, (std::vector<hsize_t>{4, 3, 5, 2}));
  EXPECT_EQ(layout.max_rows, H5S_UNLIMITED);
  EXPECT_EQ(layout.filters, 1);

  Dataset dataset;
  ASSERT_TRUE(OpenDataset(path, &dataset).ok());
  std::vector<uint8_t> images(sample.images.size());
  ASSERT_TRUE(dataset.ReadImages(0, 15, images.data()).ok());
  EXPECT_EQ(images, sample.images);
  EXPECT_EQ(dataset.labels(), sample.labels);
}

TEST(DatasetWriterTest, DefaultChunkHoldsAbout256KiB) {
  std::string path = MakeTempDir() + "/default.h5";
  WriteSample(path, MakeSample(3, {64, 64, 4}, 2));
  Layout layout = ReadLayout(path);
  EXPECT_EQ(layout.chunk, (std::vector<hsize_t>{16, 64, 64, 4}));
  EXPECT_EQ(layout.filters, 0);
}

}  // namespace
}  // namespace pwemoe::data
