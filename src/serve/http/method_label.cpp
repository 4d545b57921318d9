#include "serve/http/method_label.h"

namespace sluice::serve::http {

namespace bhttp = boost::beast::http;

std::string method_label(bhttp::verb method) {
  switch (method) {
    case bhttp::verb::get:
    case bhttp::verb::head:
    case bhttp::verb::post:
    case bhttp::verb::put:
    case bhttp::verb::delete_:
    case bhttp::verb::connect:
    case bhttp::verb::options:
    case bhttp::verb::trace:
    case bhttp::verb::patch:
      return std::string(bhttp::to_string(method));
    default:
      return "other";
  }
}

}  // namespace sluice::serve::http
