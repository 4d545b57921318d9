#!/usr/bin/env bash
# Sets everything up on a fresh Debian 12 and runs every test: the unit and integration tests (ctest), the
# same unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer, and the XML scanner's fuzz
# target for a bounded time. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")"

./scripts/setup
jobs=$(nproc)

echo "== formatting (clang-format, .clang-format at the root)"
if git rev-parse --git-dir >/dev/null 2>&1; then
  git ls-files -z '*.cpp' '*.h' | xargs -0 -r clang-format --dry-run --Werror
fi

echo "== build (warnings are errors)"
cmake -S . -B build -G Ninja -DSLUICE_WERROR=ON -DBUILD_TESTING=ON -DSLUICE_BENCH=ON >/dev/null
ninja -C build -j"$jobs"

echo "== services"
export SLUICE_SERVICES_DIR=${SLUICE_SERVICES_DIR:-$PWD/build/services}
trap './scripts/services stop' EXIT
./scripts/services start
set -a
# shellcheck disable=SC1091
source "$SLUICE_SERVICES_DIR/env"
set +a

echo "== unit and integration tests"
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== unit tests under ASan + UBSan"
cmake -S . -B build-asan -G Ninja -DSLUICE_WERROR=ON -DSLUICE_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
serve_tests=(serve_fetch_tests serve_multipart_tests serve_auth_tests serve_observe_tests serve_batch_tests
  serve_vision_tests serve_model_tests serve_app_tests serve_pull_tests
  serve_http_tests)
ninja -C build-asan -j"$jobs" common_tests etl_tests "${serve_tests[@]}"
# The generated models and images are the same for both builds; reuse the ones ctest made above.
ln -sfn ../build/test-models build-asan/test-models
ln -sfn ../build/test-images build-asan/test-images
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan -L unit --output-on-failure -j"$jobs"

if [[ -x fuzz/run.sh ]]; then
  echo "== fuzzing the worksheet scanner (${SLUICE_FUZZ_SECONDS:-20} s)"
  fuzz/run.sh "${SLUICE_FUZZ_SECONDS:-20}"
fi
if [[ -x fuzz/run_parsers.sh ]]; then
  echo "== fuzzing the other parsers of untrusted input (${SLUICE_FUZZ_SECONDS:-20} s each)"
  fuzz/run_parsers.sh "${SLUICE_FUZZ_SECONDS:-20}"
fi
if [[ -x fuzz/run_http.sh ]]; then
  echo "== fuzzing the HTTP request path (${SLUICE_FUZZ_SECONDS:-20} s)"
  fuzz/run_http.sh "${SLUICE_FUZZ_SECONDS:-20}"
fi
echo "== all tests passed"
