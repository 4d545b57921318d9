#include "serve/model/model_config.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string_view>

namespace sluice::serve::model {

using common::Result;
using common::Status;
using nlohmann::json;

const char* model_format_name(ModelFormat format) {
  switch (format) {
    case ModelFormat::kTorchScript:
      return "torchscript";
    case ModelFormat::kOnnx:
      return "onnx";
  }
  return "unknown";
}

namespace {

constexpr int kMaxImageSide = 8192;  // far beyond any classifier; stops a typo from allocating gigabytes

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// Reads one config.json; every error names the file and the dotted field.
class ConfigReader {
 public:
  explicit ConfigReader(std::string file) : file_(std::move(file)) {}

  Status error(std::string_view field, std::string_view what) const {
    return common::invalid_argument(file_ + ": " + std::string(field) + ": " + std::string(what));
  }

  // Unknown keys are errors so that a typo ("lables") is not silently replaced by a default.
  Status check_keys(const json& object, std::string_view prefix,
                    std::initializer_list<std::string_view> known) const {
    for (const auto& [key, value] : object.items()) {
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      std::string message = "unknown field";
      for (std::string_view candidate : known) {
        if (edit_distance(key, candidate) <= 2) {
          message += " (did you mean \"" + std::string(candidate) + "\"?)";
          break;
        }
      }
      return error(std::string(prefix) + key, message);
    }
    return Status::ok();
  }

  Result<std::string> string(const json& object, std::string_view field, std::string_view path,
                             std::optional<std::string> fallback) const {
    auto it = object.find(field);
    if (it == object.end()) {
      if (fallback) return *fallback;
      return error(path, "required field is missing");
    }
    if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
      return error(path, "expected a non-empty string");
    }
    return it->get<std::string>();
  }

  Result<int> side(const json& value, std::string_view path) const {
    if (!value.is_number_integer() || value.get<int64_t>() < 1 || value.get<int64_t>() > kMaxImageSide) {
      return error(path, "expected an integer from 1 to " + std::to_string(kMaxImageSide));
    }
    return static_cast<int>(value.get<int64_t>());
  }

  Result<std::array<float, 3>> triple(const json& value, std::string_view path, bool positive) const {
    std::string expected = positive ? "expected 3 positive numbers" : "expected 3 numbers";
    if (!value.is_array() || value.size() != 3) return error(path, expected);
    std::array<float, 3> out{};
    for (size_t i = 0; i < 3; ++i) {
      if (!value[i].is_number() || (positive && value[i].get<double>() <= 0)) return error(path, expected);
      out[i] = value[i].get<float>();
    }
    return out;
  }

 private:
  std::string file_;
};

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > 64 || !std::isalnum(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

// A file named by config.json must stay inside the model's directory.
bool inside_directory(const std::filesystem::path& relative) {
  if (relative.empty() || relative.is_absolute() || relative.has_root_name()) return false;
  return std::none_of(relative.begin(), relative.end(), [](const auto& part) { return part == ".."; });
}

Status read_input(const ConfigReader& reader, const json& input, vision::PreprocessSpec& spec) {
  if (!input.is_object()) return reader.error("input", "expected an object");
  SLUICE_RETURN_IF_ERROR(
      reader.check_keys(input, "input.", {"resize_mode", "resize", "crop", "mean", "std", "channel_order"}));

  Result<std::string> mode = reader.string(input, "resize_mode", "input.resize_mode", "shorter_side");
  if (!mode) return mode.status();
  if (*mode == "shorter_side") {
    spec.resize_mode = vision::ResizeMode::kShorterSide;
  } else if (*mode == "stretch") {
    spec.resize_mode = vision::ResizeMode::kStretch;
  } else {
    return reader.error("input.resize_mode",
                        "expected \"shorter_side\" or \"stretch\", got \"" + *mode + "\"");
  }

  auto crop = input.find("crop");
  if (crop == input.end()) return reader.error("input.crop", "required field is missing");
  if (!crop->is_object())
    return reader.error("input.crop", "expected an object {\"width\": W, \"height\": H}");
  SLUICE_RETURN_IF_ERROR(reader.check_keys(*crop, "input.crop.", {"width", "height"}));
  if (!crop->contains("width")) return reader.error("input.crop.width", "required field is missing");
  if (!crop->contains("height")) return reader.error("input.crop.height", "required field is missing");
  Result<int> width = reader.side(crop->at("width"), "input.crop.width");
  if (!width) return width.status();
  Result<int> height = reader.side(crop->at("height"), "input.crop.height");
  if (!height) return height.status();
  spec.crop_width = *width;
  spec.crop_height = *height;

  auto resize = input.find("resize");
  if (spec.resize_mode == vision::ResizeMode::kShorterSide) {
    if (resize == input.end())
      return reader.error("input.resize", "required with resize_mode \"shorter_side\"");
    Result<int> side = reader.side(*resize, "input.resize");
    if (!side) return side.status();
    if (*side < std::max(*width, *height)) {
      return reader.error("input.resize", "must be at least the crop's width and height (" +
                                              std::to_string(std::max(*width, *height)) + ")");
    }
    spec.resize = *side;
  } else if (resize != input.end()) {
    return reader.error("input.resize",
                        "not used with resize_mode \"stretch\" (the image is scaled to the crop)");
  }

  if (auto mean = input.find("mean"); mean != input.end()) {
    Result<std::array<float, 3>> values = reader.triple(*mean, "input.mean", false);
    if (!values) return values.status();
    spec.mean = *values;
  }
  if (auto deviation = input.find("std"); deviation != input.end()) {
    Result<std::array<float, 3>> values = reader.triple(*deviation, "input.std", true);
    if (!values) return values.status();
    spec.std = *values;
  }

  Result<std::string> order = reader.string(input, "channel_order", "input.channel_order", "RGB");
  if (!order) return order.status();
  if (*order != "RGB" && *order != "BGR") {
    return reader.error("input.channel_order", "expected \"RGB\" or \"BGR\", got \"" + *order + "\"");
  }
  spec.bgr = *order == "BGR";
  return Status::ok();
}

Result<std::vector<std::string>> read_labels(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return common::not_found(path.string() + ": cannot open the labels file");
  std::vector<std::string> labels;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos) {
      return common::invalid_argument(path.string() + ":" + std::to_string(number) +
                                      ": empty label (one label per line, no blank lines)");
    }
    line = line.substr(first, line.find_last_not_of(" \t") - first + 1);
    labels.push_back(line);
  }
  if (in.bad()) return common::unavailable(path.string() + ": read error");
  if (labels.empty()) return common::invalid_argument(path.string() + ": no labels");
  return labels;
}

}  // namespace

