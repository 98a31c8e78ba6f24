// Class names and prompt templates of a zero-shot classification task, from the files of
// data/ta8/<task>/ (see data/ta8/README.md): `classes.txt` (one class name per line, in label
// order) and `templates.txt` (one template per line, "{}" where the class name goes).
//
// All functions are thread-safe (no shared state).
#pragma once

#include <string>
#include <vector>

#include "pwemoe/util/status.h"

namespace pwemoe::text {

struct TaskPrompts {
  std::vector<std::string> classes;    // classes[label]
  std::vector<std::string> templates;  // each with exactly one "{}"
};

// The whole file at `path` as bytes into *out. NotFound "<path>: no such file"; IoError naming the
// path when it cannot be opened or read.
Status ReadFileText(const std::string& path, std::string* out);

// Reads a file of lines: "\n" ends a line ("\r\n" too), a last line without one counts. NotFound /
// IoError naming the path when it cannot be read. Corrupt "<path>: line N: ..." when a line is not
// valid UTF-8, is empty or white space only, starts or ends with white space, or repeats an earlier
// line ("... repeats line M"); Corrupt "<path>: no lines" for an empty file.
Status ReadLinesFile(const std::string& path, std::vector<std::string>* lines);

// ReadLinesFile, and each template must hold "{}" exactly once (Corrupt "<path>: line N: ...").
Status LoadPromptTemplates(const std::string& path, std::vector<std::string>* templates);

// `<dir>/classes.txt` (ReadLinesFile) and `<dir>/templates.txt` (LoadPromptTemplates).
Status LoadTaskPrompts(const std::string& dir, TaskPrompts* out);

// `tmpl` with its first "{}" replaced by `class_name` (Python's f"...{c}..."); `tmpl` unchanged
// when it has none.
std::string FillTemplate(const std::string& tmpl, const std::string& class_name);

// The prompts of one class: every template filled with classes[label], in template order.
// Requires label < task.classes.size() (std::out_of_range otherwise).
std::vector<std::string> ClassPrompts(const TaskPrompts& task, size_t label);

}  // namespace pwemoe::text
