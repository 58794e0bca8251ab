#!/usr/bin/env python3
"""Make the Lucene fixtures of tests/data/lucene/ from the stack's real engines.

For each engine of .stack/env (or those named on the command line, e.g. ELASTICSEARCH6): one index
with one shard and several segments — one force-merged, others flushed — deletions, updates of the
same _id, nested documents and custom routing; a flush; a snapshot into a fresh fs repository; then
the shard's snapshot folder (indices/<id>/0/: snap-*.dat, index-*, the __ blobs) is copied to
tests/data/lucene/<engine>/shard/ and what the engine itself says of that index (per segment: maxDoc
= num_docs + deleted_docs, num_docs live; _count of top-level documents; docs.count of every live
Lucene document) to tests/data/lucene/<engine>/expected.json. The repository, snapshot and index are
removed afterwards. Every name carries "lucidx-fixture-<pid>" so runs never collide with other users
of the shared stack.

    python3 tests/data/lucene/make_index_fixtures.py [--env /work/main/.stack/env] [ENGINE ...]
"""
import argparse
import json
import os
import shlex
import shutil
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", "..", ".."))

# engine key in .stack/env -> fixture directory name
DIRS = {
    "ELASTICSEARCH6": "es6",
    "ELASTICSEARCH7": "es7",
    "ELASTICSEARCH": "es8",
    "ELASTICSEARCH9": "es9",
    "OPENSEARCH1": "os1",
    "OPENSEARCH": "os2",
    "OPENSEARCH3": "os3",
}
# engines whose repository splits blobs, so the fixtures hold .partN files
CHUNKED = {"ELASTICSEARCH", "OPENSEARCH"}


def read_env(path):
    env = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("export "):
                continue
            for word in shlex.split(line[len("export "):]):
                if "=" in word:
                    k, v = word.split("=", 1)
                    env[k] = v
    return env


class Engine:
    def __init__(self, url):
        self.url = url.rstrip("/")

    def call(self, method, path, body=None, ok=(200, 201)):
        data = None
        headers = {}
        if body is not None:
            if isinstance(body, (dict, list)):
                data = json.dumps(body).encode()
            else:
                data = body.encode()
            headers["Content-Type"] = "application/x-ndjson" if path.endswith("_bulk") or "_bulk?" in path else "application/json"
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=120) as resp:
                status, text = resp.status, resp.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode()
        if status not in ok:
            raise RuntimeError(f"{method} {path}: HTTP {status}: {text[:500]}")
        return json.loads(text) if text else {}


def docs(ids, nested=False, routing=None, gen=0):
    lines = []
    for i in ids:
        meta = {"_id": str(i)}
        if routing:
            meta["routing"] = routing
        src = {"title": f"document {i} gen {gen}", "n": i * 10 + gen}
        if nested and i % 3 == 0:
            src["tags"] = [{"k": f"t{i}a"}, {"k": f"t{i}b"}]
        lines.append(json.dumps({"index": meta}))
        lines.append(json.dumps(src))
    return "\n".join(lines) + "\n"


def deletes(ids):
    return "".join(json.dumps({"delete": {"_id": str(i)}}) + "\n" for i in ids)


