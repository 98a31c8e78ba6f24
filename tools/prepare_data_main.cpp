// pwemoe-prepare-data: image files to a dataset file (pwemoe/data/FORMAT.md) with CLIP's
// preprocessing as Hugging Face's CLIPImageProcessor does it (pwemoe/image): RGB, shortest side
// to --size with Pillow's bicubic resampling, center crop --size, CLIP's mean and std recorded.
//
// Images come from a class-per-folder tree (--images DIR: classes are DIR's sub-folders sorted by
// name, as torchvision's ImageFolder) or from a CSV of path,label rows with a class-name file
// (--csv FILE --classes FILE; relative paths are under --images DIR when given, else under the
// CSV's folder).
//
// Exit codes: 0 success; 2 a bad command line, a bad list or an unsupported image; 1 a runtime
// failure (a corrupt image without --skip-bad, an unwritable output), naming the file.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "pwemoe/image/image_list.h"
#include "pwemoe/image/prepare_data.h"
#include "pwemoe/util/tool.h"

namespace pwemoe::tools {
namespace {

const ToolSpec kSpec =
    ToolSpec{
        "pwemoe-prepare-data",
        "pwemoe-prepare-data (--images DIR | --csv FILE --classes FILE [--images DIR]) --out FILE.h5 "
        "[options]",
        "Converts JPEG and PNG images into a pwemoe dataset file with CLIP's preprocessing as\n"
        "Hugging Face's CLIPImageProcessor does it: RGB, shortest side to --size with Pillow's\n"
        "bicubic resampling, center crop --size x --size, CLIP's mean and std as attributes.\n"
        "Classes are the sub-folders of --images sorted by name (torchvision's ImageFolder order),\n"
        "or the lines of --classes with --csv. Images are stored in list order.",
        {
            {"--images", "DIR", "", "class-per-folder tree DIR/<class>/<image> (with --csv: base folder)"},
            {"--csv", "FILE", "", "CSV of path,label rows instead of a tree (label: class name or index)"},
            {"--classes", "FILE", "", "class names, one a line (required with --csv)"},
            {"--out", "FILE.h5", "", "dataset file to write (required)"},
            {"--size", "N", "224", "shortest side after the resize and side of the center crop"},
            {"--skip-bad", "", "", "leave out images that fail to decode (counted and logged)"},
            {"--task", "NAME", "", "task attribute of the file (for example eurosat)"},
            {"--split", "NAME", "", "split attribute of the file (for example train)"},
            {"--deflate", "L", "0", "gzip level of the pixel chunks, 0 (none) to 9"},
        }}
        .WithThreads("0", "decoding threads; 0: every CPU this process may run on (its affinity mask)", 0, 1024)
        .WithLogLevel();

struct Options {
  std::string images_dir;
  std::string csv;
  std::string classes;
  image::PrepareOptions prepare;
};

Status ReadOptions(const ParsedFlags& flags, int64_t threads, Options* o) {
  PWEMOE_RETURN_IF_ERROR(CheckPositional(kSpec, flags, 0));
  o->images_dir = flags.Get("--images");
  o->csv = flags.Get("--csv");
  o->classes = flags.Get("--classes");
  o->prepare.out_path = flags.Get("--out");
  PWEMOE_RETURN_IF_ERROR(RequireFlags(kSpec, flags, {"--out"}));
  if (o->csv.empty() && o->images_dir.empty()) {
    return UsageError(kSpec, "--images or --csv is required");
  }
  if (o->csv.empty() != o->classes.empty()) {
    return Status::InvalidArgument("--csv and --classes go together");
  }
  int64_t size = 0, deflate = 0;
  PWEMOE_RETURN_IF_ERROR(GetIntFlag(flags, "--size", 1, &size));
  PWEMOE_RETURN_IF_ERROR(GetIntFlag(flags, "--deflate", 0, &deflate));
  if (size > 4096) return Status::InvalidArgument("--size must be at most 4096, got " + std::to_string(size));
  if (deflate > 9) return Status::InvalidArgument("--deflate must be 0..9, got " + std::to_string(deflate));
  o->prepare.clip.shortest_edge = static_cast<int>(size);
  o->prepare.clip.crop = static_cast<int>(size);
  o->prepare.threads = static_cast<int>(threads);
  o->prepare.deflate_level = static_cast<int>(deflate);
  o->prepare.skip_bad = flags.Has("--skip-bad");
  o->prepare.task = flags.Get("--task");
  o->prepare.split = flags.Get("--split");
  return Status::Ok();
}

Status ListImages(const Options& o, image::ImageList* list) {
  if (o.csv.empty()) return image::ListImageFolder(o.images_dir, list);
  std::vector<std::string> classes;
  PWEMOE_RETURN_IF_ERROR(image::ReadClassNames(o.classes, &classes));
  const std::string base = !o.images_dir.empty()
                               ? o.images_dir
                               : std::filesystem::path(o.csv).parent_path().string();
  return image::ReadImageCsv(o.csv, classes, base, list);
}

Status Run(ToolContext* ctx) {
  Options o;
  PWEMOE_RETURN_IF_ERROR(ReadOptions(ctx->flags, ctx->threads, &o));
  image::ImageList list;
  PWEMOE_RETURN_IF_ERROR(ListImages(o, &list));
  spdlog::info("{} images of {} classes -> {} ({}x{}, {} threads)", list.entries.size(),
               list.classes.size(), o.prepare.out_path, o.prepare.clip.crop, o.prepare.clip.crop,
               o.prepare.threads == 0 ? std::string("all") : std::to_string(o.prepare.threads));
  image::PrepareResult result;
  Status st = image::PrepareDataset(
      list, o.prepare,
      [](const image::PrepareProgress& p) {
        spdlog::info("{}/{} images ({:.1f}%), {} skipped, {:.0f} images/s", p.done, p.total,
                     100.0 * static_cast<double>(p.done) / static_cast<double>(p.total),
                     p.skipped, p.seconds > 0 ? static_cast<double>(p.done) / p.seconds : 0.0);
      },
      &result);
  for (const image::SkippedImage& s : result.skipped) spdlog::warn("skipped: {}", s.reason);
  PWEMOE_RETURN_IF_ERROR(st);
  spdlog::info("wrote {} images to {} in {:.1f} s ({} skipped)", result.written,
               o.prepare.out_path, result.seconds, result.skipped.size());
  return Status::Ok();
}

}  // namespace
}  // namespace pwemoe::tools

PWEMOE_TOOL_MAIN(pwemoe::tools::kSpec, pwemoe::tools::Run)
