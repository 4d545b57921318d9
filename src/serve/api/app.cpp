#include "serve/api/app.h"

#include <nlohmann/json.hpp>

#include "serve/api/client_text.h"

namespace sluice::serve::api {

namespace bhttp = boost::beast::http;
using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

namespace {

std::string dump(const OrderedJson& j) {
  return j.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

// The reference answered probabilities in percent keyed by label, highest first. A Python dict keeps a
// repeated label at its first position with the last value assigned; ordered_json's operator[] does the same.
OrderedJson compat_body(const ClassifyRequest& request, int64_t requested, const ClassifyOutcome& outcome) {
  OrderedJson predictions = OrderedJson::object();
  for (const auto& p : outcome.predictions) predictions[p.label] = static_cast<double>(p.probability) * 100.0;
  OrderedJson body;
  body["parameters"] = {{"image_url", request.image_url}, {"prediction_count", requested}};
  body["predictions"] = std::move(predictions);
  return body;
}

OrderedJson v1_body(const ClassifyOutcome& outcome) {
  OrderedJson predictions = OrderedJson::array();
  for (const auto& p : outcome.predictions) {
    predictions.push_back({{"label", p.label}, {"index", p.index}, {"probability", p.probability}});
  }
  const auto& t = outcome.timings;
  OrderedJson body;
  body["model"] = {{"name", outcome.model->config().name}, {"version", outcome.model->config().version}};
  body["predictions"] = std::move(predictions);
  body["timings_ms"] = {{"fetch", t.fetch_ms},
                        {"decode", t.decode_ms},
                        {"queue", t.queue_ms},
                        {"inference", t.inference_ms},
                        {"total", t.total_ms}};
  body["batch_size"] = t.batch_size;
  return body;
}

http::Response method_not_allowed(std::string_view path, const char* allowed) {
  auto res = error_response(
      {405, "method_not_allowed", std::string(path) + ": method not allowed (allowed: " + allowed + ")"});
  res.set(bhttp::field::allow, allowed);
  return res;
}

}  // namespace

App::App(model::ModelRepository& repository, Classifier& classifier, ServeMetrics& metrics,
         auth::ApiKeys keys, AppOptions options)
    : repository_(repository),
      classifier_(classifier),
      metrics_(metrics),
      keys_(std::move(keys)),
      options_(options) {}

void App::record(const http::ExchangeRecord& r) {
  std::string route = route_label(r.target);
  metrics_.requests.inc({{"route", route}, {"method", r.method}, {"status", std::to_string(r.status)}});
  metrics_.request_seconds.observe({{"route", route}}, r.duration_ms / 1000.0);
}

void App::handle(http::Request request, std::shared_ptr<http::Responder> responder) {
  std::string_view target = request.target();
  std::string path(target.substr(0, target.find('?')));
  auto method = request.method();
  bool is_health = path == "/healthz" || path == "/readyz" || path == "/metrics" ||
                   (path == "/" && method == bhttp::verb::get);
  bool needs_key = keys_.enabled() && !(is_health && options_.public_health) && path != "/openapi.json";
  if (needs_key && !keys_.allows(request[bhttp::field::authorization])) {
    auto res =
        error_response({401, "unauthenticated", "Authorization: a valid 'Bearer <API key>' is required"});
    res.set(bhttp::field::www_authenticate, "Bearer");
    return responder->send(std::move(res));
  }

  if (path == "/") {
    if (method == bhttp::verb::get || method == bhttp::verb::head) {
      return responder->send(http::text_response(200, "Heartbeat"));
    }
    if (method == bhttp::verb::post) return classify(std::move(request), responder, /*compat=*/true);
    return responder->send(method_not_allowed(path, "GET, POST"));
  }
  if (path == "/v1/classify") {
    if (method == bhttp::verb::post) return classify(std::move(request), responder, /*compat=*/false);
    return responder->send(method_not_allowed(path, "POST"));
  }
  bool get = method == bhttp::verb::get || method == bhttp::verb::head;
  if (path == "/v1/models") return responder->send(get ? models_response() : method_not_allowed(path, "GET"));
  if (path == "/healthz") {
    return responder->send(get ? http::json_response(200, R"({"status":"alive"})")
                               : method_not_allowed(path, "GET"));
  }
  if (path == "/readyz") return responder->send(get ? ready_response() : method_not_allowed(path, "GET"));
  if (path == "/metrics") {
    if (!get) return responder->send(method_not_allowed(path, "GET"));
    if (connection_counter_) metrics_.open_connections.set({}, static_cast<double>(connection_counter_()));
    return responder->send(
        http::text_response(200, metrics_.registry().render(), "text/plain; version=0.0.4; charset=utf-8"));
  }
  if (path == "/openapi.json") {
    return responder->send(get ? http::json_response(200, openapi_document())
                               : method_not_allowed(path, "GET"));
  }
  responder->send(
      error_response({404, "not_found", client_text(path) + ": no such endpoint (see /openapi.json)"}));
}

void App::classify(http::Request request, std::shared_ptr<http::Responder> responder, bool compat) {
  // Parsing a 25 MB JSON body (and its base64) takes tens of milliseconds; on the event loop that stalls
  // every other connection, /healthz included. Small bodies stay inline: a hop to the pool costs more.
  if (request.body().size() > kInlineParseBytes) {
    auto shared = std::make_shared<http::Request>(std::move(request));
    classifier_.run_on_workers(
        [this, shared, responder, compat] { parse_and_classify(std::move(*shared), responder, compat); });
    return;
  }
  parse_and_classify(std::move(request), std::move(responder), compat);
}

void App::parse_and_classify(http::Request request, std::shared_ptr<http::Responder> responder, bool compat) {
  auto parsed = compat ? parse_compat_request(request) : parse_v1_request(request);
  if (auto* e = std::get_if<ApiError>(&parsed)) return responder->send(error_response(*e));
  ClassifyRequest req = std::move(std::get<ClassifyRequest>(parsed));
  int64_t requested = req.asked_count;  // echoed as asked, like the reference; top_k is capped
  auto started = std::chrono::steady_clock::now();
  metrics_.in_flight.add({}, 1);
  ClassifyRequest echo;
  if (compat) echo.image_url = req.image_url;
  classifier_.classify(std::move(req), started,
                       [this, responder, compat, requested,
                        echo = std::move(echo)](std::variant<ClassifyOutcome, ApiError> result) {
                         metrics_.in_flight.add({}, -1);
                         if (auto* e = std::get_if<ApiError>(&result))
                           return responder->send(error_response(*e));
                         const auto& outcome = std::get<ClassifyOutcome>(result);
                         OrderedJson body = compat ? compat_body(echo, requested, outcome) : v1_body(outcome);
                         responder->send(http::json_response(200, dump(body)));
                       });
}

http::Response App::models_response() const {
  OrderedJson models = OrderedJson::array();
  auto* default_model = repository_.default_model();
  for (const auto& m : repository_.models()) {
    const auto& c = m->config();
    models.push_back(
        {{"name", c.name},
         {"version", c.version},
         {"format", model::model_format_name(c.format)},
         {"engine", m->engine()},
         {"input_size", {{"width", c.preprocess.crop_width}, {"height", c.preprocess.crop_height}}},
         {"labels", c.labels.size()},
         {"sha256", c.sha256},
         {"default", m.get() == default_model},
         {"load_seconds", m->load_seconds()}});
  }
  OrderedJson failures = OrderedJson::array();
  for (const auto& f : repository_.failures()) failures.push_back({{"name", f.name}, {"reason", f.reason}});
  OrderedJson body;
  body["models"] = std::move(models);
  body["unloadable"] = std::move(failures);
  return http::json_response(200, dump(body));
}

http::Response App::ready_response() const {
  OrderedJson body;
  std::vector<std::string> reasons;
  if (repository_.models().empty()) reasons.push_back("no model is loaded");
  if (classifier_.saturated()) reasons.push_back("an inference queue is full");
  if (draining_) reasons.push_back("the server is shutting down");
  body["ready"] = reasons.empty();
  body["models"] = repository_.models().size();
  body["reasons"] = reasons;
  return http::json_response(reasons.empty() ? 200 : 503, dump(body));
}

}  // namespace sluice::serve::api
