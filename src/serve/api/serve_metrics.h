#pragma once
// The metric families sluice-serve exports at GET /metrics, registered once.
#include <string>

#include "serve/batch/batcher.h"
#include "serve/observe/metrics.h"

namespace sluice::serve::api {

class ServeMetrics : public batch::BatchObserver {
  // First, so that it exists before the references below are bound to its families.
  observe::Registry registry_;

 public:
  ServeMetrics();
  observe::Registry& registry() { return registry_; }

  observe::Counter& requests;             // sluice_http_requests_total{route,method,status}
  observe::Histogram& request_seconds;    // sluice_http_request_duration_seconds{route}
  observe::Histogram& fetch_seconds;      // sluice_fetch_duration_seconds
  observe::Histogram& decode_seconds;     // sluice_decode_duration_seconds (decode + preprocess)
  observe::Histogram& queue_seconds;      // sluice_queue_duration_seconds{model}
  observe::Histogram& inference_seconds;  // sluice_inference_duration_seconds{model} (per batch)
  observe::Histogram& total_seconds;      // sluice_classify_duration_seconds{model}
  observe::Histogram& batch_size;         // sluice_batch_size{model}
  observe::Gauge& queue_depth;            // sluice_queue_depth{model}
  observe::Gauge& in_flight;              // sluice_http_in_flight_requests
  observe::Gauge& open_connections;       // sluice_http_open_connections
  observe::Gauge& model_load_seconds;     // sluice_model_load_seconds{model,engine}
  observe::Gauge& models_unloadable;      // sluice_models_unloadable
  observe::Counter& accept_errors;        // sluice_accept_errors_total{reason}: fd_limit, other

  void on_batch(const std::string& model, int size, double inference_ms) override;
  void on_queue_depth(const std::string& model, size_t depth) override;
};

// A bounded label for a request target: known routes by name, everything else "other".
std::string route_label(std::string_view target);

}  // namespace sluice::serve::api
