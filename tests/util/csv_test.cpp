// The CSV record splitter (pwemoe/util/csv.h).
#include "pwemoe/util/csv.h"

#include <gtest/gtest.h>

#include <utility>

namespace pwemoe {
namespace {

std::vector<std::pair<std::string, size_t>> Split(const std::string& line, bool* ok) {
  std::vector<CsvField> fields;
  *ok = SplitCsvRecord(line, &fields);
  std::vector<std::pair<std::string, size_t>> out;
  for (const CsvField& f : fields) out.emplace_back(f.text, f.begin);
  return out;
}

using Fields = std::vector<std::pair<std::string, size_t>>;

TEST(Csv, SplitsAtCommasKeepingBlanksAndOffsets) {
  bool ok = false;
  EXPECT_EQ(Split("", &ok), (Fields{{"", 0}}));
  EXPECT_TRUE(ok);
  EXPECT_EQ(Split("1, 2 ,,x\r", &ok), (Fields{{"1", 0}, {" 2 ", 2}, {"", 6}, {"x\r", 7}}));
  EXPECT_TRUE(ok);
  EXPECT_EQ(Split(",", &ok), (Fields{{"", 0}, {"", 1}}));
}

TEST(Csv, QuotesHoldCommasAndDoubledQuotes) {
  bool ok = false;
  EXPECT_EQ(Split("\"a,b\",c", &ok), (Fields{{"a,b", 0}, {"c", 6}}));
  EXPECT_TRUE(ok);
  EXPECT_EQ(Split(" \"say \"\"hi\"\"\" ,2", &ok), (Fields{{" say \"hi\" ", 0}, {"2", 15}}));
  EXPECT_TRUE(ok);
  EXPECT_EQ(Split("\"\"", &ok), (Fields{{"", 0}}));
  EXPECT_TRUE(ok);
}

TEST(Csv, UnterminatedQuoteIsRefused) {
  bool ok = true;
  Split("\"a.png,cat", &ok);
  EXPECT_FALSE(ok);
  Split("1,\"2\"\"", &ok);
  EXPECT_FALSE(ok);
}

}  // namespace
}  // namespace pwemoe
