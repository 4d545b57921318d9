#pragma once
// Routes sluice-serve's HTTP API (docs/api.md) to its handlers: the reference-compatible `GET /` and
// `POST /`, `POST /v1/classify`, `GET /v1/models`, `/healthz`, `/readyz`, `/metrics`, `/openapi.json`.
// Checks API keys first, answers every error as {"error": {"code", "message"}}. Runs on the HTTP event loop
// and never blocks it: a body over kInlineParseBytes is parsed on the worker pool.
#include <functional>
#include <memory>

#include "serve/api/classifier.h"
#include "serve/api/serve_metrics.h"
#include "serve/auth/api_keys.h"
#include "serve/http/server.h"
#include "serve/model/repository.h"

namespace sluice::serve::api {

// Request bodies larger than this are parsed on the classifier's worker pool, not on the event loop.
constexpr size_t kInlineParseBytes = 64 * 1024;

struct AppOptions {
  bool public_health = false;  // health, readiness, metrics and GET / without a key
};

class App {
 public:
  App(model::ModelRepository& repository, Classifier& classifier, ServeMetrics& metrics, auth::ApiKeys keys,
      AppOptions options);
  void handle(http::Request request, std::shared_ptr<http::Responder> responder);
  // For the server's exchange observer: counts the request in sluice_http_requests_total.
  void record(const http::ExchangeRecord& record);
  // Set once the server drains: /readyz answers 503 so that load balancers stop sending.
  void set_draining() { draining_ = true; }
  // Read when /metrics is rendered, for gauges that the server owns (open connections).
  void set_connection_counter(std::function<size_t()> counter) { connection_counter_ = std::move(counter); }

 private:
  void classify(http::Request request, std::shared_ptr<http::Responder> responder, bool compat);
  void parse_and_classify(http::Request request, std::shared_ptr<http::Responder> responder, bool compat);
  http::Response models_response() const;
  http::Response ready_response() const;
  model::ModelRepository& repository_;
  Classifier& classifier_;
  ServeMetrics& metrics_;
  auth::ApiKeys keys_;
  AppOptions options_;
  std::atomic<bool> draining_{false};
  std::function<size_t()> connection_counter_;
};

// The OpenAPI 3 document served at /openapi.json (docs/openapi.json, embedded at build time).
const std::string& openapi_document();

}  // namespace sluice::serve::api
