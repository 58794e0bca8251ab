#!/usr/bin/env python3
"""Helpers of bench/from_snapshot.sh (stdlib + boto3, which the stack installs).

  from_snapshot_data.py load URL INDEX DOCS SHARDS THREADS
      create INDEX (SHARDS primaries, no replicas, refresh off, translog async) and bulk-load DOCS log-like
      documents of ~512 bytes of JSON each (varied: nested objects, numbers, booleans, arrays,
      a random-word message whose length varies; explicit log-like mappings), THREADS bulk senders fed by one generator
      through a bounded queue; then refresh on again, refresh, flush. Prints "<docs> <seconds>".
  from_snapshot_data.py output s3://BUCKET/PREFIX
      an export's manifest.json under PREFIX: "<documents> <objects> <bytes>" (documents from the
      manifest, objects and bytes from the listing); exit 1 when there is no manifest.
  from_snapshot_data.py mkbucket BUCKET / rmprefix s3://BUCKET/PREFIX
      create a bucket (existing is fine) / delete every object under PREFIX/.
S3 endpoint, keys and region come from AWS_ENDPOINT_URL_S3, AWS_ACCESS_KEY_ID, ... as for the AWS CLI.
"""
import http.client
import json
import os
import queue
import random
import shutil
import sys
import threading
import time
import urllib.parse

WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar "
         "papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu request response "
         "timeout retry cache miss hit user order payment invoice shipment warehouse stock price "
         "discount session token login logout error warning notice debug trace span parent child "
         "kafka queue consumer producer partition offset commit rollback index shard replica "
         "segment merge flush refresh snapshot restore latency throughput p99 upstream downstream").split()
SERVICES = ["checkout", "catalog", "search", "auth", "billing", "shipping", "inventory", "gateway"]
LEVELS = ["DEBUG", "INFO", "INFO", "INFO", "WARN", "ERROR"]
METHODS = ["GET", "GET", "GET", "POST", "PUT", "DELETE"]
STATUSES = [200, 200, 200, 201, 204, 301, 400, 404, 500, 503]
COUNTRIES = ["DE", "FR", "US", "JP", "BR", "IN", "GB", "NL", "SE", "ZA"]


def conn(url):
    u = urllib.parse.urlparse(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=900)


def call(c, method, path, body=None, ctype="application/json"):
    c.request(method, path, body=body, headers={"Content-Type": ctype} if body is not None else {})
    r = c.getresponse()
    data = r.read()
    if r.status >= 300:
        raise SystemExit(f"{method} {path}: HTTP {r.status}: {data[:300]!r}")
    return data


