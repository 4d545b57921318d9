#include "serve/api/classifier.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <numeric>

#include "serve/api/client_text.h"
#include "serve/vision/preprocess.h"

namespace sluice::serve::api {

namespace {
using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}
}  // namespace

// One request in progress. Whoever finishes first — the pipeline or the deadline timer — answers.
struct Classifier::Pending {
  Pending(boost::asio::thread_pool& pool) : timer(pool) {}
  ClassifyRequest request;
  model::LoadedModel* model = nullptr;
  Clock::time_point started;
  Clock::time_point deadline;
  ClassifyCallback done;
  PhaseTimings timings;
  boost::asio::steady_timer timer;
  std::atomic<bool> answered{false};

  void finish(std::variant<ClassifyOutcome, ApiError> result) {
    if (answered.exchange(true)) return;
    timer.cancel();
    done(std::move(result));
  }
};

Classifier::Classifier(model::ModelRepository& repository, ClassifierOptions options, ServeMetrics& metrics)
    : repository_(repository),
      options_(std::move(options)),
      metrics_(metrics),
      decode_budget_(options_.decode_pixels_in_flight > 0 ? options_.decode_pixels_in_flight
                                                          : 4 * options_.decode.max_pixels),
      pool_(static_cast<size_t>(std::max(1, options_.workers))) {
  for (const auto& m : repository_.models()) {
    batchers_[m->config().name] =
        std::make_unique<batch::Batcher>(*m, options_.batching, compute_lock_, &metrics_);
  }
}

Classifier::~Classifier() { shutdown(); }

void Classifier::shutdown() {
  std::call_once(shutdown_once_, [this] {
    // Called after the HTTP server drained, so nothing is pending unless the drain timed out; then the
    // remaining requests are abandoned (their connections are closing anyway) instead of waiting out their
    // deadline timers.
    pool_.stop();
    pool_.join();
    for (auto& [name, b] : batchers_) b->shutdown();
  });
}

bool Classifier::saturated() const {
  return std::any_of(batchers_.begin(), batchers_.end(),
                     [](const auto& kv) { return kv.second->saturated(); });
}

void Classifier::run_on_workers(std::function<void()> task) { boost::asio::post(pool_, std::move(task)); }

std::variant<model::LoadedModel*, ApiError> Classifier::resolve_model(const std::string& name) const {
  model::LoadedModel* m = name.empty() ? repository_.default_model() : repository_.find(name);
  if (m) return m;
  std::string available;
  for (const auto& loaded : repository_.models()) {
    available += (available.empty() ? "" : ", ") + loaded->config().name;
  }
  if (name.empty()) return ApiError{503, "no_model", "no model is loaded (see GET /v1/models)", 0};
  return ApiError{404, "model_not_found",
                  "model: '" + client_text(name) +
                      "' is not loaded (available: " + (available.empty() ? "none" : available) + ")"};
}

void Classifier::classify(ClassifyRequest request, Clock::time_point started, ClassifyCallback done) {
  auto resolved = resolve_model(request.model);
  if (auto* e = std::get_if<ApiError>(&resolved)) return done(*e);
  auto pending = std::make_shared<Pending>(pool_);
  pending->model = std::get<model::LoadedModel*>(resolved);
  pending->request = std::move(request);
  pending->started = started;
  pending->deadline = started + options_.request_timeout;
  pending->done = std::move(done);
  pending->timer.expires_at(pending->deadline);
  pending->timer.async_wait([pending](const boost::system::error_code& ec) {
    if (ec) return;
    pending->finish(ApiError{504, "deadline_exceeded",
                             "the request did not complete within --request-timeout (" +
                                 std::to_string(static_cast<long long>(ms_since(pending->started))) +
                                 " ms)"});
  });
  boost::asio::post(pool_, [this, pending] { run(pending); });
}

