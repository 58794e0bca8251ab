#!/usr/bin/env python3
"""Stored-fields fixtures from the real engines of the shared stack (tests/data/lucene/stored/).

For every engine that `scripts/stack.sh status` lists as up and every stored-fields codec it
offers (default and best_compression; legacy_best_compression and OpenSearch's zstd / zstd_no_dict
where the engine accepts them), this creates one small index (one shard, no replica, no compound file),
indexes documents with `_id`s of every shape (auto-generated, numeric, leading zeros,
UUID-like, base64 whose first byte needs the escape, unicode, 512 bytes), a custom `_routing`,
nested documents, stored numeric/keyword fields and one large compressible document (a
"sliced" chunk in the fast modes), force-merges it to one segment and copies that segment's
raw .fdt/.fdx/.fdm/.si/.fnm from the engine's data directory into
tests/data/lucene/stored/<engine>-<codec>/ beside expected.json:

  segment      the segment's name, max_doc and attributes (the stored-fields mode) from the
               engine's own _segments API
  fields       field name -> field number, read from the .fnm's name entries
  docs         what a search returns for the index: _id, _routing, _source (the raw bytes of
               the answer's _source, exactly) -- or _source_sha256/_source_length for the
               large document, to keep the fixture small
  stored       the stored numeric/keyword values the test can check (from the _source)

Also one index with `_source.enabled: false` (elasticsearch7), to check it is detected.

Usage: tests/data/lucene/make_stored_fixtures.py [ENGINE...]   (run from the repository root
with the stack up; ENGINE as in scripts/stack.sh status, default: every engine that is up).
Every index is named lucsf-fixture-<codec>-<pid> and deleted afterwards.
"""
import hashlib
import json
import os
import pathlib
import re
import shutil
import sys
import time
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[3]
OUT = ROOT / "tests/data/lucene/stored"

# engine name in stack.sh -> (port, short name used for fixtures)
ENGINES = {
    "elasticsearch6": 19207,
    "elasticsearch710": 19206,
    "elasticsearch7": 19203,
    "elasticsearch": 19201,
    "elasticsearch9": 19204,
    "opensearch1": 19205,
    "opensearch": 19200,
    "opensearch3": 19202,
}
# legacy_default is the same Lucene90 BEST_SPEED format as default where it exists (ES 8.x/9.x).
CODECS = ["default", "best_compression", "legacy_best_compression", "zstd", "zstd_no_dict"]


def stack_dir():
    # The lead's stack: the one scripts/stack.sh status reports (its run/ holds the data dirs).
    for cand in [os.environ.get("ESSNAP_STACK_DIR"), str(ROOT / ".stack"), "/work/main/.stack"]:
        if cand and pathlib.Path(cand, "run").is_dir():
            return pathlib.Path(cand)
    sys.exit("no stack directory with run/ (set ESSNAP_STACK_DIR)")


def call(port, method, path, body=None, ndjson=False):
    data = None
    headers = {}
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers["Content-Type"] = "application/x-ndjson" if ndjson else "application/json"
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method,
                                 headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def ok(port, method, path, body=None, ndjson=False):
    st, raw = call(port, method, path, body, ndjson)
    if st >= 300:
        raise RuntimeError(f"{method} {path}: {st} {raw[:400]!r}")
    return json.loads(raw) if raw else {}


