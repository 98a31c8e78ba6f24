// ResultStore: resume, refusal of foreign outputs, --fresh, exactly-once, failures.
#include <gtest/gtest.h>

#include <memory>

#include "h5_read.h"
#include "results/store/journal.h"
#include "results/store/record_codec.h"
#include "results/store/result_store.h"
#include "records_testing.h"

namespace pwemoe::results {
namespace {

using testing::H5File;
using testing::MakeBaseline;
using testing::MakeEval;
using testing::MakeFailure;
using testing::MakeHeader;
using testing::MakeTrain;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

std::unique_ptr<ResultStore> OpenOk(const std::string& stem, const StoreHeader& header,
                                    bool fresh = false) {
  std::unique_ptr<ResultStore> store;
  Status s = ResultStore::Open(stem, header, fresh, &store);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return store;
}

void AppendAll(ResultStore* store) {
  ASSERT_TRUE(store->Append(MakeTrain(0, "ls/clothing+digits/seed0", false)).ok());
  ASSERT_TRUE(store->Append(MakeTrain(1, "epo/clothing+digits/seed0", true)).ok());
  ASSERT_TRUE(store->Append(MakeBaseline(2, "digits", false)).ok());
  ASSERT_TRUE(store->Append(MakeBaseline(3, "clothing", true)).ok());
  ASSERT_TRUE(store->Append(MakeEval(4, "ls/clothing+digits/seed0", "digits", 0, 3)).ok());
  ASSERT_TRUE(store->Append(MakeEval(5, "ls/clothing+digits/seed0", "digits", 3, 2)).ok());
  ASSERT_TRUE(store->Append(MakeFailure(6)).ok());
}

TEST(ResultStore, RoundTripThroughJournalAndHdf5) {
  TempDir dir;
  const std::string stem = dir.File("results");
  {
    auto store = OpenOk(stem, MakeHeader());
    ASSERT_TRUE(store);
    AppendAll(store.get());
    EXPECT_EQ(store->DoneUnits(), (std::vector<int64_t>{0, 1, 2, 3, 4, 5}));
    EXPECT_EQ(store->FailedUnits(), std::vector<int64_t>{6});
  }
  StoreHeader later = MakeHeader();
  later.command_line = "pwemoe-orchestrate experiments/mini.toml (rerun)";
  auto store = OpenOk(stem, later);
  ASSERT_TRUE(store);
  EXPECT_TRUE(store->warnings().empty());
  EXPECT_EQ(store->header().command_line, MakeHeader().command_line);  // the first run's
  EXPECT_EQ(store->DoneUnits(), (std::vector<int64_t>{0, 1, 2, 3, 4, 5}));
  EXPECT_TRUE(store->IsDone(4));
  EXPECT_FALSE(store->IsDone(6));  // failed units are retried
  EXPECT_TRUE(store->HasFailure(6));
  EXPECT_FALSE(store->IsDone(7));
  ResultSet set = store->results();
  EXPECT_EQ(Encode(set.train().at(1)), Encode(MakeTrain(1, "epo/clothing+digits/seed0", true)));
  EXPECT_EQ(Encode(set.eval().at(5)),
            Encode(MakeEval(5, "ls/clothing+digits/seed0", "digits", 3, 2)));
  EXPECT_EQ(Encode(set.baselines().at(3)), Encode(MakeBaseline(3, "clothing", true)));
  EXPECT_EQ(Encode(set.failures().at(6)), Encode(MakeFailure(6)));

  ASSERT_TRUE(store->WriteHdf5().ok());
  H5File f(stem + ".h5");
  ASSERT_TRUE(f.valid());
  EXPECT_EQ(f.AttrString("/", "command_line"), MakeHeader().command_line);
  EXPECT_EQ(f.I64("/units/unit_id"), (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(f.I64("/runs/ls__clothing+digits__seed0/eval/digits/ray_index"),
            (std::vector<int64_t>{0, 1, 2, 3, 4}));
}

TEST(ResultStore, OtherConfigurationIsRefused) {
  TempDir dir;
  const std::string stem = dir.File("results");
  {
    auto store = OpenOk(stem, MakeHeader("hash-a"));
    AppendAll(store.get());
    ASSERT_TRUE(store->WriteHdf5().ok());
  }
  const std::string journal = ReadFile(stem + ".journal");
  const std::string h5 = ReadFile(stem + ".h5");
  std::unique_ptr<ResultStore> store;
  Status s = ResultStore::Open(stem, MakeHeader("hash-b"), false, &store);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find(stem + ".journal"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("hash-a"), std::string::npos);
  EXPECT_NE(s.message().find("hash-b"), std::string::npos);
  EXPECT_NE(s.message().find("--fresh"), std::string::npos);
  EXPECT_EQ(ReadFile(stem + ".journal"), journal);  // untouched
  EXPECT_EQ(ReadFile(stem + ".h5"), h5);
}

TEST(ResultStore, FreshMovesOldFilesAside) {
  TempDir dir;
  const std::string stem = dir.File("results");
  {
    auto store = OpenOk(stem, MakeHeader("hash-a"));
    AppendAll(store.get());
    ASSERT_TRUE(store->WriteHdf5().ok());
  }
  const std::string journal = ReadFile(stem + ".journal");
  const std::string h5 = ReadFile(stem + ".h5");
  auto store = OpenOk(stem, MakeHeader("hash-b"), /*fresh=*/true);
  ASSERT_TRUE(store);
  EXPECT_TRUE(store->DoneUnits().empty());
  EXPECT_EQ(store->header().config_hash, "hash-b");
  std::vector<std::string> warnings = store->warnings();
  ASSERT_EQ(warnings.size(), 2u);
  // "--fresh: moved <path> to <path>.old-<time>"
  for (const std::string& w : warnings) {
    std::string moved = w.substr(w.rfind(" to ") + 4);
    EXPECT_NE(moved.find(".old-"), std::string::npos) << w;
    std::string content = ReadFile(moved);
    EXPECT_TRUE(content == journal || content == h5) << w;
  }
  EXPECT_FALSE(testing::ReadFile(stem + ".journal").empty());  // the new journal's header
}

TEST(ResultStore, Hdf5WithoutJournalIsRefused) {
  TempDir dir;
  const std::string stem = dir.File("results");
  WriteFile(stem + ".h5", "someone else's output");
  std::unique_ptr<ResultStore> store;
  Status s = ResultStore::Open(stem, MakeHeader(), false, &store);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("without its journal"), std::string::npos) << s.message();
  EXPECT_EQ(ReadFile(stem + ".h5"), "someone else's output");
  EXPECT_TRUE(OpenOk(stem, MakeHeader(), /*fresh=*/true));
}

TEST(ResultStore, DamagedHeaderWithAnHdf5FileIsRefused) {
  TempDir dir;
  const std::string stem = dir.File("results");
  {
    auto store = OpenOk(stem, MakeHeader());
    AppendAll(store.get());
    ASSERT_TRUE(store->WriteHdf5().ok());
  }
  std::string journal = ReadFile(stem + ".journal");
  journal[30] = static_cast<char>(journal[30] ^ 1);  // inside the header's payload
  WriteFile(stem + ".journal", journal);
  std::unique_ptr<ResultStore> store;
  Status s = ResultStore::Open(stem, MakeHeader(), false, &store);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("no readable header"), std::string::npos) << s.message();
  EXPECT_TRUE(H5File(stem + ".h5").valid());
  EXPECT_TRUE(OpenOk(stem, MakeHeader(), /*fresh=*/true));
}

TEST(ResultStore, SecondStoreOnTheSameStemIsRefused) {
  TempDir dir;
  const std::string stem = dir.File("results");
  auto first = OpenOk(stem, MakeHeader());
  std::unique_ptr<ResultStore> second;
  EXPECT_EQ(ResultStore::Open(stem, MakeHeader(), false, &second).code(),
            Status::Code::kIoError);
  EXPECT_EQ(ResultStore::Open(stem, MakeHeader(), true, &second).code(), Status::Code::kIoError);
}

TEST(ResultStore, DuplicateUnitIsKeptOnce) {
  TempDir dir;
  const std::string stem = dir.File("results");
  {
    auto store = OpenOk(stem, MakeHeader());
    ASSERT_TRUE(store->Append(MakeEval(4, "ls/a/seed0", "digits", 0, 3)).ok());
    const size_t size = ReadFile(stem + ".journal").size();
    EXPECT_TRUE(store->Append(MakeEval(4, "ls/a/seed0", "digits", 7, 1)).ok());  // ignored
    EXPECT_EQ(ReadFile(stem + ".journal").size(), size);
  }
  {
    // A duplicate already in the journal (a unit redone after a crash between its append and
    // the coordinator's bookkeeping): the first is kept.
    std::unique_ptr<Journal> journal;
    std::vector<JournalEntry> entries;
    JournalRecovery recovery;
    ASSERT_TRUE(Journal::Open(stem + ".journal", &journal, &entries, &recovery).ok());
    ASSERT_TRUE(journal->Append(static_cast<uint32_t>(RecordType::kEval),
                                Encode(MakeEval(4, "ls/a/seed0", "digits", 9, 1)))
                    .ok());
  }
  auto store = OpenOk(stem, MakeHeader());
  EXPECT_EQ(store->DoneUnits(), std::vector<int64_t>{4});
  EXPECT_EQ(store->results().eval().at(4).ray_index, (std::vector<int64_t>{0, 1, 2}));
  ASSERT_TRUE(store->WriteHdf5().ok());
  H5File f(stem + ".h5");
  EXPECT_EQ(f.I64("/runs/ls__a__seed0/eval/digits/ray_index"), (std::vector<int64_t>{0, 1, 2}));
}

TEST(ResultStore, FailureIsRetriedAndReplacedByResult) {
  TempDir dir;
  const std::string stem = dir.File("results");
  {
    auto store = OpenOk(stem, MakeHeader());
    FailureRecord failure = MakeFailure(3, "corrupt: bad image");
    failure.time.clear();
    ASSERT_TRUE(store->Append(failure).ok());
    EXPECT_EQ(store->results().failures().at(3).time.size(), 20u);  // filled in, ISO 8601
    ASSERT_TRUE(store->Append(MakeFailure(3, "numerical: NaN again")).ok());
    EXPECT_EQ(store->results().failures().at(3).message, "numerical: NaN again");
  }
  auto store = OpenOk(stem, MakeHeader());
  EXPECT_FALSE(store->IsDone(3));
  EXPECT_EQ(store->FailedUnits(), std::vector<int64_t>{3});
  ASSERT_TRUE(store->Append(MakeBaseline(3, "digits", false)).ok());
  EXPECT_TRUE(store->IsDone(3));
  EXPECT_TRUE(store->FailedUnits().empty());
  ASSERT_TRUE(store->Append(MakeFailure(3)).ok());  // ignored: it has a result
  EXPECT_TRUE(store->FailedUnits().empty());
  ASSERT_TRUE(store->WriteHdf5().ok());
  H5File f(stem + ".h5");
  EXPECT_EQ(f.I64("/failures/unit_id"), std::vector<int64_t>{});
  EXPECT_EQ(f.Strings("/units/kind"), std::vector<std::string>{"baseline"});
}

TEST(ResultStore, InvalidRecordIsRefusedAndNotJournaled) {
  TempDir dir;
  const std::string stem = dir.File("results");
  auto store = OpenOk(stem, MakeHeader());
  const size_t size = ReadFile(stem + ".journal").size();
  EvalRecord eval = MakeEval(4, "ls/a/seed0", "digits", 0, 3);
  eval.accuracy.pop_back();
  Status s = store->Append(eval);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("accuracy"), std::string::npos) << s.message();
  TrainRecord train = MakeTrain(1, "ls/a/seed0", false);
  train.final_router[0].shape = {4, 4};
  EXPECT_EQ(store->Append(train).code(), Status::Code::kInvalidArgument);
  train = MakeTrain(1, "ls/a/seed0", false);
  train.variant = "XX";
  EXPECT_EQ(store->Append(train).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(ReadFile(stem + ".journal").size(), size);
  EXPECT_FALSE(store->IsDone(4));
}

// A frame whose checksum is right but whose payload does not decode (another codec version):
// it and later records are dropped with a warning, saved aside, and the store stays usable.
TEST(ResultStore, UnreadableRecordIsDroppedWithWarning) {
  TempDir dir;
  const std::string stem = dir.File("results");
  {
    auto store = OpenOk(stem, MakeHeader());
    ASSERT_TRUE(store->Append(MakeFailure(1)).ok());
  }
  {
    std::unique_ptr<Journal> journal;
    std::vector<JournalEntry> entries;
    JournalRecovery recovery;
    ASSERT_TRUE(Journal::Open(stem + ".journal", &journal, &entries, &recovery).ok());
    ASSERT_TRUE(journal->Append(static_cast<uint32_t>(RecordType::kEval), "garbage").ok());
    ASSERT_TRUE(journal->Append(static_cast<uint32_t>(RecordType::kFailure),
                                Encode(MakeFailure(2)))
                    .ok());
  }
  auto store = OpenOk(stem, MakeHeader());
  ASSERT_TRUE(store);
  EXPECT_EQ(store->FailedUnits(), std::vector<int64_t>{1});
  ASSERT_EQ(store->warnings().size(), 1u);
  EXPECT_NE(store->warnings()[0].find("unreadable record"), std::string::npos);
  ASSERT_TRUE(store->Append(MakeFailure(2)).ok());
  store.reset();
  store = OpenOk(stem, MakeHeader());
  EXPECT_EQ(store->FailedUnits(), (std::vector<int64_t>{1, 2}));
  EXPECT_TRUE(store->warnings().empty());
}

// An interrupted run (its last append cut short) resumed with the remaining units gives the same
// file as an uninterrupted run.
TEST(ResultStore, ResumedRunMatchesUninterruptedRun) {
  TempDir dir;
  const std::string whole = dir.File("whole");
  {
    auto store = OpenOk(whole, MakeHeader());
    AppendAll(store.get());
    ASSERT_TRUE(store->WriteHdf5().ok());
  }
  const std::string resumed = dir.File("resumed");
  {
    auto store = OpenOk(resumed, MakeHeader());
    ASSERT_TRUE(store->Append(MakeEval(5, "ls/clothing+digits/seed0", "digits", 3, 2)).ok());
    ASSERT_TRUE(store->Append(MakeTrain(0, "ls/clothing+digits/seed0", false)).ok());
    ASSERT_TRUE(store->WriteHdf5().ok());
    ASSERT_TRUE(store->Append(MakeBaseline(3, "clothing", true)).ok());
  }
  // The kill hit in the middle of the next append.
  std::string journal = ReadFile(resumed + ".journal");
  std::string partial = EncodeFrame(static_cast<uint32_t>(RecordType::kTrain),
                                    Encode(MakeTrain(1, "epo/clothing+digits/seed0", true)));
  WriteFile(resumed + ".journal", journal + partial.substr(0, partial.size() / 2));
  {
    auto store = OpenOk(resumed, MakeHeader());
    ASSERT_EQ(store->warnings().size(), 1u);
    EXPECT_EQ(store->DoneUnits(), (std::vector<int64_t>{0, 3, 5}));
    AppendAll(store.get());  // the orchestrator would skip done units; duplicates are ignored
    ASSERT_TRUE(store->WriteHdf5().ok());
  }
  EXPECT_TRUE(ReadFile(resumed + ".h5") == ReadFile(whole + ".h5"));
}

// Every invocation's session record survives a reopen, in order, and never makes a unit done.
TEST(ResultStore, SessionsAccumulateAcrossResumes) {
  TempDir dir;
  const std::string stem = dir.File("s");
  for (int64_t ranks = 1; ranks <= 3; ++ranks) {
    auto store = OpenOk(stem, MakeHeader());
    ASSERT_EQ(store->results().sessions().size(), static_cast<size_t>(ranks - 1));
    ASSERT_TRUE(store->Append(SessionRecord{"2026-11-29T01:00:0" + std::to_string(ranks) + "Z", "cmd",
                                            "v", ranks, {"host"}}).ok());
    EXPECT_TRUE(store->DoneUnits().empty());
  }
  auto store = OpenOk(stem, MakeHeader());
  const ResultSet results = store->results();
  const std::vector<SessionRecord>& sessions = results.sessions();
  ASSERT_EQ(sessions.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(sessions[i].ranks, static_cast<int64_t>(i + 1));
  EXPECT_EQ(store->Append(SessionRecord{"t", "cmd", "v", 0, {}}).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(store->Append(SessionRecord{"t", "cmd", "v", 1, {"a,b"}}).code(),
            Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace pwemoe::results

namespace pwemoe::results {
namespace {

// Group commit: records appended without flushing are written once by Flush and read back like
// flushed ones; a flushing Append after them flushes them too.
TEST(ResultStore, GroupCommitKeepsEveryRecordAfterFlush) {
  testing::TempDir dir;
  const std::string stem = dir.File("results");
  {
    std::unique_ptr<ResultStore> store;
    ASSERT_TRUE(ResultStore::Open(stem, testing::MakeHeader(), false, &store).ok());
    store->set_flush_each(false);
    ASSERT_TRUE(store->Append(testing::MakeTrain(0, "ls/clothing+digits/seed0", false)).ok());
    ASSERT_TRUE(store->Append(testing::MakeEval(4, "ls/clothing+digits/seed0", "digits", 0, 3)).ok());
    ASSERT_TRUE(store->Flush().ok());
    ASSERT_TRUE(store->Append(testing::MakeBaseline(2, "digits", false)).ok());
    store->set_flush_each(true);
    ASSERT_TRUE(store->Append(testing::MakeFailure(6)).ok());
    ASSERT_TRUE(store->Flush().ok());  // nothing left: a no-op
  }
  std::unique_ptr<ResultStore> store;
  ASSERT_TRUE(ResultStore::Open(stem, testing::MakeHeader(), false, &store).ok());
  EXPECT_EQ(store->DoneUnits(), (std::vector<int64_t>{0, 2, 4}));
  EXPECT_EQ(store->FailedUnits(), (std::vector<int64_t>{6}));
  EXPECT_TRUE(store->warnings().empty());
}

}  // namespace
}  // namespace pwemoe::results
