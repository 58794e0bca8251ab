"""A loopback cluster that holds N synthetic snapshots in one repository, for bench/prune_scale.sh.

    python3 bench/fake_snapshot_cluster.py N ENGINE [REQUEST_LOG]

ENGINE is `elasticsearch` (answers as 8.19.7: the listing is paginated with size/after/sort, as
essnap asks an Elasticsearch >= 7.14, without index names as >= 8.3 allows) or `opensearch`
(answers as 2.19.6: one GET _snapshot/repo/_all holding every snapshot, index names included).
Repository `repo`; snapshots `nightly-000000` .. one hour apart, ending an hour before now, all
SUCCESS, made for essnap policy `nightly` (metadata {"essnap": {"policy": "nightly"}}); every
tenth one is `manual-…` and owned by nobody. Prints the port (127.0.0.1, ephemeral). Answers
GET /, GET _snapshot/repo/_all (and names), _status; DELETE is accepted and forgets the names.
Every listing answer is built once (those essnap asks for before the port is printed) and then
served from memory, so the fake's own time stays out of the figures.
"""
import http.server, json, socket, socketserver, sys, time, urllib.parse

N = int(sys.argv[1])
ENGINE = sys.argv[2]
LOG = open(sys.argv[3], "a", buffering=1) if len(sys.argv) > 3 else None
ES = ENGINE == "elasticsearch"
END_MS = (int(time.time()) - 3600) * 1000
ROOT = {"name": "n", "cluster_name": "bench", "cluster_uuid": "x", "tagline": "You Know, for Search",
        "version": {"number": "8.19.7", "build_flavor": "default"} if ES else
        {"distribution": "opensearch", "number": "2.19.6"}}


def snapshot(i):
    name = ("manual-%06d" if i % 10 == 9 else "nightly-%06d") % i
    start = END_MS - (N - 1 - i) * 3600_000
    s = {"snapshot": name, "uuid": "u%08d" % i, "repository": "repo",
         "version_id": 8190799 if ES else 136408127, "version": "8.19.7" if ES else "2.19.6",
         "data_streams": [], "include_global_state": False, "state": "SUCCESS",
         "start_time": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(start / 1000)),
         "start_time_in_millis": start, "end_time_in_millis": start + 4200,
         "duration_in_millis": 4200, "failures": [],
         "shards": {"total": 2, "failed": 0, "successful": 2}, "feature_states": []}
    if not name.startswith("manual-"):
        s["metadata"] = {"essnap": {"policy": "nightly", "version": "0.1.0"}}
    if not ES:
        s["indices"] = ["logs-2026.11.30", "orders"]
    return name, json.dumps(s, separators=(",", ":")).encode()


SNAPS = dict(snapshot(i) for i in range(N))  # name -> JSON bytes, oldest first
VALUES = list(SNAPS.values())
PAGES = {}  # (first, size) -> the answer's bytes: built once, so the fake is not what is timed


def listing(first, size):
    key = (first, size)
    if key not in PAGES:
        if not size:
            PAGES[key] = b'{"snapshots":[' + b",".join(VALUES) + b"]}"
        else:
            page = VALUES[first:first + size]
            rest = len(VALUES) - first - len(page)
            tail = b',"next":"%d"' % (first + size) if rest > 0 else b""
            PAGES[key] = (b'{"snapshots":[' + b",".join(page) + b"]" + tail +
                          b',"total":%d,"remaining":%d}' % (len(VALUES), rest))
    return PAGES[key]


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()  # head and body go out as two writes: no Nagle wait between them
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *a):
        pass

    def _send(self, code, body):
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        if ES:
            self.send_header("X-Elastic-Product", "Elasticsearch")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _any(self):
        if LOG:
            LOG.write(f"{self.command} {self.path.split('?')[0]}\n")
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        u = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(u.query))
        parts = [urllib.parse.unquote(p) for p in u.path.split("/") if p]
        if not parts:
            return self._send(200, json.dumps(ROOT).encode())
        if parts[:2] != ["_snapshot", "repo"] or len(parts) < 3:
            return self._send(404, b'{"error":{"type":"not_found"},"status":404}')
        if parts[-1] == "_status":
            return self._send(200, b'{"snapshots":[]}')
        names = parts[2].split(",")
        if self.command == "DELETE":
            for x in names:
                SNAPS.pop(x, None)
            VALUES[:] = list(SNAPS.values())
            PAGES.clear()
            return self._send(200, b'{"acknowledged":true}')
        if names != ["_all"]:
            body = b",".join(SNAPS[x] for x in names if x in SNAPS)
            return self._send(200, b'{"snapshots":[' + body + b"]}")
        # Our cursor is an offset (Elasticsearch's is opaque; essnap passes it back as given).
        return self._send(200, listing(int(q.get("after", 0)), int(q.get("size", 0))))

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _any


class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


for first in range(0, N, 1000) if ES else [0]:  # what essnap will ask: ready before the port
    listing(first, 1000 if ES else 0)
s = S(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
