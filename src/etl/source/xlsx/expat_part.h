#pragma once
// Parses the small parts of a workbook (workbook.xml, its relationships, styles.xml), read whole, with expat.
// These are a few kilobytes, so a general parser costs nothing; only worksheets and shared strings, which
// can be gigabytes, have purpose-built scanners.
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace sluice::etl::xlsx {

struct XmlAttribute {
  std::string_view ns;  // namespace URI; empty for an unprefixed attribute
  std::string_view local;
  std::string_view value;
};

class XmlHandler {
 public:
  virtual ~XmlHandler() = default;
  virtual void start(std::string_view local, const std::vector<XmlAttribute>& attributes) = 0;
  // The same with the element's namespace URI (empty when it has none), for handlers that must tell an
  // element from an extension element of the same local name (x14:workbookPr); defaults to start().
  virtual void start_in(std::string_view ns, std::string_view local,
                        const std::vector<XmlAttribute>& attributes) {
    (void)ns;
    start(local, attributes);
  }
  virtual void end(std::string_view local) { (void)local; }
};

// Runs expat (namespace-aware; elements are passed by local name) over xml. Fails (kInvalidInput) on
// malformed XML, naming the part and the byte offset, and on a DTD.
common::Status parse_with_expat(std::string_view xml, const std::string& part, XmlHandler& handler);

// The value of the attribute with this local name (in any namespace when ns_suffix is empty, else in a
// namespace whose URI ends with ns_suffix), or nullptr.
const std::string_view* find_attribute(const std::vector<XmlAttribute>& attributes, std::string_view local,
                                       std::string_view ns_suffix = {});

}  // namespace sluice::etl::xlsx
