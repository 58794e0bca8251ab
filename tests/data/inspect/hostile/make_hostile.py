#!/usr/bin/env python3
"""Writes the hostile repositories under tests/data/inspect/hostile/ (deterministic; rerun after
changing a case: `python3 tests/data/inspect/hostile/make_hostile.py`). Each case is a small
snapshot repository in the Elasticsearch 8 layout, written from scratch, that `essnap inspect
verify` must judge: `clean` is intact (exit 0); every other case is damage (exit 1) and must be
found with bounded memory. tests/scripts/inspect_hostile_test.py runs them.

  clean                      one snapshot, one index, one shard, one data file: intact
  shared-file-disagreement   s1 and s2 record the same blob __A with different checksums
  root-drops-index           the root lists no index; the snapshot's own blob holds i1
  json-body                  snap-U1.dat framed with a valid CRC around JSON, not SMILE
  generation-19-digits       index-1 plus index-9999999999999999999 and an index.latest past
                             Long.MAX_VALUE
  parts-bomb                 a file record of 2^60 bytes in parts of 1 byte
  shards-bomb                index metadata claiming 2147483647 shards
  smile-bomb                 16 snapshots whose 2 KB snap-*.dat inflate to 2 MB of SMILE
                             back-references (each ~256 MB decoded)
  root-deep-nesting          a root index-N of 100000 nested arrays
  crafted-name               a file record whose blob name holds a line break, "PROBLEM" and a
                             terminal escape (the blob is missing, so the name is printed)
"""
import os
import shutil
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))

# --- SMILE (no shared names/values; raw binary allowed) -----------------------------------------


def vint(v):
    out = [0x80 | (v & 0x3F)]
    v >>= 6
    while v:
        out.append(v & 0x7F)
        v >>= 7
    return bytes(reversed(out))


def zigzag(v):
    return (v << 1) ^ (v >> 63) if v < 0 else v << 1


def smile_value(v):
    if v is None:
        return b"\x21"
    if v is True:
        return b"\x23"
    if v is False:
        return b"\x22"
    if isinstance(v, int):
        if -16 <= v <= 15:
            return bytes([0xC0 + zigzag(v)])
        if -(2**31) <= v < 2**31:
            return b"\x24" + vint(zigzag(v) & 0xFFFFFFFFFFFFFFFF)
        return b"\x25" + vint(zigzag(v) & 0xFFFFFFFFFFFFFFFF)
    if isinstance(v, str):
        if not v:
            return b"\x20"
        b = v.encode()
        return (b"\xE0" if b.isascii() else b"\xE4") + b + b"\xFC"
    if isinstance(v, bytes):
        return b"\xFD" + vint(len(v)) + v
    if isinstance(v, list):
        return b"\xF8" + b"".join(smile_value(x) for x in v) + b"\xF9"
    if isinstance(v, dict):
        out = b"\xFA"
        for k, x in v.items():
            kb = k.encode()
            assert kb and kb.isascii() and len(kb) <= 64
            out += bytes([0x80 + len(kb) - 1]) + kb + smile_value(x)
        return out + b"\xFB"
    raise TypeError(v)


def smile(doc):
    return b":)\n\x04" + smile_value(doc)


# --- ChecksumBlobStoreFormat frame ----------------------------------------------------------------


def frame(codec, content, deflate=False):
    body = b"DFL\x00" + raw_deflate(content) if deflate else content
    out = struct.pack(">I", 0x3FD76C17) + bytes([len(codec)]) + codec.encode() + struct.pack(">i", 1)
    out += body + struct.pack(">Ii", 0xC02893E8, 0)
    return out + struct.pack(">q", zlib.crc32(out))


def raw_deflate(b):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(b) + c.flush()


def base36(n):
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    s = ""
    while True:
        n, r = divmod(n, 36)
        s = digits[r] + s
        if n == 0:
            return s


def lucene_file(payload):
    """A data file with a Lucene footer; returns (bytes, base-36 checksum)."""
    out = payload + struct.pack(">Ii", 0xC02893E8, 0)
    crc = zlib.crc32(out)
    return out + struct.pack(">q", crc), base36(crc)


# --- a repository -----------------------------------------------------------------------------------

T0 = 1_700_000_000_000


class Repo:
    def __init__(self, name):
        self.root = os.path.join(HERE, name)
        shutil.rmtree(self.root, ignore_errors=True)
        os.makedirs(self.root)

    def put(self, path, data):
        p = os.path.join(self.root, path)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)


def snapshot_info(name, uuid, indices, state="SUCCESS"):
    return {"snapshot": {"name": name, "uuid": uuid, "version_id": 8_19_07_99, "indices": indices,
                         "data_streams": [], "feature_states": [], "state": state,
                         "include_global_state": True, "start_time": T0, "end_time": T0 + 1000,
                         "total_shards": len(indices), "successful_shards": len(indices),
                         "failures": []}}


