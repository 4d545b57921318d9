// sluice-serve: the HTTP image-classification API. Loads the model repository, then serves until SIGTERM
// or SIGINT, on which it drains (stops accepting, finishes in-flight requests) and exits 0.
#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/ip/address.hpp>
#include <csignal>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/ip_address.h"
#include "serve/api/app.h"
#include "serve/api/classifier.h"
#include "serve/api/serve_metrics.h"
#include "serve/fetch/fetcher.h"
#include "serve/http/server.h"
#include "serve/model/backend.h"
#include "serve/model/repository.h"
#include "serve/pull/models_cli.h"
#include "serve/serve_config.h"

namespace {

using namespace sluice::serve;

// 128 + SIGTERM, what a shell reports for a process killed by it: the drain did not finish.
constexpr int kForcedExitCode = 143;

extern "C" void force_exit(int) {
  // Async-signal-safe only: a constant line and _exit.
  static const char kLine[] =
      "{\"level\":\"warning\",\"message\":\"a second signal while draining: exiting now, in-flight "
      "requests are dropped\"}\n";
  ssize_t written = write(STDERR_FILENO, kLine, sizeof kLine - 1);
  (void)written;
  _exit(kForcedExitCode);
}

void log_line(const std::string& level, const std::string& message) {
  nlohmann::json line = {{"level", level}, {"message", message}};
  std::fprintf(stderr, "%s\n", line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
}

// Idle keep-alive connections each hold a descriptor; the default soft limit (1024) would cap them.
void raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

bool is_loopback(const std::string& address) {
  boost::system::error_code ec;
  auto a = boost::asio::ip::make_address(address, ec);
  return !ec && a.is_loopback();
}

sluice::common::Result<auth::ApiKeys> load_keys(const ServeConfig& c) {
  auth::ApiKeys keys;
  if (!c.api_keys_file.empty()) {
    auto from_file = auth::ApiKeys::from_file(c.api_keys_file);
    if (!from_file) return from_file.status();
    keys.merge(from_file.value());
  }
  if (!c.api_keys.empty()) {
    auto from_list = auth::ApiKeys::from_list(c.api_keys, "--api-keys/SLUICE_API_KEYS");
    if (!from_list) return from_list.status();
    keys.merge(from_list.value());
  }
  return keys;
}

int run(const ServeConfig& c) {
  raise_open_file_limit();
  fetch::fetch_global_init();
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());

  // Block the termination signals in every thread; the main thread waits for them below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto keys = load_keys(c);
  if (!keys) {
    log_line("error", keys.status().message());
    return 2;
  }
  if (!keys.value().enabled() && !is_loopback(c.address) && !c.insecure_no_auth) {
    log_line("error",
             "refusing to listen on " + c.address +
                 " without API keys: give --api-keys-file/--api-keys, or --insecure-no-auth to accept "
                 "unauthenticated requests from the network");
    return 2;
  }
  if (!keys.value().enabled()) log_line("warning", "no API keys configured: every request is accepted");
  if (c.allow_private_urls) {
    log_line(
        "warning",
        "--allow-private-urls: image_url may reach loopback and private addresses; DEVELOPMENT ONLY, never "
        "expose this server");
  }

  model::set_inference_threads(c.threads > 0 ? c.threads : static_cast<int>(cores));
  auto repository = model::ModelRepository::load(c.models_dir);
  if (!repository) {
    log_line("error", repository.status().message());
    return 3;
  }
  auto& repo = *repository.value();
  api::ServeMetrics metrics;
  for (const auto& m : repo.models()) {
    log_line("info", "loaded model " + m->config().name + " (" + m->engine() + ", " +
                         std::to_string(m->num_classes()) + " classes) in " +
                         std::to_string(m->load_seconds()) + " s");
    metrics.model_load_seconds.set({{"model", m->config().name}, {"engine", m->engine()}}, m->load_seconds());
  }
  for (const auto& f : repo.failures()) log_line("error", "model " + f.name + " not loaded: " + f.reason);
  metrics.models_unloadable.set({}, static_cast<double>(repo.failures().size()));
  if (repo.models().empty())
    log_line("warning", "no model loaded from " + c.models_dir + "; /readyz answers 503");

  api::ClassifierOptions co;
  co.workers = c.workers > 0 ? c.workers : static_cast<int>(std::max(4u, 2 * cores));
  co.batching.max_batch = c.max_batch;
  co.batching.max_delay = std::chrono::microseconds(c.max_queue_delay_us);
  co.batching.max_queue = static_cast<size_t>(c.max_queue);
  co.request_timeout = std::chrono::milliseconds(c.request_timeout_ms);
  co.fetch.connect_timeout = std::chrono::milliseconds(c.fetch_connect_timeout_ms);
  co.fetch.total_timeout = std::chrono::milliseconds(c.fetch_timeout_ms);
  co.fetch.max_bytes = c.max_image_bytes;
  co.fetch.allow_private = c.allow_private_urls;
  co.fetch.allowed_addresses = c.allowed_destinations;
  for (const auto& a : c.allowed_destinations) {
    if (!sluice::common::parse_ip(a)) {
      log_line("error", "--allow-destination: '" + a + "' is not an IP address");
      return 2;
    }
    log_line("warning", "--allow-destination " + a + ": image_url may reach this non-public address");
  }
  co.decode.max_pixels = c.max_pixels;
  co.decode_pixels_in_flight = c.max_decode_pixels_in_flight;
  api::Classifier classifier(repo, co, metrics);
  api::App app(repo, classifier, metrics, std::move(keys.value()), api::AppOptions{c.public_health});

  http::ServerOptions so;
  so.address = c.address;
  so.port = c.port;
  so.io_threads = c.io_threads;
  so.header_timeout = std::chrono::milliseconds(c.header_timeout_ms);
  so.body_timeout = std::chrono::milliseconds(c.body_timeout_ms);
  so.idle_timeout = std::chrono::milliseconds(c.idle_timeout_ms);
  so.max_body_bytes = static_cast<size_t>(c.max_body_bytes);
  so.max_header_bytes = static_cast<size_t>(c.max_header_bytes);
  so.access_log = c.access_log;
  so.accept_errors = &metrics.accept_errors;
  http::Server server(
      so,
      [&app](http::Request req, std::shared_ptr<http::Responder> r) {
        app.handle(std::move(req), std::move(r));
      },
      [&app](const http::ExchangeRecord& r) { app.record(r); });
  app.set_connection_counter([&server] { return server.open_connections(); });
  auto started = server.start();
  if (!started) {
    log_line("error", started.message());
    return 5;
  }
  // Tests and scripts read this line to learn the port when --port 0 was given.
  log_line("info", "listening on http://" +
                       (c.address.find(':') != std::string::npos ? "[" + c.address + "]" : c.address) + ":" +
                       std::to_string(server.port()));

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  log_line("info",
           std::string("received ") + (signal_number == SIGTERM ? "SIGTERM" : "SIGINT") + "; draining");
  // A second SIGTERM/SIGINT during the drain means "force": exit at once, dropping in-flight requests
  // (docs/serve-cli.md). The handler goes in before the main thread unblocks the signals; the kernel then
  // delivers a signal sent to the process to this thread (or to any thread that never blocked it).
  struct sigaction force {};
  force.sa_handler = force_exit;
  sigaction(SIGTERM, &force, nullptr);
  sigaction(SIGINT, &force, nullptr);
  pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);
  app.set_draining();
  bool drained = server.drain(std::chrono::milliseconds(c.drain_timeout_ms));
  if (!drained) log_line("warning", "drain timeout passed with connections still open; closing them");
  classifier.shutdown();
  server.stop();
  log_line("info", "stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "models") {
    return sluice::serve::pull::run_models_cli(argc - 1, argv + 1);
  }
  ServeConfig config;
  int code = parse_serve_config(argc, argv, config);
  if (code >= 0) return code;
  try {
    return run(config);
  } catch (const std::exception& e) {
    log_line("error", std::string("internal error: ") + e.what());
    return 1;
  }
}
