// libFuzzer target for multipart/form-data (src/serve/multipart/*): any Content-Type and body must yield
// parts or an error value, never a crash, UB or a hang, and every part must lie inside the body.
// Input layout: the Content-Type line, a newline, then the body.
// Build and run: fuzz/run_parsers.sh SECONDS.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "serve/multipart/multipart.h"

namespace {

bool inside(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  if (newline == std::string_view::npos) return 0;
  auto boundary = sluice::serve::multipart::boundary_from_content_type(input.substr(0, newline));
  if (!boundary.is_ok()) return 0;
  const std::string_view body = input.substr(newline + 1);
  auto parts = sluice::serve::multipart::parse_multipart(body, *boundary);
  if (!parts.is_ok()) return 0;
  for (const auto& part : *parts) {
    if (part.name.empty()) std::abort();
    if (!inside(part.body, body) || !inside(part.name, body) || !inside(part.filename, body) ||
        !inside(part.content_type, body))
      std::abort();
  }
  return 0;
}
