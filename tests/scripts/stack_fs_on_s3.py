#!/usr/bin/env python3
"""Snapshots through the stack's repositories: OpenSearch writes an `fs` repository into the
FUSE-mounted S3 bucket, and the repository's blobs are then read back over the signature-checking
S3 API; a restore from it brings the document back. Elasticsearch snapshots to its on-disk fs
repository. Each run works in its own folder and removes it."""

import json
import os
import shutil
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.environ.get("ESSNAP_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", "..")), "scripts", "stack"))
from stackenv import Checks, load_env  # noqa: E402

import botocore.session  # noqa: E402
from botocore import UNSIGNED  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

env = load_env("stack_fs_on_s3")
t = Checks("stack_fs_on_s3")
run_id = f"t{os.getpid()}-{int(time.time())}"


def call(method, url, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, {"raw": raw.decode(errors="replace")}


def s3_client(signed=True):
    cfg = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2},
                 signature_version=None if signed else UNSIGNED)
    return botocore.session.get_session().create_client(
        "s3", region_name=env["ESSNAP_TEST_S3_REGION"], endpoint_url=env["ESSNAP_TEST_S3_ENDPOINT"],
        aws_access_key_id=None if not signed else env["ESSNAP_TEST_S3_ACCESS_KEY_ID"],
        aws_secret_access_key=None if not signed else env["ESSNAP_TEST_S3_SECRET_ACCESS_KEY"], config=cfg)


def snapshot_cycle(label, url, location, verify_blobs):
    """Register `location` as an fs repository, snapshot an index, delete it, restore it."""
    repo, index, snap = f"stack-{run_id}", f"stack-test-{run_id}", "snapshot_1"
    st, r = call("PUT", f"{url}/_snapshot/{repo}", {"type": "fs", "settings": {"location": location}})
    if not t.check(st == 200, f"{label}: register fs repository at {location}", f"{st} {r}"):
        return
    try:
        st, _ = call("PUT", f"{url}/{index}/_doc/1?refresh=true", {"name.first": "John", "name.last": "Sobanski"})
        t.check(st in (200, 201), f"{label}: index a document")
        st, r = call("PUT", f"{url}/_snapshot/{repo}/{snap}?wait_for_completion=true",
                     {"indices": index, "include_global_state": False})
        state = r.get("snapshot", {}).get("state")
        t.check(st == 200 and state == "SUCCESS", f"{label}: snapshot {snap} completes", f"{st} {state} {r.get('error')}")
        verify_blobs(snap)
        st, _ = call("DELETE", f"{url}/{index}")
        t.check(st == 200, f"{label}: delete the index")
        st, _ = call("GET", f"{url}/{index}/_doc/1")
        t.check(st == 404, f"{label}: the document is gone", str(st))
        st, r = call("POST", f"{url}/_snapshot/{repo}/{snap}/_restore?wait_for_completion=true", {"indices": index})
        t.check(st == 200, f"{label}: restore from the snapshot", f"{st} {r.get('error')}")
        st, r = call("GET", f"{url}/{index}/_doc/1")
        t.check(st == 200 and r.get("_source", {}).get("name.last") == "Sobanski", f"{label}: the document is back", f"{st} {r}")
        st, _ = call("DELETE", f"{url}/_snapshot/{repo}/{snap}")
        t.check(st == 200, f"{label}: delete the snapshot")
    finally:
        call("DELETE", f"{url}/{index}")
        call("DELETE", f"{url}/_snapshot/{repo}")


def verify_over_s3(prefix):
    """The repository written through the mount must be visible over signed S3 requests only."""
    def verify(snap):
        s3 = s3_client()
        bucket = env["ESSNAP_TEST_S3_BUCKET"]
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix + "/").get("Contents", [])]
        gens = sorted(int(k.rsplit("-", 1)[1]) for k in keys if k.rsplit("/", 1)[-1].startswith("index-") and k.rsplit("-", 1)[1].isdigit())
        t.check(bool(gens), f"S3 ListObjectsV2 shows the repository's index-N under {prefix}/", str(keys[:10]))
        t.check(any("/indices/" in k for k in keys), "S3 ListObjectsV2 shows the shard blobs under indices/")
        if not gens:
            return
        blob = f"{prefix}/index-{gens[-1]}"
        data = json.loads(s3.get_object(Bucket=bucket, Key=blob)["Body"].read())
        names = [s.get("name") for s in data.get("snapshots", [])]
        t.check(snap in names, f"signed S3 GET of {blob} returns RepositoryData naming {snap}", str(names))
        latest = s3.get_object(Bucket=bucket, Key=f"{prefix}/index.latest")["Body"].read()
        t.check(int.from_bytes(latest, "big") == gens[-1], "index.latest over S3 points at the newest index-N")
        try:
            s3_client(signed=False).get_object(Bucket=bucket, Key=blob)
            t.check(False, "anonymous S3 GET of the repository blob is refused", "accepted")
        except ClientError as e:
            t.check(e.response["ResponseMetadata"]["HTTPStatusCode"] == 403, "anonymous S3 GET of the repository blob is refused")
    return verify


def verify_on_disk(path):
    def verify(snap):
        names = os.listdir(path)
        t.check(any(n.startswith("index-") for n in names) and "index.latest" in names,
                f"the fs repository on disk has index-N and index.latest ({path})", str(names))
    return verify


def cleanup(path):
    shutil.rmtree(path, ignore_errors=True)


# Every engine: an fs repository inside the mounted bucket, under the engine's own prefix.
for name in [e.split("=", 1)[0] for e in env.get("ESSNAP_TEST_ENGINES", "").split()]:
    url = env.get(f"ESSNAP_TEST_{name}_URL")
    repo_path = env.get(f"ESSNAP_TEST_{name}_S3_REPO_PATH")
    prefix = env.get(f"ESSNAP_TEST_{name}_S3_REPO_PREFIX")
    if not (url and repo_path and prefix):
        continue
    location = os.path.join(repo_path, run_id)
    try:
        snapshot_cycle(f"{name.lower()} fs-on-S3", url, location, verify_over_s3(f"{prefix}/{run_id}"))
    finally:
        cleanup(location)

# Elasticsearch: a plain fs repository on disk.
location = os.path.join(env["ESSNAP_TEST_FS_REPO_PATH"], run_id)
try:
    snapshot_cycle("Elasticsearch fs", env["ESSNAP_TEST_ELASTICSEARCH_URL"], location, verify_on_disk(location))
finally:
    cleanup(location)

t.finish()
