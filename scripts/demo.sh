#!/usr/bin/env bash
# make demo: the walk-through of shared/seed (snapshot an index to S3, delete it, restore it),
# performed step by step with essnap against the local stack.
set -euo pipefail
cd "$(dirname "$0")/.."
ESSNAP=${ESSNAP:-$PWD/build/essnap}
[[ -f .stack/env ]] || { echo "demo: .stack/env missing — run 'make stack-up' first" >&2; exit 1; }
# shellcheck disable=SC1091
source .stack/env

export ESSNAP_URL=$ESSNAP_TEST_OPENSEARCH_URL
REPO=s3-flask-es
SNAP=snapshot_1
BUCKET=$ESSNAP_TEST_S3_BUCKET
PREFIX=${ESSNAP_TEST_S3_REPO_PREFIX:+$ESSNAP_TEST_S3_REPO_PREFIX/}$REPO
BOLD=$'\e[1m'; DIM=$'\e[2m'; OFF=$'\e[0m'
[[ -t 1 ]] || { BOLD=""; DIM=""; OFF=""; }
step() { printf '\n%s==> %s%s\n' "$BOLD" "$*" "$OFF"; }
show() { printf '%s$ %s%s\n' "$DIM" "$*" "$OFF"; "$@"; }

# AWS as the stack plays it: IAM and STS are moto, S3 is SeaweedFS (each with its own keys, as two
# profiles of one credentials file), and nothing reaches the EC2 metadata address.
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
umask 077
cat >"$home/credentials" <<CREDS
[default]
aws_access_key_id = $ESSNAP_TEST_AWS_ACCESS_KEY_ID
aws_secret_access_key = $ESSNAP_TEST_AWS_SECRET_ACCESS_KEY
[s3]
aws_access_key_id = $ESSNAP_TEST_S3_ACCESS_KEY_ID
aws_secret_access_key = $ESSNAP_TEST_S3_SECRET_ACCESS_KEY
CREDS
export AWS_SHARED_CREDENTIALS_FILE=$home/credentials AWS_CONFIG_FILE=/nonexistent
export AWS_EC2_METADATA_DISABLED=true AWS_REGION=${ESSNAP_TEST_S3_REGION:-us-east-1}
export AWS_ENDPOINT_URL_IAM=$ESSNAP_TEST_AWS_ENDPOINT AWS_ENDPOINT_URL_STS=$ESSNAP_TEST_AWS_ENDPOINT
export AWS_ENDPOINT_URL_S3=$ESSNAP_TEST_S3_ENDPOINT

step "0. The cluster: OpenSearch ${ESSNAP_TEST_OPENSEARCH_VERSION:-} at $ESSNAP_URL"
show "$ESSNAP" request GET / --auth none
# A re-run starts clean: drop what an earlier demo left (local stack only), with essnap itself.
"$ESSNAP" snapshot delete "$SNAP" -r "$REPO" --yes --auth none >/dev/null 2>&1 || true
"$ESSNAP" repo remove "$REPO" --yes --auth none >/dev/null 2>&1 || true
"$ESSNAP" request DELETE /new_index --auth none >/dev/null 2>&1 || true

step "1. essnap setup: bucket s3://$BUCKET, the snapshot role, its permissions, the repository"
# The stand-in (docs/TESTING.md): no repository-s3 plugin is obtainable here, so setup registers
# the repository as type fs on the FUSE mount of the same bucket and prefix; every blob still
# lands in S3 at s3://$BUCKET/$PREFIX. Against Amazon's service it registers the s3 body it shows.
export ESSNAP_SETUP_REGISTER_AS_FS_PATH=$ESSNAP_TEST_S3_REPO_PATH
show "$ESSNAP" setup --domain-endpoint "$ESSNAP_URL" --bucket "s3://$BUCKET/$PREFIX" \
  --repository "$REPO" --s3-profile s3 --auth none
unset ESSNAP_SETUP_REGISTER_AS_FS_PATH
# Amazon S3 encrypts every bucket with SSE-S3 anyway, so setup's default-encryption step changes
# nothing there; the stack's SeaweedFS accepts the setting but then refuses every PutObject ("SSE-S3
# encryption is not configured"), so the demo takes it off the shared test bucket again.
AWS_PROFILE=s3 "$ESSNAP" request DELETE "/$BUCKET?encryption" --url "$ESSNAP_TEST_S3_ENDPOINT" \
  --auth aws --service s3 >/dev/null

step "2. Index a document"
show "$ESSNAP" request PUT "/new_index/_doc/1?refresh=true" --auth none \
  --data '{"name.first":"John","name.last":"Sobanski"}'

step "3. Snapshot new_index as $SNAP and wait for it"
show "$ESSNAP" snapshot create "$SNAP" --repository "$REPO" --indices new_index --wait --auth none

step "4. The snapshot's blobs in the S3 bucket, listed with a SigV4-signed S3 request"
AWS_PROFILE=s3 show "$ESSNAP" request GET "/$BUCKET?list-type=2&prefix=$PREFIX/&max-keys=8" \
  --url "$ESSNAP_TEST_S3_ENDPOINT" --auth aws --service s3 \
  | grep -o '<Key>[^<]*</Key>' | sed 's/<\/*Key>//g' | sed "s|^|    s3://$BUCKET/|"

step "5. Delete new_index"
show "$ESSNAP" request DELETE /new_index --auth none

step "6. The document is gone"
set +e
show "$ESSNAP" request GET /new_index/_doc/1 --auth none
echo "    (exit status $?)"
set -e

step "7. Restore new_index from $SNAP"
show "$ESSNAP" restore "$SNAP" --repository "$REPO" --indices new_index --wait --auth none

step "8. The document is back"
show "$ESSNAP" request GET /new_index/_doc/1 --auth none
step "9. Verify the snapshot in the bucket with no cluster: every blob there, every checksum recomputed"
AWS_PROFILE=s3 show "$ESSNAP" inspect verify "s3://$BUCKET/$PREFIX" --read-data
printf '\n%sDone:%s the document was snapshotted to s3://%s/%s, deleted, restored, and verified offline.\n' \
  "$BOLD" "$OFF" "$BUCKET" "$PREFIX"
