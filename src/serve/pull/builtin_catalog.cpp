// The built-in catalog (format: docs/models-cli.md). Every checksum here was read, never computed or typed
// from memory:
//  - ONNX: the `oid sha256:` and `size` of the Git LFS pointer file the ONNX Model Zoo
//  (github.com/onnx/models)
//    keeps at the model's path; "pinned_by" names the pointer read. The zoo moved its files from
//    vision/… to validated/vision/… without changing them, and the download uses the current path.
//  - TorchScript: torchvision 0.14's checkpoint URLs (Debian's python3-torchvision, the DEFAULT weights of
//    each torchvision/models/*.py), verified by the sha256 prefix in their file names as torch.hub does;
//    preprocessing from the same weights' ImageClassification transforms.
// Preprocessing of the ONNX files: each zoo README's (256 → 224, ImageNet mean/std, RGB), except
// DenseNet-121, whose README states none: it is the Caffe2 conversion of shicai/DenseNet-Caffe, which expects
// BGR, mean (103.94, 116.78, 123.68) and scale 0.017 on 0-255 values (OpenVINO open_model_zoo,
// densenet-121-caffe2.md). The zoo has no Inception v3, so inception_v3 has no ONNX source.
#include "serve/pull/catalog.h"

namespace sluice::serve::pull {
namespace {

constexpr const char* kBuiltinCatalog = R"json({
  "models": [
    {
      "name": "mobilenet_v2",
      "aliases": ["MobileNetV2", "mobilenet"],
      "description": "MobileNetV2, 224x224 (ImageAI set)",
      "labels": "imagenet",
      "sources": {
        "onnx": {
          "url": "https://github.com/onnx/models/raw/main/validated/vision/classification/mobilenet/model/mobilenetv2-7.onnx",
          "sha256": "c1c513582d56afceff8516c73804e484c81c6a830712ab6d682253f4a3cd042f",
          "size": 14246826,
          "pinned_by": "onnx/models vision/classification/mobilenet/model/mobilenetv2-7.onnx @ 13fcb614",
          "input": {"resize_mode": "shorter_side", "resize": 256, "crop": {"width": 224, "height": 224},
                    "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "channel_order": "RGB"},
          "output": "logits"
        },
        "torchscript": {
          "url": "https://download.pytorch.org/models/mobilenet_v2-7ebf99e0.pth",
          "sha256": "from_file_name",
          "convert": "mobilenet_v2",
          "pinned_by": "torchvision 0.14 models/mobilenetv2.py MobileNet_V2_Weights.IMAGENET1K_V2 (DEFAULT)",
          "input": {"resize_mode": "shorter_side", "resize": 232, "crop": {"width": 224, "height": 224},
                    "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "channel_order": "RGB"},
          "output": "logits"
        }
      }
    },
    {
      "name": "resnet50",
      "aliases": ["ResNet50", "resnet"],
      "description": "ResNet-50, 224x224 (ImageAI set)",
      "labels": "imagenet",
      "sources": {
        "onnx": {
          "url": "https://github.com/onnx/models/raw/main/validated/vision/classification/resnet/model/resnet50-v2-7.onnx",
          "sha256": "1e80e8a7c8eec8e8b20c440d7dd7f2f8590779c7c2859dc4514870dc463845d3",
          "size": 102442450,
          "pinned_by": "onnx/models vision/classification/resnet/model/resnet50-v2-7.onnx @ b9a54e89",
          "input": {"resize_mode": "shorter_side", "resize": 256, "crop": {"width": 224, "height": 224},
                    "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "channel_order": "RGB"},
          "output": "logits"
        },
        "torchscript": {
          "url": "https://download.pytorch.org/models/resnet50-11ad3fa6.pth",
          "sha256": "from_file_name",
          "convert": "resnet50",
          "pinned_by": "torchvision 0.14 models/resnet.py ResNet50_Weights.IMAGENET1K_V2 (DEFAULT)",
          "input": {"resize_mode": "shorter_side", "resize": 232, "crop": {"width": 224, "height": 224},
                    "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "channel_order": "RGB"},
          "output": "logits"
        }
      }
    },
    {
      "name": "inception_v3",
      "aliases": ["InceptionV3", "inception"],
      "description": "Inception v3, 299x299 (ImageAI set; the reference's model); TorchScript only",
      "labels": "imagenet",
      "sources": {
        "torchscript": {
          "url": "https://download.pytorch.org/models/inception_v3_google-0cc3c7bd.pth",
          "sha256": "from_file_name",
          "convert": "inception_v3",
          "pinned_by": "torchvision 0.14 models/inception.py Inception_V3_Weights.IMAGENET1K_V1 (DEFAULT)",
          "input": {"resize_mode": "shorter_side", "resize": 342, "crop": {"width": 299, "height": 299},
                    "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "channel_order": "RGB"},
          "output": "logits"
        }
      }
    },
    {
      "name": "densenet121",
      "aliases": ["DenseNet121", "densenet"],
      "description": "DenseNet-121, 224x224 (ImageAI set)",
      "labels": "imagenet",
      "sources": {
        "onnx": {
          "url": "https://github.com/onnx/models/raw/main/validated/vision/classification/densenet-121/model/densenet-12.onnx",
          "sha256": "0294e7e88e5b3360de9b0fdc321baf9e6ef18b7f058c4536caae3b9f18ed9ed5",
          "size": 32726877,
          "pinned_by": "onnx/models validated/vision/classification/densenet-121/model/densenet-12.onnx @ 4c46cd00",
          "input": {"resize_mode": "shorter_side", "resize": 256, "crop": {"width": 224, "height": 224},
                    "mean": [0.48501961, 0.45796078, 0.40760784],
                    "std": [0.23068051, 0.23068051, 0.23068051], "channel_order": "BGR"},
          "output": "logits"
        },
        "torchscript": {
          "url": "https://download.pytorch.org/models/densenet121-a639ec97.pth",
          "sha256": "from_file_name",
          "convert": "densenet121",
          "pinned_by": "torchvision 0.14 models/densenet.py DenseNet121_Weights.IMAGENET1K_V1 (DEFAULT)",
          "input": {"resize_mode": "shorter_side", "resize": 256, "crop": {"width": 224, "height": 224},
                    "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "channel_order": "RGB"},
          "output": "logits"
        }
      }
    },
    {
      "name": "squeezenet1_1",
      "aliases": ["SqueezeNet", "squeezenet1.1"],
      "description": "SqueezeNet 1.1, 224x224 (small and fast)",
      "labels": "imagenet",
      "sources": {
        "onnx": {
          "url": "https://github.com/onnx/models/raw/main/validated/vision/classification/squeezenet/model/squeezenet1.1-7.onnx",
          "sha256": "9456373b67f04e4a9cb0bb9be984f0db2d0ad141582d84d4b4ad9e84f7ec7785",
          "size": 9165684,
          "pinned_by": "onnx/models vision/classification/squeezenet/model/squeezenet1.1-7.onnx @ 96d63306",
          "input": {"resize_mode": "shorter_side", "resize": 256, "crop": {"width": 224, "height": 224},
                    "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "channel_order": "RGB"},
          "output": "logits"
        },
        "torchscript": {
          "url": "https://download.pytorch.org/models/squeezenet1_1-b8a52dc0.pth",
          "sha256": "from_file_name",
          "convert": "squeezenet1_1",
          "pinned_by": "torchvision 0.14 models/squeezenet.py SqueezeNet1_1_Weights.IMAGENET1K_V1 (DEFAULT)",
          "input": {"resize_mode": "shorter_side", "resize": 256, "crop": {"width": 224, "height": 224},
                    "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "channel_order": "RGB"},
          "output": "logits"
        }
      }
    },
    {
      "name": "shufflenet_v2_x1_0",
      "aliases": ["ShuffleNet", "ShuffleNetV2", "shufflenet_v2"],
      "description": "ShuffleNet v2 (1.0x), 224x224 (small and fast)",
      "labels": "imagenet",
      "sources": {
        "onnx": {
          "url": "https://github.com/onnx/models/raw/main/validated/vision/classification/shufflenet/model/shufflenet-v2-10.onnx",
          "sha256": "8b85e969a0a5518b554c99548379d1ba54d973733a6a12012138d91852308584",
          "size": 9218554,
          "pinned_by": "onnx/models vision/classification/shufflenet/model/shufflenet-v2-10.onnx @ c4a283cd",
          "input": {"resize_mode": "shorter_side", "resize": 256, "crop": {"width": 224, "height": 224},
                    "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "channel_order": "RGB"},
          "output": "logits"
        },
        "torchscript": {
          "url": "https://download.pytorch.org/models/shufflenetv2_x1-5666bf0f80.pth",
          "sha256": "from_file_name",
          "convert": "shufflenet_v2_x1_0",
          "pinned_by": "torchvision 0.14 models/shufflenetv2.py ShuffleNet_V2_X1_0_Weights.IMAGENET1K_V1 (DEFAULT)",
          "input": {"resize_mode": "shorter_side", "resize": 256, "crop": {"width": 224, "height": 224},
                    "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "channel_order": "RGB"},
          "output": "logits"
        }
      }
    }
  ]
})json";

}  // namespace

const Catalog& builtin_catalog() {
  // The document is a constant of this file and a unit test parses it, so a failure here is a bug: an empty
  // catalog then makes every pull say the model is unknown rather than crash.
  static const Catalog catalog = [] {
    auto parsed = parse_catalog(kBuiltinCatalog, "built-in catalog");
    return parsed ? std::move(parsed.value()) : Catalog();
  }();
  return catalog;
}

}  // namespace sluice::serve::pull