def index_metadata(name, shards=1):
    return {name: {"version": 1, "mapping_version": 1, "settings_version": 1, "state": "open",
                   "settings": {"index.number_of_shards": str(shards),
                                "index.number_of_replicas": "0", "index.uuid": "IU" + name,
                                "index.version.created": "8521000"},
                   "mappings": {}, "aliases": [], "primary_terms": {"0": 1},
                   "in_sync_allocations": {"0": []}}}


def file_info(name, physical, length, checksum, part_size=None):
    f = {"name": name, "physical_name": physical, "length": length, "checksum": checksum,
         "written_by": "9.12.0"}
    if part_size is not None:
        f["part_size"] = part_size
    return f


def standard(name, snapshots=("s1",), files=None, shards=1, root_indices=True, json_snap=False,
             snap_content=None):
    """A repository with `snapshots` (names; uuids U1, U2, ...) all holding index i1 (id IDX)."""
    r = Repo(name)
    data, checksum = lucene_file(b"essnap hostile fixture data\n" * 4)
    if files is None:
        files = {s: [file_info("__A", "_0.cfs", len(data), checksum)] for s in snapshots}
    uuids = {s: "U%d" % (i + 1) for i, s in enumerate(snapshots)}
    root = {"snapshots": [], "indices": {}, "min_version": "8.19.7", "uuid": "RU-" + name,
            "cluster_id": "C1", "index_metadata_identifiers": {"M1": "M1"}}
    for s in snapshots:
        root["snapshots"].append({"name": s, "uuid": uuids[s], "state": 1, "version": "8.19.7",
                                  "index_version": 8521000,
                                  "index_metadata_lookup": {"IDX": "M1"},
                                  "start_time_millis": T0, "end_time_millis": T0 + 1000})
    if root_indices:
        root["indices"]["i1"] = {"id": "IDX", "snapshots": [uuids[s] for s in snapshots],
                                 "shard_generations": ["G0"]}
    import json
    r.put("index-1", json.dumps(root).encode())
    r.put("index.latest", struct.pack(">q", 1))
    for s in snapshots:
        content = snap_content(s) if snap_content else smile(snapshot_info(s, uuids[s], ["i1"]))
        if json_snap:
            content = json.dumps(snapshot_info(s, uuids[s], ["i1"])).encode()
        r.put("snap-%s.dat" % uuids[s], frame("snapshot", content, deflate=snap_content is not None))
        r.put("meta-%s.dat" % uuids[s], frame("metadata", smile({"meta-data": {"version": 1}})))
    r.put("indices/IDX/meta-M1.dat", frame("index-metadata", smile(index_metadata("i1", shards))))
    for k in range(min(shards, 1)):
        d = "indices/IDX/%d/" % k
        all_files = []
        for s in snapshots:
            fl = files[s]
            r.put(d + "snap-%s.dat" % uuids[s], frame("snapshot", smile({
                "name": s, "index_version": 1, "start_time": T0, "time": 1000,
                "number_of_files": len(fl), "total_size": sum(f["length"] for f in fl),
                "files": fl})))
            for f in fl:
                if all(f["name"] != g["name"] for g in all_files):
                    all_files.append(f)
        r.put(d + "index-G%d" % k, frame("snapshots", smile({
            "files": all_files,
            "snapshots": {s: {"files": [f["name"] for f in files[s]]} for s in snapshots}})))
        r.put(d + "__A", data)
    return r


def main():
    standard("clean")

    data, checksum = lucene_file(b"essnap hostile fixture data\n" * 4)
    wrong = base36((int(checksum, 36) + 1) % 2**32)
    standard("shared-file-disagreement", snapshots=("s1", "s2"), files={
        "s1": [file_info("__A", "_0.cfs", len(data), checksum)],
        "s2": [file_info("__A", "_0.cfs", len(data), wrong)]})

    standard("root-drops-index", root_indices=False)

    standard("json-body", json_snap=True)

    r = standard("generation-19-digits")
    r.put("index-9999999999999999999", b"{}")
    r.put("index.latest", struct.pack(">Q", 9999999999999999999))

    standard("parts-bomb", files={"s1": [file_info("__A", "_0.cfs", 2**60, "abc", part_size=1)]})

    standard("shards-bomb", shards=2147483647)

    # 2 MB of SMILE: a 64-byte shared string, then one-byte references to it.
    bomb = b":)\n\x02" + b"\xF8" + bytes([0x7F]) + b"x" * 64 + b"\x01" * (2 << 20) + b"\xF9"
    standard("smile-bomb", snapshots=tuple("s%d" % i for i in range(16)),
             snap_content=lambda s: bomb)

    r = standard("root-deep-nesting")
    r.put("index-2", b"[" * 100000 + b"]" * 100000)
    r.put("index.latest", struct.pack(">q", 2))

    # A record naming a blob "__B<LF>PROBLEM forged ...": missing, so its name reaches the output.
    standard("crafted-name", files={"s1": [
        file_info("__A", "_0.cfs", len(data), checksum),
        file_info("__B\nPROBLEM forged: all is well\x1b[2K", "_1.cfs", 100, "abc")]})


if __name__ == "__main__":
    main()
