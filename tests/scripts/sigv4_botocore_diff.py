#!/usr/bin/env python3
"""Differential test: essnap's SigV4 signer against botocore on random requests.

Generates N random requests from a fixed seed (all methods; services es/s3/aoss/iam/sts; paths
with reserved, percent-encoded and non-ASCII characters and dot segments; repeated, empty and
valueless query keys; headers with runs of blanks and repeated names; binary bodies; with and
without a session token; unsigned payloads over https; S3 presigned URLs), signs each with
botocore at a fixed time and with essnap (tests/tools/sigv4_tool, one process, JSON Lines), and
compares the canonical request, the string to sign and the Authorization header (or the
presigned URL).

Where essnap deliberately differs from bare botocore, the botocore side is set up the way a
correct botocore-based client is (src/essnap/aws/sigv4.hpp lists every deliberate difference):
  * aoss: botocore's SigV4Auth does not add X-Amz-Content-SHA256; OpenSearch Serverless requires
    it, so (like opensearch-py) the header is set before botocore signs.
  * the query: botocore signs a URL's query verbatim; essnap decodes and re-encodes each name
    and value (what the service does). botocore is given the decoded pairs as request.params,
    which it encodes the same way, while essnap gets the wire URL, encoded strictly or loosely.

Environment: ESSNAP_SIGV4_TOOL (path of the tool), else ESSNAP_BUILD_DIR. Exit 0 when every case
matches; 1 on any mismatch (the first few are shown); 2 when the tool or botocore is missing.
"""

import datetime
import hashlib
import json
import os
import random
import subprocess
import sys
from urllib.parse import quote, urlsplit, parse_qsl

try:
    import botocore.auth
    from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth, SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError as e:  # pragma: no cover
    print(f"botocore is not installed ({e}); install python3-botocore or `pip install botocore`")
    sys.exit(2)

SEED = 20150830
N = int(os.environ.get("SIGV4_DIFF_CASES", "1500"))
SHOW = 5

METHODS = ["GET", "PUT", "POST", "DELETE", "HEAD", "PATCH", "OPTIONS"]
SERVICES = ["es", "s3", "aoss", "iam", "sts"]
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-gov-west-1", "cn-north-1"]
HOSTS = [
    "search-logs-abc123.us-east-1.es.amazonaws.com",
    "my-bucket.s3.eu-west-1.amazonaws.com",
    "abc123.us-east-1.aoss.amazonaws.com",
    "iam.amazonaws.com",
    "sts.us-east-1.amazonaws.com",
    "Search-UPPER.Example.COM",
    "127.0.0.1",
    "[::1]",
    "[2001:db8::42]",
    "localhost",
]
SEGMENTS = [
    "_snapshot", "my-repo", "snap-2024.01.01", "_search", "index", "a", "b", "~user",
    "x_y-z.w", ".", "..", "", "", "%2F", "%20", "%25", "%E1%88%B4", "%3Csnap-%7Bnow%2Fd%7D%3E",
    "%2e%2e", "%7E", "%41", "ሴ", "é", "日本", "a$b", "!", "*", "'q'", "(p)", "a+b", "a,b",
    "k=v", "a;b", "user@host", "c:d", "&", "-", "..." , "a.", ".a",
]
QUERY_KEYS = ["q", "size", "Param", "a b", "ሴ", "x*y", "acl", "k+v", "~t", "wait_for_completion",
              "", "a/b", "%", "É", "list-type", "prefix", "*"]
QUERY_VALUES = ["", "v", "a b", "1+1", "ሴ", "/path/", "*", "a=b", "true", "x&y", "100%",
                "'q'", "(p)", "~", "ÿ", "{now/d}", "a,b;c:d@e"]
HEADER_NAMES = ["Content-Type", "X-Custom", "x-meta", "X-Meta", "Accept", "X-Amz-Meta-Note",
                "If-Match", "Range", "X-Opaque-Id", "User-Agent", "Expect", "X-Amzn-Trace-Id",
                "Connection", "Content-MD5", "x-amz-acl", "X-Amz-Target"]
HEADER_VALUES = ["application/json", "  a   b  ", "v1", "\tv2\t", "a\tb  c", "   ", "",
                 "*/*", "bytes=0-99", "Root=1-5759e988-bd862e3fe1be46a994272793",
                 "100-continue", "keep-alive", "\"etag  with  spaces\"", "x,y", "private",
                 "DynamoDB_20120810.GetItem"]
# Loosely encoded wire queries leave these raw (RFC 3986 allows them in a query).
LOOSE_SAFE = "!$'()*,;:@/?"


def strict_encode(s):
    return quote(s, safe="-_.~")


def loose_encode(s, rng, in_value):
    safe = "-_.~" + LOOSE_SAFE + ("=" if in_value else "") + ("+" if rng.random() < 0.5 else "")
    out = quote(s, safe=safe)
    if rng.random() < 0.3:  # lower-case hex escapes are legal and must be canonicalised
        out = "%".join(p if i == 0 else p[:2].lower() + p[2:] for i, p in enumerate(out.split("%")))
    return out


