#include "serve/pull/progress.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace sluice::serve::pull {
namespace {

std::string read_all(std::FILE* f) {
  std::rewind(f);
  std::string out;
  for (int c; (c = std::fgetc(f)) != EOF;) out += static_cast<char>(c);
  return out;
}

TEST(FormatBytes, UsesBinaryUnits) {
  EXPECT_EQ(format_bytes(0), "0 B");
  EXPECT_EQ(format_bytes(1023), "1023 B");
  EXPECT_EQ(format_bytes(1024), "1.0 KiB");
  EXPECT_EQ(format_bytes(14246826), "13.6 MiB");
  EXPECT_EQ(format_bytes(int64_t{3} << 30), "3.0 GiB");
}

TEST(RenderProgress, DrawsABarWhenTheSizeIsKnown) {
  EXPECT_EQ(render_progress("m.onnx", 50, 100, 0, 10), "m.onnx [#####.....]  50%  50 B/100 B");
  EXPECT_EQ(render_progress("m.onnx", 100, 100, 2048, 4), "m.onnx [####] 100%  100 B/100 B  2.0 KiB/s");
  EXPECT_EQ(render_progress("m.onnx", 5000, -1, 0), "m.onnx 4.9 KiB");
}

TEST(ProgressPrinter, OffATerminalPrintsOnlyTheSummary) {
  std::FILE* f = std::tmpfile();
  ProgressPrinter p(f, /*tty=*/false, "m.onnx");
  p.update(0, 1000);
  p.update(1000, 1000);
  p.finish(1000, 400, false, 2.0);
  EXPECT_EQ(read_all(f), "downloaded m.onnx: 1000 B in 2.0 s (300 B/s), resumed at 400 B\n");
  std::fclose(f);
}

TEST(ProgressPrinter, OnATerminalRedrawsTheBarInPlace) {
  std::FILE* f = std::tmpfile();
  ProgressPrinter p(f, /*tty=*/true, "m.onnx");
  p.update(0, 1000);
  p.update(1000, 1000);  // the last frame is always drawn
  p.finish(1000, 0, true, 1.0);
  const std::string out = read_all(f);
  EXPECT_TRUE(out.starts_with("\rm.onnx [")) << out;
  EXPECT_NE(out.find("100%"), std::string::npos) << out;
  EXPECT_NE(out.find("\ndownloaded m.onnx: 1000 B in 1.0 s"), std::string::npos) << out;
  EXPECT_NE(out.find("restarted from the beginning"), std::string::npos) << out;
  std::fclose(f);
}

}  // namespace
}  // namespace sluice::serve::pull
