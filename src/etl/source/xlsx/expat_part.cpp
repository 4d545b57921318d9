#include "etl/source/xlsx/expat_part.h"

#include <expat.h>

#include <memory>

namespace sluice::etl::xlsx {

namespace {
constexpr char kSeparator = '\x01';

struct Context {
  XML_Parser parser;
  XmlHandler* handler;
  std::vector<XmlAttribute> attributes;
  bool doctype = false;
};

void split(const char* name, std::string_view& ns, std::string_view& local) {
  const std::string_view full(name);
  const size_t sep = full.find(kSeparator);
  if (sep == std::string_view::npos) {
    ns = {};
    local = full;
  } else {
    ns = full.substr(0, sep);
    local = full.substr(sep + 1);
  }
}

void XMLCALL on_start(void* data, const XML_Char* name, const XML_Char** attrs) {
  auto* ctx = static_cast<Context*>(data);
  ctx->attributes.clear();
  for (size_t i = 0; attrs[i] != nullptr; i += 2) {
    XmlAttribute a;
    split(attrs[i], a.ns, a.local);
    a.value = attrs[i + 1];
    ctx->attributes.push_back(a);
  }
  std::string_view ns, local;
  split(name, ns, local);
  ctx->handler->start_in(ns, local, ctx->attributes);
}

void XMLCALL on_end(void* data, const XML_Char* name) {
  std::string_view ns, local;
  split(name, ns, local);
  static_cast<Context*>(data)->handler->end(local);
}

void XMLCALL on_doctype(void* data, const XML_Char*, const XML_Char*, const XML_Char*, int) {
  auto* ctx = static_cast<Context*>(data);
  ctx->doctype = true;
  XML_StopParser(ctx->parser, XML_FALSE);
}
}  // namespace

common::Status parse_with_expat(std::string_view xml, const std::string& part, XmlHandler& handler) {
  std::unique_ptr<XML_ParserStruct, void (*)(XML_Parser)> parser(XML_ParserCreateNS(nullptr, kSeparator),
                                                                 XML_ParserFree);
  if (!parser) return common::internal_error("cannot create an XML parser");
  Context ctx{parser.get(), &handler, {}, false};
  XML_SetUserData(parser.get(), &ctx);
  XML_SetElementHandler(parser.get(), on_start, on_end);
  XML_SetStartDoctypeDeclHandler(parser.get(), on_doctype);
  const XML_Status status = XML_Parse(parser.get(), xml.data(), static_cast<int>(xml.size()), XML_TRUE);
  if (status == XML_STATUS_OK) return common::Status::ok();
  const auto offset = XML_GetCurrentByteIndex(parser.get());
  const std::string what = ctx.doctype ? "a DTD (not allowed in a workbook part)"
                                       : XML_ErrorString(XML_GetErrorCode(parser.get()));
  return common::invalid_input(part + ": malformed XML at byte " + std::to_string(offset) + ": " + what);
}

const std::string_view* find_attribute(const std::vector<XmlAttribute>& attributes, std::string_view local,
                                       std::string_view ns_suffix) {
  for (const XmlAttribute& a : attributes) {
    if (a.local == local && (ns_suffix.empty() || a.ns.ends_with(ns_suffix))) return &a.value;
  }
  return nullptr;
}

}  // namespace sluice::etl::xlsx