def random_secret(rng, n):
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+"
    return "".join(rng.choice(alphabet) for _ in range(n))


def make_case(rng, i):
    service = rng.choice(SERVICES)
    presign = service == "s3" and rng.random() < 0.15
    unsigned = (not presign) and rng.random() < 0.15
    scheme = "https" if unsigned or rng.random() < 0.8 else "http"
    host = rng.choice(HOSTS)
    port = ""
    r = rng.random()
    if r < 0.15:
        port = ":" + rng.choice(["9200", "8443", "4566", "1"])
    elif r < 0.2 and not presign:
        port = ":443" if scheme == "https" else ":80"  # a default port is left out of Host
    nseg = rng.randint(0, 6)
    path = "/" + "/".join(rng.choice(SEGMENTS) for _ in range(nseg))
    if rng.random() < 0.2:
        path += "/"
    pairs = []
    for _ in range(rng.randint(0, 5)):
        key = rng.choice(QUERY_KEYS)
        if presign and key == "":
            continue
        value = None if rng.random() < 0.2 else rng.choice(QUERY_VALUES)
        if key == "" and value is None:
            value = ""  # a bare "" key would be an empty "&&" segment, which is not a parameter
        pairs.append((key, value))
        if rng.random() < 0.15 and not presign:  # repeated key
            pairs.append((key, rng.choice(QUERY_VALUES)))
    if presign:  # botocore's presigner keeps one value per key
        seen = {}
        for k, v in pairs:
            seen.setdefault(k, v)
        pairs = list(seen.items())
    loose = (not presign) and rng.random() < 0.5
    wire_parts = []
    for k, v in pairs:
        ek = loose_encode(k, rng, False) if loose else strict_encode(k)
        if v is None:
            wire_parts.append(ek)
        else:
            ev = loose_encode(v, rng, True) if loose else strict_encode(v)
            wire_parts.append(f"{ek}={ev}")
    if wire_parts and not presign and rng.random() < 0.1:
        wire_parts.insert(rng.randint(0, len(wire_parts)), "")  # an empty "&&" segment
    url = f"{scheme}://{host}{port}{path}"
    if wire_parts:
        url += "?" + "&".join(wire_parts)

    headers = []
    for _ in range(rng.randint(0, 6)):
        name = rng.choice(HEADER_NAMES)
        headers.append((name, rng.choice(HEADER_VALUES)))
        if rng.random() < 0.2:
            headers.append((name.lower() if rng.random() < 0.5 else name,
                            rng.choice(HEADER_VALUES)))
    if rng.random() < 0.05:
        headers.append(("Host", rng.choice(["Override.Example.com", "example.com:8080"])))

    r = rng.random()
    if r < 0.3 or presign:  # a presigned URL carries no body (botocore would move it to the query)
        body = b""
    elif r < 0.6:
        body = json.dumps({"indices": "logs-*", "n": rng.randint(0, 10**6)}).encode()
    else:
        body = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 400)))

    when = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(
        seconds=rng.randint(0, 30 * 365 * 86400))
    token = random_secret(rng, rng.randint(20, 300)) + "==" if rng.random() < 0.5 else ""
    return {
        "id": i,
        "method": rng.choice(METHODS),
        "url": url,
        "pairs": [(k, "" if v is None else v) for k, v in pairs],
        "headers": headers,
        "body": body,
        "service": service,
        "region": rng.choice(REGIONS),
        "when": when,
        "access_key": "AKIA" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
                                       for _ in range(16)),
        "secret_key": random_secret(rng, 40),
        "token": token,
        "unsigned": unsigned,
        "presign": rng.randint(1, 604800) if presign else None,
    }


def capturing(cls):
    class Capture(cls):
        def string_to_sign(self, request, canonical_request):
            self.captured_creq = canonical_request
            self.captured_sts = super().string_to_sign(request, canonical_request)
            return self.captured_sts
    return Capture


class S3Config:
    def __init__(self, s3):
        self.s3 = s3


def botocore_sign(case):
    botocore.auth.get_current_datetime = lambda *a, **k: case["when"]
    creds = Credentials(case["access_key"], case["secret_key"], case["token"] or None)
    service, region = case["service"], case["region"]
    request = AWSRequest(method=case["method"], url=case["url"], data=case["body"])
    for name, value in case["headers"]:
        request.headers[name] = value  # appends: repeated names are kept in order
    if case["presign"] is not None:
        cls = S3SigV4QueryAuth if service == "s3" else SigV4QueryAuth
        auth = capturing(cls)(creds, service, region, expires=case["presign"])
        auth.add_auth(request)
        return {"canonical_request": auth.captured_creq, "string_to_sign": auth.captured_sts,
                "url": request.url}
    if case["pairs"]:
        request.params = list(case["pairs"])
    if case["unsigned"]:
        request.context["payload_signing_enabled"] = False
    if service == "s3":
        if case["unsigned"]:
            request.context["client_config"] = S3Config({"payload_signing_enabled": False})
        auth = capturing(S3SigV4Auth)(creds, service, region)
    else:
        if service == "aoss":
            request.headers["X-Amz-Content-SHA256"] = (
                "UNSIGNED-PAYLOAD" if case["unsigned"] else hashlib.sha256(case["body"]).hexdigest())
        auth = capturing(SigV4Auth)(creds, service, region)
    auth.add_auth(request)
    return {"canonical_request": auth.captured_creq, "string_to_sign": auth.captured_sts,
            "authorization": request.headers["Authorization"]}


