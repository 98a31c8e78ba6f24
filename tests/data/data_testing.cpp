#include "data_testing.h"

#include <gtest/gtest.h>
#include <hdf5.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <memory>
#include <random>

namespace pwemoe::data::testing {

std::string MakeTempDir() {
  std::string pattern = ::testing::TempDir() + "pwemoe_data_XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  if (::mkdtemp(name.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp failed for " << pattern;
    return ::testing::TempDir();
  }
  return name.data();
}

bool FileExists(const std::string& path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0;
}

int64_t OpenHdf5Ids() {
  ssize_t count = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL);
  EXPECT_GE(count, 0);
  return count;
}

Sample MakeSample(int64_t n, ImageShape shape, int num_classes, uint32_t seed) {
  Sample s;
  s.shape = shape;
  std::mt19937 random(seed);
  s.images.resize(static_cast<size_t>(n * shape.height * shape.width * shape.channels));
  for (size_t i = 0; i < s.images.size(); ++i) {
    s.images[i] = static_cast<uint8_t>(i < 256 ? i : random() % 256);
  }
  for (int64_t i = 0; i < n; ++i) s.labels.push_back((i * 7 + 3) % num_classes);
  for (int c = 0; c < num_classes; ++c) s.classes.push_back("class " + std::to_string(c));
  for (int64_t c = 0; c < shape.channels; ++c) {
    s.mean.push_back(0.40 + 0.03 * static_cast<double>(c));
    s.std.push_back(0.21 + 0.05 * static_cast<double>(c));
  }
  return s;
}

void WriteSample(const std::string& path, const Sample& sample, int64_t piece,
                 const WriterOptions& options) {
  std::unique_ptr<DatasetWriter> writer;
  Status st = DatasetWriter::Create(path, sample.shape, options, &writer);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_TRUE(writer->SetClasses(sample.classes).ok());
  ASSERT_TRUE(writer->SetNormalization(sample.mean, sample.std).ok());
  writer->SetTask(sample.task);
  writer->SetSplit(sample.split);
  for (int64_t begin = 0; begin < sample.size(); begin += piece) {
    int64_t count = std::min(piece, sample.size() - begin);
    st = writer->Append(sample.images.data() + begin * sample.image_bytes(),
                        sample.labels.data() + begin, count);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  st = writer->Close();
  ASSERT_TRUE(st.ok()) << st.ToString();
}

}  // namespace pwemoe::data::testing
