#include "pwemoe/util/status.h"

namespace pwemoe {

namespace {
const char* CodeName(Status::Code code) {
  switch (code) {
    case Status::Code::kOk: return "OK";
    case Status::Code::kInvalidArgument: return "invalid argument";
    case Status::Code::kNotFound: return "not found";
    case Status::Code::kIoError: return "I/O error";
    case Status::Code::kCorrupt: return "corrupt";
    case Status::Code::kNumerical: return "numerical error";
    case Status::Code::kAborted: return "aborted";
    case Status::Code::kInternal: return "internal error";
  }
  return "unknown";
}
}  // namespace

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(CodeName(code_)) + ": " + message_;
}

Status Status::WithContext(const std::string& context) const {
  if (ok()) return *this;
  return Status(code_, context + ": " + message_);
}

int Status::ExitCode() const {
  if (ok()) return 0;
  return code_ == Code::kInvalidArgument ? 2 : 1;
}

}  // namespace pwemoe
