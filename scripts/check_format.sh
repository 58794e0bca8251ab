#!/usr/bin/env bash
# Holds every C++ file of the tree to the project's .clang-format: lists each file clang-format
# would change and exits 1 if there is one. `make format` rewrites them.
#
# Usage: scripts/check_format.sh [ROOT]     exit 0 clean, 1 with the files to format, 2 no tool
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"
command -v clang-format >/dev/null || { echo "check_format: clang-format is not installed (scripts/install-deps.sh installs it)" >&2; exit 2; }
bad=0
while IFS= read -r -d '' f; do
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "not formatted: $f (run: clang-format -i $f, or make format)"
    bad=$((bad + 1))
  fi
done < <(find src tests bench -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' \) -not -path '*/data/*' -print0 | sort -z)
if (( bad > 0 )); then
  echo "check_format: $bad file(s) differ from .clang-format"
  exit 1
fi
echo "check_format: every C++ file follows .clang-format"
