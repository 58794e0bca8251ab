#!/usr/bin/env bash
# essnap export --from-snapshot vs essnap's own live export of the same index, and vs the rate
# opensearch-migrations published for Reindex-from-Snapshot (RFS) on 2 vCPU (issue 23): one index
# of DOCS (default 2,000,000) documents of ~512 bytes of varied JSON (bench/from_snapshot_data.py)
# in the stack's OpenSearch 2 and Elasticsearch 8 (ENGINES, default "OPENSEARCH ELASTICSEARCH":
# the NAME of ESSNAP_TEST_<NAME>_URL), snapshotted into an fs repository on the S3 mount, so its
# blobs are in the stack's S3 (SeaweedFS) at s3://$ESSNAP_TEST_S3_BUCKET/<engine prefix>/$PREFIX.
# The index, the repository and the snapshot are kept between runs and reused when the index
# still holds DOCS documents (KEEP=0 removes them at the end; a reload drops the repository's old
# snapshots). Then, per engine, interleaved REPS (default 3) times after one unmeasured warm-up:
#   live    essnap export --url ENGINE -i INDEX --to s3://$BUCKET/...
#   fromsnap essnap export --from-snapshot s3://BUCKET/PREFIX SNAPSHOT -i INDEX --to s3://$BUCKET/...
# (the second only when `essnap export --help` offers --from-snapshot; otherwise it says so),
# both at their defaults, both into the same place: per TARGETS (default "s3 dir"), a bucket of the
# benchmark's own (emptied at the end) and a directory on a tmpfs. Each
# run's wall time (best kept) and documents/s, peak RSS (/usr/bin/time's "Maximum resident set
# size", highest kept), bytes the process wrote to local disk (/usr/bin/time's "File system
# outputs" x 512: the kernel's write_bytes of the process and its reaped children, the
# counter /proc/PID/io shows; highest kept), its own CPU and the engine's and the S3 server's
# CPU meanwhile. Every output's manifest must count DOCS documents. Targets: from-snapshot >= 1.5x
# live, >= 5x RFS's 9.8k documents/s, RSS <= 256 MiB, local disk written 0.
# Also: SHARDS (2), LOAD_THREADS (3 bulk senders), PREFIX (bench-fromsnap: the index, repository
# and snapshot names), BUCKET (essnap-bench-fromsnap), ESSNAP (the binary), STACK_ENV (the stack's
# environment file, default .stack/env). docs/PERFORMANCE.md has the method and the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
ESSNAP=$(realpath "${ESSNAP:-$BUILD_DIR/essnap}")
DOCS=${DOCS:-2000000}
SHARDS=${SHARDS:-2}
LOAD_THREADS=${LOAD_THREADS:-3}
REPS=${REPS:-3}
ENGINES=${ENGINES:-OPENSEARCH ELASTICSEARCH}
# Where both exports write: s3 (a bucket of the benchmark's own in the stack's S3) and/or dir (a
# directory on a tmpfs, so the output is not counted as local disk written).
TARGETS=${TARGETS:-s3 dir}
PREFIX=${PREFIX:-bench-fromsnap}
STACK_ENV=${STACK_ENV:-.stack/env}
[[ -f $STACK_ENV ]] || { echo "from_snapshot: no $STACK_ENV (scripts/stack.sh up)"; exit 0; }
# shellcheck disable=SC1090
. "$STACK_ENV"
[[ -x /usr/bin/time ]] || { echo "from_snapshot: /usr/bin/time not installed"; exit 0; }
[[ -x $ESSNAP ]] || { echo "from_snapshot: $ESSNAP not built"; exit 1; }
STACK_DIR=${ESSNAP_STACK_DIR:-.stack}
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost AWS_EC2_METADATA_DISABLED=true
export AWS_ACCESS_KEY_ID=$ESSNAP_TEST_S3_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$ESSNAP_TEST_S3_SECRET_ACCESS_KEY
export AWS_REGION=${ESSNAP_TEST_S3_REGION:-us-east-1} AWS_ENDPOINT_URL_S3=$ESSNAP_TEST_S3_ENDPOINT
DATA=bench/from_snapshot_data.py
# A bucket of the benchmark's own for the outputs (other suites change the shared bucket's settings).
BUCKET=${BUCKET:-essnap-bench-fromsnap}
OUT=s3://$BUCKET/$PREFIX-$$
# RFS: opensearch-migrations measured ~590,000 documents/minute on 2 vCPU (issue 23's text).
RFS_DOCS_PER_S=9833
# Scratch files on a tmpfs where there is one: the measured process's stdout and stderr go there,
# and tmpfs pages are not counted as disk writes.
TMP=$(mktemp -d -p "$( [[ -d /dev/shm ]] && echo /dev/shm || echo "${TMPDIR:-/tmp}")")
j() { curl -sf -H 'Content-Type: application/json' "$@"; }
KEEP=${KEEP:-1}
cleanup() {
  python3 $DATA rmprefix "$OUT" || true
  rm -rf "$TMP"
  if [[ $KEEP == 0 ]]; then
    for e in $ENGINES; do
      local url_var=ESSNAP_TEST_${e}_URL prefix_var=ESSNAP_TEST_${e}_S3_REPO_PREFIX path_var=ESSNAP_TEST_${e}_S3_REPO_PATH url
      url=${!url_var:-}
      [[ -n $url ]] || continue
      for s in $(snapshots "$url"); do curl -s -XDELETE "$url/_snapshot/$PREFIX/$s" >/dev/null || true; done
      curl -s -XDELETE "$url/_snapshot/$PREFIX" >/dev/null || true
      curl -s -XDELETE "$url/$PREFIX" >/dev/null || true
      python3 $DATA rmprefix "s3://$ESSNAP_TEST_S3_BUCKET/${!prefix_var}/$PREFIX" || true
      rm -rf "${!path_var:?}/$PREFIX" || true  # the filer's empty directory entries, through the mount
    done
  fi
}
trap cleanup EXIT
snapshots() {  # the names of the repository's snapshots (none if it is not registered)
  { curl -s "$1/_snapshot/$PREFIX/_all" || true; } |
    python3 -c 'import json,sys
try: print(" ".join(s["snapshot"] for s in json.load(sys.stdin).get("snapshots", [])))
except Exception: pass'
}

