#include "serve/batch/batcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <memory>
#include <numeric>
#include <shared_mutex>
#include <stdexcept>
#include <thread>

#include "serve/vision/preprocess.h"

namespace sluice::serve::batch {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr int kClasses = 8;

// What the fake engine saw, shared with the test. The gate lets a test hold a forward pass open while it
// queues more jobs, which makes batch composition deterministic without sleeping.
struct EngineLog {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<int64_t> batch_sizes;
  int entered = 0;
  bool gate_closed = false;
  bool fail = false;
  std::chrono::milliseconds work{0};
  std::atomic<int> active{0};
  std::atomic<int> max_active{0};

  void set_gate(bool closed) {
    {
      std::lock_guard lock(mu);
      gate_closed = closed;
    }
    cv.notify_all();
  }
  void wait_entered(int n) {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return entered >= n; });
  }
  std::vector<int64_t> sizes() {
    std::lock_guard lock(mu);
    return batch_sizes;
  }
};

// A test double for the inference engine (the batcher is what is under test): image i's outputs are the
// first kClasses floats of its input, so each job can check that it got its own row back.
class FakeBackend : public model::Backend {
 public:
  FakeBackend(std::shared_ptr<EngineLog> log, int64_t per_image)
      : log_(std::move(log)), per_image_(per_image) {}

  common::Result<std::vector<float>> forward(const float* input, int64_t n) override {
    int now = ++log_->active;
    int seen = log_->max_active.load();
    while (now > seen && !log_->max_active.compare_exchange_weak(seen, now)) {
    }
    bool fail;
    {
      std::unique_lock lock(log_->mu);
      log_->batch_sizes.push_back(n);
      ++log_->entered;
      log_->cv.notify_all();
      log_->cv.wait(lock, [&] { return !log_->gate_closed; });
      fail = log_->fail;
    }
    if (log_->work.count() > 0) std::this_thread::sleep_for(log_->work);
    --log_->active;
    if (fail) return common::internal_error("boom");
    std::vector<float> out(static_cast<size_t>(n * kClasses));
    for (int64_t i = 0; i < n; ++i) {
      std::copy(input + i * per_image_, input + i * per_image_ + kClasses, out.begin() + i * kClasses);
    }
    return out;
  }
  const char* engine() const override { return "fake"; }

 private:
  std::shared_ptr<EngineLog> log_;
  int64_t per_image_;
};

std::unique_ptr<model::LoadedModel> make_model(std::shared_ptr<EngineLog> log,
                                               const std::string& name = "fake") {
  model::ModelConfig config;
  config.name = name;
  config.preprocess.crop_width = 4;
  config.preprocess.crop_height = 4;
  config.output_is_logits = false;  // outputs pass through unchanged, so the test can compare them exactly
  for (int i = 0; i < kClasses; ++i) config.labels.push_back("class" + std::to_string(i));
  const int64_t per_image = vision::input_floats(config.preprocess);
  return std::make_unique<model::LoadedModel>(std::move(config),
                                              std::make_unique<FakeBackend>(std::move(log), per_image), 0.0);
}

struct Outcome {
  common::Status status;
  std::vector<float> probabilities;
  JobTimings timings;
};

// Job `id`'s input starts id, id + 0.5, id + 1, …; its expected output is those first kClasses values.
std::vector<float> input_for(int id) {
  std::vector<float> v(3 * 4 * 4, -1.0f);
  for (int c = 0; c < kClasses; ++c) v[c] = static_cast<float>(id) + 0.5f * static_cast<float>(c);
  return v;
}

Job make_job(int id, std::promise<Outcome>& promise, Clock::time_point deadline = {}) {
  Job job;
  job.input = input_for(id);
  job.deadline = deadline;
  job.done = [&promise](common::Result<std::vector<float>> probabilities, JobTimings timings) {
    Outcome o;
    o.status = probabilities.status();
    if (probabilities.is_ok()) o.probabilities = std::move(probabilities).value();
    o.timings = timings;
    promise.set_value(std::move(o));
  };
  return job;
}

// Guards against a hang turning into a stuck test run; it is not a latency assertion.
Outcome await(std::future<Outcome>& f) {
  if (f.wait_for(60s) != std::future_status::ready) {
    ADD_FAILURE() << "job never completed";
    return {common::internal_error("never completed"), {}, {}};
  }
  return f.get();
}

