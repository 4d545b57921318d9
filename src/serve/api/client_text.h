#pragma once
// Client-supplied text quoted in an error message (a model name, a field name, a Content-Type, a path). An
// attacker controls its length and bytes, so an echo is bounded and made printable: at most kMaxEchoBytes
// of it, control characters and DEL written as \xNN, and when it was longer, "… (N bytes)" after it. A
// multi-byte UTF-8 sequence is never cut in half.
#include <cstddef>
#include <string>
#include <string_view>

namespace sluice::serve::api {

constexpr size_t kMaxEchoBytes = 80;

std::string client_text(std::string_view text, size_t max_bytes = kMaxEchoBytes);

// True when `text` holds a C0 control character (NUL included) or DEL: never valid in a URL, and a NUL would
// cut it short where C strings take over (curl).
bool has_control_character(std::string_view text);

}  // namespace sluice::serve::api
