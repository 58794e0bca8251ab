#!/usr/bin/env bash
# Planning and pruning a repository of N (default 500) snapshots: essnap prune vs Curator's
# delete_snapshots (count filter), on identical fs repositories of the stack's Elasticsearch.
# Reports wall time and requests sent (essnap: -v trace lines "> METHOD"; Curator: its DEBUG log's
# "[status:" lines). The repository is built once (tiny index, parallel snapshots with
# wait_for_completion) and copied on disk for the second tool. Cleans up what it made.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
ESSNAP=${ESSNAP:-$BUILD_DIR/essnap}
N=${N:-500}
KEEP=${KEEP:-50}
[[ -f .stack/env ]] || { echo "prune_vs_curator: no .stack/env (scripts/stack.sh up)"; exit 0; }
# shellcheck disable=SC1091
. .stack/env
ES=$ESSNAP_TEST_ELASTICSEARCH_URL
FS=$ESSNAP_TEST_FS_REPO_PATH
command -v curator_cli >/dev/null || { echo "prune_vs_curator: curator_cli not installed"; exit 0; }
A=prunewt-bench-essnap B=prunewt-bench-curator IDX=prunewt-bench-idx
TMP=$(mktemp -d)
j() { curl -sf -H 'Content-Type: application/json' "$@"; }
cleanup() {
  for r in $A $B; do
    curl -s -XDELETE "$ES/_snapshot/$r" >/dev/null || true
    rm -rf "${FS:?}/$r"
  done
  curl -s -XDELETE "$ES/$IDX" >/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2-$1:.2f}')"; }

j -XPUT "$ES/$IDX/_doc/1?refresh=true" -d '{"n":1}' >/dev/null
j -XPUT "$ES/_snapshot/$A" -d "{\"type\":\"fs\",\"settings\":{\"location\":\"$FS/$A\"}}" >/dev/null
t0=$(now)
seq -f "%04g" 1 "$N" | xargs -P 8 -I{} curl -sf -o /dev/null -XPUT -H 'Content-Type: application/json' \
  "$ES/_snapshot/$A/bench-{}?wait_for_completion=true" -d "{\"indices\":\"$IDX\"}"
echo "built $N snapshots in $(secs "$t0" "$(now)") s"
cp -a "$FS/$A" "$FS/$B"
j -XPUT "$ES/_snapshot/$B" -d "{\"type\":\"fs\",\"settings\":{\"location\":\"$FS/$B\"}}" >/dev/null
count() { curl -s "$ES/_snapshot/$1/_all?verbose=false" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["snapshots"]))'; }
echo "repositories: $A=$(count $A) $B=$(count $B)"

run_essnap() {  # $1 = label, rest = args
  local label=$1; shift
  local t; t=$(now)
  "$ESSNAP" -v prune --url "$ES" -r $A --match 'bench-*' --keep-last "$KEEP" "$@" >"$TMP/out" 2>"$TMP/err"
  local d; d=$(secs "$t" "$(now)")
  echo "essnap  $label: ${d} s, $(grep -c '^> ' "$TMP/err") requests ($(grep -c '^> DELETE' "$TMP/err") DELETE)"
}
run_curator() {
  local label=$1; shift
  local t; t=$(now)
  curator_cli --hosts "$ES" --loglevel DEBUG --logfile "$TMP/curator.log" "$@" delete-snapshots \
    --repository $B --filter_list "[{\"filtertype\":\"count\",\"count\":$KEEP}]" >/dev/null 2>&1 ||
    { echo "curator $label: failed: $(grep -o 'Unable to connect[^(]*([^,]*,[^,]*' "$TMP/curator.log" | head -1)"; return 0; }
  local d; d=$(secs "$t" "$(now)")
  echo "curator $label: ${d} s, $(grep -c '\[status:' "$TMP/curator.log") requests ($(grep -c 'DELETE http' "$TMP/curator.log") DELETE)"
  : >"$TMP/curator.log"
}
run_essnap "plan (--dry-run)" --dry-run
run_curator "plan (--dry-run)" --dry-run
run_essnap "prune keep-last $KEEP" --yes
run_curator "prune keep-last $KEEP"
echo "left: $A=$(count $A) $B=$(count $B)"