void expect_own_output(const Outcome& o, int id) {
  ASSERT_TRUE(o.status.is_ok()) << o.status.message();
  ASSERT_EQ(o.probabilities.size(), static_cast<size_t>(kClasses));
  std::vector<float> in = input_for(id);
  EXPECT_TRUE(std::equal(o.probabilities.begin(), o.probabilities.end(), in.begin())) << "job " << id;
}

class BatcherTest : public ::testing::Test {
 protected:
  std::shared_ptr<EngineLog> log_ = std::make_shared<EngineLog>();
  std::unique_ptr<model::LoadedModel> model_ = make_model(log_);
  std::shared_mutex compute_;
};

TEST_F(BatcherTest, SingleJobIsNotHeldBackWaitingForMore) {
  Batcher b(*model_, {.max_batch = 8, .max_delay = 1ms, .max_queue = 4}, compute_);
  std::promise<Outcome> p;
  auto f = p.get_future();
  ASSERT_TRUE(b.submit(make_job(7, p)).is_ok());
  Outcome o = await(f);
  expect_own_output(o, 7);
  EXPECT_EQ(o.timings.batch_size, 1);
  EXPECT_GE(o.timings.queue_ms, 0);
  EXPECT_GE(o.timings.inference_ms, 0);
  EXPECT_EQ(log_->sizes(), std::vector<int64_t>{1});
}

TEST_F(BatcherTest, QueuedJobsAreGatheredUpToMaxBatchAndRoutedBack) {
  Batcher b(*model_, {.max_batch = 4, .max_delay = 0us, .max_queue = 16}, compute_);
  std::vector<std::promise<Outcome>> promises(9);
  std::vector<std::future<Outcome>> futures;
  for (auto& p : promises) futures.push_back(p.get_future());
  log_->set_gate(true);
  ASSERT_TRUE(b.submit(make_job(0, promises[0])).is_ok());
  log_->wait_entered(1);  // job 0 is inside the model; the rest queue up behind it
  for (int i = 1; i < 9; ++i) ASSERT_TRUE(b.submit(make_job(i, promises[i])).is_ok());
  EXPECT_EQ(b.depth(), 8u);
  log_->set_gate(false);
  for (int i = 0; i < 9; ++i) {
    Outcome o = await(futures[i]);
    expect_own_output(o, i);
    EXPECT_EQ(o.timings.batch_size, i == 0 ? 1 : 4) << i;
  }
  EXPECT_EQ(log_->sizes(), (std::vector<int64_t>{1, 4, 4}));
}

TEST_F(BatcherTest, PartialBatchLeavesAfterMaxDelay) {
  Batcher b(*model_, {.max_batch = 8, .max_delay = 1ms, .max_queue = 16}, compute_);
  std::vector<std::promise<Outcome>> promises(4);
  std::vector<std::future<Outcome>> futures;
  for (auto& p : promises) futures.push_back(p.get_future());
  log_->set_gate(true);
  ASSERT_TRUE(b.submit(make_job(0, promises[0])).is_ok());
  log_->wait_entered(1);
  for (int i = 1; i < 4; ++i) ASSERT_TRUE(b.submit(make_job(i, promises[i])).is_ok());
  log_->set_gate(false);
  // Three jobs never fill a batch of 8: they must still go, once the oldest has waited max_delay.
  for (int i = 0; i < 4; ++i) expect_own_output(await(futures[i]), i);
  EXPECT_EQ(log_->sizes(), (std::vector<int64_t>{1, 3}));
}

TEST_F(BatcherTest, ManyConcurrentSubmittersAllGetTheirOwnResult) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 40;
  log_->work = 1ms;
  Batcher b(*model_, {.max_batch = 6, .max_delay = 2ms, .max_queue = kThreads * kPerThread}, compute_);
  std::vector<std::promise<Outcome>> promises(kThreads * kPerThread);
  std::vector<std::future<Outcome>> futures;
  for (auto& p : promises) futures.push_back(p.get_future());
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        int id = t * kPerThread + i;
        EXPECT_TRUE(b.submit(make_job(id, promises[id])).is_ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int id = 0; id < kThreads * kPerThread; ++id) expect_own_output(await(futures[id]), id);
  auto sizes = log_->sizes();
  EXPECT_EQ(std::accumulate(sizes.begin(), sizes.end(), int64_t{0}), kThreads * kPerThread);
  EXPECT_LE(*std::max_element(sizes.begin(), sizes.end()), 6);
}

