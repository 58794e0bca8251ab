#!/usr/bin/env python3
"""Helpers of bench/repo_sync.sh (stdlib + boto3, which the stack installs).

  repo_sync_data.py bulk URL INDEX MIB [THREADS]
      index MIB MiB of log-like documents whose message is random text (base64 of random
      bytes: Lucene's LZ4 stored fields cannot shrink it) into INDEX, THREADS bulk senders.
  repo_sync_data.py list s3://BUCKET/PREFIX OUT.json
      every object under PREFIX/ as {key relative to PREFIX/: [size, etag, last_modified]}.
  repo_sync_data.py listdir DIR OUT.json
      every file under DIR as {relative path: [size, inode, mtime_ns]}.
  repo_sync_data.py newbytes BEFORE.json AFTER.json
      objects of AFTER that BEFORE lacks or holds with another size or ETag: "count bytes".
  repo_sync_data.py written BEFORE.json AFTER.json
      objects of AFTER that are new or were rewritten since BEFORE (S3: size, ETag or
      LastModified changed; directory: size, inode or mtime, so a file rewritten in place with
      its old mtime put back is not seen), and those of BEFORE that are gone: "written_count written_bytes deleted".
  repo_sync_data.py check REF.json DST
      does DST (s3://... or a directory) hold REF's objects (a `list` output), same keys, sizes and
      content (ETag; MD5 of a file against a single-part ETag)? "same" or "differs: ...".
  repo_sync_data.py mkbucket|rmbucket BUCKET
      create a bucket (existing is fine) / delete every object in it and the bucket.
  repo_sync_data.py rmprefix s3://BUCKET/PREFIX
      delete every object under PREFIX/.
  repo_sync_data.py apply s3://REF s3://TARGET
      make TARGET hold REF's objects: copy (server-side) those it lacks or holds with another size
      or ETag, delete those REF lacks; objects already equal are left alone (their LastModified
      stays, as a repository's unchanged blobs do). Prints "copied deleted".
  repo_sync_data.py put s3://BUCKET/KEY FILE / get s3://BUCKET/KEY (to stdout; exit 1 if absent)
S3 endpoint, keys and region come from AWS_ENDPOINT_URL_S3, AWS_ACCESS_KEY_ID, ... as for the AWS CLI.
"""
import base64
import json
import os
import sys
import threading
import urllib.request


def s3():
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=os.environ["AWS_ENDPOINT_URL_S3"],
        region_name=os.environ.get("AWS_REGION", "us-east-1"),
        config=Config(max_pool_connections=32, s3={"addressing_style": "path"}),
    )


def split(uri):
    assert uri.startswith("s3://"), uri
    bucket, _, prefix = uri[5:].partition("/")
    return bucket, prefix.strip("/")


def bulk(url, index, mib, threads=2):
    msg_bytes = 3 * 1024  # 4 KiB of base64 text a document
    per_bulk = 1500  # ~6 MiB a request
    total = (mib * 1024 * 1024) // (msg_bytes * 4 // 3 + 120) + 1
    lock = threading.Lock()
    state = {"next": 0, "error": None}
    levels = ["INFO", "WARN", "ERROR", "DEBUG"]

    def worker():
        while True:
            with lock:
                if state["error"] or state["next"] >= total:
                    return
                start = state["next"]
                n = min(per_bulk, total - start)
                state["next"] += n
            lines = []
            for i in range(start, start + n):
                lines.append('{"index":{}}')
                words = base64.b64encode(os.urandom(msg_bytes)).decode()
                # spaces every 12 characters: text, not one token
                text = " ".join(words[j : j + 12] for j in range(0, len(words), 12))
                lines.append(
                    '{"@timestamp":%d,"host":"host-%d","level":"%s","seq":%d,"msg":"%s"}'
                    % (1700000000000 + i * 1000, i % 97, levels[i % 4], i, text)
                )
            body = ("\n".join(lines) + "\n").encode()
            req = urllib.request.Request(
                url + "/" + index + "/_bulk", data=body, headers={"Content-Type": "application/x-ndjson"}
            )
            try:
                with urllib.request.urlopen(req, timeout=600) as r:
                    answer = json.load(r)
                    if answer.get("errors"):
                        raise RuntimeError("bulk item errors: %s" % json.dumps(answer)[:500])
            except Exception as e:  # noqa: BLE001 - reported below
                with lock:
                    state["error"] = e
                return

    ts = [threading.Thread(target=worker) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if state["error"]:
        sys.exit("bulk into %s failed: %s" % (index, state["error"]))


def list_s3(uri, out):
    bucket, prefix = split(uri)
    p = prefix + "/" if prefix else ""
    objs = {}
    for page in s3().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=p):
        for o in page.get("Contents", []):
            objs[o["Key"][len(p) :]] = [o["Size"], o["ETag"], o["LastModified"].isoformat()]
    json.dump(objs, open(out, "w"))


