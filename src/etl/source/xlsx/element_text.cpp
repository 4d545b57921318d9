#include "etl/source/xlsx/element_text.h"

#include <cstdint>

namespace sluice::etl::xlsx {

namespace {

enum Kind : uint8_t { kOther, kV, kIs, kT, kR };

Kind classify(std::string_view local) {
  switch (local.size()) {
    case 1:
      if (local[0] == 'v') return kV;
      if (local[0] == 't') return kT;
      if (local[0] == 'r') return kR;
      return kOther;
    case 2:
      return local == "is" ? kIs : kOther;
    default:
      return kOther;
  }
}

constexpr int kTrackedDepth = 3;

// kinds[d] is the kind of the open element at depth d (1 = a child of the scanned element).
bool collects(TextPlan plan, int depth, const Kind* kinds) {
  switch (plan) {
    case TextPlan::kNone:
      return false;
    case TextPlan::kCellValue:
      return depth == 1 && kinds[1] == kV;
    case TextPlan::kInlineString:
      return kinds[1] == kIs &&
             ((depth == 2 && kinds[2] == kT) || (depth == 3 && kinds[2] == kR && kinds[3] == kT));
    case TextPlan::kRichText:
      return (depth == 1 && kinds[1] == kT) || (depth == 2 && kinds[1] == kR && kinds[2] == kT);
  }
  return false;
}

}  // namespace

const char* scan_element_text(const char* p, const char* end, TextPlan plan, std::string& out,
                              LexError& err) {
  Kind kinds[kTrackedDepth + 1] = {kOther, kOther, kOther, kOther};
  int depth = 0;
  bool collecting = false;
  for (;;) {
    const char* lt = static_cast<const char*>(std::memchr(p, '<', static_cast<size_t>(end - p)));
    if (lt == nullptr) return nullptr;
    if (collecting && lt != p && !append_text(p, lt, out, err)) return nullptr;
    p = lt;
    if (end - p < 2) return nullptr;
    const char c = p[1];
    if (c == '/') {
      std::string_view local;
      p = scan_end_tag(p, end, local, err);
      if (p == nullptr) return nullptr;
      if (depth == 0) return p;
      --depth;
      collecting = depth <= kTrackedDepth && collects(plan, depth, kinds);
    } else if (c == '!' || c == '?') {
      const char *cdata_begin, *cdata_end;
      p = scan_markup(p, end, cdata_begin, cdata_end, err);
      if (p == nullptr) return nullptr;
      if (collecting && cdata_begin != nullptr) append_cdata(cdata_begin, cdata_end, out);
    } else {
      std::string_view local;
      bool self_closing;
      p = scan_start_tag(p, end, local, self_closing, err, [](std::string_view, std::string_view) {});
      if (p == nullptr) return nullptr;
      if (self_closing) continue;
      ++depth;
      if (depth <= kTrackedDepth) kinds[depth] = classify(local);
      collecting = depth <= kTrackedDepth && collects(plan, depth, kinds);
    }
  }
}

}  // namespace sluice::etl::xlsx
