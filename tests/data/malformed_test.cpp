// OpenDataset on malformed files: each file is made with the raw HDF5 C API and breaks one rule;
// the error must name the file and the dataset or attribute at fault.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <optional>

#include "pwemoe/data/dataset_reader.h"
#include "data_testing.h"

namespace pwemoe::data {
namespace {

using ::testing::HasSubstr;
using testing::MakeSample;
using testing::MakeTempDir;
using testing::OpenHdf5Ids;
using testing::WriteSample;

// What the raw builder writes; the defaults make a valid file (4 images 2 x 3 x 2, 3 classes).
struct RawFile {
  bool images = true;
  bool images_as_group = false;
  std::vector<hsize_t> image_dims{4, 2, 3, 2};
  hid_t image_type = H5T_STD_U8LE;
  bool labels = true;
  std::vector<hsize_t> label_dims{4};
  hid_t label_type = H5T_STD_I64BE;  // any byte order is fine
  std::vector<int64_t> label_values{0, 1, 2, 0};
  std::optional<std::string> format = std::string("pwemoe-dataset");
  std::optional<int64_t> version = 1;
  std::optional<std::vector<std::string>> classes = std::vector<std::string>{"a", "b", "c"};
  bool fixed_length_classes = false;
  bool classes_as_floats = false;
  std::optional<std::vector<double>> mean = std::vector<double>{0.5, 0.25};
  std::optional<std::vector<double>> std = std::vector<double>{0.25, 0.5};
};

size_t Elements(const std::vector<hsize_t>& dims) {
  size_t n = 1;
  for (hsize_t d : dims) n *= d;
  return n;
}

void WriteDataset(hid_t file, const char* name, const std::vector<hsize_t>& dims, hid_t type,
                  hid_t mem_type, const void* data) {
  hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
  hid_t dataset = H5Dcreate2(file, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(dataset, 0) << name;
  if (Elements(dims) > 0) {
    ASSERT_GE(H5Dwrite(dataset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), 0);
  }
  H5Dclose(dataset);
  H5Sclose(space);
}

void WriteAttribute(hid_t file, const char* name, hid_t type, hid_t space, hid_t mem_type,
                    const void* data) {
  hid_t attr = H5Acreate2(file, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(attr, 0) << name;
  ASSERT_GE(H5Awrite(attr, mem_type, data), 0) << name;
  H5Aclose(attr);
}

hid_t ArraySpace(size_t n) {
  hsize_t dims[1] = {n};
  return H5Screate_simple(1, dims, nullptr);
}

void WriteStrings(hid_t file, const char* name, const std::vector<std::string>& values, bool fixed,
                  bool scalar) {
  hid_t type = H5Tcopy(H5T_C_S1);
  hid_t space = scalar ? H5Screate(H5S_SCALAR) : ArraySpace(values.size());
  if (fixed) {
    const size_t width = 8;
    H5Tset_size(type, width);
    H5Tset_strpad(type, H5T_STR_NULLPAD);
    std::vector<char> buffer(values.size() * width, '\0');
    for (size_t i = 0; i < values.size(); ++i) values[i].copy(buffer.data() + i * width, width);
    WriteAttribute(file, name, type, space, type, buffer.data());
  } else {
    H5Tset_size(type, H5T_VARIABLE);
    std::vector<const char*> pointers;
    for (const std::string& v : values) pointers.push_back(v.c_str());
    WriteAttribute(file, name, type, space, type, pointers.data());
  }
  H5Sclose(space);
  H5Tclose(type);
}

void WriteDoubles(hid_t file, const char* name, const std::vector<double>& values) {
  hid_t space = ArraySpace(values.size());
  WriteAttribute(file, name, H5T_IEEE_F32LE, space, H5T_NATIVE_DOUBLE, values.data());
  H5Sclose(space);
}

void WriteRawDatasets(hid_t file, const RawFile& spec) {
  if (spec.images_as_group)
    H5Gclose(H5Gcreate2(file, "images", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  if (spec.images) {
    std::vector<uint8_t> pixels(Elements(spec.image_dims), 7);
    WriteDataset(file, "images", spec.image_dims, spec.image_type, H5T_NATIVE_UINT8, pixels.data());
  }
  if (spec.labels) {
    std::vector<int64_t> labels(Elements(spec.label_dims));
    for (size_t i = 0; i < labels.size(); ++i)
      labels[i] = spec.label_values[i % spec.label_values.size()];
    WriteDataset(file, "labels", spec.label_dims, spec.label_type, H5T_NATIVE_INT64, labels.data());
  }
}

void WriteRawAttributes(hid_t file, const RawFile& spec) {
  if (spec.format) WriteStrings(file, "format", {*spec.format}, false, /*scalar=*/true);
  if (spec.version) {
    hid_t space = H5Screate(H5S_SCALAR);
    WriteAttribute(file, "version", H5T_STD_I32LE, space, H5T_NATIVE_INT64, &*spec.version);
    H5Sclose(space);
  }
  if (spec.classes_as_floats) WriteDoubles(file, "classes", {1.0, 2.0, 3.0});
  if (spec.classes) WriteStrings(file, "classes", *spec.classes, spec.fixed_length_classes, false);
  if (spec.mean) WriteDoubles(file, "mean", *spec.mean);
  if (spec.std) WriteDoubles(file, "std", *spec.std);
}

void WriteRaw(const std::string& path, const RawFile& spec) {
  hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  WriteRawDatasets(file, spec);
  WriteRawAttributes(file, spec);
  ASSERT_GE(H5Fclose(file), 0);
}

TEST(RawFileTest, TheDefaultRawFileIsValid) {
  std::string path = MakeTempDir() + "/raw.h5";
  RawFile spec;
  spec.fixed_length_classes = true;  // as h5py writes a numpy bytes array
  WriteRaw(path, spec);
  Dataset dataset;
  Status st = OpenDataset(path, &dataset);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(dataset.info().classes, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(dataset.info().mean, (std::vector<double>{0.5, 0.25}));
  EXPECT_EQ(dataset.labels(), (std::vector<int64_t>{0, 1, 2, 0}));
}

struct MalformedCase {
  const char* name;
  std::function<void(RawFile*)> breakit;
  std::vector<std::string> expected;  // substrings of the message besides the path
};

void PrintTo(const MalformedCase& c, std::ostream* os) {
  *os << c.name;
}

class MalformedTest : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(MalformedTest, ErrorNamesTheFileAndTheItem) {
  const MalformedCase& c = GetParam();
  std::string path = MakeTempDir() + "/" + c.name + ".h5";
  RawFile spec;
  c.breakit(&spec);
  WriteRaw(path, spec);
  const int64_t ids_before = OpenHdf5Ids();
  Dataset dataset;
  Status st = OpenDataset(path, &dataset);
  EXPECT_EQ(OpenHdf5Ids(), ids_before) << "HDF5 identifiers leaked on the error path";
  EXPECT_EQ(st.code(), Status::Code::kCorrupt) << st.ToString();
  EXPECT_THAT(st.message(), HasSubstr(path));
  for (const std::string& s : c.expected) EXPECT_THAT(st.message(), HasSubstr(s));
  EXPECT_FALSE(dataset.is_open());
}

std::vector<MalformedCase> Cases() {
  return {
      {"missing_images",
       [](RawFile* f) { f->images = false; },
       {"dataset 'images'", "missing", "uint8 [N, H, W, C]"}},
      {"images_is_a_group",
       [](RawFile* f) {
         f->images = false;
         f->images_as_group = true;
       },
       {"dataset 'images'", "found a group"}},
      {"images_rank_3",
       [](RawFile* f) {
         f->image_dims = {4, 2, 3};
       },
       {"dataset 'images'", "expected rank 4", "found rank 3 [4, 2, 3]"}},
      {"images_float",
       [](RawFile* f) { f->image_type = H5T_IEEE_F32LE; },
       {"dataset 'images'", "expected uint8, found float32"}},
      {"images_int8",
       [](RawFile* f) { f->image_type = H5T_STD_I8LE; },
       {"dataset 'images'", "expected uint8, found int8"}},
      {"images_empty",
       [](RawFile* f) {
         f->image_dims = {0, 2, 3, 2};
         f->label_dims = {0};
       },
       {"dataset 'images'", "N, H, W, C > 0", "[0, 2, 3, 2]"}},
      {"missing_labels",
       [](RawFile* f) { f->labels = false; },
       {"dataset 'labels'", "missing", "int64 [N]"}},
      {"labels_rank_2",
       [](RawFile* f) {
         f->label_dims = {4, 1};
       },
       {"dataset 'labels'", "expected rank 1", "found rank 2 [4, 1]"}},
      {"labels_int32",
       [](RawFile* f) { f->label_type = H5T_STD_I32LE; },
       {"dataset 'labels'", "expected int64, found int32"}},
      {"labels_uint64",
       [](RawFile* f) { f->label_type = H5T_STD_U64LE; },
       {"dataset 'labels'", "expected int64, found uint64"}},
      {"n_mismatch",
       [](RawFile* f) { f->label_dims = {3}; },
       {"dataset 'labels'", "expected N = 4", "found 3"}},
      {"label_out_of_range",
       [](RawFile* f) {
         f->label_values = {0, 1, 3, 0};
       },
       {"dataset 'labels'", "entry 2 is 3", "[0, 3)"}},
      {"label_negative",
       [](RawFile* f) {
         f->label_values = {0, -1, 2, 0};
       },
       {"dataset 'labels'", "entry 1 is -1"}},
      {"missing_format",
       [](RawFile* f) { f->format.reset(); },
       {"attribute 'format'", "missing", "not a pwemoe dataset"}},
      {"wrong_format",
       [](RawFile* f) { f->format = "pwemoe-results"; },
       {"attribute 'format'", "expected \"pwemoe-dataset\", found \"pwemoe-results\""}},
      {"missing_version",
       [](RawFile* f) { f->version.reset(); },
       {"attribute 'version'", "missing"}},
      {"wrong_version",
       [](RawFile* f) { f->version = 2; },
       {"attribute 'version'", "expected 1, found 2"}},
      {"missing_classes",
       [](RawFile* f) { f->classes.reset(); },
       {"attribute 'classes'", "missing"}},
      {"classes_not_strings",
       [](RawFile* f) {
         f->classes.reset();
         f->classes_as_floats = true;
       },
       {"attribute 'classes'", "expected strings, found float32"}},
      {"classes_empty_name",
       [](RawFile* f) {
         f->classes = {"a", "", "c"};
       },
       {"attribute 'classes'", "entry 1 is empty"}},
      {"missing_mean", [](RawFile* f) { f->mean.reset(); }, {"attribute 'mean'", "missing"}},
      {"missing_std", [](RawFile* f) { f->std.reset(); }, {"attribute 'std'", "missing"}},
      {"mean_length_3",
       [](RawFile* f) {
         f->mean = {0.5, 0.5, 0.5};
       },
       {"attribute 'mean'", "expected C = 2", "found 3"}},
      {"std_length_1",
       [](RawFile* f) { f->std = {0.5}; },
       {"attribute 'std'", "expected C = 2", "found 1"}},
      {"std_zero",
       [](RawFile* f) {
         f->std = {0.25, 0.0};
       },
       {"attribute 'std'", "entry 1", "> 0", "found 0.0"}},
      {"std_negative",
       [](RawFile* f) {
         f->std = {-0.25, 0.5};
       },
       {"attribute 'std'", "entry 0", "> 0"}},
      {"mean_nan",
       [](RawFile* f) {
         f->mean = {0.5, std::nan("")};
       },
       {"attribute 'mean'", "entry 1", "finite"}},
  };
}

INSTANTIATE_TEST_SUITE_P(Cases, MalformedTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<MalformedCase>& info) {
                           return info.param.name;
                         });

TEST(MalformedFileTest, MissingFile) {
  std::string path = MakeTempDir() + "/absent.h5";
  Dataset dataset;
  Status st = OpenDataset(path, &dataset);
  EXPECT_EQ(st.code(), Status::Code::kNotFound);
  EXPECT_THAT(st.message(), HasSubstr(path));
  EXPECT_THAT(st.message(), HasSubstr("no such file"));
}

TEST(MalformedFileTest, Folder) {
  std::string path = MakeTempDir();
  Dataset dataset;
  Status st = OpenDataset(path, &dataset);
  EXPECT_EQ(st.code(), Status::Code::kCorrupt);
  EXPECT_THAT(st.message(), HasSubstr(path));
}

TEST(MalformedFileTest, NotAnHdf5File) {
  std::string path = MakeTempDir() + "/notes.h5";
  std::ofstream(path) << "images,labels\n1,2\n";
  Dataset dataset;
  Status st = OpenDataset(path, &dataset);
  EXPECT_EQ(st.code(), Status::Code::kCorrupt);
  EXPECT_THAT(st.message(), HasSubstr(path));
  EXPECT_THAT(st.message(), HasSubstr("not an HDF5 file"));
}

TEST(MalformedFileTest, TruncatedFile) {
  std::string path = MakeTempDir() + "/cut.h5";
  WriteSample(path, MakeSample(40, {8, 8, 3}, 5));
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  const auto size = static_cast<off_t>(in.tellg());
  ASSERT_EQ(::truncate(path.c_str(), size / 2), 0);
  const int64_t ids_before = OpenHdf5Ids();
  Dataset dataset;
  Status st = OpenDataset(path, &dataset);
  EXPECT_EQ(OpenHdf5Ids(), ids_before);
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.code(), Status::Code::kIoError) << st.ToString();
  EXPECT_THAT(st.message(), HasSubstr(path));
  EXPECT_THAT(st.message(), HasSubstr("H5Fopen"));
  EXPECT_THAT(st.message(), HasSubstr("truncated"));
}

TEST(MalformedFileTest, FailedOpenKeepsThePreviousDataset) {
  std::string dir = MakeTempDir();
  WriteSample(dir + "/good.h5", MakeSample(3, {2, 2, 1}, 2));
  Dataset dataset;
  ASSERT_TRUE(OpenDataset(dir + "/good.h5", &dataset).ok());
  EXPECT_FALSE(OpenDataset(dir + "/absent.h5", &dataset).ok());
  EXPECT_TRUE(dataset.is_open());
  EXPECT_EQ(dataset.info().path, dir + "/good.h5");
}

}  // namespace
}  // namespace pwemoe::data
