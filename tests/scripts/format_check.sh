#!/usr/bin/env bash
# The formatting check passes on the tree, and fails, naming the file, on a badly formatted one
# (a copy of the tree with one file's indentation broken).
set -euo pipefail
src=${ESSNAP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
"$src/scripts/check_format.sh" "$src"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src/essnap/util" "$tmp/tests" "$tmp/bench"
cp "$src/.clang-format" "$tmp/"
cp "$src/src/essnap/util/strings.hpp" "$tmp/src/essnap/util/"
"$src/scripts/check_format.sh" "$tmp" >/dev/null
sed -i 's/^namespace essnap::util {$/namespace essnap::util {\n      int   badly_formatted ;/' "$tmp/src/essnap/util/strings.hpp"
if out=$("$src/scripts/check_format.sh" "$tmp"); then
  echo "FAIL the check passed a badly formatted file"; exit 1
fi
grep -q "not formatted: src/essnap/util/strings.hpp" <<<"$out" || { echo "FAIL the file is not named: $out"; exit 1; }
echo "ok   the check names a badly formatted file"
