#pragma once
// A value or an error, for functions whose failure callers must handle (config loading, store
// operations). Errors are human-readable and complete, and carry a code that says what the caller
// may do about them: retry (kUnavailable), give up on this input (kInvalidArgument), or stop
// trusting the component (kDataLoss, kCorruption).
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace slussen {

enum class ErrorCode {
  kUnknown,
  kInvalidArgument,     // the request is wrong; retrying it unchanged fails again
  kNotFound,            // what was asked for does not exist (a store file, a case)
  kUnavailable,         // transient (busy, locked, network, disk full): may work later
  kDataLoss,            // an I/O error or failed fsync: what was written may not be on disk
  kCorruption,          // stored data is damaged or not what it claims to be
  kFailedPrecondition,  // the component is in a state that refuses the call (e.g. latched)
  kInternal,            // a broken invariant: a bug, not the caller's input
};

// "unavailable", "data-loss", ...: for logs and status output.
inline std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUnknown: return "unknown";
    case ErrorCode::kInvalidArgument: return "invalid-argument";
    case ErrorCode::kNotFound: return "not-found";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kDataLoss: return "data-loss";
    case ErrorCode::kCorruption: return "corruption";
    case ErrorCode::kFailedPrecondition: return "failed-precondition";
    case ErrorCode::kInternal: return "internal";
  }
  return "unknown";
}

struct Error {
  std::string message;
  ErrorCode code = ErrorCode::kUnknown;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}           // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}       // NOLINT(google-explicit-constructor)
  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<T>(v_); }
  const T& value() const { return std::get<T>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const std::string& error() const { return std::get<Error>(v_).message; }
  ErrorCode code() const { return std::get<Error>(v_).code; }
  // The error with its code, to pass on as another Result's error.
  const Error& as_error() const { return std::get<Error>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result for operations that return nothing on success.
struct Ok {};
using Status = Result<Ok>;
inline Status OkStatus() { return Ok{}; }

}  // namespace slussen
