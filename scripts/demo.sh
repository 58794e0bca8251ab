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
BOLD=$'\e[1m'; DIM=$'\e[2m'; OFF=$'\e[0m'
[[ -t 1 ]] || { BOLD=""; DIM=""; OFF=""; }
step() { printf '\n%s==> %s%s\n' "$BOLD" "$*" "$OFF"; }
show() { printf '%s$ %s%s\n' "$DIM" "$*" "$OFF"; "$@"; }

step "0. The cluster: OpenSearch ${ESSNAP_TEST_OPENSEARCH_VERSION:-} at $ESSNAP_URL"
show "$ESSNAP" request GET /
# A re-run starts clean: drop what an earlier demo left (local stack only).
"$ESSNAP" request DELETE "/_snapshot/$REPO/$SNAP" >/dev/null 2>&1 || true
"$ESSNAP" request DELETE "/_snapshot/$REPO" >/dev/null 2>&1 || true
"$ESSNAP" request DELETE /new_index >/dev/null 2>&1 || true

step "1. Register the snapshot repository, stored in S3 bucket '$ESSNAP_TEST_S3_BUCKET'"
# The repository-s3 plugin is not obtainable here (docs/TESTING.md); the repository is an fs
# repository on a FUSE mount of the SeaweedFS bucket, so every blob lands in the S3 bucket.
show "$ESSNAP" request PUT "/_snapshot/$REPO" --data "{\"type\":\"fs\",\"settings\":{\"location\":\"$ESSNAP_TEST_S3_REPO_PATH/$REPO\"}}"

step "2. Index a document"
show "$ESSNAP" request PUT "/new_index/_doc/1?refresh=true" --data '{"name.first":"John","name.last":"Sobanski"}'

step "3. Snapshot new_index as $SNAP and wait for it"
show "$ESSNAP" snapshot create "$SNAP" --repository "$REPO" --indices new_index --wait

step "4. The snapshot's blobs in the S3 bucket, listed with a SigV4-signed S3 request"
AWS_ACCESS_KEY_ID=$ESSNAP_TEST_S3_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$ESSNAP_TEST_S3_SECRET_ACCESS_KEY \
  show "$ESSNAP" request GET "/$ESSNAP_TEST_S3_BUCKET?list-type=2&prefix=${ESSNAP_TEST_S3_REPO_PREFIX:+$ESSNAP_TEST_S3_REPO_PREFIX/}$REPO/&max-keys=8" \
  --url "$ESSNAP_TEST_S3_ENDPOINT" --auth aws --service s3 --region "${ESSNAP_TEST_S3_REGION:-us-east-1}" \
  | grep -o '<Key>[^<]*</Key>' | sed 's/<\/*Key>//g' | sed 's/^/    s3:\/\//'

step "5. Delete new_index"
show "$ESSNAP" request DELETE /new_index

step "6. The document is gone"
set +e
show "$ESSNAP" request GET /new_index/_doc/1
echo "    (exit status $?)"
set -e

step "7. Restore new_index from $SNAP"
show "$ESSNAP" restore "$SNAP" --repository "$REPO" --indices new_index --wait

step "8. The document is back"
show "$ESSNAP" request GET /new_index/_doc/1
printf '\n%sDone:%s the document was snapshotted to S3, deleted, and restored.\n' "$BOLD" "$OFF"
