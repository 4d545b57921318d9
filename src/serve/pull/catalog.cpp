#include "serve/pull/catalog.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <initializer_list>
#include <sstream>

namespace sluice::serve::pull {

using common::Result;
using common::Status;
using nlohmann::json;

namespace {

constexpr std::string_view kFromFileName = "from_file_name";
constexpr size_t kMaxNameLength = 58;  // 64 (the repository's limit) less "_onnx"

std::string fold(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == '_' || c == '-' || c == '.') continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

bool is_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > kMaxNameLength || !std::isalnum(static_cast<unsigned char>(name[0])))
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

// The last path segment of an http(s) URL, without query or fragment; empty when there is none.
std::string url_file_name(const std::string& url) {
  std::string_view rest(url);
  const size_t scheme = rest.find("://");
  if (scheme == std::string_view::npos) return "";
  rest.remove_prefix(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("?#"));
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return "";
  std::string_view name = rest.substr(rest.rfind('/') + 1);
  if (name.empty() || name == "." || name == ".." || name.find('%') != std::string_view::npos) return "";
  return std::string(name);
}

class Reader {
 public:
  explicit Reader(std::string origin) : origin_(std::move(origin)) {}

  Status error(const std::string& field, const std::string& what) const {
    return common::invalid_argument(origin_ + ": " + field + ": " + what);
  }

  Status check_keys(const json& object, const std::string& path,
                    std::initializer_list<std::string_view> known) const {
    for (const auto& [key, value] : object.items()) {
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        return error(path + key, "unknown field");
      }
    }
    return Status::ok();
  }

  Result<std::string> string(const json& object, const char* key, const std::string& path,
                             bool required) const {
    const auto it = object.find(key);
    if (it == object.end()) {
      if (required) return error(path + key, "required field is missing");
      return std::string();
    }
    if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
      return error(path + key, "expected a non-empty string");
    }
    return it->get<std::string>();
  }

  Result<std::vector<std::string>> strings(const json& value, const std::string& path) const {
    if (!value.is_array()) return error(path, "expected an array of strings");
    std::vector<std::string> out;
    for (const auto& item : value) {
      if (!item.is_string() || item.get_ref<const std::string&>().empty() ||
          item.get_ref<const std::string&>().find_first_of("\r\n") != std::string::npos) {
        return error(path, "expected non-empty one-line strings");
      }
      out.push_back(item.get<std::string>());
    }
    return out;
  }

  Result<Source> source(const json& value, const std::string& format, const std::string& path) const {
    if (!value.is_object()) return error(path, "expected an object");
    SLUICE_RETURN_IF_ERROR(
        check_keys(value, path + ".", {"url", "sha256", "size", "convert", "input", "output", "pinned_by"}));
    Source s;
    s.format = format == "onnx" ? model::ModelFormat::kOnnx : model::ModelFormat::kTorchScript;
    auto url = string(value, "url", path + ".", true);
    if (!url) return url.status();
    s.url = *url;
    if (!s.url.starts_with("http://") && !s.url.starts_with("https://")) {
      return error(path + ".url", "expected an http:// or https:// URL");
    }
    s.file_name = url_file_name(s.url);
    if (s.file_name.empty()) return error(path + ".url", "the URL does not end with a file name");

    auto sha = string(value, "sha256", path + ".", true);
    if (!sha) return sha.status();
    if (*sha == kFromFileName) {
      auto prefix = torch_hub_hash_prefix(s.file_name);
      if (!prefix) {
        return error(path + ".sha256",
                     "\"from_file_name\", but '" + s.file_name + "' holds no -HEX. sha256 prefix");
      }
      s.hash_prefix = *prefix;
    } else {
      s.sha256 = lower(*sha);
      if (s.sha256.size() != 64 || !is_hex(s.sha256)) {
        return error(path + ".sha256", "expected 64 hexadecimal digits or \"from_file_name\"");
      }
    }
    if (const auto it = value.find("size"); it != value.end()) {
      if (!it->is_number_integer() || it->get<int64_t>() < 1) {
        return error(path + ".size", "expected a positive integer (bytes)");
      }
      s.size = it->get<int64_t>();
    }
    auto convert = string(value, "convert", path + ".", false);
    if (!convert) return convert.status();
    s.convert_arch = *convert;
    if (!s.convert_arch.empty() && s.format != model::ModelFormat::kTorchScript) {
      return error(path + ".convert", "only a torchscript source is converted");
    }
    const auto input = value.find("input");
    if (input == value.end() || !input->is_object()) {
      return error(path + ".input", "expected config.json's \"input\" object");
    }
    s.input = *input;
    auto output = string(value, "output", path + ".", false);
    if (!output) return output.status();
    if (!output->empty()) s.output = *output;
    if (s.output != "logits" && s.output != "probabilities") {
      return error(path + ".output", "expected \"logits\" or \"probabilities\"");
    }
    auto pinned_by = string(value, "pinned_by", path + ".", false);  // provenance, for people
    if (!pinned_by) return pinned_by.status();
    return s;
  }

  Result<CatalogEntry> entry(const json& value, const std::string& path) const {
    if (!value.is_object()) return error(path, "expected an object");
    SLUICE_RETURN_IF_ERROR(
        check_keys(value, path + ".", {"name", "aliases", "description", "labels", "sources"}));
    CatalogEntry e;
    auto name = string(value, "name", path + ".", true);
    if (!name) return name.status();
    e.name = *name;
    if (!valid_name(e.name)) {
      return error(path + ".name",
                   "expected 1-58 letters, digits, '_', '-' or '.', starting with a letter or digit");
    }
    if (const auto it = value.find("aliases"); it != value.end()) {
      auto aliases = strings(*it, path + ".aliases");
      if (!aliases) return aliases.status();
      e.aliases = std::move(*aliases);
    }
    auto description = string(value, "description", path + ".", false);
    if (!description) return description.status();
    e.description = *description;

    const auto labels = value.find("labels");
    if (labels == value.end()) return error(path + ".labels", "required field is missing");
    if (labels->is_string() && labels->get_ref<const std::string&>() == "imagenet") {
      e.labels = imagenet_labels();
    } else {
      auto list = strings(*labels, path + ".labels");
      if (!list || list->empty())
        return error(path + ".labels", "expected \"imagenet\" or an array of labels");
      e.labels = std::move(*list);
    }

    const auto sources = value.find("sources");
    if (sources == value.end() || !sources->is_object() || sources->empty()) {
      return error(path + ".sources", "expected an object with \"onnx\" and/or \"torchscript\"");
    }
    SLUICE_RETURN_IF_ERROR(check_keys(*sources, path + ".sources.", {"onnx", "torchscript"}));
    for (const char* format : {"onnx", "torchscript"}) {
      if (!sources->contains(format)) continue;
      auto s = source(sources->at(format), format, path + ".sources." + format);
      if (!s) return s.status();
      e.sources.push_back(std::move(*s));
    }
    return e;
  }

 private:
  std::string origin_;
};

}  // namespace

