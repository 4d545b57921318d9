#include "etl/source/xlsx/styles.h"

#include <charconv>
#include <unordered_map>

#include "etl/source/xlsx/expat_part.h"

namespace sluice::etl::xlsx {

namespace {

int to_int(const std::string_view* text) {
  int v = 0;
  if (text != nullptr) std::from_chars(text->data(), text->data() + text->size(), v);
  return v;
}

class StylesHandler : public XmlHandler {
 public:
  std::unordered_map<int, std::string> custom;
  std::vector<int> xf_format_ids;

  void start(std::string_view local, const std::vector<XmlAttribute>& attributes) override {
    if (local == "numFmt" && depth_in_num_fmts_ > 0) {
      const auto* code = find_attribute(attributes, "formatCode");
      custom[to_int(find_attribute(attributes, "numFmtId"))] = code ? std::string(*code) : "";
    } else if (local == "xf" && depth_in_cell_xfs_ == 1) {
      xf_format_ids.push_back(to_int(find_attribute(attributes, "numFmtId")));
    }
    if (local == "numFmts" || depth_in_num_fmts_ > 0) ++depth_in_num_fmts_;
    if (local == "cellXfs" || depth_in_cell_xfs_ > 0) ++depth_in_cell_xfs_;
  }
  void end(std::string_view) override {
    if (depth_in_num_fmts_ > 0) --depth_in_num_fmts_;
    if (depth_in_cell_xfs_ > 0) --depth_in_cell_xfs_;
  }

 private:
  int depth_in_num_fmts_ = 0;  // 1 inside <numFmts>, 2 inside one of its children, ...
  int depth_in_cell_xfs_ = 0;
};

}  // namespace

common::Result<std::vector<NumberKind>> parse_styles(std::string_view styles_xml, const std::string& part) {
  StylesHandler handler;
  SLUICE_RETURN_IF_ERROR(parse_with_expat(styles_xml, part, handler));
  std::vector<NumberKind> kinds;
  kinds.reserve(handler.xf_format_ids.size());
  for (int id : handler.xf_format_ids) {
    auto it = handler.custom.find(id);
    kinds.push_back(it != handler.custom.end() ? classify_format_code(it->second)
                                               : classify_builtin_format(id));
  }
  return kinds;
}

}  // namespace sluice::etl::xlsx
