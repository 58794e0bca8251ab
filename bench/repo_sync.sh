#!/usr/bin/env bash
# essnap repo sync vs `rclone sync` (Debian) and `aws s3 sync` (PyPI awscli), in the same run, on
# the same snapshot repository (issue 22, "Speed and memory"). Cases: S3 -> S3 (a bucket of the
# run's own in the same SeaweedFS) and S3 -> a local directory. For each tool and case:
#   full         sync of the repository as it was after snapshot 1 into an empty DST: wall time,
#                MiB/s (bytes of the repository / wall time), peak RSS (/usr/bin/time -v);
#   incremental  then sync of the repository after snapshot 2 (<= 5 % new data) into that DST:
#                wall time, peak RSS, bytes written to DST (new or rewritten objects), deletions;
#   requests     a separate counting run (same two syncs into a fresh DST) through a loopback
#                counting proxy (bench/s3_count_proxy.py) between the tool and SeaweedFS, so that
#                the timed runs are not slowed by it: requests by kind (GET/HEAD/PUT/LIST/COPY/
#                DELETE/...) and bytes over the wire, full and incremental.
# Targets (essnap vs rclone): full >= 1.0x throughput; incremental <= 1/5 of the requests and
# <= 1/2 of the time; bytes moved <= 1.05x the new blobs' bytes; peak RSS <= 256 MiB.
# Prints a table and writes a JSON summary to $RESULTS (default bench/results/repo_sync.json).
#
# The dataset is written for real by the stack's OpenSearch 2 (an fs repository on the S3 mount,
# chunk_size 64kb so that data files are stored as 64 KiB parts): snapshot 1 of six indices of
# random text (~1.4 GiB, > 20,000 objects), then a seventh, small index (< 5 %) and snapshot 2.
# The repository as it was after snapshot 1 is copied to a frozen prefix (.../snap1); the
# engine's repository itself is unregistered after snapshot 2 and is the frozen second state
# (.../snap2). The tools sync from a third prefix (.../src), made equal to snap1 before each full
# sync and to snap2 before each incremental by copying / deleting only the objects that differ,
# so that unchanged blobs keep their LastModified as in a live repository and every tool starts
# from the same state. All kept between runs under s3://$ESSNAP_TEST_S3_BUCKET/<OpenSearch 2's
# prefix>/syncbench-ds-$DATASET_VERSION/ (built once, ~7.5 minutes here: docs/PERFORMANCE.md);
# REBUILD=1 builds it again, DROP_DATASET=1 removes it at the end.
#
# essnap runs only when `essnap repo sync --help` works (otherwise a line says they are skipped
# and its columns stay empty). TOOLS (default "essnap rclone aws") and CASES (default "s3 dir")
# pick the runs (also "rclone-checksum": rclone sync --checksum, which compares sizes and ETags
# from the listings instead of modification times); COUNT=0 skips the counting runs; CONCURRENCY
# is passed to essnap if set; RCLONE_FLAGS / AWS_FLAGS add options to the peers (default: none,
# their defaults); DIR_BASE is where the directory DSTs go (default /dev/shm, so the disk is not
# the bottleneck).
# ESSNAP_STACK_ENV names the stack's env file (default .stack/env).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
ESSNAP=${ESSNAP:-$BUILD_DIR/essnap}
DATASET_VERSION=${DATASET_VERSION:-v1}
TOOLS=${TOOLS:-essnap rclone aws}
CASES=${CASES:-s3 dir}
COUNT=${COUNT:-1}
RESULTS=${RESULTS:-bench/results/repo_sync.json}
DIR_BASE=${DIR_BASE:-/dev/shm}
STACK_ENV=${ESSNAP_STACK_ENV:-.stack/env}
HERE=bench
[[ -f $STACK_ENV ]] || { echo "repo_sync: no $STACK_ENV (scripts/stack.sh up)"; exit 0; }
# shellcheck disable=SC1090
. "$STACK_ENV"
command -v aws >/dev/null || { echo "repo_sync: aws (PyPI awscli) not installed (scripts/install-deps.sh stack)"; exit 0; }
command -v rclone >/dev/null || { echo "repo_sync: rclone not installed (scripts/install-deps.sh stack)"; exit 0; }
[[ -x /usr/bin/time ]] || { echo "repo_sync: /usr/bin/time not installed (scripts/install-deps.sh stack)"; exit 0; }
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
export AWS_ACCESS_KEY_ID=$ESSNAP_TEST_S3_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$ESSNAP_TEST_S3_SECRET_ACCESS_KEY
export AWS_REGION=${ESSNAP_TEST_S3_REGION:-us-east-1} AWS_DEFAULT_REGION=${ESSNAP_TEST_S3_REGION:-us-east-1}
export AWS_ENDPOINT_URL_S3=$ESSNAP_TEST_S3_ENDPOINT AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN
EP=$ESSNAP_TEST_S3_ENDPOINT
OS=$ESSNAP_TEST_OPENSEARCH_URL
PY="python3 $HERE/repo_sync_data.py"
DS=syncbench-ds-$DATASET_VERSION
DS_URI=s3://$ESSNAP_TEST_S3_BUCKET/$ESSNAP_TEST_OPENSEARCH_S3_REPO_PREFIX/$DS
REF1=$DS_URI/snap1 # frozen: the repository after snapshot 1
REF2=$DS_URI/snap2 # frozen: after snapshot 2 (the engine's own, unregistered)
SRC=$DS_URI/src    # what the tools sync from: set to REF1's objects, then to REF2's
LOC=$ESSNAP_TEST_OPENSEARCH_S3_REPO_PATH/$DS/snap2 # the engine writes snapshot 1 and 2 here
READY=$DS_URI/READY.json
SNAP1_INDICES=${SNAP1_INDICES:-6}
INDEX_MIB=${INDEX_MIB:-220} # of base64 text, a 1-shard index
SNAP2_MIB=${SNAP2_MIB:-50}
TMP=$(mktemp -d)
RUN_ID=syncbench-$$
DST_BUCKET=$RUN_ID-dst
proxy_pid=""

