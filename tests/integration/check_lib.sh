# Sourced by the shell integration tests (not a test itself: the name does not end in _test): one way to
# check a command's exit code and output, count passes and failures, and end with one summary line.
#   check NAME EXPECTED_EXIT PATTERN -- command...   the exit code and an extended-regex match of the output
#   same NAME EXPECTED ACTUAL                        two strings equal
#   failed NAME WHY                                  record a failure found another way
#   finish TEST_NAME                                 prints "TEST_NAME: P passed, F failed"; status 0 iff F = 0
failures=0
pass=0
check() {
  local name=$1 want=$2 pattern=$3
  shift 4
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  if [[ $rc != "$want" ]] || ! grep -qE -- "$pattern" <<<"$out"; then
    # Bounded: a runaway output must not bury the other results.
    echo "FAIL $name: exit $rc (want $want), output: ${out:0:2000}"
    failures=$((failures + 1))
  else
    pass=$((pass + 1))
  fi
}
same() {
  if [[ "$2" != "$3" ]]; then
    echo "FAIL $1: '$2' != '$3'"
    failures=$((failures + 1))
  else
    pass=$((pass + 1))
  fi
}
failed() {
  echo "FAIL $1: $2"
  failures=$((failures + 1))
}
finish() {
  echo "$1: $pass passed, $failures failed"
  ((failures == 0))
}
