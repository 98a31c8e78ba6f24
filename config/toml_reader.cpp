#include "config/toml_reader.h"

#include <cmath>
#include <limits>

#include "pwemoe/util/strings.h"

namespace pwemoe::config::detail {

namespace {

// The --set argument that set `key`, a table above it or a key below it, or "".
std::string OverrideFor(const std::map<std::string, std::string>& origins, const std::string& key) {
  auto below = origins.lower_bound(key + ".");
  if (below != origins.end() && below->first.compare(0, key.size() + 1, key + ".") == 0) return below->second;
  std::string prefix = key;
  while (true) {
    auto it = origins.find(prefix);
    if (it != origins.end()) return it->second;
    auto dot = prefix.rfind('.');
    if (dot == std::string::npos) return "";
    prefix.resize(dot);
  }
}

}  // namespace

void ErrorSink::AddAt(const std::string& key, const toml::source_region& where, std::string message) {
  ConfigError e;
  e.key = key;
  e.message = std::move(message);
  e.origin = OverrideFor(override_origin, key);
  if (e.origin.empty()) {
    e.origin = file;
    if (where.begin) {
      e.line = static_cast<int>(where.begin.line);
      e.column = static_cast<int>(where.begin.column);
    }
  }
  errors.push_back(std::move(e));
}

void ErrorSink::Add(const std::string& key, const toml::node* at, std::string message,
                    const toml::node* fallback) {
  const toml::node* where = at ? at : fallback;
  AddAt(key, where ? where->source() : toml::source_region{}, std::move(message));
}

std::string Describe(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return "string \"" + std::string(*node.value<std::string>()) + "\"";
    case toml::node_type::integer: return "integer " + std::to_string(*node.value<int64_t>());
    case toml::node_type::floating_point: return "float " + FormatDouble(*node.value<double>());
    case toml::node_type::boolean: return std::string("boolean ") + (*node.value<bool>() ? "true" : "false");
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    default: return "nothing";
  }
}

bool AsNumber(const toml::node& node, double* out) {
  if (auto i = node.as_integer()) {
    *out = static_cast<double>(i->get());
    return true;
  }
  if (auto f = node.as_floating_point()) {
    *out = f->get();
    return std::isfinite(*out);
  }
  return false;
}

std::string IntRangeText(int64_t lo, int64_t hi) {
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  if (hi == kMax) return "an integer >= " + std::to_string(lo);
  return "an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
}

namespace {
// A bound as written in a message: "0", "0.5".
std::string Bound(double v) {
  return v == std::floor(v) && std::fabs(v) < 1e15 ? std::to_string(static_cast<int64_t>(v)) : FormatDouble(v);
}
}  // namespace

std::string NumberRangeText(double lo, bool lo_open, double hi, bool hi_open) {
  std::string s = "a number";
  if (std::isfinite(lo)) s += std::string(lo_open ? " > " : " >= ") + Bound(lo);
  if (std::isfinite(lo) && std::isfinite(hi)) s += " and";
  if (std::isfinite(hi)) s += std::string(hi_open ? " < " : " <= ") + Bound(hi);
  if (!std::isfinite(lo) && !std::isfinite(hi)) s = "a finite number";
  return s;
}

Section::Section(ErrorSink* sink, const toml::table& root, std::string name, bool required)
    : sink_(sink), name_(std::move(name)) {
  const toml::node* node = root.get(name_);
  if (node && !node->is_table()) {
    sink_->Add(name_, node, "expected a table [" + name_ + "], found " + Describe(*node));
    return;
  }
  table_ = node ? node->as_table() : nullptr;
  if (!table_ && required) sink_->Add(name_, nullptr, "missing required section [" + name_ + "]");
}

const toml::node* Section::Get(const std::string& key) {
  known_.push_back(key);
  return table_ ? table_->get(key) : nullptr;
}

void Section::Error(const std::string& key, const toml::node* at, std::string message) {
  sink_->Add(Key(key), at, std::move(message), table_);
}

void Section::Missing(const std::string& key, const std::string& expected) {
  Error(key, nullptr, "missing required key (expected " + expected + ")");
}

