#!/usr/bin/env bash
# Builds the HTTP request-path fuzz target (fuzz/http_request_fuzz.cpp) with clang, ASan and UBSan (no CMake)
# into build-fuzz/ and runs it for SECONDS seconds from the committed seeds (tests/data/http_fuzz_seeds/,
# which also keep every crash found so far as a regression input) plus whatever corpus earlier runs kept.
# Exits non-zero on a crash, undefined behaviour, a leak, a hang or an uncaught exception; the input is left
# in build-fuzz/ (crash-*, timeout-*): copy it into tests/data/http_fuzz_seeds/ once fixed.
#   fuzz/run_http.sh [SECONDS]        (default 20)
set -euo pipefail

seconds=${1:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/build-fuzz"
mkdir -p "$out/http-corpus"
cxx=${CLANGXX:-clang++}
flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer -I"$root/src" -DBOOST_BEAST_USE_STD_STRING_VIEW
  $(pkg-config --cflags opencv4))
sanitize=(-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all)
# The request path's sources, compiled into the target so that libFuzzer's coverage sees them. Globs, so
# that a new file in these areas is picked up.
sources=("$root"/src/common/status.cpp "$root"/src/serve/http/*.cpp "$root"/src/serve/observe/*.cpp
  "$root"/src/serve/multipart/*.cpp "$root"/src/serve/api/classify_request.cpp "$root"/src/serve/api/base64.cpp
  "$root"/src/serve/api/api_error.cpp "$root"/src/serve/api/client_text.cpp "$root"/src/serve/vision/image_*.cpp)

binary="$out/http_request_fuzz"
stale=0
[[ -x "$binary" ]] || stale=1
for f in "${sources[@]}" "$root"/src/serve/http/*.h "$root"/src/serve/api/*.h "$root"/src/serve/vision/*.h \
  "$root"/fuzz/http_request_fuzz.cpp; do
  [[ "$f" -nt "$binary" ]] && stale=1
done
if ((stale)); then
  echo "fuzz/run_http.sh: building $binary" >&2
  "$cxx" "${flags[@]}" "${sanitize[@]}" -o "$binary" "$root/fuzz/http_request_fuzz.cpp" "${sources[@]}" \
    $(pkg-config --libs opencv4) -lpthread
fi

cd "$out"
exec "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -dict="$root/fuzz/http.dict" -print_final_stats=1 http-corpus "$root/tests/data/http_fuzz_seeds"
