#include "pwemoe/text/prompts.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "pwemoe/text/clip_text.h"

namespace pwemoe::text {

namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

size_t CountOf(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + what.size())) ++n;
  return n;
}

}  // namespace

Status ReadFileText(const std::string& path, std::string* out) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Status::NotFound(path + ": no such file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return Status::IoError(path + ": read failed: " + std::strerror(errno));
  *out = buf.str();
  return Status::Ok();
}

Status ReadLinesFile(const std::string& path, std::vector<std::string>* lines) {
  std::string text;
  PWEMOE_RETURN_IF_ERROR(ReadFileText(path, &text));

  lines->clear();
  std::unordered_map<std::string, size_t> seen;  // line -> its 1-based number
  size_t pos = 0;
  size_t line_no = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string where = path + ": line " + std::to_string(line_no);
    if (Status st = CheckUtf8(line, where); !st.ok()) return Status::Corrupt(st.message());
    bool blank = true;
    for (char c : line) blank = blank && IsSpace(c);
    if (blank) return Status::Corrupt(where + " is empty");
    if (IsSpace(line.front()) || IsSpace(line.back())) {
      return Status::Corrupt(where + ": '" + line + "' starts or ends with white space");
    }
    auto [it, inserted] = seen.emplace(line, line_no);
    if (!inserted) {
      return Status::Corrupt(where + ": '" + line + "' repeats line " + std::to_string(it->second));
    }
    lines->push_back(std::move(line));
  }
  if (lines->empty()) return Status::Corrupt(path + ": no lines");
  return Status::Ok();
}

Status LoadPromptTemplates(const std::string& path, std::vector<std::string>* templates) {
  PWEMOE_RETURN_IF_ERROR(ReadLinesFile(path, templates));
  for (size_t i = 0; i < templates->size(); ++i) {
    const size_t n = CountOf((*templates)[i], "{}");
    if (n != 1) {
      return Status::Corrupt(path + ": line " + std::to_string(i + 1) + ": '" + (*templates)[i] +
                             "' holds \"{}\" " + std::to_string(n) + " times, not once");
    }
  }
  return Status::Ok();
}

Status LoadTaskPrompts(const std::string& dir, TaskPrompts* out) {
  const std::filesystem::path d(dir);
  TaskPrompts t;
  PWEMOE_RETURN_IF_ERROR(ReadLinesFile((d / "classes.txt").string(), &t.classes));
  PWEMOE_RETURN_IF_ERROR(LoadPromptTemplates((d / "templates.txt").string(), &t.templates));
  *out = std::move(t);
  return Status::Ok();
}

std::string FillTemplate(const std::string& tmpl, const std::string& class_name) {
  const size_t at = tmpl.find("{}");
  if (at == std::string::npos) return tmpl;
  return tmpl.substr(0, at) + class_name + tmpl.substr(at + 2);
}

std::vector<std::string> ClassPrompts(const TaskPrompts& task, size_t label) {
  std::vector<std::string> prompts;
  prompts.reserve(task.templates.size());
  for (const std::string& t : task.templates)
    prompts.push_back(FillTemplate(t, task.classes.at(label)));
  return prompts;
}

}  // namespace pwemoe::text
