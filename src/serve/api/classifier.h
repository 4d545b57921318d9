#pragma once
// Runs one classification: fetch (or take the uploaded bytes) → decode + preprocess → the model's batcher
// → top-k, answering through a callback exactly once. Fetching and decoding run on a worker pool, never on
// the HTTP event loop nor the inference thread, so the cores stay busy with both. A per-request deadline
// answers 504 even while the image still waits in the queue.
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <variant>
#include <vector>

#include "serve/api/api_error.h"
#include "serve/api/classify_request.h"
#include "serve/api/pixel_budget.h"
#include "serve/api/serve_metrics.h"
#include "serve/batch/batcher.h"
#include "serve/fetch/fetcher.h"
#include "serve/model/repository.h"
#include "serve/vision/image_decode.h"

namespace sluice::serve::api {

struct Prediction {
  std::string label;
  int index = 0;
  float probability = 0;
};

struct PhaseTimings {
  double fetch_ms = 0, decode_ms = 0, queue_ms = 0, inference_ms = 0, total_ms = 0;
  int batch_size = 0;
};

struct ClassifyOutcome {
  const model::LoadedModel* model = nullptr;
  std::vector<Prediction> predictions;  // by descending probability, ties by index
  PhaseTimings timings;
};

using ClassifyCallback = std::function<void(std::variant<ClassifyOutcome, ApiError>)>;

struct ClassifierOptions {
  int workers = 4;
  batch::BatcherOptions batching;
  std::chrono::milliseconds request_timeout{30'000};
  fetch::FetchOptions fetch;
  vision::DecodeLimits decode;
  // Decoded pixels held at once across requests (<= 0: 4 × decode.max_pixels); beyond it a request waits
  // at most decode_wait (and its deadline), then gets 503.
  int64_t decode_pixels_in_flight = 0;
  std::chrono::milliseconds decode_wait{1'000};
};

class Classifier {
 public:
  Classifier(model::ModelRepository& repository, ClassifierOptions options, ServeMetrics& metrics);
  ~Classifier();  // shutdown()

  // Never blocks. `done` runs on a worker or the inference thread.
  void classify(ClassifyRequest request, std::chrono::steady_clock::time_point started,
                ClassifyCallback done);

  // The model a request names (or the default), or a 404 ApiError listing the available models.
  std::variant<model::LoadedModel*, ApiError> resolve_model(const std::string& name) const;
  bool saturated() const;  // any model's queue is full
  // Runs `task` on the fetch/decode pool: for work too slow for the HTTP event loop (parsing a large body).
  void run_on_workers(std::function<void()> task);
  // Finishes queued work and stops the threads. Idempotent.
  void shutdown();

 private:
  struct Pending;
  void run(std::shared_ptr<Pending> pending);
  model::ModelRepository& repository_;
  ClassifierOptions options_;
  ServeMetrics& metrics_;
  // Decoding takes it shared, a forward pass exclusive: on a machine with few cores, decoding beside a
  // forward pass preempts one of its OpenMP threads and stalls the others at the next barrier. Measured on
  // 2 cores with InceptionV3 at concurrency 16 (bench/serve): inference per image took 102 ms inside the
  // server against 71 ms alone when the two overlapped.
  std::shared_mutex compute_lock_;
  PixelBudget decode_budget_;
  std::map<std::string, std::unique_ptr<batch::Batcher>> batchers_;
  boost::asio::thread_pool pool_;
  std::once_flag shutdown_once_;
};

// Indices of the k largest probabilities, descending, ties broken by the lower index.
std::vector<int> top_k_indices(const std::vector<float>& probabilities, int k);

}  // namespace sluice::serve::api