j() { curl -sf -H 'Content-Type: application/json' "$@"; }
stop_proxy() {
  if [[ -n $proxy_pid ]]; then kill "$proxy_pid" 2>/dev/null || true; wait "$proxy_pid" 2>/dev/null || true; fi
  proxy_pid=""
}
cleanup() {
  stop_proxy
  $PY rmbucket "$DST_BUCKET" >/dev/null 2>&1 || true
  rm -rf "$TMP" "${DIR_BASE:?}/$RUN_ID"
  if [[ ${DROP_DATASET:-0} == 1 ]]; then
    $PY rmprefix "$DS_URI" || true
  fi
}
trap cleanup EXIT

# ---------------------------------------------------------------------------------------------
# The dataset (built once per DATASET_VERSION).
build_dataset() {
  local t0 t1
  t0=$(date +%s)
  echo "repo_sync: building the dataset $DS_URI with OpenSearch $ESSNAP_TEST_OPENSEARCH_VERSION (once)"
  curl -s -XDELETE "$OS/_snapshot/$DS" >/dev/null || true
  $PY rmprefix "$DS_URI" >/dev/null
  local i idx
  for i in $(seq 1 $((SNAP1_INDICES + 1))); do curl -s -XDELETE "$OS/$DS-logs-$i" >/dev/null || true; done
  j -XPUT "$OS/_snapshot/$DS" -d "{\"type\":\"fs\",\"settings\":{\"location\":\"$LOC\",\"chunk_size\":\"64kb\"}}" >/dev/null
  mkidx() {
    j -XPUT "$OS/$1" -d '{"settings":{"number_of_shards":1,"number_of_replicas":0,"refresh_interval":"-1"},
      "mappings":{"dynamic":false,"properties":{"@timestamp":{"type":"date"},"host":{"type":"keyword"},
      "level":{"type":"keyword"},"seq":{"type":"long"}}}}' >/dev/null
  }
  for i in $(seq 1 "$SNAP1_INDICES"); do
    idx=$DS-logs-$i
    mkidx "$idx"
    $PY bulk "$OS" "$idx" "$INDEX_MIB" 2
    j -XPOST "$OS/$idx/_flush" >/dev/null
    echo "  $idx: $(curl -s "$OS/_cat/indices/$idx?h=docs.count,store.size") ($(($(date +%s) - t0)) s)"
  done
  j -XPUT "$OS/_snapshot/$DS/snap-1?wait_for_completion=true" \
    -d "{\"indices\":\"$DS-logs-*\",\"include_global_state\":false}" | grep -q '"state":"SUCCESS"'
  echo "  snapshot 1 done ($(($(date +%s) - t0)) s); freezing it to $REF1"
  aws s3 sync --quiet --only-show-errors "$REF2" "$REF1"
  idx=$DS-logs-$((SNAP1_INDICES + 1))
  mkidx "$idx"
  $PY bulk "$OS" "$idx" "$SNAP2_MIB" 2
  j -XPOST "$OS/$idx/_flush" >/dev/null
  j -XPUT "$OS/_snapshot/$DS/snap-2?wait_for_completion=true" \
    -d "{\"indices\":\"$DS-logs-*\",\"include_global_state\":false}" | grep -q '"state":"SUCCESS"'
  curl -s -XDELETE "$OS/_snapshot/$DS" >/dev/null # unregistered: the repository is frozen now
  for i in $(seq 1 $((SNAP1_INDICES + 1))); do curl -s -XDELETE "$OS/$DS-logs-$i" >/dev/null || true; done
  echo "  snapshot 2 done ($(($(date +%s) - t0)) s); copying to $SRC"
  $PY apply "$REF1" "$SRC" >/dev/null
  t1=$(date +%s)
  # What FUSE wrote must be what S3 lists.
  $PY list "$REF1" "$TMP/src1.json"
  $PY list "$REF2" "$TMP/src2.json"
  local n2 files
  n2=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$TMP/src2.json")
  files=$(find "$LOC" -type f | wc -l)
  ((files == n2)) || { echo "repo_sync: the mount shows $files files, S3 lists $n2 objects"; return 1; }
  python3 - "$TMP/src1.json" "$TMP/src2.json" "$((t1 - t0))" "$ESSNAP_TEST_OPENSEARCH_VERSION" >"$TMP/ready.json" <<'PY'
