// pwemoe-prepare-data run as a process on tiny trees and CSV lists made from the golden files:
// the file it writes, --skip-bad, a corrupt image named with exit code 1, command-line errors
// with exit code 2, and --help listing every flag.
#include <gtest/gtest.h>

#include <unistd.h>

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "pwemoe/data/dataset_reader.h"
#include "pwemoe/image/clip_preprocess.h"
#include "pwemoe/image/decode.h"
#include "../testing/run_command.h"

namespace pwemoe::tools {
namespace {
namespace fs = std::filesystem;

const std::string kGoldenDir = std::string(PWEMOE_TEST_DATA_DIR) + "/golden/";

using ToolRun = pwemoe::testing::CommandRun;

ToolRun Prepare(const std::string& args) {
  return pwemoe::testing::RunCommand(std::string(PWEMOE_PREPARE_DATA) + " " + args);
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string MakeTree(const std::string& name) {
  const fs::path dir = fs::path(::testing::TempDir()) /
                       ("pwemoe_prepare_tool_" + std::to_string(getpid()) + "_" + name);
  fs::remove_all(dir);
  for (const char* sub : {"tree/dog", "tree/cat/more"}) fs::create_directories(dir / sub);
  fs::copy_file(kGoldenDir + "png_rgba.png", dir / "tree/dog/1.png");
  fs::copy_file(kGoldenDir + "jpeg_rgb_420.jpg", dir / "tree/cat/more/2.JPG");
  fs::copy_file(kGoldenDir + "png_rgb_224.png", dir / "tree/cat/0.png");
  return dir.string();
}

std::vector<uint8_t> Reference(const std::string& name) {
  image::RgbImage ref;
  EXPECT_TRUE(image::DecodeImageFile(kGoldenDir + name + ".out224_224.png", &ref).ok());
  return ref.pixels;
}

TEST(PrepareTool, WritesTheTreeAsADatasetFile) {
  const std::string dir = MakeTree("ok");
  const std::string out = dir + "/toy.h5";
  ToolRun run = Prepare("--images " + dir + "/tree --out " + out +
                        " --threads 2 --task toy --split test");
  ASSERT_EQ(run.code, 0) << run.out;
  EXPECT_TRUE(Contains(run.out, "3 images of 2 classes")) << run.out;
  EXPECT_TRUE(Contains(run.out, "3/3 images (100.0%), 0 skipped")) << run.out;
  data::Dataset dataset;
  ASSERT_TRUE(data::OpenDataset(out, &dataset).ok());
  const data::DatasetInfo& info = dataset.info();
  EXPECT_EQ(info.classes, (std::vector<std::string>{"cat", "dog"}));
  EXPECT_EQ(dataset.labels(), (std::vector<int64_t>{0, 0, 1}));
  EXPECT_EQ(info.mean, image::ClipMean());
  EXPECT_EQ(info.std, image::ClipStd());
  EXPECT_EQ(info.task, "toy");
  EXPECT_EQ(info.split, "test");
  std::vector<uint8_t> pixels(3 * info.image_bytes());
  ASSERT_TRUE(dataset.ReadImages(0, 3, pixels.data()).ok());
  const size_t n = info.image_bytes();
  // cat/0.png, cat/more/2.JPG, dog/1.png: exactly Pillow's pixels.
  EXPECT_TRUE(std::equal(pixels.begin(), pixels.begin() + n, Reference("png_rgb_224").begin()));
  EXPECT_TRUE(std::equal(pixels.begin() + n, pixels.begin() + 2 * n,
                         Reference("jpeg_rgb_420").begin()));
  EXPECT_TRUE(std::equal(pixels.begin() + 2 * n, pixels.end(), Reference("png_rgba").begin()));
  fs::remove_all(dir);
}

TEST(PrepareTool, CsvListAndSize) {
  const std::string dir = MakeTree("csv");
  std::ofstream(dir + "/classes.txt") << "dog\ncat\n";
  std::ofstream(dir + "/list.csv") << "path,label\ntree/cat/0.png,cat\ntree/dog/1.png,0\n";
  const std::string out = dir + "/csv.h5";
  ToolRun run = Prepare("--csv " + dir + "/list.csv --classes " + dir + "/classes.txt --out " +
                        out + " --size 96");
  ASSERT_EQ(run.code, 0) << run.out;
  data::Dataset dataset;
  ASSERT_TRUE(data::OpenDataset(out, &dataset).ok());
  EXPECT_EQ(dataset.info().classes, (std::vector<std::string>{"dog", "cat"}));
  EXPECT_EQ(dataset.labels(), (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(dataset.info().height, 96);
  EXPECT_EQ(dataset.info().width, 96);
  fs::remove_all(dir);
}

TEST(PrepareTool, CorruptImageIsNamedOrSkipped) {
  const std::string dir = MakeTree("bad");
  std::ofstream(dir + "/tree/dog/broken.png") << "\x89PNG\r\n\x1a\n" << "garbage";
  const std::string out = dir + "/bad.h5";
  ToolRun run = Prepare("--images " + dir + "/tree --out " + out);
  EXPECT_EQ(run.code, 1) << run.out;
  EXPECT_TRUE(Contains(run.out, "pwemoe-prepare-data: " + dir + "/tree/dog/broken.png: bad PNG data"))
      << run.out;
  EXPECT_FALSE(fs::exists(out));
  run = Prepare("--images " + dir + "/tree --out " + out + " --skip-bad");
  EXPECT_EQ(run.code, 0) << run.out;
  EXPECT_TRUE(Contains(run.out, "skipped: " + dir + "/tree/dog/broken.png")) << run.out;
  EXPECT_TRUE(Contains(run.out, "wrote 3 images")) << run.out;
  EXPECT_TRUE(Contains(run.out, "(1 skipped)")) << run.out;
  fs::remove_all(dir);
}

TEST(PrepareTool, CommandLineErrors) {
  ToolRun run = Prepare("--images /tmp");
  EXPECT_EQ(run.code, 2);
  EXPECT_TRUE(Contains(run.out, "--out is required")) << run.out;
  run = Prepare("--out x.h5");
  EXPECT_EQ(run.code, 2);
  EXPECT_TRUE(Contains(run.out, "--images or --csv is required")) << run.out;
  run = Prepare("--csv a.csv --out x.h5");
  EXPECT_EQ(run.code, 2);
  EXPECT_TRUE(Contains(run.out, "--csv and --classes go together")) << run.out;
  run = Prepare("--images /tmp --out x.h5 --size 0");
  EXPECT_EQ(run.code, 2);
  run = Prepare("--images /nonexistent/tree --out x.h5");
  EXPECT_EQ(run.code, 1);
  EXPECT_TRUE(Contains(run.out, "/nonexistent/tree: no such folder")) << run.out;
  run = Prepare("--images /tmp --out x.h5 --skipbad");
  EXPECT_EQ(run.code, 2);
}

TEST(PrepareTool, HelpListsEveryFlag) {
  const ToolRun run = Prepare("--help");
  EXPECT_EQ(run.code, 0);
  for (const char* flag : {"--images DIR", "--csv FILE", "--classes FILE", "--out FILE.h5",
                           "--size N", "(default: 224)", "--threads N", "--skip-bad",
                           "--task NAME", "--split NAME", "--deflate L", "--log-level"}) {
    EXPECT_TRUE(Contains(run.out, flag)) << flag << "\n" << run.out;
  }
}

}  // namespace
}  // namespace pwemoe::tools
