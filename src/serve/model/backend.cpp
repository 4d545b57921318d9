#include "serve/model/backend.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <exception>
#include <opencv2/core.hpp>
#include <string>

#include "serve/model/engines.h"

namespace sluice::serve::model {

using common::Result;

Result<std::unique_ptr<Backend>> open_backend(const ModelConfig& config) {
  Result<std::unique_ptr<Backend>> opened = config.format == ModelFormat::kOnnx
                                                ? internal::open_opencv_dnn_backend(config)
                                                : internal::open_torch_backend(config);
  if (!opened) return opened;
  // One forward pass now, so that a graph the engine cannot run, or one whose class count disagrees with
  // the labels, fails at start-up rather than on the first request.
  std::vector<float> blank(static_cast<size_t>(vision::input_floats(config.preprocess)), 0.0f);
  Result<std::vector<float>> out = (*opened)->forward(blank.data(), 1);
  if (!out) return common::invalid_argument(out.status().message());
  if (out->size() != config.labels.size()) {
    return common::invalid_argument(config.name + ": the model outputs " + std::to_string(out->size()) +
                                    " classes but its labels file has " +
                                    std::to_string(config.labels.size()));
  }
  return opened;
}

void set_inference_threads(int threads) {
  threads = std::max(1, threads);
  at::set_num_threads(threads);
  try {
    // Requests are already parallel across the batcher; inter-op threads would only oversubscribe the cores.
    // LibTorch allows this once, before any parallel work, so a second call is not an error.
    at::set_num_interop_threads(1);
  } catch (const std::exception&) {
  }
  cv::setNumThreads(threads);
}

}  // namespace sluice::serve::model
