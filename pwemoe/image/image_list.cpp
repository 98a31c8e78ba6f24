#include "pwemoe/image/image_list.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <system_error>
#include <utility>

#include "pwemoe/util/csv.h"

namespace pwemoe::image {
namespace fs = std::filesystem;
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Every (folder path, sorted file names) under `root`, following links, like os.walk(root,
// followlinks=True): the caller sorts the folders.
Status Walk(const fs::path& root, std::vector<std::pair<std::string, std::vector<std::string>>>* out) {
  std::error_code ec;
  std::vector<fs::path> pending = {root};
  while (!pending.empty()) {
    const fs::path folder = pending.back();
    pending.pop_back();
    std::vector<std::string> files;
    fs::directory_iterator it(folder, fs::directory_options::follow_directory_symlink, ec);
    if (ec) return Status::IoError(folder.string() + ": cannot read folder: " + ec.message());
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      if (ec) return Status::IoError(folder.string() + ": cannot read folder: " + ec.message());
      const fs::directory_entry& entry = *it;
      std::error_code type_ec;
      if (entry.is_directory(type_ec)) {
        pending.push_back(entry.path());
      } else {
        files.push_back(entry.path().filename().string());
      }
    }
    std::sort(files.begin(), files.end());
    out->emplace_back(folder.string(), std::move(files));
  }
  return Status::Ok();
}

std::string Trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) --e;
  return s.substr(b, e - b);
}

Status OpenText(const std::string& path, std::ifstream* in) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return Status::NotFound(path + ": no such file");
  if (fs::is_directory(path, ec)) return Status::IoError(path + ": is a folder, not a file");
  in->open(path);
  if (!*in) return Status::IoError(path + ": cannot open for reading");
  return Status::Ok();
}

}  // namespace

bool HasImageExtension(const std::string& name) {
  static const char* const kExtensions[] = {".jpg", ".jpeg", ".png", ".ppm", ".bmp",
                                            ".pgm", ".tif",  ".tiff", ".webp"};
  const std::string lower = Lower(name);
  for (const char* ext : kExtensions) {
    const std::string e(ext);
    if (lower.size() >= e.size() && lower.compare(lower.size() - e.size(), e.size(), e) == 0) {
      return true;
    }
  }
  return false;
}

Status ListImageFolder(const std::string& dir, ImageList* out) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::NotFound(dir + ": no such folder");
  ImageList list;
  fs::directory_iterator it(dir, ec);
  if (ec) return Status::IoError(dir + ": cannot read folder: " + ec.message());
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) return Status::IoError(dir + ": cannot read folder: " + ec.message());
    std::error_code type_ec;
    if (it->is_directory(type_ec)) list.classes.push_back(it->path().filename().string());
  }
  std::sort(list.classes.begin(), list.classes.end());
  if (list.classes.empty()) {
    return Status::InvalidArgument(dir + ": no class folders (expected DIR/<class>/<image>)");
  }
  for (size_t label = 0; label < list.classes.size(); ++label) {
    const fs::path class_dir = fs::path(dir) / list.classes[label];
    std::vector<std::pair<std::string, std::vector<std::string>>> folders;
    PWEMOE_RETURN_IF_ERROR(Walk(class_dir, &folders));
    std::sort(folders.begin(), folders.end());
    const size_t before = list.entries.size();
    for (const auto& [folder, files] : folders) {
      for (const std::string& file : files) {
        if (!HasImageExtension(file)) continue;
        list.entries.push_back({(fs::path(folder) / file).string(), static_cast<int64_t>(label)});
      }
    }
    if (list.entries.size() == before) {
      return Status::InvalidArgument(class_dir.string() +
                                     ": class folder has no image (.jpg, .jpeg, .png, ...)");
    }
  }
  *out = std::move(list);
  return Status::Ok();
}

Status ReadClassNames(const std::string& path, std::vector<std::string>* classes) {
  std::ifstream in;
  PWEMOE_RETURN_IF_ERROR(OpenText(path, &in));
  std::vector<std::string> names;
  std::string line;
  while (std::getline(in, line)) names.push_back(Trim(line));
  while (!names.empty() && names.back().empty()) names.pop_back();
  if (names.empty()) return Status::InvalidArgument(path + ": no class names");
  std::map<std::string, size_t> seen;
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string where = path + ": line " + std::to_string(i + 1);
    if (names[i].empty()) return Status::InvalidArgument(where + ": empty class name");
    const auto [it, added] = seen.emplace(names[i], i);
    if (!added) {
      return Status::InvalidArgument(where + ": class '" + names[i] + "' repeats line " +
                                     std::to_string(it->second + 1));
    }
  }
  *classes = std::move(names);
  return Status::Ok();
}

Status ReadImageCsv(const std::string& csv_path, const std::vector<std::string>& classes,
                    const std::string& base_dir, ImageList* out) {
  std::ifstream in;
  PWEMOE_RETURN_IF_ERROR(OpenText(csv_path, &in));
  std::map<std::string, int64_t> index;
  for (size_t i = 0; i < classes.size(); ++i) index.emplace(classes[i], static_cast<int64_t>(i));
  ImageList list;
  list.classes = classes;
  std::string line;
  std::vector<CsvField> fields;
  for (int64_t number = 1; std::getline(in, line); ++number) {
    const std::string where = csv_path + ": line " + std::to_string(number);
    if (Trim(line).empty()) continue;
    if (!SplitCsvRecord(line, &fields)) {
      return Status::InvalidArgument(where + ": unterminated quote");
    }
    if (fields.size() != 2) {
      return Status::InvalidArgument(where + ": expected 2 fields (path,label), found " +
                                     std::to_string(fields.size()));
    }
    const std::string path = Trim(fields[0].text);
    const std::string label = Trim(fields[1].text);
    if (number == 1 && Lower(path) == "path" && Lower(label) == "label") continue;  // header
    if (path.empty()) return Status::InvalidArgument(where + ": empty path");
    int64_t value = -1;
    const auto named = index.find(label);
    if (named != index.end()) {
      value = named->second;
    } else if (!label.empty() && label.size() <= 18 &&
               std::all_of(label.begin(), label.end(),
                           [](char c) { return c >= '0' && c <= '9'; })) {
      value = std::stoll(label);
      if (value >= static_cast<int64_t>(classes.size())) value = -1;
    }
    if (value < 0) {
      return Status::InvalidArgument(where + ": label '" + label +
                                     "' is neither a class name nor an index below " +
                                     std::to_string(classes.size()));
    }
    const fs::path p(path);
    list.entries.push_back(
        {p.is_relative() && !base_dir.empty() ? (fs::path(base_dir) / p).string() : path, value});
  }
  if (list.entries.empty()) return Status::InvalidArgument(csv_path + ": no image rows");
  *out = std::move(list);
  return Status::Ok();
}

}  // namespace pwemoe::image
