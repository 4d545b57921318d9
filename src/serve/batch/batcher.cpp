#include "serve/batch/batcher.h"

#include <algorithm>
#include <exception>
#include <string>
#include <utility>

#include "serve/vision/preprocess.h"

namespace sluice::serve::batch {

namespace {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

// A completion or observer that throws must not take the inference thread (and every later request of this
// model) down with it; there is nobody to report the exception to.
template <typename F>
void call_guarded(F&& f) noexcept {
  try {
    f();
  } catch (...) {
  }
}

}  // namespace

Batcher::Batcher(model::LoadedModel& model, BatcherOptions options, std::shared_mutex& compute_lock,
                 BatchObserver* observer)
    : model_(model), options_(options), compute_lock_(compute_lock), observer_(observer) {
  options_.max_batch = std::max(options_.max_batch, 1);
  options_.max_delay = std::max(options_.max_delay, std::chrono::microseconds{0});
  thread_ = std::thread(&Batcher::run, this);
}

Batcher::~Batcher() { shutdown(); }

common::Status Batcher::submit(Job job) {
  const auto expected = static_cast<size_t>(vision::input_floats(model_.config().preprocess));
  if (job.input.size() != expected) {
    return common::invalid_argument(model_.config().name + ": input has " + std::to_string(job.input.size()) +
                                    " floats, expected " + std::to_string(expected));
  }
  if (!job.done) return common::invalid_argument(model_.config().name + ": job without a completion");
  {
    std::lock_guard lock(mu_);
    if (stopping_) return common::unavailable(model_.config().name + ": the server is shutting down");
    if (queue_.size() >= options_.max_queue) {
      return common::resource_exhausted(model_.config().name + ": " + std::to_string(queue_.size()) +
                                        " requests already wait for this model");
    }
    queue_.emplace_back(std::move(job), Clock::now());
    // The thread only waits for a first job or for a full batch; other arrivals need not wake it.
    if (queue_.size() != 1 && queue_.size() < static_cast<size_t>(options_.max_batch)) return {};
  }
  cv_.notify_one();
  return {};
}

size_t Batcher::depth() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

bool Batcher::saturated() const { return depth() >= options_.max_queue; }

void Batcher::shutdown() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  // From a completion (the inference thread itself) joining would deadlock; the thread ends on its own once
  // the queue is empty, and the destructor joins it.
  if (std::this_thread::get_id() == thread_.get_id()) return;
  std::call_once(join_once_, [this] { thread_.join(); });
}

void Batcher::run() {
  const std::string& name = model_.config().name;
  const size_t per_image = static_cast<size_t>(vision::input_floats(model_.config().preprocess));
  const size_t classes = model_.num_classes();
  const auto max_batch = static_cast<size_t>(options_.max_batch);
  std::vector<std::pair<Job, Clock::time_point>> batch;
  std::vector<std::pair<Job, Clock::time_point>> live;
  std::vector<float> input;  // reused: a batch of 224² images is megabytes, worth not reallocating each time

  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) break;  // stopping, and everything queued has been run
    // The oldest job bounds the wait: a batch leaves when full, when it has waited max_delay, or at once
    // when shutting down (the queue is drained without further delay).
    const Clock::time_point flush_at = queue_.front().second + options_.max_delay;
    cv_.wait_until(lock, flush_at, [&] { return stopping_ || queue_.size() >= max_batch; });
    batch.clear();
    while (!queue_.empty() && batch.size() < max_batch) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    const size_t depth = queue_.size();
    lock.unlock();

    if (observer_ != nullptr) call_guarded([&] { observer_->on_queue_depth(name, depth); });

    // Expired jobs are answered now, without spending a forward pass on a result nobody waits for.
    const Clock::time_point now = Clock::now();
    live.clear();
    for (auto& entry : batch) {
      const Clock::time_point deadline = entry.first.deadline;
      if (deadline != Clock::time_point{} && deadline <= now) {
        JobTimings t;
        t.queue_ms = ms_between(entry.second, now);
        call_guarded([&] {
          entry.first.done(common::deadline_exceeded(name + ": deadline passed after " +
                                                     std::to_string(static_cast<int64_t>(t.queue_ms)) +
                                                     " ms in the queue"),
                           t);
        });
      } else {
        live.push_back(std::move(entry));
      }
    }

    if (!live.empty()) {
      const auto n = static_cast<int64_t>(live.size());
      input.resize(live.size() * per_image);
      for (size_t i = 0; i < live.size(); ++i) {
        std::copy(live[i].first.input.begin(), live[i].first.input.end(), input.begin() + i * per_image);
      }
      Clock::time_point started;
      Clock::time_point finished;
      common::Result<std::vector<float>> out = common::internal_error("not run");
      {
        std::lock_guard compute(compute_lock_);
        started = Clock::now();
        try {
          out = model_.infer(input.data(), n);
        } catch (const std::exception& e) {
          out = common::internal_error(name + ": inference threw: " + e.what());
        } catch (...) {
          out = common::internal_error(name + ": inference threw an unknown exception");
        }
        finished = Clock::now();
      }
      const double inference_ms = ms_between(started, finished);
      if (out.is_ok() && out->size() != live.size() * classes) {
        out = common::internal_error(name + ": the model gave " + std::to_string(out->size()) +
                                     " outputs for " + std::to_string(n) + " images");
      }
      if (observer_ != nullptr) {
        call_guarded([&] { observer_->on_batch(name, static_cast<int>(n), inference_ms); });
      }
      for (size_t i = 0; i < live.size(); ++i) {
        JobTimings t;
        t.queue_ms = ms_between(live[i].second, started);
        t.inference_ms = inference_ms;
        t.batch_size = static_cast<int>(n);
        common::Result<std::vector<float>> result =
            out.is_ok() ? common::Result<std::vector<float>>(std::vector<float>(
                              out->begin() + static_cast<std::ptrdiff_t>(i * classes),
                              out->begin() + static_cast<std::ptrdiff_t>((i + 1) * classes)))
                        : common::Result<std::vector<float>>(out.status());
        call_guarded([&] { live[i].first.done(std::move(result), t); });
      }
    }
    // Completions may own captured state (a connection, a promise); release it here, not at the next batch.
    batch.clear();
    live.clear();
    lock.lock();
  }
}

}  // namespace sluice::serve::batch
