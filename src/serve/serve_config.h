#pragma once
// Every setting of sluice-serve: a flag, with an environment-variable fallback (SLUICE_PORT, …) so that a
// container can be configured without a command line. Documented in docs/serve-cli.md.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace sluice::serve {

struct ServeConfig {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;
  std::string models_dir = "models";
  int threads = 0;  // inference threads; 0: the number of cores
  int workers = 0;  // fetch + decode threads; 0: 2 × cores, at least 4
  int io_threads = 1;
  int max_batch = 8;
  int64_t max_queue_delay_us = 2000;
  int max_queue = 256;  // per model; beyond it: 503 + Retry-After (docs/serve-cli.md: why 256)
  int64_t request_timeout_ms = 30'000;  // 504 after this
  int64_t fetch_connect_timeout_ms = 3'000;
  int64_t fetch_timeout_ms = 10'000;
  int64_t max_image_bytes = 20 * 1024 * 1024;
  int64_t max_pixels = 40'000'000;
  int64_t max_decode_pixels_in_flight = 0;  // across requests; 0: 4 × max_pixels
  int64_t max_body_bytes = 25 * 1024 * 1024;
  int64_t max_header_bytes = 16 * 1024;
  int64_t header_timeout_ms = 10'000;
  int64_t body_timeout_ms = 30'000;
  int64_t idle_timeout_ms = 75'000;
  int64_t drain_timeout_ms = 25'000;
  bool allow_private_urls = false;
  std::vector<std::string> allowed_destinations;  // exact IPs exempt from the SSRF guard
  std::string api_keys_file;
  std::string api_keys;        // comma-separated SHA-256 hashes (SLUICE_API_KEYS)
  bool public_health = false;  // /healthz, /readyz, /metrics (and GET /) without a key
  bool insecure_no_auth = false;
  bool access_log = true;
};

// Parses argv (flags win over SLUICE_* variables). Returns the exit code to use when the program should stop
// here (--help: 0, a bad flag: 2, printed already), or -1 to go on.
int parse_serve_config(int argc, char** argv, ServeConfig& config);

}  // namespace sluice::serve
