#pragma once
// A metric label for a request method from a closed set: the RFC 9110 methods by name, anything else
// (WebDAV verbs, made-up tokens) "other". Client text must never become a label value: each distinct value
// is a new time series that lives as long as the process.
#include <boost/beast/http/verb.hpp>
#include <string>

namespace sluice::serve::http {

std::string method_label(boost::beast::http::verb method);

}  // namespace sluice::serve::http
