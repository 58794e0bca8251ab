#!/usr/bin/env python3
"""The local stack answers as promised: each engine with its version, SeaweedFS S3 only for correctly
signed requests, moto only for signatures made with its IAM keys."""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.environ.get("ESSNAP_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", "..")), "scripts", "stack"))
from stackenv import Checks, load_env  # noqa: E402

import botocore.session  # noqa: E402
from botocore import UNSIGNED  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

env = load_env("stack_servers")
t = Checks("stack_servers")
session = botocore.session.get_session()


def get_json(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.loads(r.read())


def get_json_allow_408(url):
    # _cluster/health?wait_for_status answers 408 with the health body when the wait times out.
    try:
        return get_json(url)
    except urllib.error.HTTPError as e:
        if e.code != 408:
            raise
        return json.loads(e.read())


def node_version(url):
    nodes = get_json(url + "/_nodes/_local?filter_path=nodes.*.version")["nodes"]
    return next(iter(nodes.values()))["version"]


# --- engines -------------------------------------------------------------------------------------
# Every engine .stack/env lists (ESSNAP_TEST_ENGINES: space-separated NAME=URL).
engines = [(e.split("=", 1)[0], e.split("=", 1)[0].lower()) for e in env.get("ESSNAP_TEST_ENGINES", "").split()]
t.check(len(engines) > 0, ".stack/env lists the engines (ESSNAP_TEST_ENGINES)")
for var, label in engines:
    url = env.get(f"ESSNAP_TEST_{var}_URL")
    if not url:
        continue
    want = env[f"ESSNAP_TEST_{var}_VERSION"]
    try:
        got = node_version(url)
        t.check(got == want, f"{label} at {url} is version {want}", f"got {got}")
        # Integration tests running beside this one may hold a deliberately red index (an
        # unassigned primary for the PARTIAL-snapshot test, named it-*) for a few seconds: wait
        # for it to go, and accept red only when every red index is such a test index.
        health = get_json_allow_408(url + "/_cluster/health?wait_for_status=yellow&timeout=30s")
        red_foreign = []
        if health["status"] == "red":
            rows = get_json(url + "/_cat/indices?format=json&h=health,index&expand_wildcards=all")
            red_foreign = [r["index"] for r in rows if r["health"] == "red" and not r["index"].startswith("it-")]
        t.check(health["status"] in ("green", "yellow") or not red_foreign,
                f"{label} cluster health is green or yellow (test-made red indices aside)",
                f"{health['status']}: {red_foreign}")
    except Exception as e:  # noqa: BLE001 - any failure to answer is a test failure
        t.check(False, f"{label} at {url} answers", repr(e))
try:
    root = get_json(env["ESSNAP_TEST_OPENSEARCH_URL"] + "/")
    t.check(root["version"]["distribution"] == "opensearch", "OpenSearch GET / names the opensearch distribution")
except Exception as e:  # noqa: BLE001
    t.check(False, "OpenSearch GET / answers", repr(e))


# --- S3 (SeaweedFS) ------------------------------------------------------------------------------
def s3(key, secret, signed=True):
    cfg = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1},
                 signature_version=None if signed else UNSIGNED)
    return session.create_client("s3", region_name=env["ESSNAP_TEST_S3_REGION"], endpoint_url=env["ESSNAP_TEST_S3_ENDPOINT"],
                                 aws_access_key_id=key, aws_secret_access_key=secret, config=cfg)


def refused(fn, codes, what):
    try:
        fn()
        t.check(False, what, "the request was accepted")
    except ClientError as e:
        code = e.response.get("Error", {}).get("Code")
        status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        t.check(status == 403 and code in codes, what, f"HTTP {status} {code}")


bucket = env["ESSNAP_TEST_S3_BUCKET"]
good = s3(env["ESSNAP_TEST_S3_ACCESS_KEY_ID"], env["ESSNAP_TEST_S3_SECRET_ACCESS_KEY"])
key = f"stack-test/servers-{os.getpid()}.txt"
body = b"essnap stack test\n"
try:
    good.put_object(Bucket=bucket, Key=key, Body=body)
    got = good.get_object(Bucket=bucket, Key=key)["Body"].read()
    t.check(got == body, "S3: a correctly signed PUT then GET round-trips the object")
    listed = good.list_objects_v2(Bucket=bucket, Prefix="stack-test/").get("Contents", [])
    t.check(any(o["Key"] == key for o in listed), "S3: a correctly signed ListObjectsV2 lists it")
