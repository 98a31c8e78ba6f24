// The journal file: appends survive reopening; incomplete and damaged tails are cut off.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "results/store/journal.h"
#include "records_testing.h"

namespace pwemoe::results {
namespace {

using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

std::vector<std::string> Payloads() {
  return {"header", std::string(100, 'a'), "", std::string(1000, '\0') + "tail", "last record"};
}

std::string FileOf(const std::vector<std::string>& payloads) {
  std::string bytes;
  for (size_t i = 0; i < payloads.size(); ++i) {
    bytes += EncodeFrame(static_cast<uint32_t>(i + 1), payloads[i]);
  }
  return bytes;
}

struct Opened {
  Status status;
  std::unique_ptr<Journal> journal;
  std::vector<JournalEntry> entries;
  JournalRecovery recovery;
};

Opened OpenJournal(const std::string& path) {
  Opened o;
  o.status = Journal::Open(path, &o.journal, &o.entries, &o.recovery);
  return o;
}

void ExpectPayloads(const std::vector<JournalEntry>& entries,
                    const std::vector<std::string>& payloads, size_t count) {
  ASSERT_EQ(entries.size(), count);
  for (size_t i = 0; i < count; ++i) {
    EXPECT_EQ(entries[i].payload, payloads[i]);
    EXPECT_EQ(entries[i].type, i + 1);
  }
}

TEST(Journal, AppendsAndReadsBack) {
  TempDir dir;
  const std::string path = dir.File("j.journal");
  const auto payloads = Payloads();
  {
    Opened o = OpenJournal(path);
    ASSERT_TRUE(o.status.ok()) << o.status.ToString();
    EXPECT_TRUE(o.entries.empty());
    for (size_t i = 0; i < payloads.size(); ++i) {
      ASSERT_TRUE(o.journal->Append(static_cast<uint32_t>(i + 1), payloads[i]).ok());
    }
    EXPECT_EQ(o.journal->size(), FileOf(payloads).size());
  }
  EXPECT_EQ(ReadFile(path), FileOf(payloads));
  Opened o = OpenJournal(path);
  ASSERT_TRUE(o.status.ok());
  ExpectPayloads(o.entries, payloads, payloads.size());
  EXPECT_TRUE(o.recovery.warnings.empty());
}

// A crash during the last append leaves any prefix of its frame: the earlier records survive,
// the file is cut back, and appending continues after them.
TEST(Journal, TruncatedTailIsDropped) {
  TempDir dir;
  const auto payloads = Payloads();
  const std::string full = FileOf(payloads);
  const size_t last_start = FileOf({payloads.begin(), payloads.end() - 1}).size();
  for (size_t cut = last_start + 1; cut < full.size(); ++cut) {
    const std::string path = dir.File("t" + std::to_string(cut) + ".journal");
    WriteFile(path, full.substr(0, cut));
    {
      Opened o = OpenJournal(path);
      ASSERT_TRUE(o.status.ok()) << o.status.ToString();
      ExpectPayloads(o.entries, payloads, payloads.size() - 1);
      ASSERT_EQ(o.recovery.warnings.size(), 1u) << "cut at " << cut;
      EXPECT_NE(o.recovery.warnings[0].find("incomplete record"), std::string::npos);
      EXPECT_EQ(o.recovery.dropped_bytes, cut - last_start);
      EXPECT_EQ(o.journal->size(), last_start);
      ASSERT_TRUE(o.journal->Append(5, "after the crash").ok());
    }
    Opened again = OpenJournal(path);
    ASSERT_TRUE(again.status.ok());
    ASSERT_EQ(again.entries.size(), payloads.size());
    EXPECT_EQ(again.entries.back().payload, "after the crash");
    EXPECT_TRUE(again.recovery.warnings.empty());
  }
}

// Any flipped byte in a middle record drops it and every later record (saved aside), with a
// warning; the records before it survive.
TEST(Journal, FlippedByteDropsThatRecordAndLater) {
  TempDir dir;
  const auto payloads = Payloads();
  const std::string full = FileOf(payloads);
  const size_t start = FileOf({payloads.begin(), payloads.begin() + 1}).size();
  const size_t end = FileOf({payloads.begin(), payloads.begin() + 2}).size();
  for (size_t at = start; at < end; ++at) {
    const std::string path = dir.File("f" + std::to_string(at) + ".journal");
    std::string damaged = full;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x5a);
    WriteFile(path, damaged);
    Opened o = OpenJournal(path);
    ASSERT_TRUE(o.status.ok()) << o.status.ToString();
    ExpectPayloads(o.entries, payloads, 1);
    ASSERT_EQ(o.recovery.warnings.size(), 1u) << "byte " << at;
    EXPECT_EQ(o.journal->size(), start);
    EXPECT_EQ(ReadFile(path), full.substr(0, start));
    // A flipped length byte may claim more bytes than the file holds: indistinguishable from an
    // incomplete append. Otherwise the damaged bytes are saved aside.
    if (!o.recovery.saved_to.empty()) {
      EXPECT_EQ(ReadFile(o.recovery.saved_to), damaged.substr(start));
    }
  }
}

TEST(Journal, GarbageIsSavedAsideNotLost) {
  TempDir dir;
  const std::string path = dir.File("g.journal");
  WriteFile(path, "this is not a journal at all");
  Opened o = OpenJournal(path);
  ASSERT_TRUE(o.status.ok());
  EXPECT_TRUE(o.entries.empty());
  ASSERT_FALSE(o.recovery.saved_to.empty());
  EXPECT_EQ(ReadFile(o.recovery.saved_to), "this is not a journal at all");
  EXPECT_EQ(ReadFile(path), "");
}

TEST(Journal, SecondOpenIsRefusedWhileLocked) {
  TempDir dir;
  const std::string path = dir.File("l.journal");
  Opened first = OpenJournal(path);
  ASSERT_TRUE(first.status.ok());
  Opened second = OpenJournal(path);
  EXPECT_EQ(second.status.code(), Status::Code::kIoError);
  EXPECT_NE(second.status.message().find("in use"), std::string::npos);
  first.journal.reset();
  EXPECT_TRUE(OpenJournal(path).status.ok());
}

TEST(Journal, MissingFolderIsAnIoErrorNamingThePath) {
  Opened o = OpenJournal("/nonexistent-folder-pwemoe/x.journal");
  EXPECT_EQ(o.status.code(), Status::Code::kIoError);
  EXPECT_NE(o.status.message().find("/nonexistent-folder-pwemoe/x.journal"), std::string::npos);
}

}  // namespace
}  // namespace pwemoe::results
