// The pipeline file (docs/pipeline-file.md): the one place that maps step names onto the constructors in
// steps.h. Every key is checked, so a typo is an error rather than a silently ignored setting.
#include "etl/transform/pipeline_file.h"

#include <toml++/toml.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "etl/transform/steps.h"

namespace sluice::etl {

namespace {

constexpr const char* kStepTypes = "ip_is_public, concat, hash, drop or rename";

std::string join(std::initializer_list<std::string_view> words) {
  std::string out;
  for (std::string_view w : words) {
    if (!out.empty()) out += ", ";
    out += w;
  }
  return out;
}

const char* toml_type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

// One [[step]] table being read; every error it makes names the file, the step and, once known, its type.
class StepReader {
 public:
  StepReader(const std::string& path, size_t number, const toml::table& table)
      : path_(path), number_(number), table_(table) {}

  void set_type(std::string type) { type_ = std::move(type); }

  common::Status error(const std::string& what) const {
    std::string message = path_ + ": step " + std::to_string(number_);
    if (!type_.empty()) message += " (" + type_ + ")";
    return common::invalid_argument(message + ": " + what);
  }

  // Checked before anything else, so that a misspelt key is reported as such and not as a missing one.
  common::Status check_keys(std::initializer_list<std::string_view> allowed) const {
    for (const auto& [key, node] : table_) {
      bool known = false;
      for (std::string_view a : allowed) known = known || key.str() == a;
      if (!known) {
        return error("unknown key '" + std::string(key.str()) + "' (expected " + join(allowed) + ")");
      }
    }
    return {};
  }

  bool has(std::string_view key) const { return table_.contains(key); }

  // A required, non-empty string.
  common::Result<std::string> string(std::string_view key) const {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return error("missing key '" + std::string(key) + "'");
    return string_value(key, *node);
  }

  common::Result<std::string> optional_string(std::string_view key, std::string fallback,
                                              bool may_be_empty = false) const {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return fallback;
    return string_value(key, *node, may_be_empty);
  }

  // A required, non-empty array of non-empty strings.
  common::Result<std::vector<std::string>> string_list(std::string_view key, std::string_view example) const {
    const toml::node* node = table_.get(key);
    const std::string expected = "key '" + std::string(key) +
                                 "' must be a non-empty array of column names, e.g. " + std::string(key) +
                                 " = " + std::string(example);
    if (node == nullptr) return error("missing key '" + std::string(key) + "' (" + expected + ")");
    const toml::array* array = node->as_array();
    if (array == nullptr || array->empty()) return error(expected);
    std::vector<std::string> out;
    for (const toml::node& element : *array) {
      const auto* text = element.as_string();
      if (text == nullptr || text->get().empty()) return error(expected);
      out.push_back(text->get());
    }
    return out;
  }

  // A required, non-empty table of string values: { old = "new", ... }.
  common::Result<std::vector<std::pair<std::string, std::string>>> string_map(
      std::string_view key, std::string_view example) const {
    const toml::node* node = table_.get(key);
    const std::string expected = "key '" + std::string(key) +
                                 "' must be a non-empty table of old name = \"new name\", e.g. " +
                                 std::string(key) + " = " + std::string(example);
    if (node == nullptr) return error("missing key '" + std::string(key) + "' (" + expected + ")");
    const toml::table* table = node->as_table();
    if (table == nullptr || table->empty()) return error(expected);
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [name, value] : *table) {
      const auto* text = value.as_string();
      if (text == nullptr || text->get().empty()) return error(expected);
      out.emplace_back(std::string(name.str()), text->get());
    }
    return out;
  }

 private:
  common::Result<std::string> string_value(std::string_view key, const toml::node& node,
                                           bool may_be_empty = false) const {
    const auto* text = node.as_string();
    if (text == nullptr) {
      return error("key '" + std::string(key) + "' must be a string, not " + toml_type_name(node));
    }
    if (text->get().empty() && !may_be_empty)
      return error("key '" + std::string(key) + "' must not be empty");
    return text->get();
  }

