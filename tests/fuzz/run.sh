#!/usr/bin/env bash
# Build and run the libFuzzer targets (`make fuzz`): clang (Debian) with ASan + UBSan + libFuzzer,
# configured by CMake with ESSNAP_LIBFUZZER=ON (tests/fuzz/CMakeLists.txt lists the targets), seed
# corpora from tests/data/repo/ (seeds.py) and tests/fuzz/seeds/, each target for FUZZ_SECONDS
# (default 120; FUZZ_TARGETS="smile config" picks some). Exit non-zero on any crash, leak or
# sanitizer report. `make test` runs the same targets briefly without libFuzzer (the fuzz smoke).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${FUZZ_DIR:-$top/build/fuzz}
seconds=${FUZZ_SECONDS:-120}
CLANG=${CLANG:-clang++}
command -v "$CLANG" >/dev/null || { echo "fuzz: $CLANG not found (apt-get install clang; scripts/install-deps.sh adds it)" >&2; exit 2; }
targets=${FUZZ_TARGETS:-$(sed -n 's/^set(ESSNAP_FUZZ_TARGETS \(.*\))$/\1/p' "$here/CMakeLists.txt")}
mkdir -p "$out"
cmake -S "$top" -B "$out/build" -G Ninja -DCMAKE_CXX_COMPILER="$CLANG" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DESSNAP_LIBFUZZER=ON >/dev/null
build_targets=()
for t in $targets; do build_targets+=("essnap_fuzz_$t"); done
cmake --build "$out/build" -j "$(nproc)" --target "${build_targets[@]}"
python3 "$here/seeds.py" "$top/tests/data/repo" "$out/seeds"
status=0
for t in $targets; do
  case $t in smile|framing|root_index) seeds="$out/seeds/$t" ;; *) seeds="$here/seeds/$t" ;; esac
  mkdir -p "$out/corpus/$t"
  echo "fuzz: $t for ${seconds}s" >&2
  if ! "$out/build/tests/fuzz/essnap_fuzz_$t" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=1024 -timeout=10 \
      -print_final_stats=1 -artifact_prefix="$out/$t-" "$out/corpus/$t" "$seeds" 2>"$out/$t.log"; then
    echo "fuzz: $t FAILED; see $out/$t.log and the $out/$t-crash-* file it names" >&2
    tail -40 "$out/$t.log" >&2
    status=1
  else
    grep -E '^stat::(number_of_executed_units|peak_rss_mb)|^#[0-9]+.*DONE' "$out/$t.log" | sed "s/^/fuzz: $t: /" >&2 || true
  fi
done
exit $status
