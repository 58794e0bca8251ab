#!/usr/bin/env python3
"""The engine's own limit, measured beside essnap export/import (bench/transfer_vs_elasticdump.sh).

  transfer_raw.py load   URL INDEX DOCS          make the source index (~0.5 KiB documents)
  transfer_raw.py read   URL INDEX SLICES PAGE   minimal raw reader: sliced scroll, large pages,
                                                 bodies read and counted, nothing parsed but the
                                                 scroll id
  transfer_raw.py bulk   URL INDEX DIR THREADS   minimal raw parallel loader: the NDJSON bodies in
                                                 DIR (prepared beforehand) POSTed by THREADS
  transfer_raw.py bodies NDJSON_DIR OUT_DIR N    turn decompressed chunk lines into bulk bodies of
                                                 N documents (setup of 'bulk', not measured)
Prints one line: "<documents> <seconds>".
"""
import http.client
import json
import os
import re
import sys
import threading
import time
import urllib.parse


def conn(url):
    u = urllib.parse.urlparse(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=600)


def call(c, method, path, body=None, ctype="application/json"):
    c.request(method, path, body=body, headers={"Content-Type": ctype} if body is not None else {})
    r = c.getresponse()
    data = r.read()
    if r.status >= 300:
        raise SystemExit(f"{method} {path}: HTTP {r.status}: {data[:300]!r}")
    return data


def load(url, index, docs):
    c = conn(url)
    try:
        call(c, "DELETE", "/" + index)
    except SystemExit:
        pass
    call(c, "PUT", "/" + index, json.dumps({"settings": {"number_of_shards": 2, "number_of_replicas": 0,
                                                           "refresh_interval": "-1"}}).encode())
    filler = "lorem ipsum dolor sit amet consectetur adipiscing elit " * 6
    batch = []
    for i in range(docs):
        batch.append('{"index":{"_id":"%d"}}' % i)
        batch.append(json.dumps({"n": i, "user": "user%d" % (i % 1000), "ts": "2026-12-01T%02d:%02d:%02dZ" %
                                 (i % 24, i % 60, (i * 7) % 60), "tags": ["a%d" % (i % 7), "b%d" % (i % 11)],
                                 "msg": filler[: 300 + i % 100]}))
        if len(batch) >= 10000:
            call(c, "POST", "/%s/_bulk" % index, ("\n".join(batch) + "\n").encode(), "application/x-ndjson")
            batch = []
    if batch:
        call(c, "POST", "/%s/_bulk" % index, ("\n".join(batch) + "\n").encode(), "application/x-ndjson")
    call(c, "PUT", "/%s/_settings" % index, json.dumps({"index": {"refresh_interval": "1s"}}).encode())
    call(c, "POST", "/%s/_refresh" % index)
    call(c, "POST", "/%s/_forcemerge?max_num_segments=1" % index)


SCROLL_ID = re.compile(rb'"_scroll_id"\s*:\s*"([^"]+)"')
HIT = re.compile(rb'"_id"\s*:')


def read(url, index, slices, page):
    total = [0] * slices

    def one(s):
        c = conn(url)
        body = {"size": page, "sort": ["_doc"]}
        if slices > 1:
            body["slice"] = {"id": s, "max": slices}
        data = call(c, "POST", "/%s/_search?scroll=5m" % index, json.dumps(body).encode())
        while True:
            n = len(HIT.findall(data))
            if n == 0:
                break
            total[s] += n
            sid = SCROLL_ID.search(data[:4096]).group(1).decode()
            data = call(c, "POST", "/_search/scroll", json.dumps({"scroll": "5m", "scroll_id": sid}).encode())

    t0 = time.time()
    ts = [threading.Thread(target=one, args=(s,)) for s in range(slices)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print(sum(total), f"{time.time() - t0:.3f}")


def bodies(src_dir, out_dir, n):
    os.makedirs(out_dir, exist_ok=True)
    k, buf, count = 0, [], 0
    for name in sorted(os.listdir(src_dir)):
        for line in open(os.path.join(src_dir, name), "rb"):
            d = json.loads(line)
            buf.append(json.dumps({"index": {"_id": d["_id"]}}).encode())
            buf.append(json.dumps(d["_source"], separators=(",", ":")).encode())
            count += 1
            if count % n == 0:
                open(os.path.join(out_dir, "%06d.ndjson" % k), "wb").write(b"\n".join(buf) + b"\n")
                k, buf = k + 1, []
    if buf:
        open(os.path.join(out_dir, "%06d.ndjson" % k), "wb").write(b"\n".join(buf) + b"\n")


def bulk(url, index, body_dir, threads):
    files = sorted(os.path.join(body_dir, f) for f in os.listdir(body_dir))
    datas = [open(f, "rb").read() for f in files]
    lock = threading.Lock()
    todo = list(range(len(datas)))
    docs = [0]

    def one():
        c = conn(url)
        while True:
            with lock:
                if not todo:
                    return
                k = todo.pop()
            r = call(c, "POST", "/%s/_bulk?filter_path=errors" % index, datas[k], "application/x-ndjson")
            if b'"errors":true' in r:
                raise SystemExit("raw bulk: errors")
            with lock:
                docs[0] += datas[k].count(b"\n") // 2

    t0 = time.time()
    ts = [threading.Thread(target=one) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print(docs[0], f"{time.time() - t0:.3f}")


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "load":
        load(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif cmd == "read":
        read(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    elif cmd == "bodies":
        bodies(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif cmd == "bulk":
        bulk(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
