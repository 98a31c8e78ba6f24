// results_compare A.h5 B.h5: whether two results files hold the same records, ignoring timing
// (every `seconds`, FailureRecord::time) and the header's command line. For the mpirun tests
// (an interrupted and resumed run against an uninterrupted one, different rank counts, ...).
//
// Exit codes: 0 the same records; 1 they differ (the first difference is printed: unit id and
// field); 2 a bad command line or a file that cannot be read (the reader's error is printed).
#include <cstdio>
#include <string>
#include <vector>

#include "pwemoe/util/flags.h"
#include "record_compare.h"
#include "results/store/h5_reader.h"

namespace pwemoe::results {
namespace {

const std::vector<FlagSpec> kFlags = {
    {"--help", "", "", "print this help and exit"},
    {"--timing", "", "", "compare timing fields (seconds, failure times) and command lines too"},
    {"--records-only", "", "", "ignore the header (configuration text and hash, version): compare the records"},
};

const char* kUsage = "results_compare A.h5 B.h5 [--timing] [--records-only]";
const char* kDescription =
    "Exits 0 when two results files hold the same records (ignoring timing fields and the\n"
    "command line), 1 printing the first difference when they do not, 2 when one is unreadable.";

int Run(int argc, char** argv) {
  ParsedFlags flags;
  Status st = ParseFlags(kFlags, argc, argv, &flags);
  if (st.ok() && flags.Has("--help")) {
    std::fputs(FlagHelp(kUsage, kDescription, kFlags).c_str(), stdout);
    return 0;
  }
  if (st.ok() && flags.positional.size() != 2) {
    st = Status::InvalidArgument(std::string("expected two files (usage: ") + kUsage + ")");
  }
  if (!st.ok()) {
    std::fprintf(stderr, "results_compare: %s\n", st.message().c_str());
    return 2;
  }
  StoreHeader header[2];
  ResultSet set[2];
  for (int i = 0; i < 2; ++i) {
    st = ReadResults(flags.positional[i], &header[i], &set[i]);
    if (!st.ok()) {
      std::fprintf(stderr, "results_compare: %s\n", st.ToString().c_str());
      return 2;
    }
  }
  testing::CompareOptions options;
  options.ignore_timing = !flags.Has("--timing");
  options.ignore_command_line = !flags.Has("--timing");
  options.ignore_header = flags.Has("--records-only");
  const std::string diff = testing::FirstDifference(header[0], set[0], header[1], set[1], options);
  if (!diff.empty()) {
    std::printf("results_compare: %s and %s differ: %s\n", flags.positional[0].c_str(),
                flags.positional[1].c_str(), diff.c_str());
    return 1;
  }
  std::printf("results_compare: same records (%zu results, %zu failures)\n",
              set[0].result_kind().size(), set[0].failures().size());
  return 0;
}

}  // namespace
}  // namespace pwemoe::results

int main(int argc, char** argv) { return pwemoe::results::Run(argc, argv); }
