#include "pwemoe/moe/module_patterns.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "pwemoe/util/strings.h"

namespace pwemoe::moe {

namespace {

bool AllDigits(const std::string& s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

// Compares one component: -1, 0 or 1.
int CompareComponent(const std::string& a, const std::string& b) {
  if (AllDigits(a) && AllDigits(b)) {
    const size_t za = a.find_first_not_of('0'), zb = b.find_first_not_of('0');
    const std::string na = za == std::string::npos ? "" : a.substr(za);
    const std::string nb = zb == std::string::npos ? "" : b.substr(zb);
    if (na.size() != nb.size()) return na.size() < nb.size() ? -1 : 1;
    if (na != nb) return na < nb ? -1 : 1;
  }
  return a == b ? 0 : (a < b ? -1 : 1);
}

// '*' matches any run of characters (dots included); everything else matches itself.
bool GlobMatches(const std::string& glob, const std::string& text) {
  size_t g = 0, t = 0, star = std::string::npos, resume = 0;
  while (t < text.size()) {
    if (g < glob.size() && glob[g] == '*') {
      star = g++;
      resume = t;
    } else if (g < glob.size() && glob[g] == text[t]) {
      ++g;
      ++t;
    } else if (star != std::string::npos) {
      g = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

Status CheckPattern(const std::string& pattern) {
  if (pattern.empty()) return Status::InvalidArgument("upscale: empty module pattern");
  if (pattern.find('*') == std::string::npos) {
    for (const std::string& part : Split(pattern, '.')) {
      if (part.empty()) {
        return Status::InvalidArgument("upscale: module pattern '" + pattern +
                                       "' has an empty dotted component");
      }
    }
  }
  return Status::Ok();
}

// The modules (proper dotted prefixes) of `key`, outermost first.
std::vector<std::string> Modules(const std::string& key) {
  std::vector<std::string> out;
  for (size_t dot = key.find('.'); dot != std::string::npos; dot = key.find('.', dot + 1)) {
    out.push_back(key.substr(0, dot));
  }
  return out;
}

Status NoMatch(const std::string& pattern, const std::vector<std::string>& keys) {
  std::set<std::string> parts;
  for (const std::string& key : keys) {
    for (const std::string& part : Split(key, '.')) parts.insert(part);
  }
  return Status::InvalidArgument(
      "upscale: module pattern '" + pattern + "' matches no module" +
      DidYouMean(pattern, std::vector<std::string>(parts.begin(), parts.end())));
}

}  // namespace

bool NaturalLess(const std::string& a, const std::string& b) {
  const std::vector<std::string> pa = Split(a, '.'), pb = Split(b, '.');
  for (size_t i = 0; i < pa.size() && i < pb.size(); ++i) {
    const int c = CompareComponent(pa[i], pb[i]);
    if (c != 0) return c < 0;
  }
  return pa.size() < pb.size();
}

bool PatternMatches(const std::string& pattern, const std::string& module) {
  if (pattern.find('*') != std::string::npos) return GlobMatches(pattern, module);
  if (module.size() < pattern.size()) return false;
  if (module.compare(module.size() - pattern.size(), pattern.size(), pattern) != 0) return false;
  return module.size() == pattern.size() || module[module.size() - pattern.size() - 1] == '.';
}

Status SelectModules(const std::vector<std::string>& patterns, const std::vector<std::string>& keys,
                     std::vector<ModuleKeys>* out) {
  if (patterns.empty()) return Status::InvalidArgument("upscale: no module pattern");
  for (const std::string& p : patterns) PWEMOE_RETURN_IF_ERROR(CheckPattern(p));
  std::vector<bool> used(patterns.size(), false);
  std::map<std::string, std::vector<std::string>> groups;
  for (const std::string& key : keys) {
    bool assigned = false;
    for (const std::string& module : Modules(key)) {  // outermost first
      for (size_t p = 0; p < patterns.size(); ++p) {
        if (!PatternMatches(patterns[p], module)) continue;
        used[p] = true;
        if (!assigned) groups[module].push_back(key);
        assigned = true;
      }
    }
  }
  for (size_t p = 0; p < patterns.size(); ++p) {
    if (!used[p]) return NoMatch(patterns[p], keys);
  }
  std::vector<ModuleKeys> result;
  for (auto& [module, module_keys] : groups) {
    std::sort(module_keys.begin(), module_keys.end(), NaturalLess);
    result.push_back({module, std::move(module_keys)});
  }
  std::sort(result.begin(), result.end(), [](const ModuleKeys& a, const ModuleKeys& b) {
    return NaturalLess(a.module, b.module);
  });
  *out = std::move(result);
  return Status::Ok();
}

}  // namespace pwemoe::moe