const Source* CatalogEntry::source(model::ModelFormat format) const {
  for (const auto& s : sources) {
    if (s.format == format) return &s;
  }
  return nullptr;
}

const Source& CatalogEntry::default_source() const {
  const Source* onnx = source(model::ModelFormat::kOnnx);
  return onnx != nullptr ? *onnx : sources.front();
}

std::string CatalogEntry::installed_name(model::ModelFormat format) const {
  return format == model::ModelFormat::kOnnx ? name + "_onnx" : name;
}

const CatalogEntry* Catalog::find(std::string_view name) const {
  const std::string wanted = fold(name);
  if (wanted.empty()) return nullptr;
  for (const auto& e : entries_) {
    if (fold(e.name) == wanted) return &e;
    for (const auto& alias : e.aliases) {
      if (fold(alias) == wanted) return &e;
    }
  }
  return nullptr;
}

Result<Catalog> parse_catalog(std::string_view json_text, const std::string& origin) {
  json doc;
  try {
    doc = json::parse(json_text);
  } catch (const json::parse_error& e) {
    return common::invalid_argument(origin + ": not valid JSON: " + e.what());
  }
  const Reader reader(origin);
  if (!doc.is_object()) return reader.error("(top level)", "expected an object {\"models\": [...]}");
  SLUICE_RETURN_IF_ERROR(reader.check_keys(doc, "", {"models"}));
  const auto models = doc.find("models");
  if (models == doc.end() || !models->is_array()) return reader.error("models", "expected an array");
  std::vector<CatalogEntry> entries;
  for (size_t i = 0; i < models->size(); ++i) {
    auto e = reader.entry((*models)[i], "models[" + std::to_string(i) + "]");
    if (!e) return e.status();
    for (const auto& other : entries) {
      if (fold(other.name) == fold(e->name)) {
        return reader.error("models[" + std::to_string(i) + "].name", "'" + e->name + "' is listed twice");
      }
    }
    entries.push_back(std::move(*e));
  }
  return Catalog(std::move(entries));
}

Result<Catalog> load_catalog_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return common::not_found(path.string() + ": cannot open the catalog");
  std::stringstream text;
  text << in.rdbuf();
  return parse_catalog(text.str(), path.string());
}

std::optional<std::string> torch_hub_hash_prefix(std::string_view file_name) {
  // re.search semantics: the leftmost '-' whose maximal run of [a-f0-9] is followed by '.'; backtracking to
  // a shorter run cannot help, since a hex digit is never '.'.
  for (size_t dash = file_name.find('-'); dash != std::string_view::npos;
       dash = file_name.find('-', dash + 1)) {
    size_t end = dash + 1;
    while (end < file_name.size() && is_hex(file_name.substr(end, 1))) ++end;
    if (end < file_name.size() && file_name[end] == '.') {
      if (end == dash + 1) return std::nullopt;
      return std::string(file_name.substr(dash + 1, end - dash - 1));
    }
  }
  return std::nullopt;
}

bool checksum_matches(const Source& source, std::string_view sha256_hex) {
  if (!source.sha256.empty()) return sha256_hex == source.sha256;
  return !source.hash_prefix.empty() && sha256_hex.starts_with(source.hash_prefix);
}

std::string expected_checksum_text(const Source& source) {
  if (!source.sha256.empty()) return "sha256 " + source.sha256;
  return "a sha256 starting with " + source.hash_prefix + " (torch.hub's rule for " + source.file_name + ")";
}

const std::vector<std::string>& imagenet_labels() {
  static const std::vector<std::string> labels = {
#include "serve/pull/imagenet_labels.inc"
  };
  return labels;
}

}  // namespace sluice::serve::pull