void Classifier::run(std::shared_ptr<Pending> p) {
  if (p->answered) return;
  std::string fetched;
  const std::string* bytes = &p->request.image_bytes;
  if (!p->request.image_url.empty()) {
    auto t0 = Clock::now();
    fetch::FetchOptions fo = options_.fetch;
    auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(p->deadline - t0);
    if (remaining < fo.total_timeout) fo.total_timeout = std::max(remaining, std::chrono::milliseconds(1));
    auto result = fetch::fetch_url(p->request.image_url, fo);
    p->timings.fetch_ms = ms_since(t0);
    metrics_.fetch_seconds.observe({}, p->timings.fetch_ms / 1000.0);
    if (!result) return p->finish(api_error_from(result.status(), Phase::kFetch));
    fetched = std::move(result.value().body);
    bytes = &fetched;
  }
  if (p->answered) return;
  // Reserve the pixels this image will hold while decoding before taking the compute lock (a wait under it
  // would hold off inference). An image over --max-pixels reserves nothing: decode_rgb refuses it unread.
  auto header = vision::read_image_header(*bytes);
  int64_t pixels = header && header->decode_pixels <= options_.decode.max_pixels ? header->decode_pixels : 0;
  auto wait_until = std::min(p->deadline, Clock::now() + options_.decode_wait);
  auto reservation = decode_budget_.acquire(pixels, wait_until);
  if (!reservation) {
    return p->finish(ApiError{503, "overloaded",
                              "decoding is at its limit of --max-decode-pixels-in-flight (" +
                                  std::to_string(decode_budget_.capacity()) + " pixels); retry later",
                              1});
  }
  if (p->answered) return;
  std::shared_lock compute(compute_lock_);
  auto t1 = Clock::now();
  auto rgb = vision::decode_rgb(*bytes, options_.decode);
  if (!rgb) return p->finish(api_error_from(rgb.status(), Phase::kDecode));
  const auto& spec = p->model->config().preprocess;
  std::vector<float> input(static_cast<size_t>(vision::input_floats(spec)));
  auto st = vision::preprocess(rgb.value(), spec, input.data());
  if (!st) return p->finish(api_error_from(st, Phase::kDecode));
  p->timings.decode_ms = ms_since(t1);
  compute.unlock();
  rgb.value().release();  // the pixels are freed before the reservation is given back
  reservation.reset();
  metrics_.decode_seconds.observe({}, p->timings.decode_ms / 1000.0);
  if (p->answered) return;

  batch::Job job;
  job.input = std::move(input);
  job.deadline = p->deadline;
  job.done = [this, p](common::Result<std::vector<float>> probabilities, batch::JobTimings jt) {
    p->timings.queue_ms = jt.queue_ms;
    p->timings.inference_ms = jt.inference_ms;
    p->timings.batch_size = jt.batch_size;
    if (!probabilities) return p->finish(api_error_from(probabilities.status(), Phase::kInference));
    const std::string& name = p->model->config().name;
    metrics_.queue_seconds.observe({{"model", name}}, jt.queue_ms / 1000.0);
    ClassifyOutcome outcome;
    outcome.model = p->model;
    const auto& labels = p->model->config().labels;
    for (int i : top_k_indices(probabilities.value(), p->request.top_k)) {
      outcome.predictions.push_back(
          {labels[static_cast<size_t>(i)], i, probabilities.value()[static_cast<size_t>(i)]});
    }
    p->timings.total_ms = ms_since(p->started);
    metrics_.total_seconds.observe({{"model", name}}, p->timings.total_ms / 1000.0);
    outcome.timings = p->timings;
    p->finish(std::move(outcome));
  };
  auto submitted = batchers_.at(p->model->config().name)->submit(std::move(job));
  if (!submitted) p->finish(api_error_from(submitted, Phase::kQueue));
}

std::vector<int> top_k_indices(const std::vector<float>& probabilities, int k) {
  std::vector<int> idx(probabilities.size());
  std::iota(idx.begin(), idx.end(), 0);
  size_t n = std::min(idx.size(), static_cast<size_t>(std::max(0, k)));
  std::partial_sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(n), idx.end(), [&](int a, int b) {
    float pa = probabilities[static_cast<size_t>(a)], pb = probabilities[static_cast<size_t>(b)];
    return pa > pb || (pa == pb && a < b);
  });
  idx.resize(n);
  return idx;
}

}  // namespace sluice::serve::api
