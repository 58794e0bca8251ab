#!/usr/bin/env bash
# Time from the cluster's recorded end of a snapshot (end_time_in_millis) to the tool's exit,
# median over repeated runs: `essnap snapshot create --wait` against Curator's snapshot action
# (curator_cli snapshot, elasticsearch-curator 8.x, default wait_interval 9 s), both against the
# stack's Elasticsearch 8. Target (issue 6): essnap <= 0.5 s.
#
# The stack's Elasticsearch is an integration-test build that answers 405 to GET /, which
# Curator's client needs; both tools therefore go through the same small loopback shim that
# answers GET / from _nodes and forwards everything else unchanged (bench/es_shim.py).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
ESSNAP=${ESSNAP_BINARY:-$BUILD_DIR/essnap}
RUNS=${RUNS:-5}
[[ -f .stack/env ]] && . .stack/env
URL=${ESSNAP_TEST_ELASTICSEARCH_URL:?start the stack first: scripts/stack.sh up}
REPO_PATH=${ESSNAP_TEST_FS_REPO_PATH:?}
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
have_curator=1
command -v curator_cli >/dev/null || { echo "snapshot_latency: curator_cli not found (pip install 'elasticsearch-curator<9'); essnap only" >&2; have_curator=0; }

# shellcheck source=bench/es_shim.sh
. bench/es_shim.sh
work=$(mktemp -d)
cleanup() {
  es_shim_stop
  curl -s -XDELETE "$URL/_snapshot/$REPO/_all" >/dev/null 2>&1 || true
  for s in $(curl -s "$URL/_snapshot/$REPO/_all" | python3 -c 'import json,sys; [print(s["snapshot"]) for s in json.load(sys.stdin).get("snapshots",[])]' 2>/dev/null); do
    curl -s -XDELETE "$URL/_snapshot/$REPO/$s" >/dev/null || true
  done
  curl -s -XDELETE "$URL/_snapshot/$REPO" >/dev/null || true
  curl -s -XDELETE "$URL/$INDEX" >/dev/null || true
  rm -rf "$work"
}
REPO=bench-latency-$$
INDEX=bench-latency-$$
trap cleanup EXIT

es_shim_start "$URL" "$work"

curl -s -XPUT "$URL/_snapshot/$REPO" -H 'Content-Type: application/json' \
  -d "{\"type\":\"fs\",\"settings\":{\"location\":\"$REPO_PATH/$REPO\"}}" >/dev/null
# Enough data that a snapshot is not instantaneous (about 5 MB, fresh segments each run).
python3 - "$URL" "$INDEX" <<'PY'
import json, sys, urllib.request
url, idx = sys.argv[1], sys.argv[2]
lines = []
for i in range(20000):
    lines.append(json.dumps({"index": {"_index": idx}}))
    lines.append(json.dumps({"n": i, "text": "lorem ipsum dolor sit amet %d " % i * 8}))
req = urllib.request.Request(url + "/_bulk?refresh=true", data=("\n".join(lines) + "\n").encode(),
                             headers={"Content-Type": "application/x-ndjson"}, method="POST")
urllib.request.urlopen(req).read()
PY

now_ms() { date +%s%3N; }
end_ms() { curl -s "$URL/_snapshot/$REPO/$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["snapshots"][0]["end_time_in_millis"])'; }
touch_index() {  # new docs, so each snapshot copies new segments
  curl -s -XPOST "$URL/$INDEX/_doc?refresh=true" -H 'Content-Type: application/json' -d '{"n":-1}' >/dev/null
}
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print int((a[NR/2]+a[NR/2+1])/2)}'; }

: >"$work/essnap"; : >"$work/curator"; : >"$work/floor"
for i in $(seq "$RUNS"); do
  # The engine's own floor: the cluster answering a wait_for_completion=true PUT itself. It
  # includes the finalization (metadata written to the repository) that follows end_time.
  touch_index
  curl -s -XPUT "$URL/_snapshot/$REPO/f-$i?wait_for_completion=true" -H 'Content-Type: application/json' \
    -d "{\"indices\":\"$INDEX\"}" >/dev/null
  t=$(now_ms); echo $((t - $(end_ms "f-$i"))) >>"$work/floor"
  touch_index
  "$ESSNAP" snapshot create "e-$i" --repository "$REPO" --indices "$INDEX" --wait --quiet \
    --url "$SHIM" >/dev/null
  t=$(now_ms); echo $((t - $(end_ms "e-$i"))) >>"$work/essnap"
  if ((have_curator)); then
    touch_index
    curator_cli --hosts "$SHIM" snapshot --repository "$REPO" --name "c-$i" \
      --filter_list "{\"filtertype\":\"pattern\",\"kind\":\"prefix\",\"value\":\"$INDEX\"}" >/dev/null 2>&1
    t=$(now_ms); echo $((t - $(end_ms "c-$i"))) >>"$work/curator"
  fi
done
printf 'snapshot end -> tool exit, median of %d runs (Elasticsearch %s, ms):\n' "$RUNS" "${ESSNAP_TEST_ELASTICSEARCH_VERSION:-8}"
printf '  engine floor (curl, wait_for_completion=true): %6d ms   (runs: %s)\n' "$(median <"$work/floor")" "$(paste -sd' ' "$work/floor")"
printf '  essnap snapshot create --wait                : %6d ms   (runs: %s)\n' "$(median <"$work/essnap")" "$(paste -sd' ' "$work/essnap")"
if ((have_curator)); then
  printf '  curator_cli snapshot (9 s poll)              : %6d ms   (runs: %s)\n' "$(median <"$work/curator")" "$(paste -sd' ' "$work/curator")"
fi
m=$(median <"$work/essnap")
f=$(median <"$work/floor")
if ((m > 500)); then
  echo "  essnap is $((m - f)) ms from the engine's own floor; the floor itself is ${f} ms after end_time (finalization)" >&2
fi
