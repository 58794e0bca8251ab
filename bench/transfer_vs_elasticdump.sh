#!/usr/bin/env bash
# essnap export / import vs elasticdump (npm, at its defaults) on the same index of DOCS
# (default 500000) documents of ~0.5 KiB in the stack's OpenSearch 2 (elasticdump cannot talk to
# the Elasticsearch integration-test build: its GET / answers 405), in one run, beside the
# engine's own limit: a minimal raw sliced-scroll reader and a minimal raw parallel bulk loader
# (bench/transfer_raw.py). Each tool's wall time, docs/s and peak RSS (/usr/bin/time); essnap
# to and from a local directory and through S3 (SeaweedFS). Prints the ratios the issue sets
# (export >= 90% of raw and >= 4x elasticdump; import >= 80% of raw and >= 5x elasticdump; S3
# within 10% of local; RSS <= 256 MiB). Cleans up what it made. PREFIX names the indices.
# REPS: export-side repetitions (default 5), IMPORT_REPS: import-side ones (default 2), each
# tool's best time kept; ELASTICDUMP=0 leaves elasticdump out (its import of 2M documents takes
# ~25 minutes here).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
ESSNAP=$(realpath "${ESSNAP:-$BUILD_DIR/essnap}")
DOCS=${DOCS:-500000}
SLICES=${SLICES:-2}
[[ -f .stack/env ]] || { echo "transfer_vs_elasticdump: no .stack/env (scripts/stack.sh up)"; exit 0; }
# shellcheck disable=SC1091
. .stack/env
command -v elasticdump >/dev/null || { echo "transfer_vs_elasticdump: elasticdump not installed (scripts/install-deps.sh)"; exit 0; }
OS=$ESSNAP_TEST_OPENSEARCH_URL
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost AWS_EC2_METADATA_DISABLED=true
export AWS_ACCESS_KEY_ID=$ESSNAP_TEST_S3_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$ESSNAP_TEST_S3_SECRET_ACCESS_KEY
export AWS_REGION=$ESSNAP_TEST_S3_REGION AWS_ENDPOINT_URL_S3=$ESSNAP_TEST_S3_ENDPOINT
PREFIX=${PREFIX:-bench-xfer}
SRC=$PREFIX-src
# A bucket of the benchmark's own (other suites change the shared bucket's settings).
BUCKET=${BUCKET:-essnap-bench-transfer}
S3=s3://$BUCKET/$PREFIX-$$
TMP=$(mktemp -d)
RAW=bench/transfer_raw.py
s3py() {  # s3py create|empty: the benchmark's bucket, with botocore (installed for the stack)
  python3 - "$1" "$BUCKET" "$PREFIX-$$/" <<'PY'
import os, sys, boto3
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL_S3"], region_name=os.environ["AWS_REGION"])
op, bucket, prefix = sys.argv[1:]
if op == "create":
    try:
        s3.create_bucket(Bucket=bucket)
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
else:
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for o in page.get("Contents", []):
            s3.delete_object(Bucket=bucket, Key=o["Key"])
PY
}
cleanup() {
  s3py empty || true
  for i in "$SRC" "$PREFIX-raw" "$PREFIX-local" "$PREFIX-s3" "$PREFIX-ed"; do curl -s -XDELETE "$OS/$i" >/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT
drop() { curl -s -XDELETE "$OS/$1" >/dev/null || true; }

s3py create
echo "loading $DOCS documents into $SRC ($OS, OpenSearch $ESSNAP_TEST_OPENSEARCH_VERSION)..."
python3 $RAW load "$OS" "$SRC" "$DOCS"
STORE=$(curl -s "$OS/_cat/indices/$SRC?h=store.size,docs.count")
echo "source: $STORE (store size, documents); machine: $(nproc) cores, shared"

# measure NAME CMD...: wall seconds and peak RSS of CMD; repeated runs keep the best time (the
# machine is shared: the best run is the one least disturbed) and the highest RSS.
# CPU: the tool's own user + system seconds in its best run, and the S3 server's (SeaweedFS, on the
# same cores) during it: on a 2-core machine every process's CPU is taken from the engine's.
declare -A SECS RSS CPU SRV
S3_PIDS=$(cut -d" " -f1 .stack/pids/seaweedfs.pid 2>/dev/null || true)  # "pid start-time"
server_ticks() {
  local t=0 p
  for p in $S3_PIDS; do [[ -r /proc/$p/stat ]] && t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
  echo "$t"
}
measure() {
  local name=$1
  shift
  local before
  before=$(server_ticks)
  /usr/bin/time -f "%e %M %U %S" -o "$TMP/$name.time" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" ||
    { echo "$name failed:"; tail -5 "$TMP/$name.err"; exit 1; }
  local server
  server=$(python3 -c "print(($(server_ticks) - $before) / $(getconf CLK_TCK))")
  read -r s kb user sys <"$TMP/$name.time"
  local cpu
  cpu=$(python3 -c "print(round($user + $sys, 2))")
  if [[ -z ${SECS[$name]:-} ]] || python3 -c "import sys; sys.exit(0 if $s < ${SECS[$name]} else 1)"; then
    SECS[$name]=$s CPU[$name]=$cpu SRV[$name]=$server
  fi
  local mib=$((kb / 1024))
  if [[ -z ${RSS[$name]:-} ]] || ((mib > RSS[$name])); then RSS[$name]=$mib; fi
  echo "  $name: $s s, $mib MiB, cpu $cpu s, S3 server cpu $server s"
}

REPS=${REPS:-5}               # export side, interleaved
IMPORT_REPS=${IMPORT_REPS:-2} # import side, interleaved (each rep loads fresh indices)
ELASTICDUMP=${ELASTICDUMP:-1}
# Warm-up, not measured: the freshly merged index's files into the page cache, the engine's
# search path compiled, for every tool alike.
python3 $RAW read "$OS" "$SRC" "$SLICES" 10000 >/dev/null
"$ESSNAP" export --url "$OS" -i "$SRC" --to "$TMP/warm" --slices "$SLICES" -q >/dev/null && rm -rf "$TMP/warm"
for ((rep = 1; rep <= REPS; rep++)); do
  measure raw_read python3 $RAW read "$OS" "$SRC" "$SLICES" 10000
  rm -rf "$TMP/exp"
  measure essnap_export_local "$ESSNAP" export --url "$OS" -i "$SRC" --to "$TMP/exp" --slices "$SLICES" -q
  measure essnap_export_s3 "$ESSNAP" export --url "$OS" -i "$SRC" --to "$S3/r$rep" --slices "$SLICES" -q
done
S3=$S3/r$REPS
((ELASTICDUMP)) && measure elasticdump_export elasticdump --input="$OS/$SRC" --output="$TMP/ed.json" --type=data

# The raw loader's bodies: the exported documents, 5000 per bulk (prepared, not measured).
mkdir -p "$TMP/lines"
for f in "$TMP/exp/$SRC"/*.zst; do zstd -dq "$f" -o "$TMP/lines/$(basename "$f" .zst)"; done
python3 $RAW bodies "$TMP/lines" "$TMP/bodies" 5000
rm -rf "$TMP/lines"
python3 -c "import json;d=json.load(open('$TMP/exp/$SRC/index.json'));print(json.dumps({'settings':d['settings'],'mappings':d['mappings']}))" >"$TMP/raw-index.json"
for ((rep = 1; rep <= IMPORT_REPS; rep++)); do
  # Every rep loads into fresh indices: the previous rep's are dropped (and their merges with them).
  for i in "$PREFIX-raw" "$PREFIX-local" "$PREFIX-s3"; do drop "$i"; done
  curl -s -XPUT "$OS/$PREFIX-raw" -H 'Content-Type: application/json' --data-binary @"$TMP/raw-index.json" >/dev/null
  measure raw_bulk python3 $RAW bulk "$OS" "$PREFIX-raw" "$TMP/bodies" 4
  measure essnap_import_local "$ESSNAP" import --url "$OS" --from "$TMP/exp" --rename "$SRC=$PREFIX-local" --state-dir "$TMP/state-l$rep" -q
  measure essnap_import_s3 "$ESSNAP" import --url "$OS" --from "$S3" --rename "$SRC=$PREFIX-s3" --state-dir "$TMP/state-s$rep" -q
done
((ELASTICDUMP)) && measure elasticdump_import elasticdump --input="$TMP/ed.json" --output="$OS/$PREFIX-ed" --type=data

for i in "$PREFIX-raw" "$PREFIX-local" "$PREFIX-s3" "$PREFIX-ed"; do
  [[ $i == "$PREFIX-ed" ]] && ! ((ELASTICDUMP)) && continue
  curl -s -XPOST "$OS/$i/_refresh" >/dev/null
  echo "count $i: $(curl -s "$OS/$i/_count" | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])')"
done

python3 - "$DOCS" <<PY
import sys
docs = int(sys.argv[1])
secs = {$(for k in "${!SECS[@]}"; do printf '"%s": %s, ' "$k" "${SECS[$k]}"; done)}
rss = {$(for k in "${!RSS[@]}"; do printf '"%s": %s, ' "$k" "${RSS[$k]}"; done)}
cpu = {$(for k in "${!CPU[@]}"; do printf '"%s": %s, ' "$k" "${CPU[$k]}"; done)}
srv = {$(for k in "${!SRV[@]}"; do printf '"%s": %s, ' "$k" "${SRV[$k]}"; done)}
order = [k for k in ["raw_read", "essnap_export_local", "essnap_export_s3", "elasticdump_export",
                     "raw_bulk", "essnap_import_local", "essnap_import_s3", "elasticdump_import"] if k in secs]
print(f"{'run':24} {'seconds':>8} {'docs/s':>9} {'peak RSS MiB':>13} {'cpu s':>7} {'S3 server cpu s':>16}")
for k in order:
    print(f"{k:24} {secs[k]:8.2f} {docs / secs[k]:9.0f} {rss[k]:13} {cpu[k]:7.2f} {srv[k]:16.2f}")
r = lambda a, b: secs[b] / secs[a]
ed = lambda a, b: f", {r(a, b):.1f} x elasticdump (target >= {4 if 'export' in b else 5})" if b in secs else ""
print(f"export: essnap local = {r('essnap_export_local', 'raw_read'):.2f} x raw reader (target >= 0.90)"
      + ed('essnap_export_local', 'elasticdump_export'))
print(f"import: essnap local = {r('essnap_import_local', 'raw_bulk'):.2f} x raw loader (target >= 0.80)"
      + ed('essnap_import_local', 'elasticdump_import'))
print(f"S3 vs local: export {secs['essnap_export_s3'] / secs['essnap_export_local']:.2f}, "
      f"import {secs['essnap_import_s3'] / secs['essnap_import_local']:.2f} (target <= 1.10); essnap's own cpu "
      f"export {cpu['essnap_export_s3'] / cpu['essnap_export_local']:.2f}, import "
      f"{cpu['essnap_import_s3'] / cpu['essnap_import_local']:.2f}; the S3 server's cpu meanwhile "
      f"{srv['essnap_export_s3']:.2f} s / {srv['essnap_import_s3']:.2f} s")
print(f"peak RSS essnap: export {max(rss['essnap_export_local'], rss['essnap_export_s3'])} MiB, "
      f"import {max(rss['essnap_import_local'], rss['essnap_import_s3'])} MiB (target <= 256)")
PY
