#include "pwemoe/util/status.h"

#include <gtest/gtest.h>

namespace pwemoe {
namespace {

Status FailsThenPropagates(bool fail) {
  PWEMOE_RETURN_IF_ERROR(fail ? Status::NotFound("x.safetensors") : Status::Ok());
  return Status::Internal("reached the end");
}

TEST(Status, ExitCodes) {
  EXPECT_EQ(Status::Ok().ExitCode(), 0);
  EXPECT_EQ(Status::InvalidArgument("k").ExitCode(), 2);
  EXPECT_EQ(Status::IoError("f").ExitCode(), 1);
  EXPECT_EQ(Status::Corrupt("f").ExitCode(), 1);
}

TEST(Status, ContextAndPropagation) {
  Status st = FailsThenPropagates(true);
  EXPECT_EQ(st.code(), Status::Code::kNotFound);
  EXPECT_EQ(st.WithContext("loading pool").ToString(), "not found: loading pool: x.safetensors");
  EXPECT_EQ(FailsThenPropagates(false).code(), Status::Code::kInternal);
  EXPECT_TRUE(Status::Ok().WithContext("ignored").ok());
}

}  // namespace
}  // namespace pwemoe
