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

set +e
(cd "$BUILD_DIR" && ctest --output-on-failure -j "${CTEST_JOBS:-2}" --timeout 900)
rc=$?
set -e
exit $rc
