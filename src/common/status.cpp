#include "common/status.h"

namespace sluice::common {

const char* code_name(Code code) {
  switch (code) {
    case Code::kOk:
      return "ok";
    case Code::kInvalidArgument:
      return "invalid_argument";
    case Code::kInvalidInput:
      return "invalid_input";
    case Code::kNotFound:
      return "not_found";
    case Code::kUnsupported:
      return "unsupported";
    case Code::kUnavailable:
      return "unavailable";
    case Code::kResourceExhausted:
      return "resource_exhausted";
    case Code::kAlreadyExists:
      return "already_exists";
    case Code::kInternal:
      return "internal";
    case Code::kPermissionDenied:
      return "permission_denied";
    case Code::kDeadlineExceeded:
      return "deadline_exceeded";
    case Code::kUnauthenticated:
      return "unauthenticated";
  }
  return "unknown";
}

}  // namespace sluice::common
