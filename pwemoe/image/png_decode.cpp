// PNG through libpng's progressive-free reader. libpng reports errors through the error
// callback, which longjmps back to the setjmp in RunPng (libpng's own jmp_buf). As in
// jpeg_decode.cpp, RunPng owns nothing with a destructor; its state lives behind `job`.
#include <png.h>

#include <cstring>
#include <new>
#include <vector>

#include "pwemoe/image/decode.h"
#include "pwemoe/image/decode_internal.h"

namespace pwemoe::image::internal {
namespace {

struct PngJob {
  const uint8_t* data = nullptr;
  size_t size = 0;
  size_t pos = 0;
  const std::string* name = nullptr;
  RgbImage* out = nullptr;
  std::vector<png_bytep> rows;
  std::string message;  // libpng's error
  Status status;        // a refusal that is not libpng's
};

extern "C" void PngError(png_structp png, png_const_charp message) {
  auto* job = static_cast<PngJob*>(png_get_error_ptr(png));
  job->message = message != nullptr ? message : "unknown error";
  png_longjmp(png, 1);
}

// Warnings (for example "iCCP: known incorrect sRGB profile") are ignored, as Pillow ignores them.
extern "C" void PngWarning(png_structp, png_const_charp) {}

extern "C" void PngRead(png_structp png, png_bytep dest, png_size_t length) {
  auto* job = static_cast<PngJob*>(png_get_io_ptr(png));
  if (length > job->size - job->pos) {
    png_error(png, "unexpected end of file (the file is truncated)");
  }
  std::memcpy(dest, job->data + job->pos, length);
  job->pos += length;
}

// 0 on success; 1 after a libpng error (job->message); 2 after a refusal (job->status).
int RunPng(PngJob* job, png_structp png, png_infop info) {
  if (setjmp(png_jmpbuf(png)) != 0) return 1;
  png_set_read_fn(png, job, PngRead);
  png_read_info(png, info);
  const png_uint_32 width = png_get_image_width(png, info);
  const png_uint_32 height = png_get_image_height(png, info);
  const int color_type = png_get_color_type(png, info);
  const int bit_depth = png_get_bit_depth(png, info);
  job->status = CheckImageSize(*job->name, width, height);
  if (!job->status.ok()) return 2;
  // 16-bit gray without alpha keeps both bytes (clamped below, as Pillow's "I" to "RGB"); every
  // other 16-bit sample keeps its high byte (png_set_strip_16 chops, as Pillow's ";16B" modes).
  const bool gray16 = bit_depth == 16 && color_type == PNG_COLOR_TYPE_GRAY;
  if (bit_depth == 16 && !gray16) png_set_strip_16(png);
  if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  const size_t channels = png_get_channels(png, info);
  const size_t row_bytes = png_get_rowbytes(png, info);
  if (row_bytes != static_cast<size_t>(width) * channels * (gray16 ? 2 : 1) ||
      channels < 1 || channels > 4) {
    job->status = Status::Internal(*job->name + ": unexpected PNG row layout (" +
                                   std::to_string(channels) + " channels, " +
                                   std::to_string(row_bytes) + " bytes per row)");
    return 2;
  }
  RgbImage* out = job->out;
  try {
    out->Resize(static_cast<int>(width), static_cast<int>(height));
    if (row_bytes > static_cast<size_t>(width) * 3) out->pixels.resize(row_bytes * height);
    job->rows.resize(height);
  } catch (const std::bad_alloc&) {
    job->status = Status::IoError(*job->name + ": out of memory for " + std::to_string(width) +
                                  " x " + std::to_string(height) + " pixels");
    return 2;
  }
  for (png_uint_32 y = 0; y < height; ++y) job->rows[y] = out->pixels.data() + y * row_bytes;
  png_read_image(png, job->rows.data());
  // Not png_read_end: the pixels are all read, and chunks after them do not change them.
  const size_t count = static_cast<size_t>(width) * height;
  if (gray16) {
    Gray16ToRgbInPlace(out->pixels.data(), count);
  } else if (channels == 1) {
    GrayToRgbInPlace(out->pixels.data(), count);
  } else if (channels == 2) {
    GrayAlphaToRgbInPlace(out->pixels.data(), count);
  } else if (channels == 4) {
    RgbaToRgbInPlace(out->pixels.data(), count);
  }
  out->pixels.resize(count * 3);
  return 0;
}

}  // namespace

Status DecodePng(const uint8_t* data, size_t size, const std::string& name, RgbImage* out) {
  PngJob job;
  job.data = data;
  job.size = size;
  job.name = &name;
  job.out = out;
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &job, PngError, PngWarning);
  if (png == nullptr) return Status::IoError(name + ": cannot start the PNG decoder");
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    return Status::IoError(name + ": cannot start the PNG decoder");
  }
  // libpng's default limits refuse huge sizes before any allocation; ours is CheckImageSize.
  png_set_user_limits(png, 0x7fffffffL, 0x7fffffffL);
  const int result = RunPng(&job, png, info);
  png_destroy_read_struct(&png, &info, nullptr);
  if (result == 1) return Status::Corrupt(name + ": bad PNG data: " + job.message);
  if (result == 2) return job.status;
  return Status::Ok();
}

}  // namespace pwemoe::image::internal