HAVE_FROMSNAP=0
# The help is read whole first: `grep -q` on the pipe would stop reading at the match, and under
# pipefail essnap's SIGPIPE would then fail the test at random.
EXPORT_HELP=$("$ESSNAP" export --help 2>/dev/null || true)
grep -q -- '--from-snapshot' <<<"$EXPORT_HELP" && HAVE_FROMSNAP=1
python3 $DATA mkbucket "$BUCKET"
echo "machine: $(nproc) cores, shared (load $(cut -d' ' -f1-3 /proc/loadavg)); essnap: $ESSNAP"

# ticks PIDFILE: CPU ticks (user + system) of the stack process named in .stack/pids/PIDFILE and
# its descendants (Elasticsearch 8's pid is its launcher; the server is a child).
ticks() {
  local p
  p=$(cut -d' ' -f1 "$STACK_DIR/pids/$1" 2>/dev/null || true)
  [[ -n $p ]] || { echo 0; return; }
  python3 - "$p" <<'PY'
import os, sys
def tree(p):
    try:
        kids = " ".join(open(f"/proc/{p}/task/{t}/children").read() for t in os.listdir(f"/proc/{p}/task")).split()
        f = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(f[11]) + int(f[12]) + sum(tree(k) for k in kids)
print(tree(sys.argv[1]))
PY
}
declare -A SECS RSS DISK CPU ENG SRV ALL
# measure KEY ENGINE_PIDFILE CMD...: one run of CMD under /usr/bin/time; best wall time kept (the
# machine is shared: the best run is the least disturbed), with that run's CPU figures; the
# highest RSS and the most bytes written to local disk kept.
measure() {
  local key=$1 epid=$2
  shift 2
  local e0 s0 e1 s1
  e0=$(ticks "$epid") s0=$(ticks seaweedfs.pid)
  /usr/bin/time -f "%e %M %O %U %S" -o "$TMP/time" "$@" >"$TMP/out" 2>"$TMP/err" ||
    { echo "$key failed:"; tail -5 "$TMP/err"; exit 1; }
  e1=$(ticks "$epid") s1=$(ticks seaweedfs.pid)
  local s kb blocks user sys
  read -r s kb blocks user sys <"$TMP/time"
  local hz cpu eng srv disk
  hz=$(getconf CLK_TCK)
  cpu=$(python3 -c "print(round($user + $sys, 2))")
  eng=$(python3 -c "print(round(($e1 - $e0) / $hz, 2))")
  srv=$(python3 -c "print(round(($s1 - $s0) / $hz, 2))")
  disk=$((blocks * 512))
  if [[ -z ${SECS[$key]:-} ]] || python3 -c "import sys; sys.exit(0 if $s < ${SECS[$key]} else 1)"; then
    SECS[$key]=$s CPU[$key]=$cpu ENG[$key]=$eng SRV[$key]=$srv
  fi
  ALL[$key]="${ALL[$key]:-}${ALL[$key]:+ }$s"
  local mib=$((kb / 1024))
  if [[ -z ${RSS[$key]:-} ]] || ((mib > RSS[$key])); then RSS[$key]=$mib; fi
  if [[ -z ${DISK[$key]:-} ]] || ((disk > DISK[$key])); then DISK[$key]=$disk; fi
  echo "  $key: $s s, $mib MiB, local disk written $disk B, cpu $cpu s, engine cpu $eng s, S3 server cpu $srv s"
}
# check_output KEY URI: the export at URI counts DOCS documents; its size is noted, then it is removed.
declare -A OUTSIZE
check_output() {
  local docs objects bytes
  read -r docs objects bytes < <(python3 $DATA output "$2") || { echo "$1: no manifest.json at $2"; exit 1; }
  ((docs == DOCS)) || { echo "$1: $docs documents in $2, expected $DOCS"; exit 1; }
  OUTSIZE[$1]="$objects objects, $((bytes / 1048576)) MiB"
  python3 $DATA rmprefix "$2"
}

