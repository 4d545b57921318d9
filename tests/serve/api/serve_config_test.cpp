#include "serve/serve_config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <vector>

namespace sluice::serve {
namespace {

ServeConfig parse(std::vector<const char*> args) {
  args.insert(args.begin(), "sluice-serve");
  ServeConfig c;
  EXPECT_EQ(parse_serve_config(static_cast<int>(args.size()), const_cast<char**>(args.data()), c), -1);
  return c;
}

TEST(ServeConfig, QueueDefaultServesConcurrency64) {
  // At concurrency 64 with a small image, --max-queue 32 answered most requests 503 (docs/serve-cli.md).
  EXPECT_EQ(parse({}).max_queue, 256);
}

TEST(ServeConfig, DecodePixelsInFlightFromFlagOrEnvironment) {
  EXPECT_EQ(parse({}).max_decode_pixels_in_flight, 0);  // 0: 4 x --max-pixels
  EXPECT_EQ(parse({"--max-decode-pixels-in-flight", "1000"}).max_decode_pixels_in_flight, 1000);
  setenv("SLUICE_MAX_DECODE_PIXELS_IN_FLIGHT", "2000", 1);
  EXPECT_EQ(parse({}).max_decode_pixels_in_flight, 2000);
  EXPECT_EQ(parse({"--max-decode-pixels-in-flight", "3000"}).max_decode_pixels_in_flight, 3000);
  unsetenv("SLUICE_MAX_DECODE_PIXELS_IN_FLIGHT");
}

}  // namespace
}  // namespace sluice::serve
