#!/usr/bin/env python3
"""A loopback HTTP/1.1 proxy that counts S3 requests by kind (bench/repo_sync.sh).

  s3_count_proxy.py UPSTREAM_HOST:PORT PORT_FILE

Listens on 127.0.0.1 (a free port, written to PORT_FILE) and forwards every connection's bytes
unchanged to UPSTREAM (so SigV4 signatures, which cover the Host header the client sent, still
verify), parsing the client's side only to classify each request:
  COPY    PUT with x-amz-copy-source (CopyObject, UploadPartCopy)
  PUT     other PUTs on an object (PutObject, UploadPart); PUTs on a bucket count as BUCKET
  GET     GET on an object         HEAD   HEAD on an object or a bucket
  LIST    GET on a bucket with list-type / prefix / delimiter / continuation or no query
  DELETE  DELETE on an object, and POST ?delete (DeleteObjects)
  POST    other POSTs (multipart create / complete)
  BUCKET  anything else on a bucket (create, delete, location, versioning, ...)
plus the bytes each way (requests with their bodies; answers with theirs).
`GET /__counts__` on the proxy itself answers the counts as JSON (`?reset=1` also zeroes them);
it is not forwarded.
"""
import json
import socket
import sys
import threading
import urllib.parse

lock = threading.Lock()
KINDS = ["GET", "HEAD", "PUT", "COPY", "LIST", "DELETE", "POST", "BUCKET"]


def zero():
    return {"requests": {k: 0 for k in KINDS}, "bytes_up": 0, "bytes_down": 0}


counts = zero()


def classify(method, target, headers):
    url = urllib.parse.urlsplit(target)
    path = url.path.lstrip("/")
    bucket, _, key = path.partition("/")
    query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
    if method == "HEAD":
        return "HEAD"
    if method == "POST" and "delete" in query:
        return "DELETE"
    if method == "POST":
        return "POST"
    if not key:
        if method == "GET" and (not query or set(query) & {"list-type", "prefix", "delimiter", "marker", "continuation-token"}):
            return "LIST"
        return "BUCKET"
    if method == "PUT":
        return "COPY" if "x-amz-copy-source" in headers else "PUT"
    if method in ("GET", "DELETE"):
        return method
    return "BUCKET"


def add(kind=None, up=0, down=0):
    with lock:
        if kind:
            counts["requests"][kind] += 1
        counts["bytes_up"] += up
        counts["bytes_down"] += down


class Reader:
    def __init__(self, sock):
        self.sock, self.buf = sock, b""

    def fill(self):
        data = self.sock.recv(262144)
        if not data:
            raise EOFError
        self.buf += data

    def line(self):
        while b"\r\n" not in self.buf:
            self.fill()
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line + b"\r\n"

    def upto(self, n):  # at most n bytes, at least one
        if not self.buf:
            self.fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out


def answer_counts(client, target):
    global counts
    with lock:
        body = json.dumps(counts).encode()
        if "reset=1" in target:
            counts = zero()
    client.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body)


def pump_down(server, client):
    try:
        while True:
            data = server.recv(262144)
            if not data:
                break
            add(down=len(data))
            client.sendall(data)
    except OSError:
        pass
    finally:
        for s in (client, server):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def handle(client, upstream):
    server = None
    r = Reader(client)
    try:
        while True:
            head = [r.line()]
            while head[-1] != b"\r\n":
                head.append(r.line())
            method, target, _ = head[0].decode("latin-1").split(" ", 2)
            headers = {}
            for h in head[1:-1]:
                name, _, value = h.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            if target.startswith("/__counts__"):
                answer_counts(client, target)
                continue
            if server is None:
                server = socket.create_connection(upstream)
                server.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                threading.Thread(target=pump_down, args=(server, client), daemon=True).start()
            raw = b"".join(head)
            add(classify(method, target, headers), up=len(raw))
            server.sendall(raw)
            if headers.get("transfer-encoding", "").lower() == "chunked":
                while True:
                    size_line = r.line()
                    server.sendall(size_line)
                    add(up=len(size_line))
                    size = int(size_line.split(b";")[0], 16)
                    left = size + 2  # data + CRLF
                    if size == 0:  # trailers until an empty line
                        left = 0
                        while True:
                            t = r.line()
                            server.sendall(t)
                            if t == b"\r\n":
                                break
                    while left:
                        piece = r.upto(left)
                        server.sendall(piece)
                        add(up=len(piece))
                        left -= len(piece)
                    if size == 0:
                        break
            else:
                left = int(headers.get("content-length", "0") or 0)
                while left:
                    piece = r.upto(left)
                    server.sendall(piece)
                    add(up=len(piece))
                    left -= len(piece)
    except (EOFError, OSError, ValueError):
        pass
    finally:
        for s in (client, server):
            if s is not None:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()


def main():
    host, _, port = sys.argv[1].rpartition(":")
    if host not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("s3_count_proxy: loopback upstreams only")
    upstream = (host, int(port))
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(256)
    with open(sys.argv[2], "w") as f:
        f.write(str(ls.getsockname()[1]))
    while True:
        c, _ = ls.accept()
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=handle, args=(c, upstream), daemon=True).start()


if __name__ == "__main__":
    main()
