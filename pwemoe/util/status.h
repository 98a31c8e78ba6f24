// Status: the error value that crosses every module boundary of pwemoe.
//
// A Status is either OK or carries a code and a human-readable message that already names the
// file, key or tensor at fault. Functions that can fail return Status (or fill an out-parameter and
// return Status); exceptions from third-party code (LibTorch, TOML++, JSON) are caught at the
// module that calls it and turned into a Status there.
//
// Thread safety: a Status is a plain value; distinct objects may be used from distinct threads.
#pragma once

#include <string>
#include <utility>

namespace pwemoe {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,  // bad input from the user: a config key, a flag, a ray (exit code 2)
    kNotFound,         // a file or key that must exist does not
    kIoError,          // reading or writing failed
    kCorrupt,          // a file exists but its content is malformed
    kNumerical,        // NaN/Inf or a solver failure
    kAborted,          // stopped on request (signal)
    kInternal,         // a broken invariant: a bug
  };

  // OK status.
  Status() = default;

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) { return Status(Code::kInvalidArgument, std::move(msg)); }
  static Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
  static Status IoError(std::string msg) { return Status(Code::kIoError, std::move(msg)); }
  static Status Corrupt(std::string msg) { return Status(Code::kCorrupt, std::move(msg)); }
  static Status Numerical(std::string msg) { return Status(Code::kNumerical, std::move(msg)); }
  static Status Aborted(std::string msg) { return Status(Code::kAborted, std::move(msg)); }
  static Status Internal(std::string msg) { return Status(Code::kInternal, std::move(msg)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // "invalid argument: <message>", or "OK".
  std::string ToString() const;

  // A copy whose message is "<context>: <message>"; OK stays OK.
  Status WithContext(const std::string& context) const;

  // Process exit code for a tool that stops on this status: 0 OK, 2 invalid argument (bad
  // configuration or command line), 1 anything else.
  int ExitCode() const;

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// Returns from the enclosing function when `expr` yields a non-OK Status.
#define PWEMOE_RETURN_IF_ERROR(expr)          \
  do {                                        \
    ::pwemoe::Status _pwemoe_st = (expr);     \
    if (!_pwemoe_st.ok()) return _pwemoe_st;  \
  } while (0)

}  // namespace pwemoe
