#!/usr/bin/env bash
# Build and run the libFuzzer targets (`make fuzz`): clang (Debian) with ASan + UBSan + libFuzzer,
# seed corpora from the real repositories in tests/data/repo/, each target for FUZZ_SECONDS
# (default 120). Exit non-zero on any crash, leak or sanitizer report.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${FUZZ_DIR:-$top/build/fuzz}
seconds=${FUZZ_SECONDS:-120}
CLANG=${CLANG:-clang++}
command -v "$CLANG" >/dev/null || { echo "fuzz: $CLANG not found (apt-get install clang; scripts/install-deps.sh adds it)" >&2; exit 2; }
mkdir -p "$out"
flags=(-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I"$top/src")
libsrc=("$top/src/essnap/format/smile.cpp" "$top/src/essnap/format/framing.cpp" "$top/src/essnap/format/crc32.cpp"
        "$top/src/essnap/format/lucene_footer.cpp" "$top/src/essnap/util/result.cpp")
for t in smile framing; do
  "$CLANG" "${flags[@]}" "$here/${t}_fuzz.cpp" "${libsrc[@]}" -lz -lzstd -o "$out/${t}_fuzz"
done
python3 "$here/seeds.py" "$top/tests/data/repo" "$out/seeds"
status=0
for t in smile framing; do
  mkdir -p "$out/corpus/$t"
  echo "fuzz: $t for ${seconds}s" >&2
  if ! "$out/${t}_fuzz" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=1024 -timeout=10 \
      -print_final_stats=1 -artifact_prefix="$out/$t-" "$out/corpus/$t" "$out/seeds/$t" 2>"$out/$t.log"; then
    echo "fuzz: $t FAILED; see $out/$t.log and the $out/$t-crash-* file it names" >&2
    tail -40 "$out/$t.log" >&2
    status=1
  else
    grep -E '^stat::(number_of_executed_units|peak_rss_mb)|^#[0-9]+.*DONE' "$out/$t.log" | sed "s/^/fuzz: $t: /" >&2 || true
  fi
done
exit $status
