#!/usr/bin/env bash
# Time from the cluster's recorded end of a snapshot (end_time_in_millis) to the tool's exit,
# median over repeated runs: `essnap snapshot create --wait` against Curator's snapshot action
# (curator_cli snapshot, elasticsearch-curator 8.x, default wait_interval 9 s), both against the
# stack's Elasticsearch 8. Target (issue 6): essnap <= 0.5 s.
#
# The stack's Elasticsearch is an integration-test build that answers 405 to GET /, which
# Curator's client needs; both tools therefore go through the same small loopback shim that
# answers GET / from _nodes and forwards everything else unchanged.
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

work=$(mktemp -d)
shim_pid=""
cleanup() {
  [[ -n $shim_pid ]] && kill "$shim_pid" 2>/dev/null || true
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

cat >"$work/shim.py" <<'PY'
import http.server, json, socketserver, sys, urllib.request
UP = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def _send(self, code, body, ctype="application/json"):
        self.send_response(code); self.send_header("Content-Type", ctype)
        self.send_header("X-Elastic-Product", "Elasticsearch")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def _any(self):
        n = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(n) if n else None
        if self.command == "GET" and self.path == "/":
            nodes = json.load(urllib.request.urlopen(UP + "/_nodes/_local?filter_path=cluster_name,nodes.*.version"))
            v = next(iter(nodes["nodes"].values()))["version"]
            body = {"name": "es", "cluster_name": nodes["cluster_name"], "cluster_uuid": "x",
                    "version": {"number": v, "build_flavor": "default", "lucene_version": "9",
                                "minimum_wire_compatibility_version": "7.17.0",
                                "minimum_index_compatibility_version": "7.0.0"},
                    "tagline": "You Know, for Search"}
            return self._send(200, json.dumps(body).encode())
        req = urllib.request.Request(UP + self.path, data=data, method=self.command)
        for k in ("Content-Type", "Accept"):
            if self.headers.get(k): req.add_header(k, self.headers[k])
        try:
            with urllib.request.urlopen(req) as r:
                self._send(r.status, r.read(), r.headers.get("Content-Type", "application/json"))
        except urllib.error.HTTPError as e:
            self._send(e.code, e.read(), e.headers.get("Content-Type", "application/json"))
    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _any
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
s = S(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
python3 "$work/shim.py" "$URL" >"$work/port" &
shim_pid=$!
for _ in $(seq 50); do [[ -s $work/port ]] && break; sleep 0.1; done
SHIM=http://127.0.0.1:$(head -1 "$work/port")

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
