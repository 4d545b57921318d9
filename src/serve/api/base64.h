#pragma once
// Standard base64 (RFC 4648 §4) as clients send `image_base64`: whitespace ignored, padding optional, and a
// `data:image/…;base64,` prefix accepted.
#include <string>
#include <string_view>

#include "common/status.h"

namespace sluice::serve::api {

// kInvalidArgument naming the first offending character's offset.
common::Result<std::string> decode_base64(std::string_view text);

}  // namespace sluice::serve::api
