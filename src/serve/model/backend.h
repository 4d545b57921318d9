#pragma once
// An inference engine behind one small interface, so the server never names a concrete engine:
//  - LibTorch running TorchScript after torch::jit::optimize_for_inference (the default where both exist:
//    1.4–1.6× faster than OpenCV DNN here at batch 8);
//  - OpenCV DNN running ONNX (for the many models published only in that format).
#include <cstdint>
#include <memory>
#include <vector>

#include "common/status.h"
#include "serve/model/model_config.h"

namespace sluice::serve::model {

class Backend {
 public:
  virtual ~Backend() = default;
  // `input` holds `n` images as contiguous NCHW float32 of the config's crop size. Returns n × num_classes
  // raw outputs (logits or probabilities, as the model produces them). Called by one thread at a time.
  virtual common::Result<std::vector<float>> forward(const float* input, int64_t n) = 0;
  virtual const char* engine() const = 0;  // "libtorch", "opencv-dnn"
};

// Opens config.weights with the engine for config.format and runs one dummy forward pass to check that the
// output has labels.size() classes. Does not verify the checksum (the repository does). Errors name the
// model and the reason ("mobilenet_v2: OpenCV DNN cannot load model.onnx: …"); never throws.
common::Result<std::unique_ptr<Backend>> open_backend(const ModelConfig& config);

// Intra-op threads for both engines (torch::set_num_threads, cv::setNumThreads). Call once at start-up.
void set_inference_threads(int threads);

}  // namespace sluice::serve::model
