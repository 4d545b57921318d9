#include "serve/serve_config.h"

#include <CLI/CLI.hpp>

namespace sluice::serve {

int parse_serve_config(int argc, char** argv, ServeConfig& c) {
  CLI::App app{
      "sluice-serve: an HTTP image-classification API (docs/api.md).\nManage the model repository with "
      "`sluice-serve models list|pull|verify|remove` (docs/models-cli.md).",
      "sluice-serve"};
  app.option_defaults()->always_capture_default();
  app.add_option("--address", c.address, "IP address to listen on")->envname("SLUICE_ADDRESS");
  app.add_option("--port", c.port, "TCP port (0: any free port)")->envname("SLUICE_PORT");
  app.add_option("--models", c.models_dir, "model repository directory (docs/model-repository.md)")
      ->envname("SLUICE_MODELS");
  app.add_option("--threads", c.threads, "inference threads (0: one per core)")
      ->envname("SLUICE_THREADS")
      ->check(CLI::Range(0, 256));
  app.add_option("--workers", c.workers, "threads that fetch and decode images (0: automatic)")
      ->envname("SLUICE_WORKERS")
      ->check(CLI::Range(0, 1024));
  app.add_option("--io-threads", c.io_threads, "threads running the HTTP event loop")
      ->envname("SLUICE_IO_THREADS")
      ->check(CLI::Range(1, 64));
  app.add_option("--max-batch", c.max_batch, "most images in one forward pass")
      ->envname("SLUICE_MAX_BATCH")
      ->check(CLI::Range(1, 1024));
  app.add_option("--max-queue-delay-us", c.max_queue_delay_us, "longest wait to fill a batch, microseconds")
      ->envname("SLUICE_MAX_QUEUE_DELAY_US")
      ->check(CLI::Range(int64_t{0}, int64_t{10'000'000}));
  app.add_option("--max-queue", c.max_queue, "images waiting per model before answering 503")
      ->envname("SLUICE_MAX_QUEUE")
      ->check(CLI::Range(1, 1'000'000));
  app.add_option("--request-timeout", c.request_timeout_ms, "per-request deadline in ms (504 after it)")
      ->envname("SLUICE_REQUEST_TIMEOUT_MS")
      ->check(CLI::Range(int64_t{1}, int64_t{3'600'000}));
  app.add_option("--fetch-connect-timeout", c.fetch_connect_timeout_ms, "image_url connect timeout, ms")
      ->envname("SLUICE_FETCH_CONNECT_TIMEOUT_MS")
      ->check(CLI::Range(int64_t{1}, int64_t{600'000}));
  app.add_option("--fetch-timeout", c.fetch_timeout_ms, "image_url total timeout, ms")
      ->envname("SLUICE_FETCH_TIMEOUT_MS")
      ->check(CLI::Range(int64_t{1}, int64_t{3'600'000}));
  app.add_option("--max-image-bytes", c.max_image_bytes, "largest image fetched or accepted, bytes")
      ->envname("SLUICE_MAX_IMAGE_BYTES")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 34));
  app.add_option("--max-pixels", c.max_pixels, "largest image decoded, width × height")
      ->envname("SLUICE_MAX_PIXELS")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
  app.add_option("--max-decode-pixels-in-flight", c.max_decode_pixels_in_flight,
                 "decoded pixels held at once across requests (0: 4 × --max-pixels); beyond it a request "
                 "waits up to 1 s, then 503")
      ->envname("SLUICE_MAX_DECODE_PIXELS_IN_FLIGHT")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 42));
  app.add_option("--max-body-bytes", c.max_body_bytes, "largest request body, bytes (413 above)")
      ->envname("SLUICE_MAX_BODY_BYTES")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 34));
  app.add_option("--max-header-bytes", c.max_header_bytes, "largest request head, bytes (413 above)")
      ->envname("SLUICE_MAX_HEADER_BYTES")
      ->check(CLI::Range(int64_t{512}, int64_t{1} << 20));
  app.add_option("--header-timeout", c.header_timeout_ms, "time allowed for a request head, ms")
      ->envname("SLUICE_HEADER_TIMEOUT_MS")
      ->check(CLI::Range(int64_t{1}, int64_t{600'000}));
  app.add_option("--body-timeout", c.body_timeout_ms, "time allowed for a request body, ms")
      ->envname("SLUICE_BODY_TIMEOUT_MS")
      ->check(CLI::Range(int64_t{1}, int64_t{3'600'000}));
  app.add_option("--idle-timeout", c.idle_timeout_ms, "idle keep-alive connections close after this, ms")
      ->envname("SLUICE_IDLE_TIMEOUT_MS")
      ->check(CLI::Range(int64_t{1}, int64_t{86'400'000}));
  app.add_option("--drain-timeout", c.drain_timeout_ms, "on SIGTERM, longest wait for in-flight requests, ms")
      ->envname("SLUICE_DRAIN_TIMEOUT_MS")
      ->check(CLI::Range(int64_t{0}, int64_t{3'600'000}));
  app.add_flag("--allow-private-urls", c.allow_private_urls,
               "DEVELOPMENT ONLY: let image_url reach loopback and private addresses")
      ->envname("SLUICE_ALLOW_PRIVATE_URLS");
  app.add_option("--allow-destination", c.allowed_destinations,
                 "an exact IP address image_url may reach although it is not public (repeatable), e.g. an "
                 "internal image host")
      ->envname("SLUICE_ALLOW_DESTINATIONS")
      ->delimiter(',');
  app.add_option("--api-keys-file", c.api_keys_file, "file of SHA-256 hashes of accepted API keys")
      ->envname("SLUICE_API_KEYS_FILE");
  app.add_option("--api-keys", c.api_keys, "comma-separated SHA-256 hashes of accepted API keys")
      ->envname("SLUICE_API_KEYS");
  app.add_flag("--public-health", c.public_health,
               "serve /healthz, /readyz, /metrics and GET / without a key")
      ->envname("SLUICE_PUBLIC_HEALTH");
  app.add_flag("--insecure-no-auth", c.insecure_no_auth, "allow a non-loopback address without API keys")
      ->envname("SLUICE_INSECURE_NO_AUTH");
  bool no_access_log = false;
  app.add_flag("--no-access-log", no_access_log, "do not print a JSON line per request")
      ->envname("SLUICE_NO_ACCESS_LOG");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  c.access_log = !no_access_log;
  return -1;
}

}  // namespace sluice::serve
