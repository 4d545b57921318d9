# Sourced by the integration tests that need a database server from scripts/services (not a test itself:
# the name does not end in _test). One rule for every such test: when the server's URL variable is unset, a
# developer's bare `ctest` reports the test as skipped (exit 77, ctest's SKIP_RETURN_CODE for integration
# tests), while under CI (CI set), where ./test.sh starts the services, a missing server is a broken setup and
# fails the test.
#   require_db_server TEST_NAME VARIABLE
require_db_server() {
  local name=$1 variable=$2
  [[ -n ${!variable:-} ]] && return 0
  if [[ -n ${CI:-} ]]; then
    echo "$name: FAIL: $variable is not set: scripts/services start did not run" >&2
    exit 1
  fi
  echo "$name: SKIPPED: $variable is not set (run scripts/services start and source its env)"
  exit 77
}
