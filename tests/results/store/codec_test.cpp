// The journal's record encoding: every record type round-trips, damaged bytes are refused.
#include <gtest/gtest.h>

#include <cmath>

#include "results/store/content_hash.h"
#include "results/store/record_codec.h"
#include "records_testing.h"

namespace pwemoe::results {
namespace {

using testing::MakeBaseline;
using testing::MakeEval;
using testing::MakeFailure;
using testing::MakeHeader;
using testing::MakeTrain;

template <typename Record>
Record RoundTrip(const Record& in) {
  std::string bytes = Encode(in);
  Record out;
  Status s = Decode(bytes, &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Encode(out), bytes);  // every field, bit for bit
  return out;
}

TEST(Codec, EveryRecordTypeRoundTrips) {
  StoreHeader h = RoundTrip(MakeHeader());
  EXPECT_EQ(h.config_hash, "hash-a");
  EXPECT_EQ(h.experiment_toml, MakeHeader().experiment_toml);
  EXPECT_EQ(h.num_units, 42);

  TrainRecord t = RoundTrip(MakeTrain(3, "epo/clothing+digits/seed1", true));
  EXPECT_EQ(t.unit_id, 3);
  EXPECT_EQ(t.variant, "EPO");
  EXPECT_EQ(t.seed, 0xFFFFFFFFFFFFFFF3ull);
  ASSERT_EQ(t.steps.size(), 3u);
  EXPECT_EQ(t.steps[2].epo_mode, "balance");
  EXPECT_DOUBLE_EQ(t.steps[1].lr, 0.005);
  ASSERT_EQ(t.final_router.size(), 2u);
  EXPECT_EQ(t.final_router[0].values[0], 10.0f);
  EXPECT_EQ(t.checkpoints[0].tensors[1].values[2], 1e-30f);

  TrainRecord ls = RoundTrip(MakeTrain(4, "ls/a/seed0", false));
  EXPECT_TRUE(std::isnan(ls.steps[0].epo_mu));

  EvalRecord e = RoundTrip(MakeEval(7, "ls/a/seed0", "digits", 4, 3));
  EXPECT_EQ(e.ray_index, (std::vector<int64_t>{4, 5, 6}));
  EXPECT_EQ(e.ray_label[1], "grid-5");

  BaselineRecord b = RoundTrip(MakeBaseline(9, "digits", true));
  ASSERT_EQ(b.rows.size(), 2u);
  EXPECT_EQ(b.rows[1].ray, (std::vector<double>{0.5, 0.5}));

  FailureRecord f = RoundTrip(MakeFailure(11));
  EXPECT_EQ(f.message, "numerical: NaN loss");

  SessionRecord s = RoundTrip(SessionRecord{"2026-11-29T01:02:03Z", "mpirun -np 4 x", "0.6", 4, {"a", "b"}});
  EXPECT_EQ(s.hosts, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(s.ranks, 4);
}

TEST(Codec, EveryTruncationIsCorruptNeverACrash) {
  const std::string bytes = Encode(MakeTrain(3, "epo/a+b/seed1", true));
  for (size_t n = 0; n < bytes.size(); ++n) {
    TrainRecord out;
    Status s = Decode(bytes.substr(0, n), &out);
    ASSERT_EQ(s.code(), Status::Code::kCorrupt) << "prefix of " << n << " bytes";
  }
  TrainRecord out;
  EXPECT_EQ(Decode(bytes + "x", &out).code(), Status::Code::kCorrupt);  // trailing byte
}

TEST(Codec, ImplausibleCountIsRefused) {
  std::string bytes = Encode(MakeFailure(1));
  // The description's length field follows the version (4 bytes) and the unit id (8 bytes).
  for (int i = 0; i < 8; ++i) bytes[12 + i] = '\xff';
  FailureRecord out;
  Status s = Decode(bytes, &out);
  EXPECT_EQ(s.code(), Status::Code::kCorrupt);
  EXPECT_NE(s.message().find("implausible count"), std::string::npos) << s.message();
}

TEST(Codec, OtherCodecVersionIsRefused) {
  std::string bytes = Encode(MakeHeader());
  bytes[0] = 9;
  StoreHeader out;
  Status s = Decode(bytes, &out);
  EXPECT_EQ(s.code(), Status::Code::kCorrupt);
  EXPECT_NE(s.message().find("codec version 9"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace pwemoe::results

namespace pwemoe::results {
namespace {

TEST(ContentHash, IsStableAndSensitive) {
  // Published FNV-1a 64 test vectors: "" and "a".
  EXPECT_EQ(ContentHash(""), "fnv1a64-cbf29ce484222325");
  EXPECT_EQ(ContentHash("a"), "fnv1a64-af63dc4c8601ec8c");
  EXPECT_NE(ContentHash("[train]\nlr = 0.01\n"), ContentHash("[train]\nlr = 0.02\n"));
}

}  // namespace
}  // namespace pwemoe::results
