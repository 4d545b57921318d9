#pragma once
// Errors as values: a small fixed set of canonical codes and a message written for the user who hit it
// (where, and what was expected). Used at every fallible edge of sluice; exceptions never cross a
// module's public interface.
#include <string>
#include <utility>
#include <variant>

namespace sluice::common {

enum class Code {
  kOk = 0,
  kInvalidArgument,    // bad flag, bad pipeline file, bad URL
  kInvalidInput,       // bad data in an input file: a cell, a row, a malformed part
  kNotFound,           // missing file, sheet or column
  kUnsupported,        // a legacy .xls, an encrypted workbook
  kUnavailable,        // a database or host that cannot be reached
  kResourceExhausted,  // limits
  kAlreadyExists,      // --if-exists fail on an existing table
  kInternal,           // a bug
  kPermissionDenied,   // a forbidden destination (the SSRF guard)
  kDeadlineExceeded,   // a timeout or a request deadline
  kUnauthenticated,    // a missing or wrong API key
};

const char* code_name(Code code);

// [[nodiscard]]: a dropped Status is a dropped error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status ok() { return {}; }

  bool is_ok() const { return code_ == Code::kOk; }
  explicit operator bool() const { return is_ok(); }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status invalid_argument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
inline Status invalid_input(std::string m) { return {Code::kInvalidInput, std::move(m)}; }
inline Status not_found(std::string m) { return {Code::kNotFound, std::move(m)}; }
inline Status unsupported(std::string m) { return {Code::kUnsupported, std::move(m)}; }
inline Status unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
inline Status internal_error(std::string m) { return {Code::kInternal, std::move(m)}; }
inline Status resource_exhausted(std::string m) { return {Code::kResourceExhausted, std::move(m)}; }
inline Status permission_denied(std::string m) { return {Code::kPermissionDenied, std::move(m)}; }
inline Status deadline_exceeded(std::string m) { return {Code::kDeadlineExceeded, std::move(m)}; }
inline Status unauthenticated(std::string m) { return {Code::kUnauthenticated, std::move(m)}; }

// A value or the Status that says why there is none. Built from an OK status it holds kInternal instead
// (a Result must say why it has no value: returning Status::ok() where a value was due is a bug), as
// Abseil's StatusOr does.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status)                      // NOLINT
      : v_(status.is_ok() ? Status(Code::kInternal, "a Result was built from an OK status (a bug)")
                          : std::move(status)) {}
  bool is_ok() const { return v_.index() == 0; }
  explicit operator bool() const { return is_ok(); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const T& value() const& { return std::get<0>(v_); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Status& status() const {
    static const Status kOk;
    return is_ok() ? kOk : std::get<1>(v_);
  }

 private:
  std::variant<T, Status> v_;
};

}  // namespace sluice::common

#define SLUICE_RETURN_IF_ERROR(expr)       \
  do {                                     \
    ::sluice::common::Status _st = (expr); \
    if (!_st.is_ok()) return _st;          \
  } while (0)

// SLUICE_ASSIGN_OR_RETURN(auto x, f()); or SLUICE_ASSIGN_OR_RETURN(existing, f());
// Evaluates a Result-returning expression once; on error returns its Status from the enclosing function,
// otherwise moves the value into lhs.
#define SLUICE_STATUS_CONCAT_INNER(a, b) a##b
#define SLUICE_STATUS_CONCAT(a, b) SLUICE_STATUS_CONCAT_INNER(a, b)
#define SLUICE_ASSIGN_OR_RETURN(lhs, expr) \
  SLUICE_ASSIGN_OR_RETURN_IMPL(SLUICE_STATUS_CONCAT(_sluice_result_, __LINE__), lhs, expr)
#define SLUICE_ASSIGN_OR_RETURN_IMPL(result, lhs, expr) \
  auto result = (expr);                                 \
  if (!result.is_ok()) return result.status();          \
  lhs = std::move(result).value()
