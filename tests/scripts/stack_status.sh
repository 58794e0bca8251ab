#!/usr/bin/env bash
# `scripts/stack.sh status` reports every server up, .stack/env carries what tests need, and
# neither the status table nor the logs show a secret.
set -uo pipefail
SRC=${ESSNAP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
ENV_FILE=${ESSNAP_STACK_ENV:-$SRC/.stack/env}
if [[ ! -f $ENV_FILE ]]; then
  if [[ ${CI:-} == true ]]; then echo "FAIL: $ENV_FILE is missing (CI=true: integration tests do not skip)"; exit 1; fi
  echo "SKIP: $ENV_FILE is missing; start the stack with 'make stack-up'"; exit 0
fi
# shellcheck disable=SC1090
source "$ENV_FILE"
pass=0 fail=0
check() { if eval "$2"; then echo "ok   $1"; pass=$((pass + 1)); else echo "FAIL $1"; fail=$((fail + 1)); fi; }

out=$("$SRC/scripts/stack.sh" status 2>&1); rc=$?
echo "$out"
check "status exits 0 while the stack is up" '[[ $rc -eq 0 ]]'
servers=(seaweedfs s3-mount moto)
engine_names=()
for e in ${ESSNAP_TEST_ENGINES:-}; do engine_names+=("${e%%=*}"); servers+=("$(tr '[:upper:]' '[:lower:]' <<<"${e%%=*}")"); done
check ".stack/env lists the engines (ESSNAP_TEST_ENGINES)" '((${#engine_names[@]} > 0))'
for s in "${servers[@]}"; do
  check "status reports $s up" 'grep -Eq "^$s +[^ ]+ +[^ ]+ +[0-9]+ +up$" <<<"$out"'
done
check "status shows OpenSearch $ESSNAP_TEST_OPENSEARCH_VERSION" 'grep -q "$ESSNAP_TEST_OPENSEARCH_VERSION" <<<"$out"'
for v in OPENSEARCH_URL ELASTICSEARCH_URL S3_ENDPOINT S3_BUCKET S3_ACCESS_KEY_ID S3_SECRET_ACCESS_KEY \
  S3_REPO_PATH S3_REPO_PREFIX FS_REPO_PATH AWS_ENDPOINT AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION \
  OPENSEARCH_VERSION ELASTICSEARCH_VERSION; do
  check ".stack/env sets ESSNAP_TEST_$v" '[[ -n ${ESSNAP_TEST_'"$v"':-} ]]'
done
for e in "${engine_names[@]}"; do
  check ".stack/env sets ESSNAP_TEST_${e}_URL and _VERSION" '[[ -n $(eval echo "\${ESSNAP_TEST_${e}_URL:-}") && -n $(eval echo "\${ESSNAP_TEST_${e}_VERSION:-}") ]]'
  check "ESSNAP_TEST_ENGINES's $e URL is ESSNAP_TEST_${e}_URL" '[[ " $ESSNAP_TEST_ENGINES " == *" $e=$(eval echo "\$ESSNAP_TEST_${e}_URL") "* ]]'
done
loopback_only() { # every listener on a stack port is bound to 127.0.0.1
  local p addr
  local ports=("${ESSNAP_TEST_S3_ENDPOINT##*:}" "${ESSNAP_TEST_AWS_ENDPOINT##*:}") e
  for e in ${ESSNAP_TEST_ENGINES:-}; do ports+=("${e##*:}"); done
  for p in "${ports[@]}"; do
    addr=$(ss -ltnH "sport = :$p" | awk '{print $4}')
    [[ -n $addr ]] || { echo "  nothing listens on port $p"; return 1; }
    grep -Eqv '^(127\.0\.0\.1|\[::ffff:127\.0\.0\.1\]):' <<<"$addr" && { echo "  port $p: $addr"; return 1; }
  done
  return 0
}
check "the servers listen on 127.0.0.1 only" loopback_only
check ".stack/env is readable by its owner only" '[[ $(stat -c %a "$ENV_FILE") == 600 ]]'
check "no secret in the status output" \
  '! grep -qF -e "$ESSNAP_TEST_S3_SECRET_ACCESS_KEY" -e "$ESSNAP_TEST_AWS_SECRET_ACCESS_KEY" <<<"$out"'
check "no secret in the stack's logs" \
  '! grep -rqF -e "$ESSNAP_TEST_S3_SECRET_ACCESS_KEY" -e "$ESSNAP_TEST_AWS_SECRET_ACCESS_KEY" "$ESSNAP_STACK_DIR/logs" "$ESSNAP_STACK_DIR/run"/*/logs 2>/dev/null'
if [[ $(id -u) -eq 0 ]]; then
  check "the engines do not run as root" \
    '[[ -z $(ps -o user= -p "$(for s in "${servers[@]:3}"; do cut -d" " -f1 "$ESSNAP_STACK_DIR/pids/$s.pid"; done | paste -sd,)" | grep -x root) ]]'
fi
echo "stack_status: $pass passed, $fail failed"
((fail == 0))
