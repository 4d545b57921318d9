#pragma once
// gtest matchers for common::Status and common::Result, so a failing check prints the code and message:
//   EXPECT_THAT(parse(x), IsOk());
//   EXPECT_THAT(parse(y), StatusIs(common::Code::kInvalidInput, "Sheet1!B2"));
#include <gmock/gmock.h>

#include <string>

#include "common/status.h"

namespace sluice::testing {

inline const common::Status& status_of(const common::Status& s) { return s; }
template <typename T>
const common::Status& status_of(const common::Result<T>& r) {
  return r.status();
}

MATCHER(IsOk, negation ? "is not OK" : "is OK") {
  const common::Status& s = status_of(arg);
  if (!s.is_ok()) *result_listener << "status " << common::code_name(s.code()) << ": " << s.message();
  return s.is_ok();
}

// The status has this code and its message contains substr (any message when substr is empty).
MATCHER_P2(StatusIs, code, substr,
           std::string(negation ? "is not " : "is ") + common::code_name(code) + " containing '" +
               std::string(substr) + "'") {
  const common::Status& s = status_of(arg);
  *result_listener << "status " << common::code_name(s.code()) << ": " << s.message();
  return s.code() == code && s.message().find(std::string(substr)) != std::string::npos;
}

}  // namespace sluice::testing
