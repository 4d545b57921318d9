// LibTorch running a TorchScript module after optimize_for_inference (freezing, conv-BN folding and, where
// LibTorch has MKL-DNN, its layouts), under InferenceMode so no autograd bookkeeping is paid per call.
#include <torch/script.h>

#include <exception>
#include <string>
#include <utility>

#include "serve/model/engines.h"

namespace sluice::serve::model::internal {
namespace {

using common::Result;

// The first line of a c10::Error is the message; the rest is a C++ backtrace nobody asked for.
std::string first_line(const char* what) {
  std::string text(what);
  if (size_t end = text.find('\n'); end != std::string::npos) text.resize(end);
  return text;
}

class TorchBackend final : public Backend {
 public:
  TorchBackend(const ModelConfig& config, torch::jit::Module module)
      : name_(config.name),
        module_(std::move(module)),
        height_(config.preprocess.crop_height),
        width_(config.preprocess.crop_width) {}

  Result<std::vector<float>> forward(const float* input, int64_t n) override {
    if (n < 1) return common::invalid_argument(name_ + ": a batch needs at least one image");
    try {
      c10::InferenceMode guard;
      // from_blob does not copy; the module only reads its input.
      at::Tensor batch =
          torch::from_blob(const_cast<float*>(input), {n, 3, height_, width_}, torch::kFloat32);
      c10::IValue result = module_.forward({batch});
      // Some exported classifiers return (logits, aux...); the first tensor is the prediction.
      if (result.isTuple()) result = result.toTupleRef().elements().at(0);
      if (!result.isTensor()) return common::internal_error(name_ + ": the model did not return a tensor");
      at::Tensor out = result.toTensor().to(torch::kFloat32).contiguous();
      if (out.dim() < 1 || out.size(0) != n || out.numel() == 0) {
        return common::internal_error(name_ + ": " + std::to_string(n) + " images in, output of shape " +
                                      c10::str(out.sizes()) + " out");
      }
      const float* data = out.data_ptr<float>();
      return std::vector<float>(data, data + out.numel());
    } catch (const std::exception& e) {
      return common::internal_error(name_ + ": LibTorch forward failed: " + first_line(e.what()));
    }
  }

  const char* engine() const override { return "libtorch"; }

 private:
  std::string name_;
  torch::jit::Module module_;
  int64_t height_;
  int64_t width_;
};

}  // namespace

Result<std::unique_ptr<Backend>> open_torch_backend(const ModelConfig& config) {
  const std::string file = config.weights.filename().string();
  try {
    torch::jit::Module module = torch::jit::load(config.weights.string());
    // A module saved after torch.jit.freeze has no "training" attribute left, and eval() asserts on it.
    if (module.hasattr("training")) module.eval();
    torch::jit::Module optimized = torch::jit::optimize_for_inference(module);
    return std::unique_ptr<Backend>(std::make_unique<TorchBackend>(config, std::move(optimized)));
  } catch (const std::exception& e) {
    return common::invalid_argument(config.name + ": LibTorch cannot load " + file + ": " +
                                    first_line(e.what()));
  }
}

}  // namespace sluice::serve::model::internal