def documents(major6):
    """(id or None, routing or None, raw source bytes) in indexing order."""
    docs = []
    def src(obj):
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
    docs.append((None, None, src({"title": "auto one", "n": 1, "l": 10000000001, "d": 1.5,
                                  "f": 2.25, "k": "kw-a"})))
    docs.append((None, None, src({"title": "auto two", "n": -7, "l": -3, "d": -0.1,
                                  "f": -3.5, "k": "kw-b"})))
    docs.append(("12345", None, src({"title": "numeric", "n": 42, "l": 86400000, "d": 1e300,
                                     "f": 0.0, "k": "numeric"})))
    docs.append(("007", None, src({"title": "leading zeros", "n": 0, "l": 0, "d": 0.0, "f": 1.0})))
    docs.append(("0", None, src({"title": "zero"})))
    docs.append(("550e8400-e29b-41d4-a716-446655440000", None, src({"title": "uuid", "n": 125})))
    docs.append(("_w8", None, src({"title": "base64 escape"})))
    docs.append(("héllo wörld 日本 🎉", None, src({"title": "unicode ✓ ünïcödé 日本語"})))
    docs.append(("L" * 100 + "é" * 206, None, src({"title": "very long id"})))
    docs.append(("routed-1", "user7", src({"title": "custom routing", "k": "r"})))
    docs.append(("nested-1", None, src({"title": "nested", "comments": [
        {"who": "ann", "stars": 5}, {"who": "bob", "stars": 3}, {"who": "cy", "stars": 1}]})))
    # pretty-printed source with spaces and a newline: kept exactly as sent
    docs.append(("pretty", None, b'{\n  "title" : "pretty printed",\n  "n" : 3\n}'))
    big = "the quick brown fox jumps over the lazy dog " * 4000
    docs.append(("big", None, src({"title": "big", "body": big})))
    docs.append(("after-big", None, src({"title": "after the big one", "n": 9})))
    return docs


def mapping(major6, source_enabled=True):
    props = {
        "title": {"type": "text"},
        "n": {"type": "integer", "store": True},
        "l": {"type": "long", "store": True},
        "d": {"type": "double", "store": True},
        "f": {"type": "float", "store": True},
        "k": {"type": "keyword", "store": True},
        "body": {"type": "text"},
        "comments": {"type": "nested", "properties": {
            "who": {"type": "keyword", "store": True}, "stars": {"type": "integer"}}},
    }
    m = {"properties": props}
    if not source_enabled:
        m["_source"] = {"enabled": False}
    return {"_doc": m} if major6 else m


def field_numbers(fnm: bytes, names):
    """name -> number from the .fnm's entries (name:string number:vint), found by their bytes."""
    out = {}
    for name in names:
        enc = name.encode()
        pat = bytes([len(enc)]) + enc
        at = fnm.find(pat)
        while at >= 0:
            p = at + len(pat)
            num, shift = 0, 0
            while True:
                b = fnm[p]
                p += 1
                num |= (b & 0x7F) << shift
                shift += 7
                if not b & 0x80:
                    break
            out[name] = num
            break
    return out


def raw_sources(text: str):
    """The raw text of each hit's _source, in order, exactly as in the answer."""
    dec = json.JSONDecoder()
    out = []
    for m in re.finditer(r'"_source"\s*:\s*', text):
        start = m.end()
        _, end = dec.raw_decode(text, start)
        out.append(text[start:end])
    return out


def engine_version(port):
    # GET / is not answered by every node of the stack: the node's own version instead.
    nodes = ok(port, "GET", "/_nodes/_local")["nodes"]
    return next(iter(nodes.values()))["version"]


def find_index_dir(run, engine, uuid):
    for p in (run / engine / "data").rglob(uuid):
        if p.is_dir() and (p / "0" / "index").is_dir():
            return p / "0" / "index"
    raise RuntimeError(f"no data dir for {uuid} under {run / engine}")


