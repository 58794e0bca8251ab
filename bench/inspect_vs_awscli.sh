#!/usr/bin/env bash
# essnap inspect verify --read-data vs the raw download of the same objects with the AWS CLI
# (`aws s3 cp --recursive`, PyPI awscli), in the same run, on a repository of >= SIZE_MIB
# (default 1100) MiB in the stack's S3 server (SeaweedFS, SigV4). The repository is written for
# real by the stack's OpenSearch 2 (an fs repository on the bucket's mount: one index of
# incompressible binary documents, one snapshot) and kept between runs under
# s3://$ESSNAP_TEST_S3_BUCKET/$ESSNAP_TEST_S3_REPO_PREFIX/$NAME (KEEP=0 removes it at the end).
# Reports wall time, throughput (bytes of the repository's objects / wall time) and peak RSS
# (/usr/bin/time -v) of each tool; the AWS CLI writes to a tmpfs (/dev/shm) so the disk is not
# its bottleneck. Target: essnap >= 1.0x the AWS CLI's throughput with RSS <= 256 MiB.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
ESSNAP=${ESSNAP:-$BUILD_DIR/essnap}
SIZE_MIB=${SIZE_MIB:-1100}
NAME=${NAME:-bench-inspect}
RUNS=${RUNS:-2}
CONCURRENCY=${CONCURRENCY:-8}
[[ -f .stack/env ]] || { echo "inspect_vs_awscli: no .stack/env (scripts/stack.sh up)"; exit 0; }
# shellcheck disable=SC1091
. .stack/env
command -v aws >/dev/null || { echo "inspect_vs_awscli: aws (PyPI awscli) not installed"; exit 0; }
[[ -x /usr/bin/time ]] || { echo "inspect_vs_awscli: /usr/bin/time not installed"; exit 0; }
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
export AWS_ACCESS_KEY_ID=$ESSNAP_TEST_S3_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$ESSNAP_TEST_S3_SECRET_ACCESS_KEY
export AWS_REGION=${ESSNAP_TEST_S3_REGION:-us-east-1} AWS_ENDPOINT_URL_S3=$ESSNAP_TEST_S3_ENDPOINT
export AWS_EC2_METADATA_DISABLED=true
OS=$ESSNAP_TEST_OPENSEARCH_URL
LOC=$ESSNAP_TEST_S3_REPO_PATH/$NAME
URI=s3://$ESSNAP_TEST_S3_BUCKET/$ESSNAP_TEST_S3_REPO_PREFIX/$NAME
DL=/dev/shm/essnap-bench-aws-$$
j() { curl -sf -H 'Content-Type: application/json' "$@"; }
cleanup() {
  rm -rf "$DL"
  if [[ ${KEEP:-1} == 0 ]]; then
    curl -s -XDELETE "$OS/_snapshot/$NAME/_all" >/dev/null || true
    curl -s -XDELETE "$OS/_snapshot/$NAME" >/dev/null || true
    aws s3 rm --recursive --quiet "$URI" || true
  fi
}
trap cleanup EXIT

repo_bytes() { { aws s3 ls --recursive "$URI/" 2>/dev/null || true; } | awk '{s += $3} END {print s + 0}'; }

# Rounds of (new index of ~ROUND_MIB MiB of documents, snapshot of it, index deleted) until the
# repository holds SIZE_MIB: Lucene compresses the base64 text, so the size is measured, not guessed.
ROUND_MIB=${ROUND_MIB:-400}
have=$(repo_bytes)
if (( have > 0 )) && ! "$ESSNAP" inspect verify "$URI" -q >/dev/null 2>&1; then
  echo "the kept repository at $URI does not verify: rebuilding it"
  curl -s -XDELETE "$OS/_snapshot/$NAME" >/dev/null || true
  aws s3 rm --recursive --quiet "$URI" || true
  have=0
