#include "serve/api/serve_metrics.h"

namespace sluice::serve::api {

ServeMetrics::ServeMetrics()
    : requests(registry_.counter("sluice_http_requests_total", "HTTP requests by route, method and status")),
      request_seconds(registry_.histogram("sluice_http_request_duration_seconds",
                                          "time from a complete request to its response being written",
                                          observe::latency_buckets())),
      fetch_seconds(registry_.histogram("sluice_fetch_duration_seconds", "time fetching image_url",
                                        observe::latency_buckets())),
      decode_seconds(registry_.histogram("sluice_decode_duration_seconds",
                                         "time decoding and preprocessing an image",
                                         observe::latency_buckets())),
      queue_seconds(registry_.histogram("sluice_queue_duration_seconds", "time an image waited for its batch",
                                        observe::latency_buckets())),
      inference_seconds(registry_.histogram("sluice_inference_duration_seconds",
                                            "time of one forward pass (a batch)",
                                            observe::latency_buckets())),
      total_seconds(registry_.histogram("sluice_classify_duration_seconds",
                                        "time to classify one image, end to end",
                                        observe::latency_buckets())),
      batch_size(
          registry_.histogram("sluice_batch_size", "images per forward pass", {1, 2, 4, 8, 16, 32, 64, 128})),
      queue_depth(registry_.gauge("sluice_queue_depth", "images waiting for inference")),
      in_flight(registry_.gauge("sluice_http_in_flight_requests", "requests being processed")),
      open_connections(registry_.gauge("sluice_http_open_connections", "open client connections")),
      model_load_seconds(registry_.gauge("sluice_model_load_seconds", "time to verify and load a model")),
      models_unloadable(
          registry_.gauge("sluice_models_unloadable", "models in the repository that failed to load")),
      accept_errors(registry_.counter("sluice_accept_errors_total",
                                      "failed accept() calls by reason (fd_limit: out of descriptors)")) {
  accept_errors.inc({{"reason", "fd_limit"}}, 0);  // visible at 0, so an alert can watch it
}

void ServeMetrics::on_batch(const std::string& model, int size, double inference_ms) {
  batch_size.observe({{"model", model}}, size);
  inference_seconds.observe({{"model", model}}, inference_ms / 1000.0);
}

void ServeMetrics::on_queue_depth(const std::string& model, size_t depth) {
  queue_depth.set({{"model", model}}, static_cast<double>(depth));
}

std::string route_label(std::string_view target) {
  auto q = target.find('?');
  std::string_view path = target.substr(0, q);
  for (std::string_view known :
       {"/", "/v1/classify", "/v1/models", "/healthz", "/readyz", "/metrics", "/openapi.json"}) {
    if (path == known) return std::string(known);
  }
  return "other";
}

}  // namespace sluice::serve::api
