#pragma once
// What a download shows while it runs: on a terminal, a progress bar redrawn in place at most ten times a
// second; elsewhere (a log, a pipe, CI) nothing until the one-line summary at the end, so logs are not
// filled with carriage returns. Not thread-safe: one download, one printer.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace sluice::serve::pull {

// "512 B", "13.6 MiB", "1.2 GiB".
std::string format_bytes(int64_t bytes);

// One frame of the bar, without the leading '\r': "mobilenetv2-7.onnx [#######.............]  35%
// 4.8 MiB/13.6 MiB  2.1 MiB/s". `total` < 0 (unknown) gives no bar and no percentage.
std::string render_progress(const std::string& label, int64_t done, int64_t total, double bytes_per_second,
                            int bar_width = 30);

class ProgressPrinter {
 public:
  // `tty`: draw the bar (true when `out` is a terminal; see is_terminal()).
  ProgressPrinter(std::FILE* out, bool tty, std::string label);
  void update(int64_t done, int64_t total);
  // Ends the bar's line (if one was drawn) and prints "downloaded LABEL: SIZE in 2.1 s (6.5 MiB/s)" plus
  // ", resumed at SIZE" or ", restarted (the server ignored the range request)" when that happened.
  void finish(int64_t bytes, int64_t resumed_from, bool restarted, double seconds);
  // Ends the bar's line so that an error message starts on its own.
  void abandon();

  static bool is_terminal(std::FILE* out);

 private:
  std::FILE* out_;
  bool tty_;
  std::string label_;
  bool drawn_ = false;
  int64_t first_done_ = -1;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace sluice::serve::pull