fi
round=$(( $( { aws s3 ls "$URI/" 2>/dev/null || true; } | { grep -c ' snap-' || true; } ) + 1 ))
if (( have < SIZE_MIB * 1024 * 1024 )); then
  echo "building a ${SIZE_MIB} MiB repository at $URI (OpenSearch $ESSNAP_TEST_OPENSEARCH_VERSION)"
  curl -s "$OS/_snapshot/$NAME" | grep -q '"fs"' ||
    j -XPUT "$OS/_snapshot/$NAME" -d "{\"type\":\"fs\",\"settings\":{\"location\":\"$LOC\"}}" >/dev/null
fi
while (( have < SIZE_MIB * 1024 * 1024 )); do
  IDX=$NAME-idx-$round
  curl -s -XDELETE "$OS/$IDX" >/dev/null || true
  j -XPUT "$OS/$IDX" -d '{"settings":{"number_of_shards":2,"number_of_replicas":0,"refresh_interval":"-1"},
    "mappings":{"dynamic":false,"properties":{"b":{"type":"binary"}}}}' >/dev/null
  python3 - "$OS/$IDX/_bulk" "$ROUND_MIB" <<'PY'
import base64, os, sys, urllib.request
url, mib = sys.argv[1], int(sys.argv[2])
doc_bytes, per_bulk = 48 * 1024, 40          # 48 KiB of random bytes a document
total = (mib * 1024 * 1024) // (doc_bytes * 4 // 3) + 1  # documents as base64
sent = 0
while sent < total:
    lines = []
    for _ in range(min(per_bulk, total - sent)):
        lines.append('{"index":{}}')
        lines.append('{"b":"%s"}' % base64.b64encode(os.urandom(doc_bytes)).decode())
        sent += 1
    body = ("\n".join(lines) + "\n").encode()
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/x-ndjson"})
    with urllib.request.urlopen(req, timeout=300) as r:
        if r.status != 200: sys.exit("bulk failed: %d" % r.status)
PY
  j -XPOST "$OS/$IDX/_flush" >/dev/null
  j -XPUT "$OS/_snapshot/$NAME/snap-$round?wait_for_completion=true" -d "{\"indices\":\"$IDX\",\"include_global_state\":false}" >/dev/null
  curl -s -XDELETE "$OS/$IDX" >/dev/null || true
  have=$(repo_bytes)
  echo "  snap-$round: repository now $(( have / 1048576 )) MiB"
  round=$((round + 1))
done
objects=$({ aws s3 ls --recursive "$URI/" || true; } | wc -l)
echo "repository $URI: $objects objects, $have bytes ($(( have / 1048576 )) MiB)"

measure() {  # label, command...: prints "label seconds rss_kib"
  local label=$1; shift
  local log; log=$(mktemp)
  local t0 t1; t0=$(date +%s.%N)
  /usr/bin/time -v "$@" >/dev/null 2>"$log" || { echo "$label failed:"; tail -5 "$log"; rm -f "$log"; return 1; }
  t1=$(date +%s.%N)
  local rss; rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  rm -f "$log"
  echo "$label $(echo "$t1 - $t0" | bc) $rss"
}
results=()
for run in $(seq 1 "$RUNS"); do
  rm -rf "$DL"; mkdir -p "$DL"
  results+=("$(measure aws aws s3 cp --recursive --quiet "$URI" "$DL")")
  rm -rf "$DL"
  results+=("$(measure essnap "$ESSNAP" -o json inspect verify "$URI" --read-data --concurrency "$CONCURRENCY" -q)")
done
"$ESSNAP" inspect verify "$URI" --read-data -q | tail -2
printf '%-8s %8s %10s %10s\n' tool seconds MiB/s RSS_MiB
for r in "${results[@]}"; do
  read -r label secs rss <<<"$r"
  printf '%-8s %8.2f %10.1f %10.1f\n' "$label" "$secs" "$(echo "$have / 1048576 / $secs" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
done
