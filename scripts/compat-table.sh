#!/usr/bin/env bash
# Regenerates the measured restore matrix in docs/COMPATIBILITY.md: runs the matrix test
# (tests/integration/restore_matrix_test.cpp) against the running stack with
# ESSNAP_WRITE_COMPAT_TABLE set, then replaces the text between the doc's
# `<!-- matrix:begin -->` and `<!-- matrix:end -->` markers with what it wrote. The test itself
# fails when the committed grid differs from the measured one (with every engine up), so a
# change of engine behaviour or of essnap's rules shows up in `make test`.
#   scripts/compat-table.sh [BUILD_DIR]     (default: build)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
DOC=$ROOT/docs/COMPATIBILITY.md
out=$(mktemp)
trap 'rm -f "$out"' EXIT
set +e
AWS_EC2_METADATA_DISABLED=true ESSNAP_WRITE_COMPAT_TABLE=$out \
  "$BUILD/tests/essnap_integration_tests" --gtest_filter='RestoreMatrix.*' >&2
rc=$?
set -e
[[ -s $out ]] || { echo "compat-table: the test wrote no table (is the stack up?)" >&2; exit 1; }
python3 - "$DOC" "$out" <<'PY'
import sys
doc, table = sys.argv[1], open(sys.argv[2], encoding="utf-8").read()
text = open(doc, encoding="utf-8").read()
begin, end = "<!-- matrix:begin -->", "<!-- matrix:end -->"
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
open(doc, "w", encoding="utf-8").write(head + begin + "\n" + table.rstrip("\n") + "\n" + end + tail)
PY
echo "compat-table: $DOC updated (the test exited $rc; rerun it to check the committed grid)" >&2