  const std::string& path_;
  size_t number_;
  const toml::table& table_;
  std::string type_;
};

common::Result<std::unique_ptr<Step>> read_ip_is_public(const StepReader& step) {
  SLUICE_RETURN_IF_ERROR(step.check_keys({"type", "input", "output"}));
  SLUICE_ASSIGN_OR_RETURN(auto input, step.string("input"));
  SLUICE_ASSIGN_OR_RETURN(auto output, step.string("output"));
  return make_ip_is_public_step(std::move(input), std::move(output));
}

common::Result<std::unique_ptr<Step>> read_concat(const StepReader& step) {
  SLUICE_RETURN_IF_ERROR(step.check_keys({"type", "inputs", "separator", "output"}));
  SLUICE_ASSIGN_OR_RETURN(auto inputs, step.string_list("inputs", R"(["first_name", "last_name"])"));
  SLUICE_ASSIGN_OR_RETURN(auto separator, step.optional_string("separator", "", /*may_be_empty=*/true));
  SLUICE_ASSIGN_OR_RETURN(auto output, step.string("output"));
  return make_concat_step(std::move(inputs), std::move(separator), std::move(output));
}

common::Result<std::unique_ptr<Step>> read_hash(const StepReader& step) {
  SLUICE_RETURN_IF_ERROR(step.check_keys({"type", "input", "output", "algorithm", "key_env"}));
  SLUICE_ASSIGN_OR_RETURN(auto input, step.string("input"));
  SLUICE_ASSIGN_OR_RETURN(auto output, step.string("output"));
  SLUICE_ASSIGN_OR_RETURN(auto name, step.optional_string("algorithm", "md5"));
  HashAlgorithm algorithm;
  if (name == "md5") {
    algorithm = HashAlgorithm::kMd5;
  } else if (name == "sha256") {
    algorithm = HashAlgorithm::kSha256;
  } else if (name == "hmac-sha256") {
    algorithm = HashAlgorithm::kHmacSha256;
  } else {
    return step.error("unknown algorithm '" + name + "' (expected md5, sha256 or hmac-sha256)");
  }
  std::string key;
  if (algorithm != HashAlgorithm::kHmacSha256) {
    // A key_env here suggests the user believes the digest is keyed; it would not be.
    if (step.has("key_env")) return step.error("key 'key_env' is only used by algorithm 'hmac-sha256'");
  } else {
    if (!step.has("key_env")) {
      return step.error(
          "missing key 'key_env' (algorithm 'hmac-sha256' needs the name of the environment variable that "
          "holds the secret key, e.g. key_env = \"SLUICE_HASH_KEY\")");
    }
    SLUICE_ASSIGN_OR_RETURN(auto variable, step.string("key_env"));
    // The messages name the variable, never its value.
    const char* value = std::getenv(variable.c_str());
    if (value == nullptr) {
      return step.error("environment variable '" + variable +
                        "' (key_env) is not set; it must hold the "
                        "secret key for hmac-sha256");
    }
    if (*value == '\0') {
      return step.error("environment variable '" + variable +
                        "' (key_env) is empty; it must hold the "
                        "secret key for hmac-sha256");
    }
    key = value;
  }
  return make_hash_step(std::move(input), std::move(output), algorithm, std::move(key));
}

common::Result<std::unique_ptr<Step>> read_drop(const StepReader& step) {
  SLUICE_RETURN_IF_ERROR(step.check_keys({"type", "columns"}));
  SLUICE_ASSIGN_OR_RETURN(auto columns, step.string_list("columns", R"(["first_name", "last_name"])"));
  return make_drop_step(std::move(columns));
}

common::Result<std::unique_ptr<Step>> read_rename(const StepReader& step) {
  SLUICE_RETURN_IF_ERROR(step.check_keys({"type", "columns"}));
  SLUICE_ASSIGN_OR_RETURN(auto renames, step.string_map("columns", R"({ gender = "sex" })"));
  return make_rename_step(std::move(renames));
}

common::Result<std::unique_ptr<Step>> read_step(const std::string& path, size_t number,
                                                const toml::node& node) {
  static const toml::table kNoTable;
  const toml::table* table = node.as_table();
  StepReader step(path, number, table != nullptr ? *table : kNoTable);
  if (table == nullptr) return step.error(std::string("must be a table, not ") + toml_type_name(node));
  const toml::node* type_node = table->get("type");
  if (type_node == nullptr)
    return step.error(std::string("missing key 'type' (expected ") + kStepTypes + ")");
  const auto* type = type_node->as_string();
  if (type == nullptr) {
    return step.error(std::string("key 'type' must be a string, not ") + toml_type_name(*type_node));
  }
  const std::string& name = type->get();
  if (name == "ip_is_public" || name == "concat" || name == "hash" || name == "drop" || name == "rename") {
    step.set_type(name);
  }
  if (name == "ip_is_public") return read_ip_is_public(step);
  if (name == "concat") return read_concat(step);
  if (name == "hash") return read_hash(step);
  if (name == "drop") return read_drop(step);
  if (name == "rename") return read_rename(step);
  return step.error("unknown step type '" + name + "' (expected " + kStepTypes + ")");
}

#undef SLUICE_ASSIGN_OR_RETURN

// toml++ 3.3.0 (Debian 12) asserts, and in an NDEBUG build assumes, that a table header's name starts with
// a bare-key character or a quote; "[\n", "[[=" or "[[[" break that (undefined behaviour, found by
// fuzz/pipeline_file_fuzz.cpp; fixed upstream in marzer/tomlplusplus#301). Refuse such a header before
// toml++ sees it. Lines inside a multi-line string are skipped; the check can also refuse a line that
// opens a nested array with nothing after '[', which no pipeline file holds.
common::Status check_table_headers(const std::string& text, const std::string& path) {
  const auto is_key_start = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '"' || c == '\'';
  };
  bool in_multiline_string = false;
  size_t line_number = 1;
  for (size_t start = 0; start <= text.size(); ++line_number) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + start, end - start);
    if (!in_multiline_string) {
      size_t i = line.find_first_not_of(" \t");
      if (i != std::string_view::npos && line[i] == '[') {
        i += line.substr(i, 2) == "[[" ? 2 : 1;
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        if (i >= line.size() || !is_key_start(line[i])) {
          return common::invalid_argument(path + ":" + std::to_string(line_number) +
                                          ": invalid TOML: expected a table name after '['");
        }
      }
    }
    for (std::string_view quotes : {std::string_view("\"\"\""), std::string_view("\'\'\'")}) {
      for (size_t at = line.find(quotes); at != std::string_view::npos; at = line.find(quotes, at + 3)) {
        in_multiline_string = !in_multiline_string;
      }
    }
    start = end + 1;
  }
  return common::Status::ok();
}

}  // namespace

