#include "pwemoe/image/decode.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "pwemoe/image/decode_internal.h"

namespace pwemoe::image {
namespace {

bool StartsWith(const uint8_t* data, size_t size, const char* magic, size_t n) {
  return size >= n && std::memcmp(data, magic, n) == 0;
}

}  // namespace

ImageFormat SniffFormat(const uint8_t* data, size_t size) {
  if (StartsWith(data, size, "\xFF\xD8\xFF", 3)) return ImageFormat::kJpeg;
  if (StartsWith(data, size, "\x89PNG\r\n\x1A\n", 8)) return ImageFormat::kPng;
  if (StartsWith(data, size, "GIF87a", 6) || StartsWith(data, size, "GIF89a", 6)) {
    return ImageFormat::kGif;
  }
  if (StartsWith(data, size, "BM", 2)) return ImageFormat::kBmp;
  if (StartsWith(data, size, "II*\0", 4) || StartsWith(data, size, "MM\0*", 4)) {
    return ImageFormat::kTiff;
  }
  if (size >= 12 && std::memcmp(data, "RIFF", 4) == 0 && std::memcmp(data + 8, "WEBP", 4) == 0) {
    return ImageFormat::kWebp;
  }
  return ImageFormat::kUnknown;
}

const char* FormatName(ImageFormat format) {
  switch (format) {
    case ImageFormat::kJpeg: return "JPEG";
    case ImageFormat::kPng: return "PNG";
    case ImageFormat::kGif: return "GIF";
    case ImageFormat::kBmp: return "BMP";
    case ImageFormat::kTiff: return "TIFF";
    case ImageFormat::kWebp: return "WebP";
    case ImageFormat::kUnknown: break;
  }
  return "unknown";
}

Status DecodeImage(const uint8_t* data, size_t size, const std::string& name, RgbImage* out) {
  const ImageFormat format = SniffFormat(data, size);
  switch (format) {
    case ImageFormat::kJpeg: return internal::DecodeJpeg(data, size, name, out);
    case ImageFormat::kPng: return internal::DecodePng(data, size, name, out);
    case ImageFormat::kUnknown:
      if (size == 0) return Status::InvalidArgument(name + ": empty file, not an image");
      return Status::InvalidArgument(name + ": not a JPEG or PNG image (unrecognised signature)");
    default:
      return Status::InvalidArgument(name + ": " + FormatName(format) +
                                     " images are not supported (only JPEG and PNG)");
  }
}

Status ReadFileBytes(const std::string& path, std::vector<uint8_t>* bytes) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) {
    const int err = errno;
    if (err == ENOENT) return Status::NotFound(path + ": no such file");
    return Status::IoError(path + ": cannot open: " + std::strerror(err));
  }
  bytes->clear();
  // Read in growing pieces: the size from fseek/ftell is not trusted (pipes, files that change).
  size_t used = 0;
  for (;;) {
    if (bytes->size() - used < 65536) bytes->resize(used + std::max<size_t>(65536, used));
    const size_t got = std::fread(bytes->data() + used, 1, bytes->size() - used, file.get());
    used += got;
    if (got == 0) break;
  }
  if (std::ferror(file.get())) {
    const int err = errno;
    bytes->clear();
    return Status::IoError(path + ": read failed: " + std::strerror(err));
  }
  bytes->resize(used);
  return Status::Ok();
}

Status DecodeImageFile(const std::string& path, RgbImage* out, std::vector<uint8_t>* buffer) {
  std::vector<uint8_t> local;
  std::vector<uint8_t>* bytes = buffer != nullptr ? buffer : &local;
  PWEMOE_RETURN_IF_ERROR(ReadFileBytes(path, bytes));
  return DecodeImage(bytes->data(), bytes->size(), path, out);
}

namespace internal {

void GrayToRgbInPlace(uint8_t* p, size_t count) {
  for (size_t i = count; i-- > 0;) {
    const uint8_t g = p[i];
    p[3 * i] = g;
    p[3 * i + 1] = g;
    p[3 * i + 2] = g;
  }
}

void GrayAlphaToRgbInPlace(uint8_t* p, size_t count) {
  for (size_t i = count; i-- > 0;) {
    const uint8_t g = p[2 * i];
    p[3 * i] = g;
    p[3 * i + 1] = g;
    p[3 * i + 2] = g;
  }
}

void Gray16ToRgbInPlace(uint8_t* p, size_t count) {
  for (size_t i = count; i-- > 0;) {
    const unsigned v = (static_cast<unsigned>(p[2 * i]) << 8) | p[2 * i + 1];
    const uint8_t g = static_cast<uint8_t>(v > 255 ? 255 : v);
    p[3 * i] = g;
    p[3 * i + 1] = g;
    p[3 * i + 2] = g;
  }
}

void RgbaToRgbInPlace(uint8_t* p, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    p[3 * i] = p[4 * i];
    p[3 * i + 1] = p[4 * i + 1];
    p[3 * i + 2] = p[4 * i + 2];
  }
}

void InvertedCmykToRgbInPlace(uint8_t* p, size_t count) {
  // Pillow stores Adobe CMYK inverted (c' = 255 - C) and converts with
  // out = nk - MULDIV255(c', nk), nk = 255 - k' = K, MULDIV255(a, b) = ((t >> 8) + t) >> 8 with
  // t = a * b + 128 (a rounded a * b / 255).
  for (size_t i = 0; i < count; ++i) {
    const int nk = p[4 * i + 3];
    for (int c = 0; c < 3; ++c) {
      const int t = (255 - p[4 * i + c]) * nk + 128;
      const int v = nk - (((t >> 8) + t) >> 8);
      p[3 * i + c] = static_cast<uint8_t>(v < 0 ? 0 : (v > 255 ? 255 : v));
    }
  }
}

Status CheckImageSize(const std::string& name, uint64_t width, uint64_t height) {
  if (width == 0 || height == 0) {
    return Status::Corrupt(name + ": image has size " + std::to_string(width) + " x " +
                           std::to_string(height));
  }
  if (width * height > static_cast<uint64_t>(kMaxImagePixels)) {
    return Status::InvalidArgument(name + ": " + std::to_string(width) + " x " +
                                   std::to_string(height) + " pixels is more than the limit of " +
                                   std::to_string(kMaxImagePixels));
  }
  return Status::Ok();
}

}  // namespace internal
}  // namespace pwemoe::image
