#include "common/env_file.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace sluice::common {
namespace {

bool is_key_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }

// ${NAME} and ${NAME:-default}, looked up first among the file's earlier keys, then the environment.
std::string expand(const std::string& value, const std::map<std::string, std::string>& seen) {
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '$' && i + 1 < value.size() && value[i + 1] == '{') {
      const size_t close = value.find('}', i + 2);
      if (close != std::string::npos) {
        std::string name = value.substr(i + 2, close - i - 2), fallback;
        if (const size_t dash = name.find(":-"); dash != std::string::npos) {
          fallback = name.substr(dash + 2);
          name.resize(dash);
        }
        if (auto it = seen.find(name); it != seen.end()) {
          out += it->second;
        } else if (const char* env = std::getenv(name.c_str()); env && *env) {
          out += env;
        } else {
          out += fallback;
        }
        i = close;
        continue;
      }
    }
    out += value[i];
  }
  return out;
}

}  // namespace

Result<std::map<std::string, std::string>> parse_env_file(const std::string& text, const std::string& path) {
  std::map<std::string, std::string> vars;
  size_t pos = 0, line = 1;
  auto error = [&](const std::string& what) {
    return invalid_argument(path + ":" + std::to_string(line) + ": " + what);
  };
  while (pos < text.size()) {
    auto skip_blanks = [&] {
      while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
    };
    skip_blanks();
    if (pos >= text.size()) break;
    if (text[pos] == '\n' || text[pos] == '\r' || text[pos] == '#') {
      while (pos < text.size() && text[pos] != '\n') ++pos;
      ++pos;
      ++line;
      continue;
    }
    if (text.compare(pos, 7, "export ") == 0) {
      pos += 7;
      skip_blanks();
    }
    const size_t key_start = pos;
    while (pos < text.size() && is_key_char(text[pos])) ++pos;
    const std::string key = text.substr(key_start, pos - key_start);
    skip_blanks();
    if (key.empty() || pos >= text.size() || text[pos] != '=') {
      return error("expected KEY=VALUE");
    }
    ++pos;
    skip_blanks();
    std::string value;
    const size_t value_line = line;
    if (pos < text.size() && (text[pos] == '\'' || text[pos] == '"')) {
      const char quote = text[pos++];
      bool closed = false;
      while (pos < text.size()) {
        char c = text[pos++];
        if (c == quote) {
          closed = true;
          break;
        }
        if (c == '\n') ++line;
        if (quote == '"' && c == '\\' && pos < text.size()) {
          const char e = text[pos++];
          switch (e) {
            case 'n':
              value += '\n';
              break;
            case 't':
              value += '\t';
              break;
            case 'r':
              value += '\r';
              break;
            default:
              value += e;
              break;
          }
          continue;
        }
        value += c;
      }
      if (!closed) {
        line = value_line;
        return error("unterminated quoted value for " + key);
      }
      if (quote == '"') value = expand(value, vars);
      skip_blanks();
      if (pos < text.size() && text[pos] != '#' && text[pos] != '\n' && text[pos] != '\r') {
        return error("unexpected text after the quoted value of " + key);
      }
      while (pos < text.size() && text[pos] != '\n') ++pos;
    } else {
      const size_t start = pos;
      while (pos < text.size() && text[pos] != '\n') {
        // An inline comment needs a blank before '#', as in python-dotenv.
        if (text[pos] == '#' && pos > start && (text[pos - 1] == ' ' || text[pos - 1] == '\t')) break;
        ++pos;
      }
      value = text.substr(start, pos - start);
      while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.pop_back();
      value = expand(value, vars);
      while (pos < text.size() && text[pos] != '\n') ++pos;
    }
    vars[key] = value;
    ++pos;
    ++line;
  }
  return vars;
}

Status load_env_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found(path + ": cannot read the env file");
  std::stringstream ss;
  ss << in.rdbuf();
  auto vars = parse_env_file(ss.str(), path);
  if (!vars) return vars.status();
  for (const auto& [key, value] : vars.value()) setenv(key.c_str(), value.c_str(), 1);
  return {};
}

}  // namespace sluice::common
