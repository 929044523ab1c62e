#include "tessera/status.h"

namespace tessera {

const char* CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "ok";
    case Code::kInvalidArgument: return "invalid_argument";
    case Code::kUnauthenticated: return "unauthenticated";
    case Code::kPermissionDenied: return "permission_denied";
    case Code::kNotFound: return "not_found";
    case Code::kAlreadyExists: return "already_exists";
    case Code::kConflict: return "conflict";
    case Code::kPayloadTooLarge: return "payload_too_large";
    case Code::kUnsupportedMedia: return "unsupported_media";
    case Code::kTooManyRequests: return "too_many_requests";
    case Code::kFailedPrecondition: return "failed_precondition";
    case Code::kIOError: return "io_error";
    case Code::kCorruption: return "corruption";
    case Code::kInternal: return "internal";
    case Code::kUnavailable: return "unavailable";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(CodeName(code_)) + ": " + message_;
}

}  // namespace tessera
