// Internal to config/: typed, validating access to one TOML section, recording every error with
// its location instead of stopping at the first.
#pragma once

#include <toml++/toml.h>

#include <map>
#include <string>
#include <vector>

#include "config/experiment_config.h"

namespace pwemoe::config::detail {

// Collects errors; knows the file name and which keys came from --set.
struct ErrorSink {
  std::string file;
  std::map<std::string, std::string> override_origin;  // dotted key -> "--set key=value"
  std::vector<ConfigError> errors;

  // Records an error on `key`, located at `at` (or at `fallback` when `at` is null).
  void Add(const std::string& key, const toml::node* at, std::string message,
           const toml::node* fallback = nullptr);
  // Records an error on `key` located at a source region (a key's own position).
  void AddAt(const std::string& key, const toml::source_region& where, std::string message);
};

// "string \"abc\"", "integer 3", "float 0.5", "boolean true", "an array", "a table", ...
std::string Describe(const toml::node& node);

// Reads one [section]. Every key asked for becomes a known key; RejectUnknownKeys() then reports
// the others (with a "did you mean"). Readers leave *out untouched when the key is absent and not
// required, so callers preset defaults. Each returns true when a valid value was stored.
class Section {
 public:
  Section(ErrorSink* sink, const toml::table& root, std::string name, bool required);

  bool present() const { return table_ != nullptr; }
  const toml::table* table() const { return table_; }
  const std::string& name() const { return name_; }
  ErrorSink* sink() const { return sink_; }
  std::string Key(const std::string& k) const { return name_ + "." + k; }

  // The node of `key` (marked known), or null.
  const toml::node* Get(const std::string& key);
  void Error(const std::string& key, const toml::node* at, std::string message);
  void Missing(const std::string& key, const std::string& expected);

  bool String(const std::string& key, std::string* out, bool required = false);
  bool Choice(const std::string& key, const std::vector<std::string>& choices, std::string* out);
  bool Bool(const std::string& key, bool* out);
  bool Int(const std::string& key, int64_t lo, int64_t hi, int64_t* out, bool required = false);
  bool Int(const std::string& key, int lo, int hi, int* out, bool required = false);
  // A finite number with lo (or hi) as bound; open bounds exclude it. Integers are accepted.
  bool Number(const std::string& key, double lo, bool lo_open, double hi, bool hi_open, double* out);
  bool StringList(const std::string& key, std::vector<std::string>* out, bool allow_empty);
  bool NumberList(const std::string& key, std::vector<double>* out);

  void RejectUnknownKeys();

 private:
  ErrorSink* sink_;
  const toml::table* table_ = nullptr;
  std::string name_;
  std::vector<std::string> known_;
};

// The number at `node` when it is an integer or a finite float.
bool AsNumber(const toml::node& node, double* out);

// "an integer >= 1", "an integer from 0 to 2", "a number > 0", ...
std::string IntRangeText(int64_t lo, int64_t hi);
std::string NumberRangeText(double lo, bool lo_open, double hi, bool hi_open);

}  // namespace pwemoe::config::detail
