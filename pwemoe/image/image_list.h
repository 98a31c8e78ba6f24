// The list of images to convert and their classes: from a class-per-folder tree (as
// torchvision's ImageFolder reads it) or from a CSV of path,label with a file of class names.
//
// Thread safety: pure functions over the file system; no shared state.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pwemoe/util/status.h"

namespace pwemoe::image {

struct ImageEntry {
  std::string path;   // as opened (the folder or base prefix included)
  int64_t label = 0;  // index into ImageList::classes
};

struct ImageList {
  std::vector<std::string> classes;  // class names; labels index this
  std::vector<ImageEntry> entries;   // in the order the dataset file stores them
};

// The file names ImageFolder takes as images (torchvision's IMG_EXTENSIONS, compared without
// case): .jpg .jpeg .png .ppm .bmp .pgm .tif .tiff .webp. Only JPEG and PNG decode (decode.h);
// the others are listed so that they fail, or are skipped and counted, instead of vanishing.
bool HasImageExtension(const std::string& name);

// The images of a class-per-folder tree, as torchvision.datasets.ImageFolder lists them: the
// classes are the sub-folders of `dir` sorted by name (byte order; label = position); each
// class's images are the files with an image extension anywhere under its folder (symbolic
// links followed), ordered by folder path then file name. NotFound naming `dir` when it is not
// a folder; InvalidArgument naming the folder when it has no class folder or a class folder has
// no image (ImageFolder refuses both); IoError when a folder cannot be read.
Status ListImageFolder(const std::string& dir, ImageList* out);

// Class names from a text file, one per line (label = line number from 0; '\r' and trailing
// blanks removed; blank lines ignored at the end only). InvalidArgument naming the file and the
// line for an empty name inside the list or a repeated name; NotFound/IoError as for any file.
Status ReadClassNames(const std::string& path, std::vector<std::string>* classes);

// Images from a CSV file of `path,label` rows (RFC 4180 quoting allowed, so paths may hold
// commas; an optional first row "path,label" is a header). `label` is a class name of `classes`
// or its index (0-based decimal). A relative path is taken under `base_dir` ("" leaves it as
// is). InvalidArgument naming the file and the line for a row without two fields, an empty
// path or an unknown label; InvalidArgument when there is no row at all.
Status ReadImageCsv(const std::string& csv_path, const std::vector<std::string>& classes,
                    const std::string& base_dir, ImageList* out);

}  // namespace pwemoe::image
