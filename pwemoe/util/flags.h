// Declarative command-line flags: each tool keeps one table of FlagSpec, from which both the
// parser and the --help text are made, so the help always shows every flag with its default.
// The rows every tool shares and the tools' common start are in tool.h.
//
// Thread safety: pure functions over their arguments.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "pwemoe/util/status.h"

namespace pwemoe {

struct FlagSpec {
  std::string name;           // with dashes: "--log-level"
  std::string value_name;     // "LEVEL"; empty for a switch that takes no value
  std::string default_value;  // shown in --help; returned by Get() when the flag is absent
  std::string help;           // one line
  bool repeatable = false;    // may be given several times (GetAll returns each value in order)
};

struct ParsedFlags {
  std::map<std::string, std::vector<std::string>> values;  // flag name -> values given
  std::vector<std::string> positional;                     // non-flag arguments, in order
  std::map<std::string, std::string> defaults;             // flag name -> default

  bool Has(const std::string& name) const { return values.count(name) > 0; }
  // The last value given, or the flag's default.
  std::string Get(const std::string& name) const;
  // Every value given, in order (empty when the flag is absent).
  std::vector<std::string> GetAll(const std::string& name) const;
};

// Parses argv[1..argc) against `table`. Accepts "--flag value" and "--flag=value"; "--" ends the
// flags. An unknown flag, a missing value, a value given to a switch, or a non-repeatable flag
// given twice is InvalidArgument with a message naming the flag (and a likely intended flag).
Status ParseFlags(const std::vector<FlagSpec>& table, int argc, const char* const* argv,
                  ParsedFlags* out);

// The value of integer flag `name` (ParsedFlags::Get: the last value or the default) into *out.
// InvalidArgument naming the flag and the value when it is not a whole decimal integer in
// [min, INT64_MAX]; *out untouched then.
Status GetIntFlag(const ParsedFlags& flags, const std::string& name, int64_t min, int64_t* out);

// The value of number flag `name` into *out: a decimal or exponent number (strtod; "inf" only
// when max is +inf) in [min, max]. InvalidArgument naming the flag, the value and the range
// otherwise; *out untouched then.
Status GetDoubleFlag(const ParsedFlags& flags, const std::string& name, double min, double max,
                     double* out);

// Help text: usage line, description, then one line per flag with its default.
std::string FlagHelp(const std::string& usage, const std::string& description,
                     const std::vector<FlagSpec>& table);

}  // namespace pwemoe
