#!/usr/bin/env bash
# make test: stack up unless already up, run every ctest suite, stack down only if we started it.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}

started=0
if ! scripts/stack.sh status >/dev/null 2>&1; then
  scripts/stack.sh up
  started=1
fi
cleanup() { if ((started)); then scripts/stack.sh down || true; fi; }
trap cleanup EXIT

# No test may reach the EC2 metadata address: a credential chain that falls through to IMDS
# would send traffic off loopback. Tests that exercise IMDS point it at a loopback server.
export AWS_EC2_METADATA_DISABLED=true

# Every test process runs under the loopback guard (tests/support/loopback_guard.cpp, set in the
# ctest ENVIRONMENT): an attempt to reach anything but loopback is refused and logged here, and the
# run fails on any line, whatever the tests themselves said.
guard_log="$BUILD_DIR/loopback-guard.log"
rm -f "$guard_log"

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