TEST_F(BatcherTest, FullQueueRefusesAtOnceWithoutCallingTheCompletion) {
  Batcher b(*model_, {.max_batch = 8, .max_delay = 0us, .max_queue = 2}, compute_);
  std::vector<std::promise<Outcome>> promises(3);
  std::vector<std::future<Outcome>> futures;
  for (auto& p : promises) futures.push_back(p.get_future());
  log_->set_gate(true);
  ASSERT_TRUE(b.submit(make_job(0, promises[0])).is_ok());
  log_->wait_entered(1);
  ASSERT_TRUE(b.submit(make_job(1, promises[1])).is_ok());
  ASSERT_TRUE(b.submit(make_job(2, promises[2])).is_ok());
  EXPECT_TRUE(b.saturated());
  bool called = false;
  Job extra;
  extra.input = input_for(3);
  extra.done = [&called](common::Result<std::vector<float>>, JobTimings) { called = true; };
  common::Status st = b.submit(std::move(extra));
  EXPECT_EQ(st.code(), common::Code::kResourceExhausted);
  log_->set_gate(false);
  for (int i = 0; i < 3; ++i) expect_own_output(await(futures[i]), i);
  b.shutdown();
  EXPECT_FALSE(called);
  EXPECT_FALSE(b.saturated());
}

TEST_F(BatcherTest, ExpiredJobIsAnsweredWithoutReachingTheModel) {
  Batcher b(*model_, {.max_batch = 8, .max_delay = 0us, .max_queue = 8}, compute_);
  std::vector<std::promise<Outcome>> promises(3);
  std::vector<std::future<Outcome>> futures;
  for (auto& p : promises) futures.push_back(p.get_future());
  log_->set_gate(true);
  ASSERT_TRUE(b.submit(make_job(0, promises[0])).is_ok());
  log_->wait_entered(1);
  ASSERT_TRUE(b.submit(make_job(1, promises[1], Clock::now() - 1s)).is_ok());
  ASSERT_TRUE(b.submit(make_job(2, promises[2], Clock::now() + 1h)).is_ok());
  log_->set_gate(false);
  expect_own_output(await(futures[0]), 0);
  Outcome expired = await(futures[1]);
  EXPECT_EQ(expired.status.code(), common::Code::kDeadlineExceeded);
  EXPECT_EQ(expired.timings.batch_size, 0);
  expect_own_output(await(futures[2]), 2);
  EXPECT_EQ(log_->sizes(), (std::vector<int64_t>{1, 1}));  // job 1 was not in the second pass
}

TEST_F(BatcherTest, BackendErrorReachesEveryJobOfTheBatch) {
  Batcher b(*model_, {.max_batch = 8, .max_delay = 0us, .max_queue = 8}, compute_);
  std::vector<std::promise<Outcome>> promises(4);
  std::vector<std::future<Outcome>> futures;
  for (auto& p : promises) futures.push_back(p.get_future());
  log_->set_gate(true);
  log_->fail = true;
  ASSERT_TRUE(b.submit(make_job(0, promises[0])).is_ok());
  log_->wait_entered(1);
  for (int i = 1; i < 4; ++i) ASSERT_TRUE(b.submit(make_job(i, promises[i])).is_ok());
  log_->set_gate(false);
  for (int i = 0; i < 4; ++i) {
    Outcome o = await(futures[i]);
    EXPECT_EQ(o.status.code(), common::Code::kInternal) << i;
    EXPECT_NE(o.status.message().find("boom"), std::string::npos) << o.status.message();
  }
  EXPECT_EQ(log_->sizes(), (std::vector<int64_t>{1, 3}));
}

TEST_F(BatcherTest, ShutdownRunsWhatIsQueuedThenRefuses) {
  // max_delay is far longer than the test: the queued jobs only run this soon because shutdown drains.
  Batcher b(*model_, {.max_batch = 100, .max_delay = std::chrono::hours(1), .max_queue = 100}, compute_);
  std::vector<std::promise<Outcome>> promises(5);
  std::vector<std::future<Outcome>> futures;
  for (auto& p : promises) futures.push_back(p.get_future());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(b.submit(make_job(i, promises[i])).is_ok());
  b.shutdown();
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(futures[i].wait_for(0s), std::future_status::ready) << "job " << i << " was not drained";
    expect_own_output(futures[i].get(), i);
  }
  std::promise<Outcome> late;
  EXPECT_EQ(b.submit(make_job(9, late)).code(), common::Code::kUnavailable);
  b.shutdown();  // idempotent
}

