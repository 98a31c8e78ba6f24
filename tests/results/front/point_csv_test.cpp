// The CSV point reader of pwemoe-hv (results/front/point_csv.h).
#include "results/front/point_csv.h"

#include <gtest/gtest.h>

#include <sstream>

namespace pwemoe::results {
namespace {

Status Read(const std::string& text, std::vector<std::vector<double>>* points) {
  std::istringstream in(text);
  return ReadPointsCsv(in, "f.csv", points);
}

TEST(PointCsv, ReadsPointsSkippingBlankAndCommentLines) {
  std::vector<std::vector<double>> points;
  ASSERT_TRUE(Read("# accuracies\n0.5, 0.25\n\n  \t\n  # more\n1e-1,2\r\n-3,4", &points).ok());
  EXPECT_EQ(points, (std::vector<std::vector<double>>{{0.5, 0.25}, {0.1, 2}, {-3, 4}}));
  ASSERT_TRUE(Read("\"0.5\", \" 1e-1\"\n", &points).ok());  // quoted values, as spreadsheets write
  EXPECT_EQ(points, (std::vector<std::vector<double>>{{0.5, 0.1}}));
  ASSERT_TRUE(Read("", &points).ok());
  EXPECT_TRUE(points.empty());
}

TEST(PointCsv, ErrorsNameLineAndColumn) {
  std::vector<std::vector<double>> points;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"1,2\n1, x\n", "f.csv: line 2, column 4: 'x' is not a number"},
      {"1,2\n\n1,\n", "f.csv: line 3, column 3: empty value"},
      {"1,2\n3,nan\n", "f.csv: line 2, column 3: 'nan' is not finite"},
      {"# c\n1,2\n3,4,5\n", "f.csv: line 3: 3 values, line 2 has 2"},
      {"1,2abc\n", "f.csv: line 1, column 3: '2abc' is not a number"},
      {"1, \"2\n", "f.csv: line 1, column 3: unterminated quote"},
      {"1, \" x\"\n", "f.csv: line 1, column 4: 'x' is not a number"},
  };
  for (const auto& [text, message] : cases) {
    const Status st = Read(text, &points);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << text;
    EXPECT_EQ(st.message(), message) << text;
  }
}

}  // namespace
}  // namespace pwemoe::results
