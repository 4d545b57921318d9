#pragma once
// The --rejects file: one CSV row per bad value, with where it is, why, what was done (fail, null, skip),
// and the whole input row as it was read, so that nothing is lost and the rows can be fixed and reloaded.
#include <cstdio>
#include <memory>
#include <string>

#include "common/status.h"
#include "etl/batch.h"

namespace sluice::etl {

class RejectsFile {
 public:
  // Columns: location, reason, action, then the input columns by name.
  static common::Result<std::unique_ptr<RejectsFile>> create(const std::string& path, const Schema& input);
  ~RejectsFile();
  void add(const std::string& location, const std::string& reason, const char* action, const Batch& input,
           size_t row);
  common::Status close();

 private:
  RejectsFile(std::string path, FILE* file) : path_(std::move(path)), file_(file) {}
  void write_field(const std::string& text, bool last);
  std::string path_;
  FILE* file_;
};

}  // namespace sluice::etl