def document(rng, i):
    """One document's JSON (formatted directly: json.dumps per document would double the
    generator's CPU, which the engine shares)."""
    r = rng.random
    status = STATUSES[int(r() * len(STATUSES))]
    tags = ",".join('"%s"' % w for w in rng.sample(WORDS, 1 + int(r() * 4)))
    head = ('{"@timestamp":"2026-%02d-%02dT%02d:%02d:%02d.%03dZ","seq":%d,"service":"%s","level":"%s",'
            '"host":{"name":"node-%03d","ip":"10.%d.%d.%d"},"http":{"method":"%s","path":"/api/v%d/%s/%d",'
            '"status":%d},"latency_ms":%.3f,"ok":%s,"user":{"id":"u%07d","country":"%s"},"tags":[%s],'
            '"message":"') % (
        1 + i % 12, 1 + i % 28, int(r() * 24), int(r() * 60), int(r() * 60), int(r() * 1000), i,
        SERVICES[int(r() * len(SERVICES))], LEVELS[int(r() * len(LEVELS))], int(r() * 200),
        int(r() * 256), int(r() * 256), int(r() * 256), METHODS[int(r() * len(METHODS))], 1 + int(r() * 3),
        WORDS[int(r() * len(WORDS))], int(r() * 10 ** 6), status, rng.expovariate(1 / 40.0),
        "true" if status < 400 else "false", int(r() * 10 ** 7), COUNTRIES[int(r() * len(COUNTRIES))], tags)
    target = 427 + int(r() * 185) - len(head) - 2  # mean ~512 bytes of JSON per document
    words = rng.choices(WORDS, k=max(1, target // 7))
    msg = " ".join(words)[:max(1, target)].rstrip()
    return head + msg + '"}'


def load(url, index, docs, shards, threads):
    c = conn(url)
    try:
        call(c, "DELETE", "/" + index)
    except SystemExit:
        pass
    kw = {"type": "keyword"}
    mappings = {"properties": {
        "@timestamp": {"type": "date"}, "seq": {"type": "long"}, "service": kw, "level": kw,
        "host": {"properties": {"name": kw, "ip": {"type": "ip"}}},
        "http": {"properties": {"method": kw, "path": kw, "status": {"type": "short"}}},
        "latency_ms": {"type": "float"}, "ok": {"type": "boolean"},
        "user": {"properties": {"id": kw, "country": kw}}, "tags": kw, "message": {"type": "text"}}}
    # Loading settings: no refresh, no replica, the translog fsynced in the background; the
    # first two are put back (refresh) or kept (one node), the translog's durability restored.
    call(c, "PUT", "/" + index, json.dumps({"settings": {
        "number_of_shards": shards, "number_of_replicas": 0, "refresh_interval": "-1",
        "translog.durability": "async"}, "mappings": mappings}).encode())
    per_bulk = 5000
    todo = queue.Queue(maxsize=threads * 2)
    failed = []

    def sender():
        s = conn(url)
        while True:
            body = todo.get()
            if body is None:
                return
            try:
                r = call(s, "POST", "/%s/_bulk?filter_path=errors,items.*.error" % index, body, "application/x-ndjson")
                if b'"errors":true' in r:
                    failed.append(r[:300])
            except BaseException as e:  # keep draining so the generator never blocks
                failed.append(repr(e).encode())

    t0 = time.time()
    ts = [threading.Thread(target=sender) for _ in range(threads)]
    for t in ts:
        t.start()
    rng = random.Random(20261207)
    action = '{"index":{}}'
    for start in range(0, docs, per_bulk):
        if failed:
            break
        lines = []
        for i in range(start, min(docs, start + per_bulk)):
            lines.append(action)
            lines.append(document(rng, i))
        todo.put(("\n".join(lines) + "\n").encode())
    for _ in ts:
        todo.put(None)
    for t in ts:
        t.join()
    if failed:
        raise SystemExit("bulk load failed: %r" % failed[0])
    call(c, "PUT", "/%s/_settings" % index, json.dumps({"index": {"refresh_interval": None, "translog.durability": None}}).encode())
    call(c, "POST", "/%s/_refresh" % index)
    call(c, "POST", "/%s/_flush" % index)
    print(docs, f"{time.time() - t0:.1f}")


def s3():
    import boto3
    return boto3.client("s3")


def split(uri):
    rest = uri[len("s3://"):]
    bucket, _, prefix = rest.partition("/")
    return bucket, prefix.rstrip("/")


def output(uri):
    """documents objects bytes of the export at URI (s3://... or a local directory)."""
    if not uri.startswith("s3://"):
        objects = size = 0
        for root, _, files in os.walk(uri):
            for f in files:
                objects += 1
                size += os.path.getsize(os.path.join(root, f))
        try:
            with open(os.path.join(uri, "manifest.json")) as f:
                m = json.load(f)
        except FileNotFoundError:
            sys.exit(1)
        print(sum(i["documents"] for i in m["indices"]), objects, size)
        return
    bucket, prefix = split(uri)
    c = s3()
    objects = size = 0
    for page in c.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/"):
        for o in page.get("Contents", []):
            objects += 1
            size += o["Size"]
    try:
        m = json.loads(c.get_object(Bucket=bucket, Key=prefix + "/manifest.json")["Body"].read())
    except c.exceptions.NoSuchKey:
        sys.exit(1)
    print(sum(i["documents"] for i in m["indices"]), objects, size)


def rmprefix(uri):
    if not uri.startswith("s3://"):
        shutil.rmtree(uri, ignore_errors=True)
        return
    bucket, prefix = split(uri)
    c = s3()
    for page in c.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/"):
        keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
        if keys:
            c.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})


def mkbucket(bucket):
    c = s3()
    try:
        c.create_bucket(Bucket=bucket)
    except (c.exceptions.BucketAlreadyOwnedByYou, c.exceptions.BucketAlreadyExists):
        pass


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "load":
        load(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]))
    elif cmd == "output":
        output(sys.argv[2])
    elif cmd == "rmprefix":
        rmprefix(sys.argv[2])
    elif cmd == "mkbucket":
        mkbucket(sys.argv[2])
    else:
        sys.exit(__doc__)
