// pwemoe/image without reference pixels: damaged and unsupported files give errors that name
// the file, the resize size and crop arithmetic follow Hugging Face's, and the resampler keeps
// flat images flat and a same-size resize exact.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "pwemoe/image/clip_preprocess.h"
#include "pwemoe/image/decode.h"
#include "pwemoe/image/resample.h"

namespace pwemoe::image {
namespace {

const std::string kGoldenDir = std::string(PWEMOE_TEST_DATA_DIR) + "/golden/";

std::vector<uint8_t> ReadGolden(const std::string& name) {
  std::vector<uint8_t> bytes;
  const Status st = ReadFileBytes(kGoldenDir + name, &bytes);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return bytes;
}

std::string WriteTemp(const std::string& name, const std::vector<uint8_t>& bytes) {
  const std::string path =
      ::testing::TempDir() + "/pwemoe_image_" + std::to_string(getpid()) + "_" + name;
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return path;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

uint32_t Crc32(const uint8_t* data, size_t size) {
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < size; ++i) {
    crc ^= data[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

void PutBe32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

// Decodes a file written from `bytes` and expects `code` with a message naming the file and
// containing `part`.
void ExpectFileError(const std::string& name, const std::vector<uint8_t>& bytes,
                     Status::Code code, const std::string& part) {
  const std::string path = WriteTemp(name, bytes);
  RgbImage image;
  const Status st = DecodeImageFile(path, &image);
  EXPECT_EQ(st.code(), code) << name << ": " << st.ToString();
  EXPECT_TRUE(Contains(st.message(), path)) << st.message();
  EXPECT_TRUE(Contains(st.message(), part)) << st.message();
}

TEST(Decode, MissingFileAndFolder) {
  RgbImage image;
  Status st = DecodeImageFile("/nonexistent/cat.jpg", &image);
  EXPECT_EQ(st.code(), Status::Code::kNotFound);
  EXPECT_TRUE(Contains(st.message(), "/nonexistent/cat.jpg")) << st.message();
  st = DecodeImageFile(::testing::TempDir(), &image);
  EXPECT_EQ(st.code(), Status::Code::kIoError) << st.ToString();
  EXPECT_TRUE(Contains(st.message(), ::testing::TempDir())) << st.message();
}

TEST(Decode, TruncatedJpegNamesTheFile) {
  for (const char* name : {"jpeg_rgb_420.jpg", "jpeg_rgb_444_progressive.jpg", "jpeg_cmyk.jpg"}) {
    std::vector<uint8_t> bytes = ReadGolden(name);
    bytes.resize(bytes.size() / 2);
    ExpectFileError(std::string("half_") + name, bytes, Status::Code::kCorrupt,
                    "Premature end of JPEG file");
    bytes.resize(3);  // the signature only
    ExpectFileError(std::string("sig_") + name, bytes, Status::Code::kCorrupt, "bad JPEG data");
  }
}

TEST(Decode, CorruptJpegNamesTheFile) {
  std::vector<uint8_t> bytes = ReadGolden("jpeg_rgb_420.jpg");
  for (size_t i = 4; i < 200 && i < bytes.size(); ++i) bytes[i] = 0x5A;  // headers destroyed
  ExpectFileError("garbled.jpg", bytes, Status::Code::kCorrupt, "bad JPEG data");
}

TEST(Decode, JpegWithoutEndMarkerIsRefusedAsPillowDoes) {
  const std::vector<uint8_t> whole = ReadGolden("jpeg_rgb_420.jpg");
  ASSERT_EQ(whole[whole.size() - 2], 0xFF);
  ASSERT_EQ(whole[whole.size() - 1], 0xD9);
  RgbImage image;
  ASSERT_TRUE(DecodeImage(whole.data(), whole.size(), "whole", &image).ok());
  const std::vector<uint8_t> cut(whole.begin(), whole.end() - 2);
  const Status st = DecodeImage(cut.data(), cut.size(), "cut.jpg", &image);
  EXPECT_EQ(st.code(), Status::Code::kCorrupt);
  EXPECT_EQ(st.message(), "cut.jpg: bad JPEG data: Premature end of JPEG file");
}

TEST(Decode, TruncatedPngNamesTheFile) {
  for (const char* name : {"png_rgba.png", "png_interlaced.png", "png_palette_trns.png"}) {
    std::vector<uint8_t> bytes = ReadGolden(name);
    bytes.resize(bytes.size() * 2 / 3);
    ExpectFileError(std::string("part_") + name, bytes, Status::Code::kCorrupt, "truncated");
    bytes.resize(8);  // the signature only
    ExpectFileError(std::string("sig_") + name, bytes, Status::Code::kCorrupt, "bad PNG data");
  }
}

TEST(Decode, PngChecksumErrorNamesTheFile) {
  std::vector<uint8_t> bytes = ReadGolden("png_rgb_224.png");
  bytes[20] ^= 0x01;  // inside IHDR (width): its CRC no longer matches
  ExpectFileError("bad_ihdr.png", bytes, Status::Code::kCorrupt, "CRC");
  bytes = ReadGolden("png_rgb_224.png");
  bytes[bytes.size() / 2] ^= 0xFF;  // inside IDAT: CRC error on a critical chunk
  ExpectFileError("bad_idat.png", bytes, Status::Code::kCorrupt, "bad PNG data");
}

TEST(Decode, HugePngIsRefusedBeforeAllocating) {
  std::vector<uint8_t> bytes = ReadGolden("png_rgb_224.png");
  PutBe32(&bytes[16], 100000);  // IHDR width
  PutBe32(&bytes[20], 100000);  // IHDR height
  PutBe32(&bytes[29], Crc32(&bytes[12], 17));  // "IHDR" + 13 bytes of data
  ExpectFileError("huge.png", bytes, Status::Code::kInvalidArgument, "more than the limit");
}

TEST(Decode, UnsupportedFormatsAreNamed) {
  auto bytes = [](const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); };
  ExpectFileError("a.gif", bytes(std::string("GIF89a\x01\x00\x01\x00\x00\x00\x00;", 13)),
                  Status::Code::kInvalidArgument, "GIF images are not supported");
  ExpectFileError("a.bmp", bytes("BM\x3a\x00\x00\x00"), Status::Code::kInvalidArgument,
                  "BMP images are not supported");
  ExpectFileError("a.webp", bytes(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16)), Status::Code::kInvalidArgument,
                  "WebP images are not supported");
  ExpectFileError("a.tif", bytes(std::string("II*\0\x08\0\0\0", 8)), Status::Code::kInvalidArgument,
                  "TIFF images are not supported");
  ExpectFileError("a.txt", bytes("label,path\n"), Status::Code::kInvalidArgument,
                  "not a JPEG or PNG image");
  ExpectFileError("empty.jpg", {}, Status::Code::kInvalidArgument, "empty file");
}

TEST(Decode, SniffsBySignatureNotName) {
  const std::vector<uint8_t> png = ReadGolden("png_gray2.png");
  const std::string path = WriteTemp("really_a_png.jpg", png);
  RgbImage image;
  const Status st = DecodeImageFile(path, &image);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(image.width, 120);
  EXPECT_EQ(image.height, 90);
  EXPECT_EQ(SniffFormat(png.data(), png.size()), ImageFormat::kPng);
}

TEST(ClipSize, ShortestEdgeAsHuggingFace) {
  struct Case {
    int w, h, out_w, out_h;
  };
  // int(224 * long / short), truncated; the short side becomes 224 (also when upscaling).
  for (const Case& c : {Case{360, 270, 298, 224}, Case{150, 260, 224, 388},
                        Case{224, 224, 224, 224}, Case{700, 60, 2613, 224},
                        Case{300, 200, 336, 224}, Case{257, 255, 225, 224},
                        Case{1, 3, 224, 672}, Case{500, 375, 298, 224},
                        Case{640, 427, 335, 224}}) {
    int w = 0, h = 0;
    ASSERT_TRUE(ShortestEdgeSize(c.w, c.h, 224, &w, &h).ok());
    EXPECT_EQ(w, c.out_w) << c.w << "x" << c.h;
    EXPECT_EQ(h, c.out_h) << c.w << "x" << c.h;
  }
  int w = 0, h = 0;
  EXPECT_EQ(ShortestEdgeSize(0, 5, 224, &w, &h).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(ShortestEdgeSize(1, 100000000, 224, &w, &h).code(), Status::Code::kInvalidArgument);
}

TEST(ClipSize, CenterCropFloorsTheOffset) {
  Window w = CenterCropWindow(298, 224, 224, 224);
  EXPECT_EQ(w.x, 37);
  EXPECT_EQ(w.y, 0);
  w = CenterCropWindow(299, 225, 224, 224);
  EXPECT_EQ(w.x, 37);  // 75 // 2
  EXPECT_EQ(w.y, 0);   // 1 // 2
  w = CenterCropWindow(100, 133, 99, 99);
  EXPECT_EQ(w.x, 0);
  EXPECT_EQ(w.y, 17);
  EXPECT_EQ(w.width, 99);
  EXPECT_EQ(w.height, 99);
}

RgbImage Pattern(int width, int height) {
  RgbImage image;
  image.Resize(width, height);
  for (size_t i = 0; i < image.pixels.size(); ++i) {
    image.pixels[i] = static_cast<uint8_t>((i * 2654435761u) >> 24);
  }
  return image;
}

TEST(Resize, SameSizeIsExact) {
  const RgbImage image = Pattern(224, 224);
  ClipPreprocessor pre;
  std::vector<uint8_t> out(pre.output_bytes());
  ASSERT_TRUE(pre.Run(image, out.data()).ok());
  EXPECT_EQ(out, image.pixels);
  // Only one axis resized: the other is copied exactly (Pillow skips that pass).
  BicubicResizer resizer;
  const RgbImage wide = Pattern(300, 224);
  std::vector<uint8_t> window(10 * 224 * 3);
  ASSERT_TRUE(resizer.Resize(wide, 300, 224, Window{5, 0, 10, 224}, window.data()).ok());
  for (int y = 0; y < 224; ++y) {
    for (int b = 0; b < 30; ++b) {
      ASSERT_EQ(window[y * 30 + b], wide.pixels[(y * 300 + 5) * 3 + b]) << y << " " << b;
    }
  }
}

TEST(Resize, FlatStaysFlat) {
  for (auto size : {std::pair<int, int>{37, 501}, {1000, 700}, {3, 3}, {224, 5000}}) {
    RgbImage image;
    image.Resize(size.first, size.second);
    for (size_t i = 0; i < image.pixels.size(); i += 3) {
      image.pixels[i] = 200;
      image.pixels[i + 1] = 0;
      image.pixels[i + 2] = 255;
    }
    ClipPreprocessor pre;
    std::vector<uint8_t> out(pre.output_bytes());
    ASSERT_TRUE(pre.Run(image, out.data()).ok());
    for (size_t i = 0; i < out.size(); i += 3) {
      ASSERT_EQ(out[i], 200) << size.first << "x" << size.second;
      ASSERT_EQ(out[i + 1], 0);
      ASSERT_EQ(out[i + 2], 255);
    }
  }
}

TEST(Resize, WindowEqualsCropOfTheWhole) {
  const RgbImage image = Pattern(333, 251);
  BicubicResizer resizer;
  std::vector<uint8_t> whole(297 * 224 * 3);
  ASSERT_TRUE(resizer.Resize(image, 297, 224, Window{0, 0, 297, 224}, whole.data()).ok());
  const Window w{36, 50, 100, 90};
  std::vector<uint8_t> part(100 * 90 * 3);
  ASSERT_TRUE(resizer.Resize(image, 297, 224, w, part.data()).ok());
  for (int y = 0; y < w.height; ++y) {
    for (int b = 0; b < w.width * 3; ++b) {
      ASSERT_EQ(part[(y * w.width) * 3 + b], whole[((y + w.y) * 297 + w.x) * 3 + b]);
    }
  }
}

TEST(Resize, BadArgumentsAreRefused) {
  BicubicResizer resizer;
  const RgbImage image = Pattern(10, 10);
  std::vector<uint8_t> out(300 * 3);
  EXPECT_EQ(resizer.Resize(image, 20, 20, Window{15, 0, 10, 10}, out.data()).code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(resizer.Resize(image, 0, 20, Window{0, 0, 1, 1}, out.data()).code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(resizer.Resize(RgbImage{}, 20, 20, Window{0, 0, 1, 1}, out.data()).code(),
            Status::Code::kInvalidArgument);
  ClipPreprocessor pre({100, 101});
  EXPECT_EQ(pre.Run(image, out.data()).code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace pwemoe::image