def list_dir(root, out):
    objs = {}
    for d, _, files in os.walk(root):
        for f in files:
            path = os.path.join(d, f)
            st = os.stat(path)
            objs[os.path.relpath(path, root)] = [st.st_size, st.st_ino, st.st_mtime_ns]
    json.dump(objs, open(out, "w"))


def listing(c, bucket, prefix):
    objs = {}
    for page in c.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/"):
        for o in page.get("Contents", []):
            objs[o["Key"][len(prefix) + 1 :]] = (o["Size"], o["ETag"])
    return objs


def apply(ref, target):
    from concurrent.futures import ThreadPoolExecutor

    c = s3()
    rb, rp = split(ref)
    tb, tp = split(target)
    if not rp or not tp:
        sys.exit("apply: refusing an empty prefix")
    want, have = listing(c, rb, rp), listing(c, tb, tp)
    copy = [k for k, v in want.items() if have.get(k) != v]
    gone = [k for k in have if k not in want]

    def one(k):
        c.copy_object(Bucket=tb, Key=tp + "/" + k, CopySource={"Bucket": rb, "Key": rp + "/" + k})

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(one, copy))
    for i in range(0, len(gone), 1000):
        c.delete_objects(Bucket=tb, Delete={"Objects": [{"Key": tp + "/" + k} for k in gone[i : i + 1000]], "Quiet": True})
    print(len(copy), len(gone))


def check(ref_file, dst):
    import hashlib

    ref = json.load(open(ref_file))
    bad = []
    if dst.startswith("s3://"):
        bucket, prefix = split(dst)
        have = listing(s3(), bucket, prefix)
        bad = [k for k, v in ref.items() if have.get(k) != tuple(v[:2])]
        extra = [k for k in have if k not in ref]
    else:
        have = set()
        for d, _, files in os.walk(dst):
            for f in files:
                have.add(os.path.relpath(os.path.join(d, f), dst))
        extra = [k for k in have if k not in ref]
        for k, v in ref.items():
            path = os.path.join(dst, k)
            if k not in have or os.path.getsize(path) != v[0]:
                bad.append(k)
            elif "-" not in v[1] and hashlib.md5(open(path, "rb").read()).hexdigest() != v[1].strip('"'):
                bad.append(k)
    if not bad and not extra:
        print("same")
    else:
        print("differs: %d missing or different (%s), %d extra (%s)"
              % (len(bad), " ".join(sorted(bad)[:3]), len(extra), " ".join(sorted(extra)[:3])))


def main():
    op, args = sys.argv[1], sys.argv[2:]
    if op == "bulk":
        bulk(args[0], args[1], int(args[2]), int(args[3]) if len(args) > 3 else 2)
    elif op == "list":
        list_s3(args[0], args[1])
    elif op == "listdir":
        list_dir(args[0], args[1])
    elif op == "newbytes":
        a, b = json.load(open(args[0])), json.load(open(args[1]))
        new = [k for k, v in b.items() if k not in a or a[k][:2] != v[:2]]
        print(len(new), sum(b[k][0] for k in new))
    elif op == "written":
        a, b = json.load(open(args[0])), json.load(open(args[1]))
        w = [k for k, v in b.items() if k not in a or a[k] != v]
        print(len(w), sum(b[k][0] for k in w), sum(1 for k in a if k not in b))
    elif op == "mkbucket":
        c = s3()
        try:
            c.create_bucket(Bucket=args[0])
        except (c.exceptions.BucketAlreadyOwnedByYou, c.exceptions.BucketAlreadyExists):
            pass
    elif op in ("rmbucket", "rmprefix"):
        c = s3()
        bucket, prefix = (args[0], "") if op == "rmbucket" else split(args[0])
        if op == "rmprefix" and not prefix:
            sys.exit("rmprefix: refusing an empty prefix")
        try:
            for page in c.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/" if prefix else ""):
                keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
                if keys:
                    c.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
            if op == "rmbucket":
                c.delete_bucket(Bucket=bucket)
        except c.exceptions.NoSuchBucket:
            pass
    elif op == "check":
        check(args[0], args[1])
    elif op == "apply":
        apply(args[0], args[1])
    elif op == "put":
        bucket, key = split(args[0])
        s3().put_object(Bucket=bucket, Key=key, Body=open(args[1], "rb").read())
    elif op == "get":
        bucket, key = split(args[0])
        c = s3()
        try:
            sys.stdout.write(c.get_object(Bucket=bucket, Key=key)["Body"].read().decode())
        except c.exceptions.NoSuchKey:
            sys.exit(1)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
