#!/usr/bin/env python3
"""moto_server with one fix to its signature check, so that authentication can stay on.

moto (5.x) recomputes a request's SigV4 signature from its own parsed copy of the request. For the
OpenSearch Service API's GET calls (ListDomainNames, DescribeDomain, ...) that copy carries the
request headers as a form body, so a correctly signed GET is refused with SignatureDoesNotMatch. A
GET, HEAD or DELETE that arrived without a body is signed over an empty payload: recompute it that
way. Everything else (key lookup, wrong-secret refusal, IAM policy evaluation) is moto's own."""

import sys

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

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