for e in $ENGINES; do
  url_var=ESSNAP_TEST_${e}_URL ver_var=ESSNAP_TEST_${e}_VERSION
  path_var=ESSNAP_TEST_${e}_S3_REPO_PATH prefix_var=ESSNAP_TEST_${e}_S3_REPO_PREFIX
  URL=${!url_var:-}
  [[ -n $URL ]] || { echo "from_snapshot: $url_var not set: $e left out"; continue; }
  epid=$(tr '[:upper:]' '[:lower:]' <<<"$e").pid
  IDX=$PREFIX SNAP=$PREFIX-$DOCS
  LOC=${!path_var}/$PREFIX
  REPO=s3://$ESSNAP_TEST_S3_BUCKET/${!prefix_var}/$PREFIX
  echo "== $e ${!ver_var} ($URL): index $IDX, repository $PREFIX at $LOC = $REPO"

  # The index: reused when it holds DOCS documents and its load finished (refresh back on).
  have=$({ curl -s "$URL/$IDX/_settings?flat_settings=true" || true; } | python3 -c '
import json, sys
try:
    s = next(iter(json.load(sys.stdin).values()))["settings"]
    print("loading" if s.get("index.refresh_interval") == "-1" else "ok")
except Exception:
    print("none")')
  count=0
  [[ $have == ok ]] && count=$(curl -s "$URL/$IDX/_count" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("count", 0))')
  if ((count == DOCS)); then
    echo "  index kept from an earlier run: $count documents"
    loaded=0
  else
    echo "  loading $DOCS documents ($SHARDS shards, $LOAD_THREADS bulk senders; index was: $have, $count documents)..."
    for s in $(snapshots "$URL"); do j -XDELETE "$URL/_snapshot/$PREFIX/$s" >/dev/null; done
    res=$(python3 $DATA load "$URL" "$IDX" "$DOCS" "$SHARDS" "$LOAD_THREADS")
    read -r n secs <<<"$res"
    echo "  loaded $n documents in $secs s"
    loaded=1
  fi
  echo "  index: $(curl -s "$URL/_cat/indices/$IDX?h=docs.count,store.size,pri&format=json")," \
    "segments: $(curl -s "$URL/_cat/segments/$IDX?h=segment" | wc -l)"

  # The repository (fs on the S3 mount: its blobs are the bucket's objects) and the snapshot.
  j -XPUT "$URL/_snapshot/$PREFIX" -d "{\"type\":\"fs\",\"settings\":{\"location\":\"$LOC\"}}" >/dev/null
  state=$({ curl -s "$URL/_snapshot/$PREFIX/$SNAP" || true; } | python3 -c '
import json, sys
try: print(json.load(sys.stdin)["snapshots"][0]["state"])
except Exception: print("none")')
  if ((loaded == 0)) && [[ $state == SUCCESS ]]; then
    echo "  snapshot $SNAP kept from an earlier run"
  else
    [[ $state != none ]] && j -XDELETE "$URL/_snapshot/$PREFIX/$SNAP" >/dev/null
    t0=$(date +%s.%N)
    j -XPUT "$URL/_snapshot/$PREFIX/$SNAP?wait_for_completion=true" \
      -d "{\"indices\":\"$IDX\",\"include_global_state\":false}" >"$TMP/snap.json"
    python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["snapshot"]; sys.exit(0 if s["state"]=="SUCCESS" else "snapshot: "+s["state"])' "$TMP/snap.json"
    echo "  snapshot $SNAP taken in $(python3 -c "print(round($(date +%s.%N) - $t0, 1))") s"
  fi

  live=("$ESSNAP" export --url "$URL" -i "$IDX" -q --to)
  fromsnap=("$ESSNAP" export --from-snapshot "$REPO" "$SNAP" -i "$IDX" -q --to)
  for to in $TARGETS; do
    case $to in
      s3) dest=$OUT/$e ;;
      dir) dest=$TMP/exports/$e ;;
      *) echo "from_snapshot: TARGETS holds $to (s3 or dir)"; exit 2 ;;
    esac
    # Warm-up, not measured: the index's files in the page cache and the engine's search path
    # compiled; the repository's blobs in the S3 server's page cache.
    "${live[@]}" "$dest/warm" >"$TMP/warm.out"
    python3 $DATA rmprefix "$dest/warm"
    if ((HAVE_FROMSNAP)); then
      "${fromsnap[@]}" "$dest/warm-snap" >"$TMP/warm.out"
      python3 $DATA rmprefix "$dest/warm-snap"
    fi
    for ((rep = 1; rep <= REPS; rep++)); do
      measure "$e live $to" "$epid" "${live[@]}" "$dest/live-$rep"
      check_output "$e live $to" "$dest/live-$rep"
      if ((HAVE_FROMSNAP)); then
        measure "$e fromsnap $to" "$epid" "${fromsnap[@]}" "$dest/snap-$rep"
        check_output "$e fromsnap $to" "$dest/snap-$rep"
      fi
    done
  done
  ((HAVE_FROMSNAP)) || echo "  export --from-snapshot: not in $ESSNAP (its export --help has no --from-snapshot): not measured"
