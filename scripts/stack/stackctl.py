#!/usr/bin/env python3
"""Helpers for scripts/stack.sh that need a SigV4 client (botocore): S3 bucket set-up and checks,
moto IAM bootstrap and checks. Secrets come in through the environment, never through argv, and are
never printed except by `moto-bootstrap`, whose stdout stack.sh writes straight into a 0600 file."""

import os
import sys

import botocore.session
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

REGION = os.environ.get("ESSNAP_STACK_REGION", "us-east-1")


def _client(service, endpoint, key, secret):
    session = botocore.session.get_session()
    cfg = Config(
        connect_timeout=3,
        read_timeout=10,
        retries={"max_attempts": 1},
        s3={"addressing_style": "path"},
    )
    return session.create_client(
        service,
        region_name=REGION,
        endpoint_url=endpoint,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=cfg,
    )


def _s3():
    return _client(
        "s3",
        os.environ["ESSNAP_TEST_S3_ENDPOINT"],
        os.environ["ESSNAP_TEST_S3_ACCESS_KEY_ID"],
        os.environ["ESSNAP_TEST_S3_SECRET_ACCESS_KEY"],
    )


def s3_check():
    """Exit 0 when a signed ListBuckets succeeds."""
    try:
        _s3().list_buckets()
        return 0
    except (BotoCoreError, ClientError) as e:
        print(f"s3-check: {e}", file=sys.stderr)
        return 1


def s3_ensure_bucket(bucket):
    s3 = _s3()
    try:
        s3.head_bucket(Bucket=bucket)
        return 0
    except ClientError as e:
        if e.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket", "NotFound"):
            print(f"s3-ensure-bucket: head {bucket}: {e}", file=sys.stderr)
            return 1
    try:
        s3.create_bucket(Bucket=bucket)
        s3.head_bucket(Bucket=bucket)
        return 0
    except (BotoCoreError, ClientError) as e:
        print(f"s3-ensure-bucket: create {bucket}: {e}", file=sys.stderr)
        return 1


ADMIN_POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'


def moto_bootstrap(user):
    """Spend moto's unauthenticated actions (INITIAL_NO_AUTH_ACTION_COUNT=3) on an admin user and
    its access key; print them as export lines for the caller's 0600 state file."""
    endpoint = os.environ["ESSNAP_TEST_AWS_ENDPOINT"]
    iam = _client("iam", endpoint, "bootstrap", "bootstrap")
    try:
        iam.create_user(UserName=user)
        iam.put_user_policy(UserName=user, PolicyName="essnap-stack-admin", PolicyDocument=ADMIN_POLICY)
        key = iam.create_access_key(UserName=user)["AccessKey"]
    except (BotoCoreError, ClientError) as e:
        print(f"moto-bootstrap: {e}", file=sys.stderr)
        return 1
    print(f"export ESSNAP_TEST_AWS_ACCESS_KEY_ID={key['AccessKeyId']}")
    print(f"export ESSNAP_TEST_AWS_SECRET_ACCESS_KEY={key['SecretAccessKey']}")
    print(f"export ESSNAP_TEST_AWS_USER={user}")
    return 0


def moto_check():
    """Exit 0 when STS GetCallerIdentity signed with the bootstrap key succeeds."""
    try:
        sts = _client(
            "sts",
            os.environ["ESSNAP_TEST_AWS_ENDPOINT"],
            os.environ["ESSNAP_TEST_AWS_ACCESS_KEY_ID"],
            os.environ["ESSNAP_TEST_AWS_SECRET_ACCESS_KEY"],
        )
        sts.get_caller_identity()
        return 0
    except (BotoCoreError, ClientError) as e:
        print(f"moto-check: {e}", file=sys.stderr)
        return 1


def main(argv):
    if len(argv) < 2:
        print("usage: stackctl.py s3-check|s3-ensure-bucket BUCKET|moto-bootstrap USER|moto-check", file=sys.stderr)
        return 2
    cmd = argv[1]
    if cmd == "s3-check":
        return s3_check()
    if cmd == "s3-ensure-bucket":
        return s3_ensure_bucket(argv[2])
    if cmd == "moto-bootstrap":
        return moto_bootstrap(argv[2])
    if cmd == "moto-check":
        return moto_check()
    print(f"stackctl.py: unknown command {cmd}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
