#pragma once
// Dynamic batching for one model: concurrent requests are gathered into one forward pass, up to
// `max_batch` images or until the oldest has waited `max_delay`, whichever comes first. The queue is
// bounded: when `max_queue` jobs wait, submit() refuses at once (the server answers 503 + Retry-After)
// instead of letting latency grow without bound. A job whose deadline passed while it waited is completed
// with kDeadlineExceeded and never reaches the model.
//
// One inference thread per Batcher. Batchers of different models share a `compute_lock` so that only one
// forward pass runs at a time and compute threads never exceed the cores.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "common/status.h"
#include "serve/model/repository.h"

namespace sluice::serve::batch {

struct BatcherOptions {
  int max_batch = 8;
  std::chrono::microseconds max_delay{2000};
  size_t max_queue = 64;
};

struct JobTimings {
  double queue_ms = 0;      // from submit() to the start of its forward pass
  double inference_ms = 0;  // the forward pass it was part of
  int batch_size = 0;
};

// Called once per job on the inference thread; must not block. `probabilities` has num_classes entries.
using Completion = std::function<void(common::Result<std::vector<float>> probabilities, JobTimings timings)>;

struct Job {
  std::vector<float> input;  // one preprocessed image, vision::input_floats(spec) floats
  std::chrono::steady_clock::time_point deadline;
  Completion done;
};

// Metrics hook; called on the inference thread.
class BatchObserver {
 public:
  virtual ~BatchObserver() = default;
  virtual void on_batch(const std::string& model, int batch_size, double inference_ms) = 0;
  virtual void on_queue_depth(const std::string& model, size_t depth) = 0;
};

class Batcher {
 public:
  Batcher(model::LoadedModel& model, BatcherOptions options, std::mutex& compute_lock,
          BatchObserver* observer = nullptr);
  ~Batcher();  // shutdown()
  Batcher(const Batcher&) = delete;
  Batcher& operator=(const Batcher&) = delete;

  // Never blocks. kResourceExhausted when the queue is full; kUnavailable after shutdown(). On error the
  // job's completion is NOT called.
  common::Status submit(Job job);
  size_t depth() const;
  bool saturated() const;  // depth() >= max_queue
  // Runs what is queued, then stops the thread. Idempotent.
  void shutdown();

 private:
  void run();
  model::LoadedModel& model_;
  BatcherOptions options_;
  std::mutex& compute_lock_;
  BatchObserver* observer_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<Job, std::chrono::steady_clock::time_point>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sluice::serve::batch
