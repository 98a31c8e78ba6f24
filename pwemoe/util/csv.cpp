#include "pwemoe/util/csv.h"

namespace pwemoe {

bool SplitCsvRecord(const std::string& line, std::vector<CsvField>* fields) {
  fields->assign(1, CsvField{});
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields->back().text += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields->back().text += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields->push_back(CsvField{"", i + 1});
    } else {
      fields->back().text += c;
    }
  }
  return !quoted;
}

}  // namespace pwemoe