def make(engine_key, env, out_root):
    url = env[f"ESSNAP_TEST_{engine_key}_URL"]
    repo_root = env[f"ESSNAP_TEST_{engine_key}_FS_REPO_PATH"]
    version = env.get(f"ESSNAP_TEST_{engine_key}_VERSION", "")
    es = Engine(url)
    tag = f"lucidx-fixture-{os.getpid()}"
    index, repo, snap = tag, tag, "s1"
    location = os.path.join(repo_root, tag)
    typed = version.startswith("6.")
    bulk = f"/{index}/_doc/_bulk" if typed else f"/{index}/_bulk"

    mapping = {"properties": {"title": {"type": "text"}, "n": {"type": "long"},
                              "tags": {"type": "nested", "properties": {"k": {"type": "keyword"}}}}}
    es.call("PUT", f"/{index}", {
        "settings": {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": -1},
        "mappings": {"_doc": mapping} if typed else mapping})
    try:
        def flush():
            es.call("POST", f"/{index}/_refresh")
            es.call("POST", f"/{index}/_flush?force=true&wait_if_ongoing=true")

        def run_bulk(body):
            r = es.call("POST", bulk, body)
            if r.get("errors"):
                raise RuntimeError(f"bulk errors: {json.dumps(r)[:500]}")

        # two flushed segments, merged into one (which keeps soft-deleted documents where the
        # engine retains them)
        run_bulk(docs(range(1, 11), nested=True))
        flush()
        run_bulk(docs(range(11, 21), nested=True) + deletes([2, 12]))
        flush()
        es.call("POST", f"/{index}/_forcemerge?max_num_segments=1")
        # a segment in the compound format and one not
        es.call("PUT", f"/{index}/_settings", {"index": {"compound_format": "true"}})
        run_bulk(docs(range(21, 31), nested=True) + docs([40, 41], routing="r1"))
        flush()
        es.call("PUT", f"/{index}/_settings", {"index": {"compound_format": "false"}})
        # updates of the same _id (soft deletes from 7.0, hard deletes in a .liv before) and deletes
        run_bulk(docs([1, 3, 5, 21, 23], nested=True, gen=1) + deletes([4, 22, 24]))
        run_bulk(docs([1, 21], nested=True, gen=2))
        flush()
        run_bulk(docs(range(50, 56), nested=True))
        flush()

        segs = es.call("GET", f"/{index}/_segments")
        shard = segs["indices"][index]["shards"]["0"][0]
        segments = []
        for name, s in sorted(shard["segments"].items(), key=lambda kv: kv[1]["generation"]):
            if not s.get("committed", True):
                raise RuntimeError(f"segment {name} not committed after flush")
            segments.append({"name": name, "generation": s["generation"], "num_docs": s["num_docs"],
                             "deleted_docs": s["deleted_docs"],
                             "max_doc": s["num_docs"] + s["deleted_docs"],
                             "compound": s.get("compound")})
        count = es.call("GET", f"/{index}/_count")["count"]
        stats = es.call("GET", f"/{index}/_stats/docs")["indices"][index]["primaries"]["docs"]

        repo_settings = {"location": location}
        if engine_key in CHUNKED:
            repo_settings["chunk_size"] = "4kb"
        es.call("PUT", f"/_snapshot/{repo}", {"type": "fs", "settings": repo_settings})
        try:
            es.call("PUT", f"/_snapshot/{repo}/{snap}?wait_for_completion=true",
                    {"indices": index, "include_global_state": False})
            # indices/<id>/0/ — or, with OpenSearch's hashed shard paths, wherever the shard's
            # snap-*.dat sits: the one folder holding a shard snapshot
            shard_dirs = [root for root, _, names in os.walk(location)
                          if any(n.startswith("snap-") for n in names) and root != location]
            if len(shard_dirs) != 1:
                raise RuntimeError(f"expected one shard folder in {location}, found {shard_dirs}")
            src = shard_dirs[0]
            dest = os.path.join(out_root, DIRS[engine_key])
            if os.path.exists(dest):
                shutil.rmtree(dest)
            shutil.copytree(src, os.path.join(dest, "shard"))
            files = sorted(os.listdir(os.path.join(dest, "shard")))
            expected = {
                "engine": engine_key, "version": version,
                "made_by": "tests/data/lucene/make_index_fixtures.py",
                "made_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "index": index, "segments": segments,
                "top_level_count": count,
                "lucene_live_docs": stats["count"], "lucene_deleted_docs": stats["deleted"],
                "blobs": files,
            }
            with open(os.path.join(dest, "expected.json"), "w") as f:
                json.dump(expected, f, indent=2)
                f.write("\n")
            size = sum(os.path.getsize(os.path.join(dest, "shard", n)) for n in files)
            print(f"{engine_key} {version}: {len(segments)} segments, {count} top-level, "
                  f"{stats['count']} live Lucene docs, {len(files)} blobs, {size} bytes -> {dest}")
        finally:
            try:
                es.call("DELETE", f"/_snapshot/{repo}/{snap}", ok=(200, 404))
            finally:
                es.call("DELETE", f"/_snapshot/{repo}", ok=(200, 404))
                shutil.rmtree(location, ignore_errors=True)
    finally:
        es.call("DELETE", f"/{index}", ok=(200, 404))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--env", default=os.path.join(TOP, ".stack", "env"))
    ap.add_argument("--out", default=HERE)
    ap.add_argument("engines", nargs="*", default=list(DIRS))
    a = ap.parse_args()
    env = read_env(a.env)
    status = 0
    for key in a.engines:
        try:
            make(key, env, a.out)
        except Exception as e:  # report and go on with the other engines
            print(f"{key}: FAILED: {e}", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