TEST_F(BatcherTest, DestructorDrainsToo) {
  std::promise<Outcome> p;
  auto f = p.get_future();
  {
    Batcher b(*model_, {.max_batch = 100, .max_delay = std::chrono::hours(1), .max_queue = 100}, compute_);
    ASSERT_TRUE(b.submit(make_job(3, p)).is_ok());
  }
  ASSERT_EQ(f.wait_for(0s), std::future_status::ready);
  expect_own_output(f.get(), 3);
}

TEST_F(BatcherTest, ThrowingCompletionDoesNotStopTheThread) {
  Batcher b(*model_, {.max_batch = 1, .max_delay = 0us, .max_queue = 8}, compute_);
  Job bad;
  bad.input = input_for(0);
  bad.done = [](common::Result<std::vector<float>>, JobTimings) {
    throw std::runtime_error("client went away");
  };
  ASSERT_TRUE(b.submit(std::move(bad)).is_ok());
  std::promise<Outcome> p;
  auto f = p.get_future();
  ASSERT_TRUE(b.submit(make_job(1, p)).is_ok());
  expect_own_output(await(f), 1);
}

TEST_F(BatcherTest, RejectsWrongInputSizeAndMissingCompletion) {
  Batcher b(*model_, {}, compute_);
  std::promise<Outcome> p;
  Job job = make_job(0, p);
  job.input.pop_back();
  EXPECT_EQ(b.submit(std::move(job)).code(), common::Code::kInvalidArgument);
  Job no_done;
  no_done.input = input_for(0);
  EXPECT_EQ(b.submit(std::move(no_done)).code(), common::Code::kInvalidArgument);
  EXPECT_EQ(b.depth(), 0u);
}

class RecordingObserver : public BatchObserver {
 public:
  void on_batch(const std::string& model, int batch_size, double inference_ms) override {
    std::lock_guard lock(mu);
    models.push_back(model);
    sizes.push_back(batch_size);
    EXPECT_GE(inference_ms, 0);
  }
  void on_queue_depth(const std::string&, size_t depth) override {
    std::lock_guard lock(mu);
    depths.push_back(depth);
  }
  std::mutex mu;
  std::vector<std::string> models;
  std::vector<int> sizes;
  std::vector<size_t> depths;
};

TEST_F(BatcherTest, ObserverSeesEachForwardPassAndTheDepthLeftBehind) {
  RecordingObserver observer;
  Batcher b(*model_, {.max_batch = 3, .max_delay = 0us, .max_queue = 16}, compute_, &observer);
  std::vector<std::promise<Outcome>> promises(5);
  std::vector<std::future<Outcome>> futures;
  for (auto& p : promises) futures.push_back(p.get_future());
  log_->set_gate(true);
  ASSERT_TRUE(b.submit(make_job(0, promises[0])).is_ok());
  log_->wait_entered(1);
  for (int i = 1; i < 5; ++i) ASSERT_TRUE(b.submit(make_job(i, promises[i])).is_ok());
  log_->set_gate(false);
  for (int i = 0; i < 5; ++i) expect_own_output(await(futures[i]), i);
  b.shutdown();
  std::lock_guard lock(observer.mu);
  EXPECT_EQ(observer.sizes, (std::vector<int>{1, 3, 1}));
  EXPECT_EQ(observer.depths, (std::vector<size_t>{0, 1, 0}));
  EXPECT_EQ(observer.models, (std::vector<std::string>{"fake", "fake", "fake"}));
}

TEST(BatcherComputeLockTest, BatchersSharingTheLockNeverRunTogether) {
  auto log = std::make_shared<EngineLog>();
  log->work = 1ms;
  auto model_a = make_model(log, "a");
  auto model_b = make_model(log, "b");
  std::shared_mutex compute;
  Batcher a(*model_a, {.max_batch = 2, .max_delay = 0us, .max_queue = 64}, compute);
  Batcher b(*model_b, {.max_batch = 2, .max_delay = 0us, .max_queue = 64}, compute);
  std::vector<std::promise<Outcome>> promises(40);
  std::vector<std::future<Outcome>> futures;
  for (auto& p : promises) futures.push_back(p.get_future());
  for (int i = 0; i < 40; ++i) ASSERT_TRUE((i % 2 ? a : b).submit(make_job(i, promises[i])).is_ok());
  for (int i = 0; i < 40; ++i) expect_own_output(await(futures[i]), i);
  EXPECT_EQ(log->max_active.load(), 1);
}

}  // namespace
}  // namespace sluice::serve::batch
