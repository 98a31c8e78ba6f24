#include "pwemoe/util/flags.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "pwemoe/util/strings.h"

namespace pwemoe {

std::string ParsedFlags::Get(const std::string& name) const {
  auto it = values.find(name);
  if (it != values.end() && !it->second.empty()) return it->second.back();
  auto d = defaults.find(name);
  return d == defaults.end() ? "" : d->second;
}

std::vector<std::string> ParsedFlags::GetAll(const std::string& name) const {
  auto it = values.find(name);
  return it == values.end() ? std::vector<std::string>{} : it->second;
}

Status ParseFlags(const std::vector<FlagSpec>& table, int argc, const char* const* argv,
                  ParsedFlags* out) {
  *out = ParsedFlags();
  std::vector<std::string> names;
  for (const auto& f : table) {
    names.push_back(f.name);
    out->defaults[f.name] = f.default_value;
  }
  bool flags_done = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (flags_done || arg.size() < 2 || arg.compare(0, 2, "--") != 0) {
      out->positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      flags_done = true;
      continue;
    }
    std::string name = arg, value;
    bool has_inline = false;
    if (auto eq = arg.find('='); eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      has_inline = true;
    }
    auto spec = std::find_if(table.begin(), table.end(),
                             [&](const FlagSpec& f) { return f.name == name; });
    if (spec == table.end()) {
      return Status::InvalidArgument("unknown flag '" + name + "'" + DidYouMean(name, names) +
                                     " (see --help)");
    }
    if (spec->value_name.empty()) {
      if (has_inline) return Status::InvalidArgument("flag '" + name + "' takes no value");
      value = "true";
    } else if (!has_inline) {
      if (i + 1 >= argc) {
        return Status::InvalidArgument("flag '" + name + "' needs a value (" + spec->value_name + ")");
      }
      value = argv[++i];
    }
    auto& slot = out->values[name];
    if (!slot.empty() && !spec->repeatable) {
      return Status::InvalidArgument("flag '" + name + "' given more than once");
    }
    slot.push_back(value);
  }
  return Status::Ok();
}

Status GetDoubleFlag(const ParsedFlags& flags, const std::string& name, double min, double max,
                     double* out) {
  const std::string text = flags.Get(name);
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(v >= min && v <= max)) {
    return Status::InvalidArgument(name + ": expected a number in [" + FormatDouble(min) + ", " +
                                   FormatDouble(max) + "], got '" + text + "'");
  }
  *out = v;
  return Status::Ok();
}

std::string FlagHelp(const std::string& usage, const std::string& description,
                     const std::vector<FlagSpec>& table) {
  std::string out = "usage: " + usage + "\n\n" + description + "\n\noptions:\n";
  size_t width = 0;
  std::vector<std::string> heads;
  for (const auto& f : table) {
    std::string head = f.name + (f.value_name.empty() ? "" : " " + f.value_name);
    width = std::max(width, head.size());
    heads.push_back(head);
  }
  for (size_t i = 0; i < table.size(); ++i) {
    const auto& f = table[i];
    out += "  " + heads[i] + std::string(width - heads[i].size() + 2, ' ') + f.help;
    if (!f.value_name.empty()) {
      out += " (default: " + (f.default_value.empty() ? std::string("none") : f.default_value) + ")";
    }
    if (f.repeatable) out += " [repeatable]";
    out += "\n";
  }
  return out;
}

Status GetIntFlag(const ParsedFlags& flags, const std::string& name, int64_t min, int64_t* out) {
  const std::string text = flags.Get(name);
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno == ERANGE || v < min) {
    return Status::InvalidArgument(name + ": expected an integer >= " + std::to_string(min) +
                                   ", got '" + text + "'");
  }
  *out = v;
  return Status::Ok();
}

}  // namespace pwemoe
