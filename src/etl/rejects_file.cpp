#include "etl/rejects_file.h"

#include <cerrno>
#include <cstring>

namespace sluice::etl {

common::Result<std::unique_ptr<RejectsFile>> RejectsFile::create(const std::string& path,
                                                                 const Schema& input) {
  FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) {
    return common::invalid_argument(path + ": cannot write the rejects file (" + std::strerror(errno) + ")");
  }
  std::unique_ptr<RejectsFile> rejects(new RejectsFile(path, file));
  rejects->write_field("location", false);
  rejects->write_field("reason", false);
  rejects->write_field("action", input.empty());
  for (size_t c = 0; c < input.size(); ++c) rejects->write_field(input[c].name, c + 1 == input.size());
  return rejects;
}

RejectsFile::~RejectsFile() {
  if (file_ != nullptr) std::fclose(file_);
}

void RejectsFile::add(const std::string& location, const std::string& reason, const char* action,
                      const Batch& input, size_t row) {
  write_field(location, false);
  write_field(reason, false);
  write_field(action, input.columns.empty());
  for (size_t c = 0; c < input.columns.size(); ++c) {
    write_field(to_text(input.columns[c][row]), c + 1 == input.columns.size());
  }
}

// RFC 4180: quote a field that holds a delimiter, a quote or a line break; double the quotes inside.
void RejectsFile::write_field(const std::string& text, bool last) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) {
    std::fwrite(text.data(), 1, text.size(), file_);
  } else {
    std::fputc('"', file_);
    for (char ch : text) {
      if (ch == '"') std::fputc('"', file_);
      std::fputc(ch, file_);
    }
    std::fputc('"', file_);
  }
  std::fputs(last ? "\r\n" : ",", file_);
}

common::Status RejectsFile::close() {
  const bool failed = std::ferror(file_) != 0;
  const int rc = std::fclose(file_);
  file_ = nullptr;
  if (failed || rc != 0) return common::unavailable(path_ + ": writing the rejects file failed");
  return {};
}

}  // namespace sluice::etl
