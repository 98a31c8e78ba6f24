// The class-name / prompt-template files of data/ta8 and their reader.
#include "pwemoe/text/prompts.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "pwemoe/text/clip_text.h"

namespace pwemoe::text {
namespace {

const std::string kTa8Dir = std::string(PWEMOE_SOURCE_DIR) + "/data/ta8";

struct Ta8Task {
  const char* name;
  size_t classes;
  size_t templates;
};

// Class counts of the datasets; template counts of mlfoundations/task_vectors' templates.py.
const std::vector<Ta8Task>& Ta8Tasks() {
  static const std::vector<Ta8Task> tasks = {
      {"sun397", 397, 2}, {"cars", 196, 8}, {"resisc45", 45, 18}, {"eurosat", 10, 3},
      {"svhn", 10, 1},    {"gtsrb", 43, 3}, {"mnist", 10, 1},     {"dtd", 47, 8},
  };
  return tasks;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(Ta8Data, EveryTaskHasItsClassesAndTemplates) {
  std::set<std::string> folders;
  for (const auto& entry : std::filesystem::directory_iterator(kTa8Dir)) {
    if (entry.is_directory()) folders.insert(entry.path().filename().string());
  }
  std::set<std::string> expected;
  for (const Ta8Task& task : Ta8Tasks()) expected.insert(task.name);
  EXPECT_EQ(folders, expected);

  for (const Ta8Task& task : Ta8Tasks()) {
    SCOPED_TRACE(task.name);
    const std::string dir = kTa8Dir + "/" + task.name;
    // LoadTaskPrompts refuses empty, repeated or padded lines and templates without exactly one
    // "{}".
    TaskPrompts p;
    Status st = LoadTaskPrompts(dir, &p);
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(p.classes.size(), task.classes);
    EXPECT_EQ(p.templates.size(), task.templates);
    for (const std::string& t : p.templates) {
      EXPECT_EQ(t.find("{}"), t.rfind("{}")) << t;
      EXPECT_EQ(t.find_first_of("{}"), t.find("{}")) << "stray brace: " << t;
      EXPECT_EQ(t.find_last_of("{}"), t.find("{}") + 1) << "stray brace: " << t;
    }
    // Plain "\n" files with a final newline, as the README says.
    for (const char* file : {"/classes.txt", "/templates.txt"}) {
      const std::string text = ReadAll(dir + file);
      ASSERT_FALSE(text.empty()) << file;
      EXPECT_EQ(text.back(), '\n') << file;
      EXPECT_EQ(text.find('\r'), std::string::npos) << file;
      EXPECT_EQ(text.find("\n\n"), std::string::npos) << file;
    }
  }
}

TEST(Ta8Data, SpotChecks) {
  TaskPrompts p;
  ASSERT_TRUE(LoadTaskPrompts(kTa8Dir + "/sun397", &p).ok());
  EXPECT_EQ(p.classes.front(), "abbey");
  EXPECT_EQ(p.classes.back(), "youth hostel");
  ASSERT_TRUE(LoadTaskPrompts(kTa8Dir + "/cars", &p).ok());
  EXPECT_EQ(p.classes.front(), "AM General Hummer SUV 2000");
  EXPECT_EQ(p.classes.back(), "smart fortwo Convertible 2012");
  EXPECT_EQ(p.templates[3], "i love my {}!");
  ASSERT_TRUE(LoadTaskPrompts(kTa8Dir + "/gtsrb", &p).ok());
  EXPECT_EQ(p.classes[14], "stop");
  EXPECT_EQ(ClassPrompts(p, 14),
            (std::vector<std::string>{"a zoomed in photo of a \"stop\" traffic sign.",
                                      "a centered photo of a \"stop\" traffic sign.",
                                      "a close up photo of a \"stop\" traffic sign."}));
  ASSERT_TRUE(LoadTaskPrompts(kTa8Dir + "/mnist", &p).ok());
  EXPECT_EQ(ClassPrompts(p, 7), (std::vector<std::string>{"a photo of the number: \"7\"."}));
  ASSERT_TRUE(LoadTaskPrompts(kTa8Dir + "/eurosat", &p).ok());
  EXPECT_EQ(p.classes[0], "annual crop land");
  ASSERT_TRUE(LoadTaskPrompts(kTa8Dir + "/dtd", &p).ok());
  EXPECT_EQ(p.classes[30], "polka-dotted");
  ASSERT_TRUE(LoadTaskPrompts(kTa8Dir + "/resisc45", &p).ok());
  EXPECT_EQ(p.classes.back(), "wetland");
}

// ---- the reader --------------------------------------------------------------------------------

std::string MakeTempDir() {
  static std::atomic<int> counter{0};
  const auto dir =
      std::filesystem::temp_directory_path() /
      ("pwemoe_prompts_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

std::string WriteTemp(const std::string& dir, const std::string& name, const std::string& text) {
  const std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST(ReadLinesFile, ReadsLines) {
  const std::string dir = MakeTempDir();
  std::vector<std::string> lines;
  ASSERT_TRUE(ReadLinesFile(WriteTemp(dir, "a.txt", "one\ntwo words\r\nthree"), &lines).ok());
  EXPECT_EQ(lines, (std::vector<std::string>{"one", "two words", "three"}));
  std::filesystem::remove_all(dir);
}

TEST(ReadLinesFile, Errors) {
  const std::string dir = MakeTempDir();
  std::vector<std::string> lines;
  struct Case {
    std::string text;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"", "f.txt: no lines"},
      {"a\n\nb\n", "f.txt: line 2 is empty"},
      {"a\n \n", "f.txt: line 2 is empty"},
      {"a\nb \n", "f.txt: line 2: 'b ' starts or ends with white space"},
      {"a\n\tb\n", "f.txt: line 2: '\tb' starts or ends with white space"},
      {"a\nb\na\n", "f.txt: line 3: 'a' repeats line 1"},
      {"a\n\xC3\n", "f.txt: line 2 is not valid UTF-8"},
  };
  for (const Case& c : cases) {
    Status st = ReadLinesFile(WriteTemp(dir, "f.txt", c.text), &lines);
    EXPECT_EQ(st.code(), Status::Code::kCorrupt) << st.ToString();
    EXPECT_NE(st.message().find(c.message), std::string::npos)
        << st.ToString() << " / " << c.message;
  }
  Status st = ReadLinesFile(dir + "/missing.txt", &lines);
  EXPECT_EQ(st.code(), Status::Code::kNotFound) << st.ToString();
  EXPECT_NE(st.message().find(dir + "/missing.txt"), std::string::npos);

  std::vector<std::string> templates;
  st = LoadPromptTemplates(WriteTemp(dir, "t.txt", "a {}.\nb {} {}.\n"), &templates);
  EXPECT_EQ(st.code(), Status::Code::kCorrupt);
  EXPECT_NE(st.message().find("t.txt: line 2: 'b {} {}.' holds \"{}\" 2 times"), std::string::npos)
      << st.ToString();
  st = LoadPromptTemplates(WriteTemp(dir, "t.txt", "no slot\n"), &templates);
  EXPECT_NE(st.message().find("line 1: 'no slot' holds \"{}\" 0 times"), std::string::npos)
      << st.ToString();
  std::filesystem::remove_all(dir);
}

TEST(FillTemplate, ReplacesTheSlot) {
  EXPECT_EQ(FillTemplate("a photo of a {}.", "cat"), "a photo of a cat.");
  EXPECT_EQ(FillTemplate("{}", "x"), "x");
  EXPECT_EQ(FillTemplate("none", "x"), "none");
  EXPECT_EQ(FillTemplate("a {} texture.", "{}"), "a {} texture.");
}

}  // namespace
}  // namespace pwemoe::text
