// Decoding JPEG and PNG files into 8-bit RGB as Pillow opens them and then converts them with
// Image.convert("RGB") (what Hugging Face's CLIPImageProcessor does with do_convert_rgb), through
// Debian's libjpeg-turbo and libpng. Every error is a Status naming the file; neither library can
// print to stderr or end the process.
//
// What each kind of file becomes (the same pixels Pillow 9.4 gives):
// - JPEG grayscale: gray replicated into R, G, B. JPEG YCbCr or RGB: libjpeg's RGB output
//   (default settings: islow DCT, fancy upsampling). JPEG CMYK or YCCK: libjpeg's CMYK output,
//   taken as Adobe-inverted (as Pillow always does), then R = 255 - k' - round(c' (255 - k') /
//   255) with c' = 255 - stored C (Pillow's cmyk2rgb), likewise G and B.
// - PNG gray of 1, 2, 4 or 8 bits: scaled to 0..255 (x255, x85, x17, x1) and replicated; PNG
//   palette: the palette's colours; PNG RGB: as is; alpha (gray+alpha, RGBA, palette or colour
//   key transparency) is dropped, never composited. 16-bit samples keep their high byte, except
//   16-bit gray without alpha, which Pillow opens as a 32-bit integer image and converts by
//   clamping to 0..255: so does this. Interlaced PNGs are read whole. Gamma, ICC profiles and
//   EXIF orientation are ignored (as Pillow and the Hugging Face processor ignore them).
//
// Thread safety: the functions keep no state; distinct calls may run in distinct threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "pwemoe/image/image.h"
#include "pwemoe/util/status.h"

namespace pwemoe::image {

// Images with more pixels than this are refused (Pillow's DecompressionBombError threshold,
// twice its MAX_IMAGE_PIXELS): a corrupt or hostile header cannot make the decoder allocate
// gigabytes.
inline constexpr int64_t kMaxImagePixels = 2 * 89478485;

enum class ImageFormat { kUnknown, kJpeg, kPng, kGif, kBmp, kTiff, kWebp };

// The format of an encoded image from its first bytes (its signature); kUnknown when too short or
// not recognised. Only kJpeg and kPng are decoded.
ImageFormat SniffFormat(const uint8_t* data, size_t size);

// "JPEG", "PNG", "GIF", "BMP", "TIFF", "WebP" or "unknown".
const char* FormatName(ImageFormat format);

// Decodes the encoded image `data[0, size)` (JPEG or PNG, told apart by signature, not by name)
// into `*out` (resized; its capacity is reused). `name` is only used in messages, which all
// start "<name>: ". Errors: InvalidArgument for an unsupported format (another format, or an
// unknown one) and for an image over kMaxImagePixels; Corrupt for damaged or truncated data
// (libjpeg's or libpng's own message included). On error *out is unspecified.
Status DecodeImage(const uint8_t* data, size_t size, const std::string& name, RgbImage* out);

// Reads the file at `path` whole and decodes it as DecodeImage does, with `path` as the name.
// NotFound for a missing file, IoError when it cannot be read. `buffer`, when given, holds the
// file's bytes afterwards and is reused across calls (no allocation once it is large enough).
Status DecodeImageFile(const std::string& path, RgbImage* out,
                       std::vector<uint8_t>* buffer = nullptr);

// Reads the whole file at `path` into `*bytes`. NotFound naming the path when it does not
// exist, IoError naming it when it cannot be opened or read (for example, a folder).
Status ReadFileBytes(const std::string& path, std::vector<uint8_t>* bytes);

}  // namespace pwemoe::image
