#pragma once
// The progress line on a terminal: rows, rows/s and percent of input bytes, redrawn at most 10 times a
// second on stderr. Silent when stderr is not a terminal, so logs and CI output stay clean.
#include <chrono>
#include <cstdint>

namespace sluice::etl {

class ProgressBar {
 public:
  // enabled: draw at all (decided by the caller from --progress and isatty).
  ProgressBar(bool enabled, uint64_t total_bytes);
  void update(uint64_t rows, uint64_t bytes);
  // Clears the line so that the summary that follows starts clean.
  void finish();

 private:
  bool enabled_;
  bool drawn_ = false;
  uint64_t total_bytes_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace sluice::etl
