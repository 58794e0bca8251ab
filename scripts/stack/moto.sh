# shellcheck shell=bash
# moto: IAM/STS/OpenSearch Service API with signature checking, as the invoking user (it is a Python
# package inside that user's environment). The first three actions are unauthenticated: `up`
# spends them on the admin user and its key; from then on moto checks every signature against its
# IAM keys. scripts/stack/moto_server.py is moto_server plus a fix to its signature check.

P_MOTO=$((BASE + 40))

moto_start() {
  python3 -c 'import moto.server' 2>/dev/null || die "moto is not installed; run scripts/install-deps.sh"
  check_ports_free moto "$P_MOTO" || return 1
  mkdir -p "$RUN/moto"
  launch moto "$LOGS/moto.log" env INITIAL_NO_AUTH_ACTION_COUNT=3 MOTO_CALL_RESET_API=false \
    python3 "$ROOT/scripts/stack/moto_server.py" -H "$HOST" -p "$P_MOTO"
  rm -f "$STATE/moto.env" # the admin key lives in moto's memory: a new process needs a new one
}

moto_answers() { curl -s -o /dev/null -m 2 "http://$HOST:$P_MOTO/moto-api/"; }

moto_wait() { # until moto answers (60 s); bootstrap the admin user once per moto process
  export ESSNAP_TEST_AWS_ENDPOINT=http://$HOST:$P_MOTO
  if ! wait_for moto $(($(now) + 60)) 0.3 moto_answers; then
    warn "moto did not answer on $ESSNAP_TEST_AWS_ENDPOINT"; log_tail moto "$LOGS/moto.log"; return 1
  fi
  if [[ ! -s $STATE/moto.env ]]; then
    (umask 077 && python3 "$HELPER" moto-bootstrap essnap-admin >"$STATE/moto.env.tmp") ||
      { warn "moto: bootstrap of the admin IAM user failed"; log_tail moto "$LOGS/moto.log"; return 1; }
    mv "$STATE/moto.env.tmp" "$STATE/moto.env"
  fi
  moto_load_key
  python3 "$HELPER" moto-check || { warn "moto: the admin key is not accepted"; return 1; }
  log "moto $(moto_version) up on $ESSNAP_TEST_AWS_ENDPOINT, IAM user essnap-admin${STARTED_AT[moto]:+ ($(since moto))}"
}

moto_load_key() { # the bootstrap key of the running moto, from the 0600 state file
  [[ -s $STATE/moto.env ]] || return 0
  # shellcheck disable=SC1090,SC1091
  source "$STATE/moto.env"
  export ESSNAP_TEST_AWS_ACCESS_KEY_ID ESSNAP_TEST_AWS_SECRET_ACCESS_KEY
}

moto_version() {
  [[ -s $STATE/moto.version ]] || python3 -c 'import moto; print(moto.__version__)' >"$STATE/moto.version" 2>/dev/null
  cat "$STATE/moto.version"
}

moto_describe() { echo "$(moto_version 2>/dev/null || echo -) http://$HOST:$P_MOTO"; }
moto_probe() { if [[ $(http_code "http://$HOST:$P_MOTO/moto-api/") == 200 ]]; then echo up; else echo starting; fi; }
moto_stop() { stop_server moto 10; }

moto_env() {
  env_q ESSNAP_TEST_AWS_ENDPOINT "http://$HOST:$P_MOTO"
  env_q ESSNAP_TEST_AWS_REGION "$REGION"
  env_q ESSNAP_TEST_AWS_ACCOUNT_ID 123456789012
  env_q ESSNAP_TEST_AWS_ACCESS_KEY_ID "$ESSNAP_TEST_AWS_ACCESS_KEY_ID"
  env_q ESSNAP_TEST_AWS_SECRET_ACCESS_KEY "$ESSNAP_TEST_AWS_SECRET_ACCESS_KEY"
  env_q ESSNAP_TEST_MOTO_VERSION "$(moto_version)"
}