def make(run, engine, port, codec, source_enabled=True):
    version = engine_version(port)
    major = int(version.split(".")[0])
    major6 = major == 6 and "opensearch" not in engine
    name = f"lucsf-fixture-{codec.replace('_', '-')}-{os.getpid()}"
    settings = {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "-1",
                "index.compound_format": False}
    if codec != "default":
        settings["codec"] = codec
    st, raw = call(port, "PUT", f"/{name}",
                   {"settings": settings, "mappings": mapping(major6, source_enabled)})
    if st >= 300:
        print(f"  {engine} {codec}: not offered ({st}: {raw[:160].decode(errors='replace')})")
        return None
    try:
        docs = documents(major6)
        tpath = "/_doc"  # 6.x: the single mapping type is named _doc, so the same path
        half = len(docs) // 2
        for i, (did, routing, body) in enumerate(docs):
            q = "?routing=" + urllib.request.quote(routing) if routing else ""
            if did is None:
                ok(port, "POST", f"/{name}{tpath}{q}", body)
            else:
                ok(port, "PUT", f"/{name}{tpath}/{urllib.request.quote(did, safe='')}{q}", body)
            if i == half:  # two segments before the merge
                ok(port, "POST", f"/{name}/_refresh")
                ok(port, "POST", f"/{name}/_flush")
        ok(port, "POST", f"/{name}/_refresh")
        ok(port, "POST", f"/{name}/_flush")
        ok(port, "POST", f"/{name}/_forcemerge?max_num_segments=1&flush=true")
        ok(port, "POST", f"/{name}/_flush?force=true")
        for _ in range(60):  # the merged segment replaces the others at the next refresh
            ok(port, "POST", f"/{name}/_refresh")
            st, raw = call(port, "GET", f"/{name}/_segments?verbose=true")
            segs = json.loads(raw) if st < 300 else ok(port, "GET", f"/{name}/_segments")
            shard = segs["indices"][name]["shards"]["0"][0]["segments"]
            if len(shard) == 1:
                break
            ok(port, "POST", f"/{name}/_forcemerge?max_num_segments=1&flush=true")
            time.sleep(1)
        if len(shard) != 1:
            raise RuntimeError(f"{len(shard)} segments after the merge")
        (seg_name, seg), = shard.items()
        if seg.get("compound"):
            raise RuntimeError("segment is compound")
        uuid = ok(port, "GET", f"/{name}/_settings")[name]["settings"]["index"]["uuid"]
        src_dir = find_index_dir(run, engine, uuid)
        short = engine.replace("elasticsearch", "es").replace("opensearch", "os")
        dest = OUT / f"{short}-{codec}" if source_enabled else OUT / f"{short}-nosource"
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        copied = []
        for ext in ("fdt", "fdx", "fdm", "si", "fnm"):
            f = src_dir / f"{seg_name}.{ext}"
            if f.exists():
                shutil.copy(f, dest / f.name)
                copied.append(f.name)
        fnm = (dest / f"{seg_name}.fnm").read_bytes()
        fields = field_numbers(fnm, ["_id", "_uid", "_source", "_routing", "_ignored",
                                     "_recovery_source", "n", "l", "d", "f", "k",
                                     "comments.who"])
        st, raw = call(port, "POST", f"/{name}/_search?size=100&seq_no_primary_term=false",
                       {"query": {"match_all": {}}, "sort": ["_doc"]})
        text = raw.decode()
        answer = json.loads(text)
        hits = answer["hits"]["hits"]
        raws = raw_sources(text) if source_enabled else []
        out_docs = []
        for i, h in enumerate(hits):
            d = {"_id": h["_id"]}
            if "_routing" in h:
                d["_routing"] = h["_routing"]
            if source_enabled:
                s = raws[i].encode()
                if len(s) > 4096:
                    d["_source_sha256"] = hashlib.sha256(s).hexdigest()
                    d["_source_length"] = len(s)
                else:
                    d["_source"] = raws[i]
            out_docs.append(d)
        expected = {
            "engine": engine, "version": version, "codec": codec,
            "segment": {"name": seg_name, "max_doc": seg["num_docs"] + seg["deleted_docs"],
                        "num_docs": seg["num_docs"], "deleted_docs": seg["deleted_docs"],
                        "attributes": seg.get("attributes", {}),
                        "lucene_version": seg.get("version")},
            "files": copied, "fields": fields, "docs": out_docs,
        }
        (dest / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n")
        size = sum((dest / f).stat().st_size for f in copied)
        print(f"  {engine} {codec}: {dest.relative_to(ROOT)} segment {seg_name} max_doc "
              f"{expected['segment']['max_doc']} {size} bytes {seg.get('attributes', {})}")
        return dest
    finally:
        call(port, "DELETE", f"/{name}")


def main():
    run = stack_dir() / "run"
    want = sys.argv[1:] or list(ENGINES)
    OUT.mkdir(parents=True, exist_ok=True)
    for engine in want:
        port = ENGINES[engine]
        try:
            engine_version(port)
        except Exception as e:  # noqa: BLE001 -- an engine that is down is skipped, said so
            print(f"{engine}: down ({e})")
            continue
        print(engine)
        for codec in CODECS:
            make(run, engine, port, codec)
        if engine == "elasticsearch7":
            make(run, engine, port, "default", source_enabled=False)


if __name__ == "__main__":
    main()
