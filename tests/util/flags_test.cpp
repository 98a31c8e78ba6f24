#include "pwemoe/util/flags.h"

#include <gtest/gtest.h>

namespace pwemoe {
namespace {

const std::vector<FlagSpec> kTable = {
    {"--help", "", "", "show this help"},
    {"--dry-run", "", "", "print the plan"},
    {"--log-level", "LEVEL", "info", "log level"},
    {"--set", "KEY=VALUE", "", "override", true},
};

Status Parse(std::vector<const char*> args, ParsedFlags* out) {
  args.insert(args.begin(), "tool");
  return ParseFlags(kTable, static_cast<int>(args.size()), args.data(), out);
}

TEST(Flags, DefaultsWhenAbsent) {
  ParsedFlags f;
  ASSERT_TRUE(Parse({"x.toml"}, &f).ok());
  EXPECT_EQ(f.Get("--log-level"), "info");
  EXPECT_FALSE(f.Has("--dry-run"));
  EXPECT_EQ(f.positional, std::vector<std::string>{"x.toml"});
}

TEST(Flags, SeparateAndInlineValues) {
  ParsedFlags f;
  ASSERT_TRUE(Parse({"--log-level", "debug", "--set=a.b=1", "--set", "c.d=x y", "--dry-run", "e.toml"}, &f).ok());
  EXPECT_EQ(f.Get("--log-level"), "debug");
  EXPECT_EQ(f.GetAll("--set"), (std::vector<std::string>{"a.b=1", "c.d=x y"}));
  EXPECT_EQ(f.Get("--dry-run"), "true");
  EXPECT_EQ(f.positional, std::vector<std::string>{"e.toml"});
}

TEST(Flags, DoubleDashEndsFlags) {
  ParsedFlags f;
  ASSERT_TRUE(Parse({"--", "--dry-run"}, &f).ok());
  EXPECT_FALSE(f.Has("--dry-run"));
  EXPECT_EQ(f.positional, std::vector<std::string>{"--dry-run"});
}

struct BadCase {
  std::vector<const char*> args;
  std::string message;
};

TEST(Flags, RejectsBadArguments) {
  const std::vector<BadCase> cases = {
      {{"--dry-rn"}, "unknown flag '--dry-rn', did you mean '--dry-run'? (see --help)"},
      {{"--log-level"}, "flag '--log-level' needs a value (LEVEL)"},
      {{"--dry-run=yes"}, "flag '--dry-run' takes no value"},
      {{"--log-level", "a", "--log-level", "b"}, "flag '--log-level' given more than once"},
      {{"--zzzzzzzz"}, "unknown flag '--zzzzzzzz' (see --help)"},
  };
  for (const auto& c : cases) {
    ParsedFlags f;
    Status st = Parse(c.args, &f);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << c.message;
    EXPECT_EQ(st.message(), c.message);
    EXPECT_EQ(st.ExitCode(), 2);
  }
}

TEST(Flags, HelpListsEveryFlagWithItsDefault) {
  std::string help = FlagHelp("tool [options]", "does things", kTable);
  for (const auto& f : kTable) EXPECT_NE(help.find(f.name), std::string::npos) << f.name;
  EXPECT_NE(help.find("log level (default: info)"), std::string::npos) << help;
  EXPECT_NE(help.find("override (default: none) [repeatable]"), std::string::npos) << help;
}

}  // namespace
}  // namespace pwemoe
