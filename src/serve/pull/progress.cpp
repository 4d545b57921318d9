#include "serve/pull/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cinttypes>

namespace sluice::serve::pull {

std::string format_bytes(int64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " B";
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes) / 1024;
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.1f %s", value, kUnits[unit]);
  return text;
}

std::string render_progress(const std::string& label, int64_t done, int64_t total, double bytes_per_second,
                            int bar_width) {
  std::string line = label + " ";
  if (total > 0) {
    const double fraction = std::clamp(static_cast<double>(done) / static_cast<double>(total), 0.0, 1.0);
    const int filled = static_cast<int>(fraction * bar_width);
    line += "[" + std::string(static_cast<size_t>(filled), '#') +
            std::string(static_cast<size_t>(bar_width - filled), '.') + "] ";
    char percent[8];
    std::snprintf(percent, sizeof percent, "%3d%%", static_cast<int>(fraction * 100));
    line += std::string(percent) + "  " + format_bytes(done) + "/" + format_bytes(total);
  } else {
    line += format_bytes(done);
  }
  if (bytes_per_second > 0) line += "  " + format_bytes(static_cast<int64_t>(bytes_per_second)) + "/s";
  return line;
}

ProgressPrinter::ProgressPrinter(std::FILE* out, bool tty, std::string label)
    : out_(out), tty_(tty), label_(std::move(label)) {}

bool ProgressPrinter::is_terminal(std::FILE* out) { return out != nullptr && ::isatty(::fileno(out)) == 1; }

void ProgressPrinter::update(int64_t done, int64_t total) {
  const auto now = std::chrono::steady_clock::now();
  if (first_done_ < 0) {
    first_done_ = done;  // a resumed download's speed counts only the bytes of this run
    started_ = now;
  }
  if (!tty_) return;
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100) && done != total) return;
  last_draw_ = now;
  const double seconds = std::chrono::duration<double>(now - started_).count();
  const double rate = seconds > 0.5 ? static_cast<double>(done - first_done_) / seconds : 0;
  // Pad over what a longer previous frame left on the line.
  std::fprintf(out_, "\r%-78s", render_progress(label_, done, total, rate).c_str());
  std::fflush(out_);
  drawn_ = true;
}

void ProgressPrinter::abandon() {
  if (drawn_) std::fputc('\n', out_);
  drawn_ = false;
}

void ProgressPrinter::finish(int64_t bytes, int64_t resumed_from, bool restarted, double seconds) {
  abandon();
  const int64_t fetched = bytes - resumed_from;
  std::string line = "downloaded " + label_ + ": " + format_bytes(bytes);
  char timing[64];
  std::snprintf(timing, sizeof timing, " in %.1f s", seconds);
  line += timing;
  if (seconds > 0 && fetched > 0) {
    line += " (" + format_bytes(static_cast<int64_t>(static_cast<double>(fetched) / seconds)) + "/s)";
  }
  if (resumed_from > 0) line += ", resumed at " + format_bytes(resumed_from);
  if (restarted) line += ", restarted from the beginning (the server would not resume)";
  std::fprintf(out_, "%s\n", line.c_str());
  std::fflush(out_);
}

}  // namespace sluice::serve::pull
