#!/usr/bin/env python3
"""Seed corpora for the fuzz targets from the real repositories in tests/data/repo/:
framing/ gets every framed blob as stored; smile/ gets the SMILE content of each (inflated,
un-zstd'ed when python has zstandard, else only deflate and uncompressed ones); root_index/ gets
every root index-N (plain JSON)."""
import os, sys, zlib, hashlib

src, out = sys.argv[1], sys.argv[2]
for d in ("framing", "smile", "root_index"):
    os.makedirs(os.path.join(out, d), exist_ok=True)

def put(kind, data):
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(out, kind, name), "wb") as f:
        f.write(data)

n = 0
for root, _, files in os.walk(src):
    for fn in files:
        if fn.startswith("index-") and fn[6:].isdigit() and "indices" not in root:
            put("root_index", open(os.path.join(root, fn), "rb").read())
            continue
        if not (fn.endswith(".dat") or (fn.startswith("index-") and "indices" in root)):
            continue
        data = open(os.path.join(root, fn), "rb").read()
        if data[:4] != b"\x3f\xd7\x6c\x17":
            continue
        put("framing", data)
        hdr = 4 + 1 + data[4] + 4
        body = data[hdr:-16]
        if body.startswith(b"DFL\0"):
            body = zlib.decompress(body[4:], -15)
        elif body.startswith(b"ZSTD\0"):
            try:
                import zstandard
                body = zstandard.ZstdDecompressor().decompress(body[5:], max_output_size=1 << 24)
            except Exception:
                continue
        if body.startswith(b":)\n"):
            put("smile", body)
            n += 1
print(f"seeded {n} SMILE documents", file=sys.stderr)