done

python3 - "$DOCS" "$RFS_DOCS_PER_S" "$ENGINES" "$TARGETS" <<PY
import sys
docs, rfs = int(sys.argv[1]), int(sys.argv[2])
secs = {$(for k in "${!SECS[@]}"; do printf '"%s": %s, ' "$k" "${SECS[$k]}"; done)}
every = {$(for k in "${!ALL[@]}"; do printf '"%s": "%s", ' "$k" "${ALL[$k]}"; done)}
rss = {$(for k in "${!RSS[@]}"; do printf '"%s": %s, ' "$k" "${RSS[$k]}"; done)}
disk = {$(for k in "${!DISK[@]}"; do printf '"%s": %s, ' "$k" "${DISK[$k]}"; done)}
cpu = {$(for k in "${!CPU[@]}"; do printf '"%s": %s, ' "$k" "${CPU[$k]}"; done)}
eng = {$(for k in "${!ENG[@]}"; do printf '"%s": %s, ' "$k" "${ENG[$k]}"; done)}
srv = {$(for k in "${!SRV[@]}"; do printf '"%s": %s, ' "$k" "${SRV[$k]}"; done)}
out = {$(for k in "${!OUTSIZE[@]}"; do printf '"%s": "%s", ' "$k" "${OUTSIZE[$k]}"; done)}
print(f"\n{docs} documents; RFS's published rate on 2 vCPU: ~590k documents/minute = {rfs} documents/s")
print(f"{'run':30} {'seconds':>8} {'docs/s':>9} {'x RFS':>6} {'RSS MiB':>8} {'disk B':>7} {'cpu s':>6} "
      f"{'engine cpu s':>12} {'S3 cpu s':>8}  all reps / output")
targets = sys.argv[4].split()
runs = [(e, t) for e in sys.argv[3].split() for t in targets if f"{e} live {t}" in secs]
for e, t in runs:
    for k in (f"{e} live {t}", f"{e} fromsnap {t}"):
        if k not in secs:
            continue
        rate = docs / secs[k]
        print(f"{k:30} {secs[k]:8.2f} {rate:9.0f} {rate / rfs:6.1f} {rss[k]:8} {disk[k]:7} {cpu[k]:6.2f} "
              f"{eng[k]:12.2f} {srv[k]:8.2f}  {every[k]} / {out.get(k, '')}")
for e, t in runs:
    live, snap = f"{e} live {t}", f"{e} fromsnap {t}"
    if snap in secs:
        print(f"{e} to {t}: from-snapshot = {secs[live] / secs[snap]:.2f} x live export (target >= 1.5), "
              f"{docs / secs[snap] / rfs:.1f} x RFS (target >= 5); peak RSS {rss[snap]} MiB (target <= 256); "
              f"local disk written {disk[snap]} B (target 0)")
    else:
        print(f"{e} to {t}: from-snapshot not measured (not in this essnap); live export = {docs / secs[live] / rfs:.1f} x RFS, "
              f"peak RSS {rss[live]} MiB, local disk written {disk[live]} B")
PY