bool Section::String(const std::string& key, std::string* out, bool required) {
  const toml::node* n = Get(key);
  if (!n) {
    if (required) Missing(key, "a string");
    return false;
  }
  if (!n->is_string()) {
    Error(key, n, "expected a string, found " + Describe(*n));
    return false;
  }
  *out = *n->value<std::string>();
  return true;
}

bool Section::Choice(const std::string& key, const std::vector<std::string>& choices, std::string* out) {
  std::string v;
  const toml::node* n = table_ ? table_->get(key) : nullptr;
  if (!String(key, &v)) return false;
  for (const auto& c : choices) {
    if (c == v) {
      *out = v;
      return true;
    }
  }
  Error(key, n, "expected one of " + Join(choices, ", ") + ", found \"" + v + "\"" + DidYouMean(v, choices));
  return false;
}

bool Section::Bool(const std::string& key, bool* out) {
  const toml::node* n = Get(key);
  if (!n) return false;
  if (!n->is_boolean()) {
    Error(key, n, "expected a boolean (true or false), found " + Describe(*n));
    return false;
  }
  *out = *n->value<bool>();
  return true;
}

bool Section::Int(const std::string& key, int64_t lo, int64_t hi, int64_t* out, bool required) {
  const toml::node* n = Get(key);
  std::string expected = IntRangeText(lo, hi);
  if (!n) {
    if (required) Missing(key, expected);
    return false;
  }
  if (!n->is_integer() || *n->value<int64_t>() < lo || *n->value<int64_t>() > hi) {
    Error(key, n, "expected " + expected + ", found " + Describe(*n));
    return false;
  }
  *out = *n->value<int64_t>();
  return true;
}

bool Section::Int(const std::string& key, int lo, int hi, int* out, bool required) {
  int64_t v = 0;
  if (!Int(key, int64_t{lo}, int64_t{hi}, &v, required)) return false;
  *out = static_cast<int>(v);
  return true;
}

bool Section::Number(const std::string& key, double lo, bool lo_open, double hi, bool hi_open, double* out) {
  const toml::node* n = Get(key);
  if (!n) return false;
  double v = 0;
  bool ok = AsNumber(*n, &v) && (lo_open ? v > lo : v >= lo) && (hi_open ? v < hi : v <= hi);
  if (!ok) {
    Error(key, n, "expected " + NumberRangeText(lo, lo_open, hi, hi_open) + ", found " + Describe(*n));
    return false;
  }
  *out = v;
  return true;
}

bool Section::StringList(const std::string& key, std::vector<std::string>* out, bool allow_empty) {
  const toml::node* n = Get(key);
  if (!n) return false;
  const toml::array* a = n->as_array();
  if (!a || (a->empty() && !allow_empty)) {
    Error(key, n, std::string("expected ") + (allow_empty ? "an" : "a non-empty") +
                      " array of strings, found " + (a ? "an empty array" : Describe(*n)));
    return false;
  }
  std::vector<std::string> v;
  for (const auto& item : *a) {
    if (!item.is_string()) {
      Error(key, &item, "expected an array of strings, found an element " + Describe(item));
      return false;
    }
    v.push_back(*item.value<std::string>());
  }
  *out = std::move(v);
  return true;
}

bool Section::NumberList(const std::string& key, std::vector<double>* out) {
  const toml::node* n = Get(key);
  if (!n) return false;
  const toml::array* a = n->as_array();
  if (!a) {
    Error(key, n, "expected an array of numbers, found " + Describe(*n));
    return false;
  }
  std::vector<double> v;
  for (const auto& item : *a) {
    double x = 0;
    if (!AsNumber(item, &x)) {
      Error(key, &item, "expected an array of finite numbers, found an element " + Describe(item));
      return false;
    }
    v.push_back(x);
  }
  *out = std::move(v);
  return true;
}

void Section::RejectUnknownKeys() {
  if (!table_) return;
  for (const auto& [k, node] : *table_) {
    std::string key(k.str());
    bool known = false;
    for (const auto& kk : known_) known = known || kk == key;
    if (!known) sink_->AddAt(Key(key), k.source(), "unknown key" + DidYouMean(key, known_));
  }
}

}  // namespace pwemoe::config::detail
