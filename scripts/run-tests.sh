#!/usr/bin/env bash
# make test: stack up unless already up, run every ctest suite, stack down only if we started it.
#
#   scripts/run-tests.sh           the stack's side (below), then ctest
#   scripts/run-tests.sh --build   the same, with `cmake --build $BUILD_DIR -j $JOBS` run while the
#                                  stack's side works in the background (what `make test` runs)
#
# The stack's side, in the background (log: $BUILD_DIR/stack-side.log, printed when it is done):
# what the stack and the tests need (`scripts/install-deps.sh stack`), then, together, `stack.sh up`
# (engine downloads, the JVMs' start) and the Debian root of script.package_deb
# (scripts/debian-root.sh: a cold debootstrap is ~4 min). On a fresh machine these are mostly
# network and disk waits, which the compiler's minutes cover; ctest starts once both are done.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}
build=0
case ${1:-} in
  --build) build=1 ;;
  "") ;;
  *) echo "usage: $0 [--build]" >&2; exit 2 ;;
esac

mkdir -p "$BUILD_DIR"
side_log="$BUILD_DIR/stack-side.log"
started_mark="$BUILD_DIR/.stack-started-by-run-tests"
rm -f "$started_mark"

# The package test's root: only where that test can run (root, debootstrap); it makes the root
# itself otherwise, or skips. A failure here is the test's to report (it tries again).
debian_root() {
  [[ $(id -u) -eq 0 ]] && command -v debootstrap >/dev/null || return 0
  local cache
  cache=${ESSNAP_STACK_DIR:-$PWD/.stack}/cache/debootstrap
  scripts/debian-root.sh "$cache" >/dev/null ||
    echo "run-tests: the Debian root could not be made now; script.package_deb will try again"
  return 0
}
stack_side() {
  local t0=$SECONDS rc=0 root_pid
  scripts/install-deps.sh stack
  debian_root &
  root_pid=$!
  if ! scripts/stack.sh status >/dev/null 2>&1; then
    scripts/stack.sh up || rc=$?
    ((rc)) || touch "$started_mark"
  fi
  wait "$root_pid"
  echo "run-tests: stack side done in $((SECONDS - t0))s"
  return $rc
}

side_pid=""
cleanup() {
  # A build that failed does not leave the background half running: wait for it, then stop the
  # stack if this run started it.
  if [[ -n $side_pid ]]; then wait "$side_pid" 2>/dev/null || true; cat "$side_log"; fi
  if [[ -f $started_mark ]]; then rm -f "$started_mark"; scripts/stack.sh down || true; fi
}
trap cleanup EXIT

stack_side >"$side_log" 2>&1 &
side_pid=$!
if ((build)); then
  echo "run-tests: building ($BUILD_DIR, -j $JOBS); installing and starting the stack meanwhile ($side_log)"
  t0=$SECONDS
  cmake --build "$BUILD_DIR" -j "$JOBS"
  echo "run-tests: build done in $((SECONDS - t0))s"
fi
set +e
wait "$side_pid"
side_rc=$?
set -e
side_pid=""
cat "$side_log"
if ((side_rc)); then
  echo "FAIL: the stack's side failed (above: install-deps or stack up); no test was run" >&2
  exit "$side_rc"
fi

# No test may reach the EC2 metadata address: a credential chain that falls through to IMDS
# would send traffic off loopback. Tests that exercise IMDS point it at a loopback server.
export AWS_EC2_METADATA_DISABLED=true

# Every test process runs under the loopback guard (tests/support/loopback_guard.cpp, set in the
# ctest ENVIRONMENT): an attempt to reach anything but loopback is refused and logged here, and the
# run fails on any line, whatever the tests themselves said.
guard_log="$BUILD_DIR/loopback-guard.log"
rm -f "$guard_log"

# Order: tests/CMakeLists.txt gives each test a COST; ctest starts the costliest first. The
# integration tests (one at a time: RESOURCE_LOCK) are the longest lane, so they start at once
# and the other lane takes the script tests, then the unit tests.
set +e
(cd "$BUILD_DIR" && ctest --output-on-failure -j "${CTEST_JOBS:-2}" --timeout 900)
rc=$?
set -e
if [[ -s $guard_log ]]; then
  echo "FAIL: test processes tried to reach addresses other than loopback (refused):" >&2
  sort "$guard_log" | uniq -c >&2
  rc=1
else
  echo "loopback guard: no test process tried to leave 127.0.0.1"
fi
exit $rc
