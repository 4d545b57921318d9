#include "etl/cli/preview.h"

#include <algorithm>

namespace sluice::etl {
namespace {
// Display width in code points, close enough for a preview (wide CJK glyphs count as one).
size_t display_width(const std::string& s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string cut(const std::string& s, size_t max_width) {
  if (display_width(s) <= max_width) return s;
  size_t width = 0, i = 0;
  for (; i < s.size(); ++i) {
    if ((s[i] & 0xC0) != 0x80 && ++width > max_width - 1) break;
  }
  return s.substr(0, i) + "…";
}
}  // namespace

void Preview::add(const Schema& schema, const Batch& batch) {
  schema_ = schema;
  for (size_t r = 0; r < batch.num_rows() && rows_.size() < max_rows_; ++r) {
    std::vector<std::string> row;
    for (const auto& column : batch.columns)
      row.push_back(is_null(column[r]) ? "NULL" : cut(to_text(column[r]), 40));
    rows_.push_back(std::move(row));
  }
}

std::string Preview::render() const {
  std::vector<size_t> widths;
  for (const Field& f : schema_) widths.push_back(display_width(f.name));
  for (const auto& row : rows_) {
    for (size_t c = 0; c < row.size() && c < widths.size(); ++c)
      widths[c] = std::max(widths[c], display_width(row[c]));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t c = 0; c < widths.size(); ++c) {
      const std::string& cell = c < cells.size() ? cells[c] : std::string();
      if (c) out += " | ";
      out += cell + std::string(widths[c] - display_width(cell), ' ');
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::vector<std::string> header;
  for (const Field& f : schema_) header.push_back(f.name);
  std::string out = line(header);
  std::string rule;
  for (size_t c = 0; c < widths.size(); ++c) rule += (c ? "-+-" : "") + std::string(widths[c], '-');
  out += rule + "\n";
  for (const auto& row : rows_) out += line(row);
  out += "(" + std::to_string(rows_.size()) + " row" + (rows_.size() == 1 ? "" : "s") + ")\n";
  return out;
}

}  // namespace sluice::etl
