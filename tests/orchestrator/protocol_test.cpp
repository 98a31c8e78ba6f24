#include "orchestrator/protocol.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

namespace pwemoe::orchestrator {
namespace {

WorkerReport SampleReport() {
  WorkerReport r;
  r.unit_id = 41;
  r.failed = true;
  r.error = "numerical: step 3, task 'digits': loss is NaN";
  r.record_type = 3;
  r.record = std::string("\0\1\2record", 9);
  r.stop_requested = true;
  r.seconds = 1.25;
  return r;
}

Assignment SampleAssignment() {
  Assignment a;
  a.unit_id = 7;
  a.routers = {{"m.gate.0.weight", {2, 2}, {1.5f, -0.0f, std::numeric_limits<float>::denorm_min(), 3e38f}},
               {"m.gate.0.bias", {2}, {0.3f, std::nanf("")}}};
  return a;
}

TEST(Protocol, ReportRoundTrips) {
  const WorkerReport r = SampleReport();
  WorkerReport back;
  ASSERT_TRUE(DecodeReport(EncodeReport(r), &back).ok());
  EXPECT_EQ(back.unit_id, r.unit_id);
  EXPECT_EQ(back.failed, r.failed);
  EXPECT_EQ(back.error, r.error);
  EXPECT_EQ(back.record_type, r.record_type);
  EXPECT_EQ(back.record, r.record);
  EXPECT_EQ(back.stop_requested, r.stop_requested);
  EXPECT_EQ(back.seconds, r.seconds);
  WorkerReport first;  // the first request: all defaults
  ASSERT_TRUE(DecodeReport(EncodeReport(WorkerReport()), &first).ok());
  EXPECT_EQ(first.unit_id, -1);
  EXPECT_FALSE(first.failed);
}

TEST(Protocol, AssignmentRoundTripsBitForBit) {
  const Assignment a = SampleAssignment();
  Assignment back;
  ASSERT_TRUE(DecodeAssignment(EncodeAssignment(a), &back).ok());
  EXPECT_EQ(back.unit_id, 7);
  ASSERT_EQ(back.routers.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(back.routers[i].name, a.routers[i].name);
    EXPECT_EQ(back.routers[i].shape, a.routers[i].shape);
    ASSERT_EQ(back.routers[i].values.size(), a.routers[i].values.size());
    EXPECT_EQ(0, std::memcmp(back.routers[i].values.data(), a.routers[i].values.data(), 4 * a.routers[i].values.size()));
  }
}

// Every truncation and one trailing byte are Corrupt, never a crash or a silent success.
TEST(Protocol, TruncatedOrExtendedBytesAreCorrupt) {
  const std::string report = EncodeReport(SampleReport());
  const std::string assignment = EncodeAssignment(SampleAssignment());
  for (size_t n = 0; n < report.size(); ++n) {
    WorkerReport r;
    EXPECT_EQ(DecodeReport(report.substr(0, n), &r).code(), Status::Code::kCorrupt) << n;
  }
  for (size_t n = 0; n < assignment.size(); ++n) {
    Assignment a;
    EXPECT_EQ(DecodeAssignment(assignment.substr(0, n), &a).code(), Status::Code::kCorrupt) << n;
  }
  WorkerReport r;
  Status st = DecodeReport(report + "x", &r);
  EXPECT_EQ(st.code(), Status::Code::kCorrupt);
  EXPECT_NE(st.message().find("trailing"), std::string::npos) << st.message();
}

TEST(Protocol, AnotherVersionIsNamed) {
  std::string bytes = EncodeReport(SampleReport());
  bytes[0] = 9;
  WorkerReport r;
  Status st = DecodeReport(bytes, &r);
  EXPECT_EQ(st.code(), Status::Code::kCorrupt);
  EXPECT_NE(st.message().find("protocol version 9"), std::string::npos) << st.message();
}

TEST(Protocol, HugeCountIsRejectedWithoutAllocating) {
  std::string bytes = EncodeAssignment(Assignment());
  // Replace the router count (the last 8 bytes) by 2^62.
  bytes.replace(bytes.size() - 8, 8, std::string("\0\0\0\0\0\0\0\x40", 8));
  Assignment a;
  Status st = DecodeAssignment(bytes, &a);
  EXPECT_EQ(st.code(), Status::Code::kCorrupt);
  EXPECT_NE(st.message().find("implausible count"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace pwemoe::orchestrator
