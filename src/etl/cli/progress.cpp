#include "etl/cli/progress.h"

#include <cstdio>

namespace sluice::etl {

ProgressBar::ProgressBar(bool enabled, uint64_t total_bytes)
    : enabled_(enabled), total_bytes_(total_bytes), start_(std::chrono::steady_clock::now()) {}

void ProgressBar::update(uint64_t rows, uint64_t bytes) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  drawn_ = true;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const double rate = seconds > 0 ? static_cast<double>(rows) / seconds : 0;
  const double percent =
      total_bytes_ ? 100.0 * static_cast<double>(bytes) / static_cast<double>(total_bytes_) : 0;
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(percent / 100 * kWidth);
  char bar[kWidth + 1];
  for (int i = 0; i < kWidth; ++i) bar[i] = i < filled ? '#' : '.';
  bar[kWidth] = '\0';
  std::fprintf(stderr, "\r[%s] %5.1f%%  %12llu rows  %10.0f rows/s ", bar, percent > 100 ? 100.0 : percent,
               static_cast<unsigned long long>(rows), rate);
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (enabled_ && drawn_) std::fprintf(stderr, "\r\033[K");
}

}  // namespace sluice::etl
