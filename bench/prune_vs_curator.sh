#!/usr/bin/env bash
# Planning and pruning a repository of N (default 500) snapshots: essnap prune --keep-last 50 vs
# Curator's delete-snapshots with a count filter keeping the newest 50 (by creation date), on
# identical fs repositories of the stack's Elasticsearch. The repository is built once (tiny
# index, parallel snapshots with wait_for_completion) and copied on disk for the second tool.
# Both tools go through the same loopback shim (bench/es_shim.py: the stack's integration-test
# Elasticsearch answers 405 to GET /, which Curator's client needs), which also counts the
# requests each one sends. Reports wall time and requests for planning (both tools' --dry-run)
# and pruning, checks that both leave the same snapshots, and cleans up what it made.
# PREFIX (default bench-prune) names the repositories and the index.
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
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
PREFIX=${PREFIX:-bench-prune}
A=$PREFIX-essnap B=$PREFIX-curator IDX=$PREFIX-idx
# shellcheck source=bench/es_shim.sh
. bench/es_shim.sh
TMP=$(mktemp -d)
j() { curl -sf -H 'Content-Type: application/json' "$@"; }
cleanup() {
  es_shim_stop
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

es_shim_start "$ES" "$TMP" "$TMP/requests"
reqs() {  # summary of the requests logged since the last call, then reset the log
  python3 - "$TMP/requests" <<'PY'
import collections, re, sys
lines = open(sys.argv[1]).read().split("\n")[:-1]
kinds = collections.Counter(re.sub(r"/bench-\d+(,bench-\d+)*", "/<names>", l.split("?")[0]) for l in lines)
print(f"{len(lines)} requests (" + ", ".join(f"{n} {k}" for k, n in kinds.most_common()) + ")")
PY
  : >"$TMP/requests"
}
printf '%-8s %-22s %9s  %s\n' tool step "wall" "requests through the shim"
run_essnap() {  # $1 = label, rest = args
  local label=$1; shift
  local t; t=$(now)
  "$ESSNAP" prune --url "$SHIM" -r $A --match 'bench-*' --keep-last "$KEEP" "$@" >"$TMP/out" 2>"$TMP/err" ||
    { echo "essnap $label: failed: $(tail -1 "$TMP/err")"; : >"$TMP/requests"; return 0; }
  local d; d=$(secs "$t" "$(now)")
  printf '%-8s %-22s %7s s  %s\n' essnap "$label" "$d" "$(reqs)"
}
run_curator() {
  local label=$1; shift
  local t; t=$(now)
  curator_cli --hosts "$SHIM" --logfile "$TMP/curator.log" "$@" delete-snapshots --repository $B \
    --filter_list "[{\"filtertype\":\"count\",\"count\":$KEEP,\"use_age\":true,\"source\":\"creation_date\"}]" \
    >/dev/null 2>&1 || { echo "curator $label: failed: $(tail -1 "$TMP/curator.log")"; : >"$TMP/requests"; return 0; }
  local d; d=$(secs "$t" "$(now)")
  printf '%-8s %-22s %7s s  %s\n' curator "$label" "$d" "$(reqs)"
}
run_essnap "plan (--dry-run)" --dry-run
run_curator "plan (--dry-run)" --dry-run
run_essnap "prune keep-last $KEEP" --yes
run_curator "prune count $KEEP"
names() { curl -s "$ES/_snapshot/$1/_all?verbose=false" | python3 -c 'import json,sys; print(" ".join(sorted(s["snapshot"] for s in json.load(sys.stdin)["snapshots"])))'; }
echo "left: $A=$(count $A) $B=$(count $B); same snapshots kept: $([[ $(names $A) == "$(names $B)" ]] && echo yes || echo NO)"
