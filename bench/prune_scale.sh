#!/usr/bin/env bash
# `essnap prune` planning at scale: N (default 200000) synthetic snapshots in one repository of a
# loopback fake cluster (bench/fake_snapshot_cluster.py), answering as Elasticsearch 8.19.7 (the
# listing paginated by 1000, as essnap asks it) and as OpenSearch 2.19.6 (one answer holding all).
# The whole real path is measured: listing, ownership, the retention plan, the printed table or
# the -o json document (to /dev/null) — `--dry-run`, so nothing is deleted. Reports wall time,
# CPU time (user + system: the honest figure on a shared, loaded machine) and peak RSS
# (/usr/bin/time) per engine and output, and the plan's counts. ENGINES and OUTPUTS pick the
# runs, ESSNAP another binary (e.g. an older build, for before/after figures).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
ESSNAP=${ESSNAP:-$BUILD_DIR/essnap}
N=${N:-200000}
ENGINES=${ENGINES:-elasticsearch opensearch}
OUTPUTS=${OUTPUTS:-text json}
[[ -x $ESSNAP ]] || { echo "prune_scale: $ESSNAP is not built"; exit 0; }
[[ -x /usr/bin/time ]] || { echo "prune_scale: /usr/bin/time is not installed"; exit 0; }
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
TMP=$(mktemp -d)
pid=""
stop_fake() {
  if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  pid=""
}
trap 'stop_fake; rm -rf "$TMP"' EXIT

printf '%-14s %-6s %9s %9s %10s %9s  %s\n' engine output wall cpu "max RSS" requests plan
for engine in $ENGINES; do
  : >"$TMP/port"
  python3 bench/fake_snapshot_cluster.py "$N" "$engine" "$TMP/requests" >"$TMP/port" &
  pid=$!
  for _ in $(seq 1200); do [[ -s $TMP/port ]] && break; sleep 0.1; done
  [[ -s $TMP/port ]] || { echo "prune_scale: the fake cluster did not start"; exit 1; }
  url=http://127.0.0.1:$(cat "$TMP/port")
  for output in $OUTPUTS; do
    : >"$TMP/requests"
    global=()
    [[ $output == json ]] && global=(-o json)
    if ! /usr/bin/time -f '%e %U %S %M' -o "$TMP/time" "$ESSNAP" "${global[@]}" prune --url "$url" \
      -r repo --policy nightly --keep-daily 7 --keep-weekly 4 --keep-monthly 12 \
      --keep-yearly -1 --dry-run >"$TMP/out" 2>"$TMP/err"; then
      echo "prune_scale: essnap failed ($engine, $output): $(tail -2 "$TMP/err")"
      continue
    fi
    read -r secs user sys kb <"$TMP/time"
    if [[ $output == json ]]; then
      plan=$(python3 - "$TMP/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(len(d["snapshots"]), "owned,", len(d["remove"]), "to remove,", d.get("not_owned", "-"), "not owned")
PY
)
    else
      plan=$(tail -1 "$TMP/out" | cut -c1-60)
    fi
    printf '%-14s %-6s %7s s %7s s %6s MiB %9s  %s\n' "$engine" "$output" "$secs" \
      "$(python3 -c "print(f'{$user + $sys:.2f}')")" "$(( kb / 1024 ))" \
      "$(wc -l <"$TMP/requests")" "$plan"
  done
  stop_fake
done