Pipeline reference_pipeline() {
  Pipeline pipeline;
  pipeline.push_back(make_ip_is_public_step("ip_address", "is_public_ip"));
  pipeline.push_back(make_concat_step({"first_name", "last_name"}, " ", "full_name"));
  pipeline.push_back(make_hash_step("email", "obfuscated_email", HashAlgorithm::kMd5));
  pipeline.push_back(make_drop_step({"first_name", "last_name", "email"}));
  return pipeline;
}

common::Result<Pipeline> parse_pipeline(const std::string& text, const std::string& path) {
  SLUICE_RETURN_IF_ERROR(check_table_headers(text, path));
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    // toml++ reports errors by exception; they stop here, as a Status with the position.
    const auto& at = e.source().begin;
    return common::invalid_argument(path + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) +
                                    ": invalid TOML: " + std::string(e.description()));
  }
  for (const auto& [key, node] : root) {
    if (key.str() != "step") {
      return common::invalid_argument(path + ": unknown key '" + std::string(key.str()) +
                                      "' (a pipeline file holds only [[step]] tables)");
    }
  }
  const toml::node* steps_node = root.get("step");
  if (steps_node == nullptr) {
    return common::invalid_argument(
        path + ": no [[step]] tables (write step = [] for a pipeline that changes nothing)");
  }
  const toml::array* steps = steps_node->as_array();
  if (steps == nullptr) {
    return common::invalid_argument(path + ": 'step' must be an array of tables: write [[step]], not [step]");
  }
  Pipeline pipeline;
  for (size_t i = 0; i < steps->size(); ++i) {
    auto step = read_step(path, i + 1, *steps->get(i));
    if (!step) return step.status();
    pipeline.push_back(std::move(step.value()));
  }
  return pipeline;
}

common::Result<Pipeline> load_pipeline_file(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    const int error = errno;
    std::string message = path + ": cannot open the pipeline file: " + std::strerror(error);
    return error == ENOENT ? common::not_found(std::move(message))
                           : common::invalid_argument(std::move(message));
  }
  std::string text;
  char buffer[16384];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) text.append(buffer, n);
  const bool failed = std::ferror(file) != 0;
  const int error = errno;
  std::fclose(file);
  if (failed) {
    return common::invalid_argument(path + ": cannot read the pipeline file: " + std::strerror(error));
  }
  return parse_pipeline(text, path);
}

}  // namespace sluice::etl
