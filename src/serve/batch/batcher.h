#pragma once
// Dynamic batching for one model: concurrent requests are gathered into one forward pass, up to
// `max_batch` images or until the oldest has waited `max_delay`, whichever comes first. The queue is
// bounded: when `max_queue` jobs wait, submit() refuses at once (the server answers 503 + Retry-After)
// instead of letting latency grow without bound. A job whose deadline passed while it waited is completed
// with kDeadlineExceeded and never reaches the model.
//
// One inference thread per Batcher. Batchers of different models share a `compute_lock` so that only one
// forward pass runs at a time and compute threads never exceed the cores; it is a shared_mutex so that the
// server can keep image decoding (taken shared) off the cores while a forward pass (taken exclusive) runs.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "serve/model/repository.h"

namespace sluice::serve::batch {

struct BatcherOptions {
  int max_batch = 8;  // < 1 is taken as 1
  std::chrono::microseconds max_delay{2000};
  size_t max_queue = 64;
};

struct JobTimings {
  double queue_ms = 0;      // from submit() to the start of its forward pass
  double inference_ms = 0;  // the forward pass it was part of
  int batch_size = 0;
};

// Called once per job on the inference thread; must not block. An exception it throws is swallowed, so
// that one bad completion cannot stop the model's thread. `probabilities` has num_classes entries.
using Completion = std::function<void(common::Result<std::vector<float>> probabilities, JobTimings timings)>;

struct Job {
  std::vector<float> input;  // one preprocessed image, vision::input_floats(spec) floats
  std::chrono::steady_clock::time_point deadline;  // time_point{} (the default): no deadline
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
  Batcher(model::LoadedModel& model, BatcherOptions options, std::shared_mutex& compute_lock,
          BatchObserver* observer = nullptr);
  ~Batcher();  // shutdown()
  Batcher(const Batcher&) = delete;
  Batcher& operator=(const Batcher&) = delete;

  // Never blocks. kResourceExhausted when the queue is full; kUnavailable after shutdown(); kInvalidArgument
  // when the input is not input_floats(model's preprocess spec) long or `done` is empty. On error the job's
  // completion is NOT called.
  common::Status submit(Job job);
  size_t depth() const;
  bool saturated() const;  // depth() >= max_queue
  // Runs what is queued (without waiting out max_delay), then stops the thread. Idempotent and safe from
  // several threads; called from a completion it stops the thread without joining it.
  void shutdown();

 private:
  void run();
  model::LoadedModel& model_;
  BatcherOptions options_;
  std::shared_mutex& compute_lock_;
  BatchObserver* observer_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<Job, std::chrono::steady_clock::time_point>> queue_;
  bool stopping_ = false;
  std::once_flag join_once_;
  std::thread thread_;
};

}  // namespace sluice::serve::batch
