#!/usr/bin/env python3
"""moto_server with two fixes to its signature check, so that authentication can stay on.

moto (5.x) recomputes a request's SigV4 signature from its own parsed copy of the request. For the
OpenSearch Service API's GET calls (ListDomainNames, DescribeDomain, ...) that copy carries the
request headers as a form body, so a correctly signed GET is refused with SignatureDoesNotMatch. A
GET, HEAD or DELETE that arrived without a body is signed over an empty payload: recompute it that
way. And moto checks the signature over the URL werkzeug rebuilt, whose query has its
percent-escapes decoded (`prefix=a%2Fb` becomes `prefix=a/b`), while the client signed the escaped
query (SigV4's canonical query string): an S3 ListObjectsV2 under a prefix is refused. The
signature is checked over the query string as it arrived instead. Everything else (key lookup,
wrong-secret refusal, IAM policy evaluation) is moto's own."""

import sys

from urllib.parse import urlsplit, urlunsplit

from moto.core import responses as core_responses
from moto.iam import access_control
from moto.server import main

_original = access_control.IAMRequestBase._create_aws_request


def _create_aws_request(self):
    if self._method in ("GET", "HEAD", "DELETE") and not self._body:
        saved = self._data
        self._data = b""
        try:
            return _original(self)
        finally:
            self._data = saved
    return _original(self)


access_control.IAMRequestBase._create_aws_request = _create_aws_request

_original_setup = core_responses.BaseResponse.setup_class


def _setup_class(self, request, full_url, headers, *args, **kwargs):
    result = _original_setup(self, request, full_url, headers, *args, **kwargs)
    environ = getattr(request, "environ", None)
    raw_query = environ.get("QUERY_STRING") if environ else None
    if raw_query:
        parts = urlsplit(self.uri)
        self.uri = urlunsplit((parts.scheme, parts.netloc, parts.path, raw_query, parts.fragment))
    return result


core_responses.BaseResponse.setup_class = _setup_class

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
