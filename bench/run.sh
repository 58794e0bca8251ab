#!/usr/bin/env bash
# make bench: every Google Benchmark binary in the build dir (bench/*_bench.cpp), then every
# bench/*.sh comparison script. Benchmarks are measurements, not tests: a slow run prints, it
# does not fail.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
status=0

shopt -s nullglob
for src in bench/*_bench.cpp; do
  bin="$BUILD_DIR/bench/$(basename "$src" .cpp)"
  if [[ -x $bin ]]; then
    echo "== $bin"
    "$bin" --benchmark_min_time=0.2 || status=1
  else
    echo "== $bin: not built (is libbenchmark-dev installed?)" >&2
  fi
done
for script in bench/*.sh; do
  case $(basename "$script") in run.sh | es_shim.sh) continue ;; esac  # the driver; a sourced helper
  echo "== $script"
  BUILD_DIR=$BUILD_DIR bash "$script" || status=1
done
exit $status
