// The limit sluice-serve works against: the inference engine alone (images/s of LoadedModel::infer at batch
// sizes 1, 2, 4, 8, 16, no HTTP, no queue) and JPEG decode + preprocess alone (single-threaded), measured on
// one model in the same process. From them the server's ceiling per image is
//   1 / (t_infer at the best batch + t_decode)
// — the decode runs on other threads in the server, but on the same cores, so its CPU time is not free.
// bench/serve/run.sh reads the key=value lines at the end.
//
//   engine_floor MODEL_DIR IMAGE [--threads N] [--seconds S] [--batches 1,2,4,8,16]
//
// MODEL_DIR is one model's directory of a repository (…/repo/inception_v3), opened as ModelRepository::load
// opens each model (config, sha256 check, open_backend: optimize_for_inference and the dummy pass), without
// loading the repository's other models. --threads sets the engine's intra-op threads (set_inference_threads,
// default 2, as `sluice-serve --threads 2`); --seconds is the time spent per batch size after one warm-up
// pass (default 5).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "serve/model/backend.h"
#include "serve/model/model_config.h"
#include "serve/model/repository.h"
#include "serve/vision/image_decode.h"
#include "serve/vision/preprocess.h"

namespace {

namespace model = sluice::serve::model;
namespace vision = sluice::serve::vision;

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Options {
  std::filesystem::path model_dir;
  std::filesystem::path image;
  int threads = 2;
  double seconds = 5.0;
  std::vector<int> batches{1, 2, 4, 8, 16};
};

int usage() {
  std::fprintf(stderr,
               "usage: engine_floor MODEL_DIR IMAGE [--threads N] [--seconds S] [--batches 1,2,4,8,16]\n");
  return 2;
}

bool parse(int argc, char** argv, Options& options) {
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    bool has_value = i + 1 < argc;
    if (arg == "--threads" && has_value) {
      options.threads = std::atoi(argv[++i]);
    } else if (arg == "--seconds" && has_value) {
      options.seconds = std::atof(argv[++i]);
    } else if (arg == "--batches" && has_value) {
      options.batches.clear();
      std::stringstream list(argv[++i]);
      for (std::string item; std::getline(list, item, ',');)
        options.batches.push_back(std::atoi(item.c_str()));
    } else if (arg.rfind("--", 0) == 0) {
      return false;
    } else {
      positional.push_back(arg);
    }
  }
  if (positional.size() != 2 || options.threads < 1 || options.seconds <= 0) return false;
  if (std::any_of(options.batches.begin(), options.batches.end(), [](int b) { return b < 1 || b > 256; })) {
    return false;
  }
  options.model_dir = std::filesystem::absolute(positional[0]).lexically_normal();
  if (options.model_dir.filename().empty()) options.model_dir = options.model_dir.parent_path();
  options.image = positional[1];
  return !options.batches.empty();
}

// Runs `step` once to warm up, then repeatedly until `seconds` have passed (at least 3 times); returns the
// mean seconds per call, or a negative number when a call fails.
template <typename Step>
double time_per_call(double seconds, Step step) {
  if (!step()) return -1;
  int calls = 0;
  Clock::time_point start = Clock::now();
  while (calls < 3 || seconds_since(start) < seconds) {
    if (!step()) return -1;
    ++calls;
  }
  return seconds_since(start) / calls;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse(argc, argv, options)) return usage();

  std::ifstream file(options.image, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (!file || bytes.empty()) {
    std::fprintf(stderr, "engine_floor: cannot read %s\n", options.image.c_str());
    return 1;
  }

  auto config = model::load_model_config(options.model_dir);
  if (!config) {
    std::fprintf(stderr, "engine_floor: %s\n", config.status().message().c_str());
    return 1;
  }
  const vision::PreprocessSpec spec = config->preprocess;
  const size_t per_image = static_cast<size_t>(vision::input_floats(spec));

  // Decode + preprocess with one ATen thread (preprocess runs on ATen kernels): the CPU time one request
  // costs a fetch/decode worker, whatever the server's --threads.
  model::set_inference_threads(1);
  std::vector<float> one(per_image);
  std::string failure;
  double decode_s = time_per_call(std::min(options.seconds, 3.0), [&] {
    auto rgb = vision::decode_rgb(bytes, vision::DecodeLimits{});
    if (!rgb) return failure = rgb.status().message(), false;
    sluice::common::Status status = vision::preprocess(*rgb, spec, one.data());
    if (!status) return failure = status.message(), false;
    return true;
  });
  if (decode_s < 0) {
    std::fprintf(stderr, "engine_floor: decode+preprocess of %s failed: %s\n", options.image.c_str(),
                 failure.c_str());
    return 1;
  }

  model::set_inference_threads(options.threads);
  auto sha = model::sha256_file(config->weights);
  if (!sha || *sha != config->sha256) {
    std::fprintf(stderr, "engine_floor: %s: weights missing or sha256 mismatch\n", config->weights.c_str());
    return 1;
  }
  auto backend = model::open_backend(*config);
  if (!backend) {
    std::fprintf(stderr, "engine_floor: %s\n", backend.status().message().c_str());
    return 1;
  }
  std::string name = config->name;
  auto loaded = std::make_unique<model::LoadedModel>(std::move(*config), std::move(*backend), 0.0);

  // Inference inputs: the preprocessed photo, then noise, so every image of a batch is not the same one.
  int max_batch = *std::max_element(options.batches.begin(), options.batches.end());
  std::vector<float> input(per_image * static_cast<size_t>(max_batch));
  std::mt19937 rng(42);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  std::copy(one.begin(), one.end(), input.begin());
  std::generate(input.begin() + static_cast<std::ptrdiff_t>(per_image), input.end(),
                [&] { return noise(rng); });

  std::printf("engine_floor: %s (%s), %d inference thread(s), %dx%d input, %.1f s per batch size\n",
              name.c_str(), loaded->engine(), options.threads, spec.crop_width, spec.crop_height,
              options.seconds);
  std::printf("| batch | ms per batch | ms per image | images/s |\n|---:|---:|---:|---:|\n");
  double best_ips = 0;
  int best_batch = 0;
  for (int batch : options.batches) {
    double s = time_per_call(options.seconds, [&] {
      auto out = loaded->infer(input.data(), batch);
      if (!out) failure = out.status().message();
      return static_cast<bool>(out);
    });
    if (s < 0) {
      std::fprintf(stderr, "engine_floor: infer at batch %d failed: %s\n", batch, failure.c_str());
      return 1;
    }
    double ips = batch / s;
    std::printf("| %d | %.2f | %.2f | %.2f |\n", batch, s * 1e3, s * 1e3 / batch, ips);
    std::printf("batch_%d_ips=%.3f\n", batch, ips);
    std::fflush(stdout);
    if (ips > best_ips) best_ips = ips, best_batch = batch;
  }
  double infer_ms = 1e3 / best_ips;
  double decode_ms = decode_s * 1e3;
  std::printf("decode+preprocess of %s (1 thread): %.2f ms\n", options.image.filename().c_str(), decode_ms);
  std::printf(
      "best_batch=%d\nbest_batch_ips=%.3f\ninfer_ms_per_image=%.3f\ndecode_ms=%.3f\nceiling_rps=%.3f\n",
      best_batch, best_ips, infer_ms, decode_ms, 1e3 / (infer_ms + decode_ms));
  return 0;
}