def tool_input(case):
    d = {
        "method": case["method"], "url": case["url"],
        "headers": [list(h) for h in case["headers"]],
        "body_hex": case["body"].hex(), "service": case["service"], "region": case["region"],
        "date": case["when"].strftime("%Y%m%dT%H%M%SZ"),
        "access_key": case["access_key"], "secret_key": case["secret_key"],
        "token": case["token"], "unsigned": case["unsigned"],
    }
    if case["presign"] is not None:
        d["presign"] = case["presign"]
    return d


def find_tool():
    tool = os.environ.get("ESSNAP_SIGV4_TOOL")
    if tool and os.path.exists(tool):
        return tool
    build = os.environ.get("ESSNAP_BUILD_DIR") or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "build")
    for rel in ("tests/essnap_sigv4_tool", "essnap_sigv4_tool"):
        p = os.path.join(build, rel)
        if os.path.exists(p):
            return p
    return None


def normalized_url(url):
    """Presigned URLs: same origin and path, and the same multiset of decoded query pairs."""
    p = urlsplit(url)
    port = p.port if p.port not in (None, {"http": 80, "https": 443}[p.scheme]) else None
    pairs = sorted(parse_qsl(p.query, keep_blank_values=True))
    return (p.scheme, p.hostname, port, p.path, pairs)


def compare(case, ours, theirs):
    diffs = []
    if not ours.get("ok"):
        return [("error", ours.get("error"), "(botocore signed it)")]
    for key in ("canonical_request", "string_to_sign"):
        if ours[key] != theirs[key]:
            diffs.append((key, ours[key], theirs[key]))
    if case["presign"] is not None:
        if normalized_url(ours["url"]) != normalized_url(theirs["url"]):
            diffs.append(("url", ours["url"], theirs["url"]))
    elif ours["authorization"] != theirs["authorization"]:
        diffs.append(("authorization", ours["authorization"], theirs["authorization"]))
    return diffs


def main():
    tool = find_tool()
    if tool is None:
        print("essnap_sigv4_tool not found: build it (cmake --build <dir> --target "
              "essnap_sigv4_tool) and set ESSNAP_BUILD_DIR or ESSNAP_SIGV4_TOOL")
        return 2
    rng = random.Random(SEED)
    cases = [make_case(rng, i) for i in range(N)]
    payload = "".join(json.dumps(tool_input(c), ensure_ascii=False) + "\n" for c in cases)
    proc = subprocess.run([tool], input=payload.encode("utf-8"), capture_output=True, check=False)
    if proc.returncode != 0:
        print(f"{tool} exited {proc.returncode}: {proc.stderr.decode(errors='replace')}")
        return 1
    results = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    if len(results) != len(cases):
        print(f"the tool answered {len(results)} lines for {len(cases)} cases")
        return 1

    passed, failed, shown = 0, 0, 0
    stats = {"presign": 0, "unsigned": 0, "token": 0, "repeated-query": 0, "non-ascii-path": 0,
             "dot-segments": 0, "binary-body": 0}
    for case, ours in zip(cases, results):
        theirs = botocore_sign(case)
        diffs = compare(case, ours, theirs)
        stats["presign"] += case["presign"] is not None
        stats["unsigned"] += case["unsigned"]
        stats["token"] += bool(case["token"])
        keys = [k for k, _ in case["pairs"]]
        stats["repeated-query"] += len(keys) != len(set(keys))
        stats["non-ascii-path"] += any(ord(c) > 127 for c in urlsplit(case["url"]).path)
        stats["dot-segments"] += "/." in urlsplit(case["url"]).path
        stats["binary-body"] += any(b > 127 for b in case["body"])
        if not diffs:
            passed += 1
            continue
        failed += 1
        if shown < SHOW:
            shown += 1
            print(f"--- case {case['id']}: {case['method']} {case['url']!r} service={case['service']}"
                  f" unsigned={case['unsigned']} presign={case['presign']}"
                  f" headers={case['headers']!r}")
            for key, a, b in diffs:
                print(f"  {key} differs:\n    essnap:   {a!r}\n    botocore: {b!r}")
    print("coverage: " + ", ".join(f"{k} {v}" for k, v in stats.items()))
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