import json, sys, datetime
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
new = [k for k, v in b.items() if k not in a or a[k][:2] != v[:2]]
print(json.dumps({
    "engine": "OpenSearch " + sys.argv[4], "built": datetime.datetime.utcnow().isoformat() + "Z",
    "build_seconds": int(sys.argv[3]),
    "snap1": {"objects": len(a), "bytes": sum(v[0] for v in a.values())},
    "snap2": {"objects": len(b), "bytes": sum(v[0] for v in b.values())},
    "new_in_snap2": {"objects": len(new), "bytes": sum(b[k][0] for k in new)},
}))
PY
  $PY put "$READY" "$TMP/ready.json"
  echo "  dataset built in $((t1 - t0)) s"
}

if [[ ${REBUILD:-0} == 1 ]] || ! $PY get "$READY" >"$TMP/ready.json" 2>/dev/null; then
  build_dataset
fi
[[ ${BUILD_ONLY:-0} == 1 ]] && { cat "$TMP/ready.json"; echo; exit 0; }
$PY list "$REF1" "$TMP/src1.json"
$PY list "$REF2" "$TMP/src2.json"
read -r NEW_OBJECTS NEW_BYTES < <($PY newbytes "$TMP/src1.json" "$TMP/src2.json")
python3 - "$TMP/ready.json" "$NEW_OBJECTS" "$NEW_BYTES" "$SRC" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s1, s2 = d["snap1"], d["snap2"]
print("dataset (%s, built in %d s on %s), synced from %s: after snapshot 1 %d objects, %.1f MiB; "
      "after snapshot 2 %d objects, %.1f MiB;" % (d["engine"], d["build_seconds"], d["built"][:10], sys.argv[4],
                                                  s1["objects"], s1["bytes"] / 2**20, s2["objects"], s2["bytes"] / 2**20))
print("  new or changed in snapshot 2: %s objects, %.1f MiB (%.1f %% of snapshot 1's bytes)"
      % (sys.argv[2], int(sys.argv[3]) / 2**20, 100.0 * int(sys.argv[3]) / s1["bytes"]))
PY

# ---------------------------------------------------------------------------------------------
# The tools. rclone's remotes come from the environment: SB goes to SeaweedFS, SBP to the counting
# proxy (its endpoint set when the proxy runs). AWS_CA_BUNDLE (set on some machines) makes rclone's
# S3 client fail to start even for plain http; nothing here uses TLS.
unset AWS_CA_BUNDLE
for r in SB SBP; do
  export "RCLONE_CONFIG_${r}_TYPE=s3" "RCLONE_CONFIG_${r}_PROVIDER=Other" "RCLONE_CONFIG_${r}_ENDPOINT=$EP" \
    "RCLONE_CONFIG_${r}_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID" "RCLONE_CONFIG_${r}_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY" \
    "RCLONE_CONFIG_${r}_REGION=$AWS_REGION" "RCLONE_CONFIG_${r}_FORCE_PATH_STYLE=true"
