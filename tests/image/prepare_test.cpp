// Image lists (class-per-folder trees in torchvision's ImageFolder order, CSV lists with class
// names) and PrepareDataset: the dataset file it writes holds, in list order, exactly Pillow's
// preprocessed pixels (the golden references), the labels, the classes and CLIP's mean and std,
// whatever the number of threads; bad images fail naming the file or are skipped and counted.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "pwemoe/data/dataset_reader.h"
#include "pwemoe/image/clip_preprocess.h"
#include "pwemoe/image/decode.h"
#include "pwemoe/image/image_list.h"
#include "pwemoe/image/prepare_data.h"

namespace pwemoe::image {
namespace {
namespace fs = std::filesystem;

const std::string kGoldenDir = std::string(PWEMOE_TEST_DATA_DIR) + "/golden/";

// A fresh folder under the test temp dir.
std::string MakeTempDir(const std::string& name) {
  const fs::path dir = fs::path(::testing::TempDir()) /
                       ("pwemoe_prepare_" + std::to_string(getpid()) + "_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

void Put(const std::string& path, const std::string& golden) {
  fs::create_directories(fs::path(path).parent_path());
  fs::copy_file(kGoldenDir + golden, path, fs::copy_options::overwrite_existing);
}

void Write(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::vector<std::string> Relative(const ImageList& list, const std::string& dir) {
  std::vector<std::string> paths;
  for (const ImageEntry& e : list.entries) {
    paths.push_back(fs::path(e.path).lexically_relative(dir).string() + ":" +
                    std::to_string(e.label));
  }
  return paths;
}

TEST(ImageFolder, ListsAsTorchvisionImageFolder) {
  const std::string dir = MakeTempDir("tree");
  Put(dir + "/dog/b.PNG", "png_gray2.png");
  Put(dir + "/dog/a.jpg", "jpeg_gray.jpg");
  Put(dir + "/cat/z.png", "png_gray2.png");
  Put(dir + "/cat/sub/c.jpeg", "jpeg_gray.jpg");
  Put(dir + "/cat/sub_2/d.png", "png_gray2.png");
  Put(dir + "/cat/a.webp", "png_gray2.png");  // listed: an image extension (it will fail)
  Write(dir + "/cat/notes.txt", "not an image");
  Write(dir + "/README", "top-level files are not classes");
  Put(dir + "/Zebra/x.png", "png_gray2.png");  // upper case sorts first (byte order)
  ImageList list;
  const Status st = ListImageFolder(dir, &list);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(list.classes, (std::vector<std::string>{"Zebra", "cat", "dog"}));
  // Per class: folders in path order ("cat" < "cat/sub" < "cat/sub_2"), files sorted in each.
  EXPECT_EQ(Relative(list, dir),
            (std::vector<std::string>{"Zebra/x.png:0", "cat/a.webp:1", "cat/z.png:1",
                                      "cat/sub/c.jpeg:1", "cat/sub_2/d.png:1", "dog/a.jpg:2",
                                      "dog/b.PNG:2"}));
}

TEST(ImageFolder, RefusesWhatImageFolderRefuses) {
  ImageList list;
  Status st = ListImageFolder("/nonexistent/tree", &list);
  EXPECT_EQ(st.code(), Status::Code::kNotFound);
  EXPECT_TRUE(Contains(st.message(), "/nonexistent/tree")) << st.message();
  const std::string flat = MakeTempDir("flat");
  Put(flat + "/a.png", "png_gray2.png");
  st = ListImageFolder(flat, &list);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(Contains(st.message(), "no class folders")) << st.message();
  const std::string empty_class = MakeTempDir("empty_class");
  Put(empty_class + "/cat/a.png", "png_gray2.png");
  Write(empty_class + "/dog/readme.txt", "x");
  st = ListImageFolder(empty_class, &list);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(Contains(st.message(), "/dog: class folder has no image")) << st.message();
}

TEST(ImageCsv, NamesIndicesHeaderQuotingAndBase) {
  const std::string dir = MakeTempDir("csv");
  Write(dir + "/classes.txt", "cat\r\nsea lion\n\n");
  Write(dir + "/list.csv",
        "path,label\n"
        "a.png,cat\n"
        "\"b,c.png\",sea lion\n"
        "/abs/d.jpg, 1\n"
        "\n"
        "\"e \"\"q\"\".png\",0\n");
  std::vector<std::string> classes;
  ASSERT_TRUE(ReadClassNames(dir + "/classes.txt", &classes).ok());
  EXPECT_EQ(classes, (std::vector<std::string>{"cat", "sea lion"}));
  ImageList list;
  const Status st = ReadImageCsv(dir + "/list.csv", classes, "/base", &list);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(list.entries.size(), 4u);
  EXPECT_EQ(list.classes, classes);
  EXPECT_EQ(list.entries[0].path, "/base/a.png");
  EXPECT_EQ(list.entries[0].label, 0);
  EXPECT_EQ(list.entries[1].path, "/base/b,c.png");
  EXPECT_EQ(list.entries[1].label, 1);
  EXPECT_EQ(list.entries[2].path, "/abs/d.jpg");
  EXPECT_EQ(list.entries[2].label, 1);
  EXPECT_EQ(list.entries[3].path, "/base/e \"q\".png");
  EXPECT_EQ(list.entries[3].label, 0);
}

TEST(ImageCsv, ErrorsNameFileAndLine) {
  const std::string dir = MakeTempDir("csv_errors");
  const std::vector<std::string> classes = {"cat", "dog"};
  ImageList list;
  auto expect = [&](const std::string& text, const std::string& part) {
    Write(dir + "/list.csv", text);
    const Status st = ReadImageCsv(dir + "/list.csv", classes, "", &list);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << text;
    EXPECT_TRUE(Contains(st.message(), dir + "/list.csv: " + part)) << st.message();
  };
  expect("a.png,cat\nb.png,bird\n", "line 2: label 'bird' is neither a class name nor an index below 2");
  expect("a.png,2\n", "line 1: label '2'");
  expect("a.png\n", "line 1: expected 2 fields (path,label), found 1");
  expect("a.png,cat,x\n", "line 1: expected 2 fields");
  expect(",cat\n", "line 1: empty path");
  expect("\"a.png,cat\n", "line 1: unterminated quote");
  expect("path,label\n", "no image rows");
  Write(dir + "/classes.txt", "cat\n\ndog\n");
  std::vector<std::string> names;
  Status st = ReadClassNames(dir + "/classes.txt", &names);
  EXPECT_TRUE(Contains(st.message(), "classes.txt: line 2: empty class name")) << st.message();
  Write(dir + "/classes.txt", "cat\ndog\ncat\n");
  st = ReadClassNames(dir + "/classes.txt", &names);
  EXPECT_TRUE(Contains(st.message(), "line 3: class 'cat' repeats line 1")) << st.message();
  st = ReadClassNames(dir + "/missing.txt", &names);
  EXPECT_EQ(st.code(), Status::Code::kNotFound);
}

// Pillow's preprocessed pixels of a golden case (crop 224).
std::vector<uint8_t> Reference(const std::string& name) {
  RgbImage ref;
  const Status st = DecodeImageFile(kGoldenDir + name + ".out224_224.png", &ref);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return ref.pixels;
}

struct FileContent {
  data::DatasetInfo info;
  std::vector<int64_t> labels;
  std::vector<uint8_t> pixels;
};

FileContent ReadAll(const std::string& path) {
  FileContent c;
  data::Dataset dataset;
  const Status st = data::OpenDataset(path, &dataset);
  EXPECT_TRUE(st.ok()) << st.ToString();
  if (!st.ok()) return c;
  c.info = dataset.info();
  c.labels = dataset.labels();
  c.pixels.resize(c.info.size * c.info.image_bytes());
  EXPECT_TRUE(dataset.ReadImages(0, c.info.size, c.pixels.data()).ok());
  return c;
}

TEST(PrepareDataset, WritesPillowPixelsInListOrder) {
  const std::string dir = MakeTempDir("prepare");
  const std::vector<std::string> golden = {"jpeg_rgb_420", "png_rgba", "png_rgb_224"};
  ImageList list;
  list.classes = {"a", "b"};
  // 150 images (more than the ring of slots), labels and sources in a scrambled pattern.
  for (int i = 0; i < 150; ++i) {
    const std::string& g = golden[(i * 7) % 3];
    const std::string path = dir + "/img" + std::to_string(i) + (g[0] == 'j' ? ".jpg" : ".png");
    Put(path, g + (g[0] == 'j' ? ".jpg" : ".png"));
    list.entries.push_back({path, (i * 5) % 2});
  }
  std::vector<std::vector<uint8_t>> refs;
  for (const std::string& g : golden) refs.push_back(Reference(g));
  for (int threads : {1, 3}) {
    PrepareOptions options;
    options.out_path = dir + "/out" + std::to_string(threads) + ".h5";
    options.threads = threads;
    options.task = "toy";
    options.split = "train";
    options.progress_seconds = 0;
    int reports = 0;
    PrepareResult result;
    const Status st = PrepareDataset(
        list, options, [&](const PrepareProgress& p) { ++reports; EXPECT_EQ(p.total, 150); },
        &result);
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(result.written, 150);
    EXPECT_TRUE(result.skipped.empty());
    EXPECT_GE(reports, 1);
    const FileContent c = ReadAll(options.out_path);
    ASSERT_EQ(c.info.size, 150);
    EXPECT_EQ(c.info.height, 224);
    EXPECT_EQ(c.info.width, 224);
    EXPECT_EQ(c.info.channels, 3);
    EXPECT_EQ(c.info.classes, list.classes);
    EXPECT_EQ(c.info.mean, ClipMean());
    EXPECT_EQ(c.info.std, ClipStd());
    EXPECT_EQ(c.info.task, "toy");
    EXPECT_EQ(c.info.split, "train");
    for (int i = 0; i < 150; ++i) {
      EXPECT_EQ(c.labels[i], (i * 5) % 2);
      const std::vector<uint8_t> got(c.pixels.begin() + i * c.info.image_bytes(),
                                     c.pixels.begin() + (i + 1) * c.info.image_bytes());
      ASSERT_EQ(got, refs[(i * 7) % 3]) << "image " << i << " with " << threads << " threads";
    }
  }
  fs::remove_all(dir);
}

TEST(PrepareDataset, BadImageFailsNamingItOrIsSkipped) {
  const std::string dir = MakeTempDir("bad");
  ImageList list;
  list.classes = {"x", "y"};
  for (int i = 0; i < 6; ++i) {
    const std::string path = dir + "/ok" + std::to_string(i) + ".png";
    Put(path, "png_rgb_224.png");
    list.entries.push_back({path, i % 2});
  }
  Write(dir + "/broken.jpg", std::string("\xFF\xD8\xFF\xE0", 4));
  Write(dir + "/fake.png", "GIF89a....");
  list.entries.insert(list.entries.begin() + 2, {dir + "/broken.jpg", 1});
  list.entries.insert(list.entries.begin() + 5, {dir + "/fake.png", 0});

  PrepareOptions options;
  options.out_path = dir + "/out.h5";
  options.threads = 2;
  PrepareResult result;
  Status st = PrepareDataset(list, options, nullptr, &result);
  EXPECT_EQ(st.code(), Status::Code::kCorrupt) << st.ToString();
  EXPECT_TRUE(Contains(st.message(), dir + "/broken.jpg")) << st.message();
  EXPECT_FALSE(fs::exists(options.out_path));
  EXPECT_FALSE(fs::exists(options.out_path + ".tmp"));

  options.skip_bad = true;
  st = PrepareDataset(list, options, nullptr, &result);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(result.written, 6);
  ASSERT_EQ(result.skipped.size(), 2u);
  EXPECT_EQ(result.skipped[0].path, dir + "/broken.jpg");
  EXPECT_EQ(result.skipped[1].path, dir + "/fake.png");
  EXPECT_TRUE(Contains(result.skipped[1].reason, "GIF images are not supported"));
  const FileContent c = ReadAll(options.out_path);
  ASSERT_EQ(c.info.size, 6);
  EXPECT_EQ(c.labels, (std::vector<int64_t>{0, 1, 0, 1, 0, 1}));

  ImageList all_bad;
  all_bad.classes = {"x"};
  all_bad.entries = {{dir + "/broken.jpg", 0}};
  st = PrepareDataset(all_bad, options, nullptr, &result);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(Contains(st.message(), "none of the 1 images")) << st.message();
  EXPECT_EQ(PrepareDataset(ImageList{}, options, nullptr, &result).code(),
            Status::Code::kInvalidArgument);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace pwemoe::image
