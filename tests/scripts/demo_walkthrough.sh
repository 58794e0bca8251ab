#!/usr/bin/env bash
# make demo (scripts/demo.sh) runs the walk-through with essnap's own commands against the stack:
# essnap setup in AWS mode (moto IAM/STS, SeaweedFS S3), snapshot, delete, restore; its S3 listing
# names the bucket; then essnap inspect verify --read-data reads the snapshot back from S3. Run twice: a re-run cleans up after the first and setup finds its work done.
set -euo pipefail
cd "${ESSNAP_SOURCE_DIR:?}"
if [[ ! -f .stack/env ]]; then
  [[ ${CI:-} == true ]] && { echo "FAIL: .stack/env missing (the stack is not up)"; exit 1; }
  echo "SKIP: the stack is not up"; exit 0
fi
# shellcheck disable=SC1091
source .stack/env
for pass in 1 2; do
  out=$(ESSNAP="${ESSNAP_BINARY:?}" bash scripts/demo.sh 2>&1) || { echo "FAIL: demo pass $pass:"; echo "$out"; exit 1; }
  for want in "essnap setup" "repository  s3-flask-es" "s3://$ESSNAP_TEST_S3_BUCKET/$ESSNAP_TEST_S3_REPO_PREFIX/s3-flask-es/index-" \
      "snapshot snapshot_1 SUCCESS" "new_index: 1 documents" '"found":true' "no problems found"; do
    grep -qF -- "$want" <<<"$out" || { echo "FAIL: demo pass $pass lacks '$want':"; echo "$out"; exit 1; }
  done
  if grep -qE 's3://(opensearch|elasticsearch)' <<<"$out"; then
    echo "FAIL: the S3 listing does not name the bucket"; echo "$out"; exit 1
  fi
done
grep -q "already in place" <<<"$out" || { echo "FAIL: the second setup did not find its work done"; exit 1; }
echo "ok: demo walk-through twice (setup, snapshot, delete, restore; listing in s3://$ESSNAP_TEST_S3_BUCKET)"
