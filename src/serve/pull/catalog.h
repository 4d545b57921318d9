#pragma once
// The catalog of models `sluice-serve models pull` can fetch: for each model, where each format comes from,
// how the download is verified, and the config.json (preprocessing, output) and labels it is installed with.
// The built-in catalog is a JSON document compiled into the binary (builtin_catalog.cpp); `--catalog FILE`
// reads another one in the same format (docs/models-cli.md). Immutable once built; safe to share.
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "serve/model/model_config.h"

namespace sluice::serve::pull {

// One downloadable file of a model, in one format.
struct Source {
  model::ModelFormat format = model::ModelFormat::kOnnx;
  std::string url;
  std::string file_name;  // the URL's last path segment: the name the download is kept under
  // Exactly one way to verify: the full digest (`sha256`), or torch.hub's rule (`hash_prefix`, taken from
  // the file name by torch_hub_hash_prefix()).
  std::string sha256;       // 64 lowercase hex digits, or empty
  std::string hash_prefix;  // lowercase hex, or empty
  int64_t size = 0;         // exact size in bytes when the catalog knows it, else 0
  // Non-empty: the file is a torchvision state dict that tools/export_model.py converts for this
  // architecture; empty: the file is installed as it is.
  std::string convert_arch;
  nlohmann::json input;  // config.json's "input" object, written as is
  std::string output = "logits";
};

struct CatalogEntry {
  std::string name;
  std::vector<std::string> aliases;  // other spellings `pull` accepts ("MobileNetV2")
  std::string description;
  std::vector<std::string> labels;  // one per output class
  std::vector<Source> sources;      // at most one per format

  const Source* source(model::ModelFormat format) const;  // nullptr when the catalog has none
  // ONNX when the catalog has it (a full checksum and no conversion step), else the first source.
  const Source& default_source() const;
  // The repository directory a pull of `format` installs: the name for TorchScript, NAME_onnx for ONNX, so
  // that both formats can sit side by side.
  std::string installed_name(model::ModelFormat format) const;
};

class Catalog {
 public:
  Catalog() = default;
  explicit Catalog(std::vector<CatalogEntry> entries) : entries_(std::move(entries)) {}
  const std::vector<CatalogEntry>& entries() const { return entries_; }
  // By name or alias, ignoring case and the characters '_', '-' and '.' ("MobileNetV2" finds mobilenet_v2).
  const CatalogEntry* find(std::string_view name) const;

 private:
  std::vector<CatalogEntry> entries_;
};

// Parses a catalog document. Errors name `origin` and the field: "my.json: models[2].sources.onnx.sha256:
// expected 64 hexadecimal digits".
common::Result<Catalog> parse_catalog(std::string_view json_text, const std::string& origin);
common::Result<Catalog> load_catalog_file(const std::filesystem::path& path);

// The catalog compiled into the binary.
const Catalog& builtin_catalog();

// torch.hub's check_hash rule (torch/hub.py, HASH_REGEX = r'-([a-f0-9]*)\.'): the first "-HEX." in the file
// name gives the prefix the file's sha256 must start with. nullopt when the name has none; an empty match
// ("x-.pth") is reported as nullopt too, since it would verify nothing.
std::optional<std::string> torch_hub_hash_prefix(std::string_view file_name);

// Whether a file whose digest is `sha256_hex` is the one `source` names (full digest or prefix rule).
bool checksum_matches(const Source& source, std::string_view sha256_hex);
// "sha256 c1c51358…" or "a sha256 starting with 7ebf99e0", for messages.
std::string expected_checksum_text(const Source& source);

// The ImageNet-1k class names in output order (torchvision's metadata, via tools/gen_imagenet_labels.py).
const std::vector<std::string>& imagenet_labels();

}  // namespace sluice::serve::pull