Result<ModelConfig> load_model_config(const std::filesystem::path& model_dir) {
  const std::filesystem::path file = model_dir / "config.json";
  const ConfigReader reader(file.string());
  std::ifstream in(file, std::ios::binary);
  if (!in) return common::not_found(file.string() + ": cannot open");
  std::stringstream text;
  text << in.rdbuf();

  json root;
  try {
    root = json::parse(text.str());
  } catch (const json::exception& e) {
    std::string what = e.what();
    // nlohmann prefixes "[json.exception.parse_error.101] "; the rest says where.
    if (size_t end = what.find("] "); what.starts_with("[json.") && end != std::string::npos) {
      what = what.substr(end + 2);
    }
    return common::invalid_argument(file.string() + ": invalid JSON: " + what);
  }
  if (!root.is_object()) return common::invalid_argument(file.string() + ": expected a JSON object");
  SLUICE_RETURN_IF_ERROR(reader.check_keys(
      root, "", {"name", "version", "format", "file", "sha256", "input", "output", "labels", "default"}));

  ModelConfig config;
  Result<std::string> name = reader.string(root, "name", "name", model_dir.filename().string());
  if (!name) return name.status();
  if (!valid_name(*name)) {
    return reader.error("name", "\"" + *name +
                                    "\" is not a model name (1-64 letters, digits, '_', '-', '.'; starting "
                                    "with a letter or digit)");
  }
  config.name = *name;

  Result<std::string> version = reader.string(root, "version", "version", "1");
  if (!version) return version.status();
  config.version = *version;

  Result<std::string> format = reader.string(root, "format", "format", std::nullopt);
  if (!format) return format.status();
  if (*format == "torchscript") {
    config.format = ModelFormat::kTorchScript;
  } else if (*format == "onnx") {
    config.format = ModelFormat::kOnnx;
  } else {
    return reader.error("format", "expected \"torchscript\" or \"onnx\", got \"" + *format + "\"");
  }

  Result<std::string> weights = reader.string(root, "file", "file", std::nullopt);
  if (!weights) return weights.status();
  if (!inside_directory(*weights))
    return reader.error("file", "must be a relative path inside " + model_dir.string());
  std::error_code ec;
  std::filesystem::path absolute_dir = std::filesystem::absolute(model_dir, ec);
  if (ec) return common::internal_error(model_dir.string() + ": " + ec.message());
  config.weights = (absolute_dir / *weights).lexically_normal();

  Result<std::string> sha = reader.string(root, "sha256", "sha256", std::nullopt);
  if (!sha) return sha.status();
  if (sha->size() != 64 || !std::all_of(sha->begin(), sha->end(), [](char c) {
        return std::isxdigit(static_cast<unsigned char>(c)) != 0;
      })) {
    return reader.error("sha256", "expected 64 hexadecimal digits (as printed by sha256sum)");
  }
  std::transform(sha->begin(), sha->end(), sha->begin(),
                 [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  config.sha256 = *sha;

  auto input = root.find("input");
  if (input == root.end()) return reader.error("input", "required field is missing");
  SLUICE_RETURN_IF_ERROR(read_input(reader, *input, config.preprocess));

  Result<std::string> output = reader.string(root, "output", "output", "logits");
  if (!output) return output.status();
  if (*output != "logits" && *output != "probabilities") {
    return reader.error("output", "expected \"logits\" or \"probabilities\", got \"" + *output + "\"");
  }
  config.output_is_logits = *output == "logits";

  if (auto is_default = root.find("default"); is_default != root.end()) {
    if (!is_default->is_boolean()) return reader.error("default", "expected true or false");
    config.is_default = is_default->get<bool>();
  }

  Result<std::string> labels_file = reader.string(root, "labels", "labels", "labels.txt");
  if (!labels_file) return labels_file.status();
  if (!inside_directory(*labels_file)) {
    return reader.error("labels", "must be a relative path inside " + model_dir.string());
  }
  Result<std::vector<std::string>> labels = read_labels(model_dir / *labels_file);
  if (!labels) return labels.status();
  config.labels = std::move(labels).value();
  return config;
}

}  // namespace sluice::serve::model
