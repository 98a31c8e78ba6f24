// JPEG through libjpeg-turbo. libjpeg reports errors through error_exit, which must not return:
// it longjmps back to the setjmp in RunJpeg. Only RunJpeg's caller owns C++ objects; RunJpeg
// itself holds nothing with a destructor, and everything it changes lives behind the `job`
// pointer (so nothing is lost to setjmp's rules on local variables).
#include <csetjmp>
#include <cstdio>  // jpeglib.h needs FILE and size_t first
#include <new>

#include <jerror.h>
#include <jpeglib.h>

#include "pwemoe/image/decode.h"
#include "pwemoe/image/decode_internal.h"

namespace pwemoe::image::internal {
namespace {

struct JpegErrorManager {
  jpeg_error_mgr mgr;  // first: libjpeg hands back a pointer to it
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

struct JpegJob {
  const uint8_t* data = nullptr;
  size_t size = 0;
  const std::string* name = nullptr;
  RgbImage* out = nullptr;
  JpegErrorManager err;
  jpeg_decompress_struct cinfo;
  bool created = false;
  Status status;  // a refusal that is not libjpeg's (size, components)
};

extern "C" void JpegErrorExit(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<JpegErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

// Warnings (level -1) are ignored as Pillow ignores them ("Corrupt JPEG data: N extraneous bytes
// before marker" is common and harmless), except the end of the data before the end of the
// image: libjpeg would pad the rest with gray, and Pillow refuses such a file as truncated.
extern "C" void JpegEmitMessage(j_common_ptr cinfo, int msg_level) {
  if (msg_level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) JpegErrorExit(cinfo);
}

// 0 on success; 1 after a libjpeg error (job->err.message); 2 after a refusal (job->status).
int RunJpeg(JpegJob* job) {
  if (setjmp(job->err.jump) != 0) return 1;
  jpeg_create_decompress(&job->cinfo);
  job->created = true;
  jpeg_mem_src(&job->cinfo, job->data, static_cast<unsigned long>(job->size));
  jpeg_read_header(&job->cinfo, TRUE);
  const int components = job->cinfo.num_components;
  switch (components) {
    case 1: job->cinfo.out_color_space = JCS_GRAYSCALE; break;
    case 3: job->cinfo.out_color_space = JCS_RGB; break;
    case 4: job->cinfo.out_color_space = JCS_CMYK; break;  // libjpeg turns YCCK into CMYK
    default:
      job->status = Status::InvalidArgument(*job->name + ": JPEG with " +
                                            std::to_string(components) +
                                            " colour components is not supported (1, 3 or 4)");
      return 2;
  }
  job->status = CheckImageSize(*job->name, job->cinfo.image_width, job->cinfo.image_height);
  if (!job->status.ok()) return 2;
  jpeg_start_decompress(&job->cinfo);
  const size_t width = job->cinfo.output_width;
  const size_t height = job->cinfo.output_height;
  const size_t stride = width * static_cast<size_t>(job->cinfo.output_components);
  RgbImage* out = job->out;
  try {
    out->Resize(static_cast<int>(width), static_cast<int>(height));
    if (stride > width * 3) out->pixels.resize(stride * height);
  } catch (const std::bad_alloc&) {
    job->status = Status::IoError(*job->name + ": out of memory for " + std::to_string(width) +
                                  " x " + std::to_string(height) + " pixels");
    return 2;
  }
  while (job->cinfo.output_scanline < height) {
    JSAMPROW row = out->pixels.data() + job->cinfo.output_scanline * stride;
    jpeg_read_scanlines(&job->cinfo, &row, 1);
  }
  // Reads up to the end-of-image marker: a file that lacks it is refused as truncated (libjpeg
  // warns JWRN_JPEG_EOF), as Pillow refuses it.
  jpeg_finish_decompress(&job->cinfo);
  const size_t count = width * height;
  if (components == 1) GrayToRgbInPlace(out->pixels.data(), count);
  if (components == 4) {
    InvertedCmykToRgbInPlace(out->pixels.data(), count);
    out->pixels.resize(count * 3);
  }
  return 0;
}

}  // namespace

Status DecodeJpeg(const uint8_t* data, size_t size, const std::string& name, RgbImage* out) {
  JpegJob job;
  job.data = data;
  job.size = size;
  job.name = &name;
  job.out = out;
  job.err.message[0] = '\0';
  job.cinfo.err = jpeg_std_error(&job.err.mgr);
  job.err.mgr.error_exit = JpegErrorExit;
  job.err.mgr.emit_message = JpegEmitMessage;
  const int result = RunJpeg(&job);
  if (job.created) jpeg_destroy_decompress(&job.cinfo);
  if (result == 1) return Status::Corrupt(name + ": bad JPEG data: " + job.err.message);
  if (result == 2) return job.status;
  return Status::Ok();
}

}  // namespace pwemoe::image::internal
