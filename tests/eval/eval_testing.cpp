#include "eval_testing.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <vector>

#include "pwemoe/data/dataset_writer.h"
#include "pwemoe/model/clip_vit.h"

namespace pwemoe::eval::testing {

model::ClassificationHead RandomHead(const io::ClipVisionConfig& config, int64_t classes,
                                     uint64_t seed) {
  torch::manual_seed(seed);
  model::ClassificationHead head;
  head.weight = torch::randn({classes, config.projection_dim});
  head.logit_scale = 5.0;
  return head;
}

moe::ModelPool RandomPool(const io::ClipVisionConfig& config, int64_t num_tasks, uint64_t seed) {
  moe::ModelPool pool;
  pool.pretrained = RandomParams(config, seed);
  for (int64_t i = 0; i < num_tasks; ++i) {
    pool.tasks.push_back("task" + std::to_string(i));
    io::TensorMap expert;
    for (const auto& [key, t] : pool.pretrained) {
      if (key == model::kVisualProjection) continue;
      expert[key] = t + 0.05 * torch::randn(t.sizes(), t.options());
    }
    pool.experts.push_back(std::move(expert));
    pool.heads.push_back(RandomHead(config, 3, seed + 100 + i));
  }
  return pool;
}

void WriteDataset(const std::string& path, const io::ClipVisionConfig& config, int64_t n,
                  int64_t classes, uint32_t seed, bool class_sorted) {
  const data::ImageShape shape{config.image_size, config.image_size, config.num_channels};
  std::unique_ptr<data::DatasetWriter> writer;
  ASSERT_TRUE(data::DatasetWriter::Create(path, shape, {}, &writer).ok()) << path;
  std::vector<std::string> names;
  for (int64_t c = 0; c < classes; ++c) names.push_back("class" + std::to_string(c));
  ASSERT_TRUE(writer->SetClasses(names).ok());
  ASSERT_TRUE(writer->SetNormalization(std::vector<double>(config.num_channels, 0.5),
                                       std::vector<double>(config.num_channels, 0.25)).ok());
  std::mt19937 rng(seed);
  std::vector<uint8_t> images(n * shape.height * shape.width * shape.channels);
  for (uint8_t& p : images) p = static_cast<uint8_t>(rng() % 256);
  std::vector<int64_t> labels(n);
  for (int64_t& l : labels) l = static_cast<int64_t>(rng() % classes);
  if (class_sorted) std::sort(labels.begin(), labels.end());  // as pwemoe-prepare-data writes
  ASSERT_TRUE(writer->Append(images.data(), labels.data(), n).ok());
  Status st = writer->Close();
  ASSERT_TRUE(st.ok()) << st.ToString();
}

std::string MakeTempDir(const std::string& stem) {
  std::string pattern = ::testing::TempDir() + stem + "_XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  if (::mkdtemp(name.data()) == nullptr) ADD_FAILURE() << "mkdtemp " << pattern;
  return std::string(name.data());
}

}  // namespace pwemoe::eval::testing