except ClientError as e:
    t.check(False, "S3: correctly signed requests succeed", str(e))

wrong = s3(env["ESSNAP_TEST_S3_ACCESS_KEY_ID"], env["ESSNAP_TEST_S3_SECRET_ACCESS_KEY"] + "x")
refused(lambda: wrong.get_object(Bucket=bucket, Key=key), {"SignatureDoesNotMatch"}, "S3: wrong secret is refused with 403 SignatureDoesNotMatch")
refused(lambda: wrong.put_object(Bucket=bucket, Key=key + ".w", Body=b"x"), {"SignatureDoesNotMatch"}, "S3: wrong-secret PUT is refused")
unknown = s3("AKIAUNKNOWNUNKNOWN00", "x" * 40)
refused(lambda: unknown.list_objects_v2(Bucket=bucket), {"InvalidAccessKeyId", "AccessDenied"}, "S3: unknown access key is refused")
anon = s3(None, None, signed=False)
refused(lambda: anon.get_object(Bucket=bucket, Key=key), {"AccessDenied"}, "S3: anonymous GET is refused with 403 AccessDenied")
refused(lambda: anon.list_objects_v2(Bucket=bucket), {"AccessDenied"}, "S3: anonymous list is refused")
refused(lambda: anon.put_object(Bucket=bucket, Key=key + ".a", Body=b"x"), {"AccessDenied"}, "S3: anonymous PUT is refused")

# A second, independent signer: curl --aws-sigv4 (no query string: curl 7.88 does not encode it).
url = f"{env['ESSNAP_TEST_S3_ENDPOINT']}/{bucket}/{key}"
sig = f"aws:amz:{env['ESSNAP_TEST_S3_REGION']}:s3"
auth = f"{env['ESSNAP_TEST_S3_ACCESS_KEY_ID']}:{env['ESSNAP_TEST_S3_SECRET_ACCESS_KEY']}"
r = subprocess.run(["curl", "-s", "-w", "\n%{http_code}", "--aws-sigv4", sig, "-K", "-", url],
                   input=f'user = "{auth}"\n', capture_output=True, text=True)
t.check(r.stdout.endswith("\n200") and r.stdout.startswith(body.decode()), "S3: curl --aws-sigv4 GET with the right secret succeeds", r.stdout[-200:])
r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", url], capture_output=True, text=True)
t.check(r.stdout == "403", "S3: plain curl GET (anonymous) gets 403", r.stdout)
try:
    good.delete_object(Bucket=bucket, Key=key)
except ClientError:
    pass


# --- moto (IAM / STS / OpenSearch API) ------------------------------------------------------------
def aws(service, key, secret, signed=True):
    cfg = Config(retries={"max_attempts": 1}, signature_version=None if signed else UNSIGNED)
    return session.create_client(service, region_name=env["ESSNAP_TEST_AWS_REGION"], endpoint_url=env["ESSNAP_TEST_AWS_ENDPOINT"],
                                 aws_access_key_id=key, aws_secret_access_key=secret, config=cfg)


ak, sk = env["ESSNAP_TEST_AWS_ACCESS_KEY_ID"], env["ESSNAP_TEST_AWS_SECRET_ACCESS_KEY"]
try:
    arn = aws("sts", ak, sk).get_caller_identity()["Arn"]
    t.check(arn.endswith(":user/essnap-admin"), "moto: STS GetCallerIdentity signed with the bootstrap key succeeds", arn)
    aws("iam", ak, sk).list_users()
    t.check(True, "moto: IAM ListUsers signed with the bootstrap key succeeds")
    aws("opensearch", ak, sk).list_domain_names()
    t.check(True, "moto: OpenSearch ListDomainNames (a signed GET) succeeds")
except ClientError as e:
    t.check(False, "moto: requests signed with the bootstrap key succeed", str(e))
refused(lambda: aws("sts", ak, sk + "x").get_caller_identity(), {"SignatureDoesNotMatch"}, "moto: STS with a wrong secret is refused with SignatureDoesNotMatch")
refused(lambda: aws("iam", ak, sk + "x").list_users(), {"SignatureDoesNotMatch"}, "moto: IAM with a wrong secret is refused")
refused(lambda: aws("opensearch", ak, sk + "x").list_domain_names(), {"SignatureDoesNotMatch", "403"}, "moto: OpenSearch API with a wrong secret is refused")
refused(lambda: aws("sts", "AKIAUNKNOWNUNKNOWN00", "x").get_caller_identity(), {"InvalidClientTokenId"}, "moto: an unknown key is refused")

t.finish()