done
export RCLONE_CONFIG=/dev/null
read -r -a RCLONE_EXTRA <<<"${RCLONE_FLAGS:-}"
read -r -a AWS_EXTRA <<<"${AWS_FLAGS:-}"
ESSNAP_EXTRA=()
[[ -n ${CONCURRENCY:-} ]] && ESSNAP_EXTRA=(--concurrency "$CONCURRENCY")
have_essnap=1
if ! "$ESSNAP" repo sync --help >/dev/null 2>&1; then
  have_essnap=0
  echo "repo_sync: \`$ESSNAP repo sync --help\` fails (not built, or no repo sync yet): essnap runs skipped, its columns stay empty"
fi

# cmd TOOL CASE SRC_URI DST ENDPOINT: sets CMD to the command line syncing SRC_URI (s3://...)
# into DST (s3://... or a directory), every request to ENDPOINT.
cmd() {
  local tool=$1 case=$2 src=$3 dst=$4 ep=$5 remote=SB
  [[ $ep != "$EP" ]] && remote=SBP
  case $tool in
    essnap)
      if [[ $case == s3 ]]; then
        CMD=("$ESSNAP" repo sync "$src" "$dst" --s3-endpoint-url "$ep" --to-s3-endpoint-url "$ep" -o json "${ESSNAP_EXTRA[@]}")
      else
        CMD=("$ESSNAP" repo sync "$src" "$dst" --s3-endpoint-url "$ep" -o json "${ESSNAP_EXTRA[@]}")
      fi ;;
    rclone | rclone-checksum)
      local d=$dst
      [[ $case == s3 ]] && d=$remote:${dst#s3://}
      CMD=(rclone sync "$remote:${src#s3://}" "$d" "${RCLONE_EXTRA[@]}")
      [[ $tool == rclone-checksum ]] && CMD+=(--checksum) ;;
    aws)
      CMD=(aws --endpoint-url "$ep" s3 sync "$src" "$dst" --delete --only-show-errors "${AWS_EXTRA[@]}") ;;
  esac
}
fresh_dst() {  # CASE: an empty DST, its name on stdout
  if [[ $1 == s3 ]]; then
    $PY rmbucket "$DST_BUCKET" >/dev/null
    $PY mkbucket "$DST_BUCKET"
    echo "s3://$DST_BUCKET/repo"
  else
    rm -rf "${DIR_BASE:?}/$RUN_ID"
    mkdir -p "$DIR_BASE/$RUN_ID/repo"
    echo "$DIR_BASE/$RUN_ID/repo"
  fi
}
snapshot_dst() {  # DST OUT.json: its objects (size, etag / inode, mtime / ctime)
  if [[ $1 == s3://* ]]; then $PY list "$1" "$2"; else $PY listdir "$1" "$2"; fi
}
# run LABEL COMMAND...: timed with /usr/bin/time -v; sets SECS, RSS_KIB, RC; output in $TMP/LABEL.out
run() {
  local label=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  RC=0
  /usr/bin/time -v -o "$TMP/$label.time" "$@" >"$TMP/$label.out" 2>"$TMP/$label.err" || RC=$?
  t1=$(date +%s.%N)
  SECS=$(printf '%.3f' "$(echo "$t1 - $t0" | bc)")
  RSS_KIB=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$TMP/$label.time")
  if ((RC != 0)); then
    echo "  $label failed (exit $RC):"
    tail -5 "$TMP/$label.err" | sed 's/^/    /'
  fi
}
# record JSON [TOOL_OUTPUT_FULL TOOL_OUTPUT_INCR]: one line of records.jsonl; a tool's stdout that is
# JSON (essnap's -o json) goes in as "output".
record() {
  python3 - "$@" >>"$TMP/records.jsonl" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
for part, path in zip(("full", "incremental"), sys.argv[2:]):
    try:
        r[part]["output"] = json.load(open(path))
    except (OSError, ValueError):
        pass
print(json.dumps(r))
PY
}
counts() { curl -s "http://127.0.0.1:$PROXY_PORT/__counts__?reset=1"; }

: >"$TMP/records.jsonl"
for case in $CASES; do
  for tool in $TOOLS; do
    [[ $tool == essnap && $have_essnap == 0 ]] && continue
    echo "== $tool, S3 -> $([[ $case == s3 ]] && echo "S3 (bucket $DST_BUCKET)" || echo "directory ($DIR_BASE)")"
    dst=$(fresh_dst "$case")
    $PY apply "$REF1" "$SRC" >/dev/null
    cmd "$tool" "$case" "$SRC" "$dst" "$EP"
    run "$tool-$case-full" "${CMD[@]}"
    full_secs=$SECS full_rss=$RSS_KIB full_rc=$RC
    printf '   full        %8.2f s  %8.1f MiB/s  RSS %6.1f MiB\n' "$SECS" \
      "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["snap1"]["bytes"] / 2**20 / float(sys.argv[2]))' "$TMP/ready.json" "$SECS")" \
      "$(echo "$RSS_KIB / 1024" | bc -l)"
    snapshot_dst "$dst" "$TMP/before.json"
    $PY apply "$REF2" "$SRC" >/dev/null
    cmd "$tool" "$case" "$SRC" "$dst" "$EP"
    run "$tool-$case-incr" "${CMD[@]}"
    incr_secs=$SECS incr_rss=$RSS_KIB incr_rc=$RC
    snapshot_dst "$dst" "$TMP/after.json"
    read -r w_objs w_bytes deleted < <($PY written "$TMP/before.json" "$TMP/after.json")
    # DST must now hold what REF2 holds (the peers mirror bytes; essnap writes a repository of its
    # own, whose objects may differ: reported, not judged).
    same=$($PY check "$TMP/src2.json" "$dst")
    printf '   incremental %8.2f s  RSS %6.1f MiB  wrote %d objects, %.1f MiB; deleted %d; DST vs snapshot 2: %s\n' \
      "$SECS" "$(echo "$RSS_KIB / 1024" | bc -l)" "$w_objs" "$(echo "$w_bytes / 1048576" | bc -l)" "$deleted" "$same"
    full_req='null' incr_req='null'
    if [[ $COUNT == 1 ]]; then
      rm -f "$TMP/proxy.port"
      python3 $HERE/s3_count_proxy.py "${EP#http://}" "$TMP/proxy.port" &
      proxy_pid=$!
      for _ in $(seq 100); do [[ -s $TMP/proxy.port ]] && break; sleep 0.1; done
      PROXY_PORT=$(cat "$TMP/proxy.port")
      export RCLONE_CONFIG_SBP_ENDPOINT=http://127.0.0.1:$PROXY_PORT
      dst=$(fresh_dst "$case")
      counts >/dev/null
      $PY apply "$REF1" "$SRC" >/dev/null
      cmd "$tool" "$case" "$SRC" "$dst" "http://127.0.0.1:$PROXY_PORT"
      run "$tool-$case-count-full" "${CMD[@]}"
      full_req=$(counts)
      $PY apply "$REF2" "$SRC" >/dev/null
      cmd "$tool" "$case" "$SRC" "$dst" "http://127.0.0.1:$PROXY_PORT"
      run "$tool-$case-count-incr" "${CMD[@]}"
      incr_req=$(counts)
      stop_proxy
      python3 - "$incr_req" <<'PY'
import json, sys
c = json.loads(sys.argv[1]); r = c["requests"]
print("   requests (incremental, counting run): %d = %s; %.1f MiB over the wire"
      % (sum(r.values()), " ".join("%s %d" % (k, v) for k, v in r.items() if v), (c["bytes_up"] + c["bytes_down"]) / 2**20))
PY
    fi
    record "{\"tool\":\"$tool\",\"case\":\"$case\",\"full\":{\"seconds\":$full_secs,\"rss_kib\":${full_rss:-0},\"exit\":$full_rc,\"requests\":$full_req},
      \"incremental\":{\"seconds\":$incr_secs,\"rss_kib\":${incr_rss:-0},\"exit\":$incr_rc,\"written_objects\":$w_objs,\"written_bytes\":$w_bytes,\"deleted_objects\":$deleted,\"dst_vs_snapshot2\":\"$same\",\"requests\":$incr_req}}" "$TMP/$tool-$case-full.out" "$TMP/$tool-$case-incr.out"
  done
  [[ $case == s3 ]] && $PY rmbucket "$DST_BUCKET" >/dev/null
  rm -rf "${DIR_BASE:?}/$RUN_ID"
done

mkdir -p "$(dirname "$RESULTS")"
python3 $HERE/repo_sync_report.py "$TMP/ready.json" "$TMP/records.jsonl" "$NEW_OBJECTS" "$NEW_BYTES" \
  "$(rclone version | head -1)" "$(aws --version 2>&1)" "$($ESSNAP --version 2>/dev/null | head -1 || true)" "$have_essnap" "$RESULTS"
