"""Loopback shim in front of the stack's Elasticsearch, shared by the bench scripts.

The stack's integration-test Elasticsearch answers 405 to GET /, which Curator's client needs;
the shim answers GET / from _nodes and forwards everything else unchanged.

    python3 bench/es_shim.py UPSTREAM_URL [REQUEST_LOG]

prints the port it listens on (127.0.0.1, ephemeral). With REQUEST_LOG, every request a client
sends (GET / included) is appended to it as one line "METHOD PATH", so the callers can count.
Use it through bench/es_shim.sh.
"""
import http.server, json, socketserver, sys, threading, urllib.error, urllib.request
UP = sys.argv[1]
LOG = open(sys.argv[2], "a", buffering=1) if len(sys.argv) > 2 else None
LOCK = threading.Lock()
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def _send(self, code, body, ctype="application/json"):
        self.send_response(code); self.send_header("Content-Type", ctype)
        self.send_header("X-Elastic-Product", "Elasticsearch")
        self.send_header("Content-Length", str(len(body))); self.end_headers()
        if self.command != "HEAD": self.wfile.write(body)
    def _any(self):
        if LOG:
            with LOCK: LOG.write(f"{self.command} {self.path}\n")
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
