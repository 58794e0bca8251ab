#!/usr/bin/env bash
# The local test stack: OpenSearch 1/2/3, Elasticsearch 7.10/7.17/8/9 (and 6.8), SeaweedFS (S3
# that requires SigV4, with the test bucket FUSE-mounted so an `fs` repository writes into it)
# and moto (IAM/STS/OpenSearch API with signature checking), all on 127.0.0.1, all state under
# .stack/. docs/TESTING.md explains it.
#
#   scripts/stack.sh up       start what is not running, wait until it answers, write .stack/env
#   scripts/stack.sh down     stop exactly what `up` started (pid files, process groups, FUSE mount)
#   scripts/stack.sh status   table of servers; exit 0 only when every server is up and answering
#   scripts/stack.sh reset    down, then delete the servers' state (keeps the download cache)
#
# Knobs: ESSNAP_STACK_BASE_PORT (19200), ESSNAP_STACK_OS3=auto|1|0 (OpenSearch 3.x on Java 21+),
# ESSNAP_STACK_ES9 / _ES710 / _ES6 =auto|1|0 (Elasticsearch 9 on Java 21+, 7.10.2, 6.8),
# ESSNAP_STACK_TIMEOUT (seconds per engine, 180), ESSNAP_STACK_HEAP (512m), CI=true (strict),
# ESSNAP_STACK_DIR (.stack), ESSNAP_STACK_<ENGINE>_VERSION (e.g. ESSNAP_STACK_OPENSEARCH_VERSION),
# ESSNAP_STACK_ENGINES (a subset of the engines, e.g. opensearch,elasticsearch).
#
# This file is the driver: the order of start and stop. Each server is one file under
# scripts/stack/ (engine.sh holds the table of engine versions, seaweedfs.sh, s3mount.sh, moto.sh),
# defining <server>_start, _wait, _describe, _probe, _stop and _env; lib.sh is what they share.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/stack/lib.sh
source "$ROOT/scripts/stack/lib.sh"
# shellcheck source=scripts/stack/engine.sh
source "$ROOT/scripts/stack/engine.sh"
# shellcheck source=scripts/stack/seaweedfs.sh
source "$ROOT/scripts/stack/seaweedfs.sh"
# shellcheck source=scripts/stack/s3mount.sh
source "$ROOT/scripts/stack/s3mount.sh"
# shellcheck source=scripts/stack/moto.sh
source "$ROOT/scripts/stack/moto.sh"

srv() { case $1 in seaweedfs | moto) echo "$1" ;; s3-mount) echo s3mount ;; *) echo engine ;; esac; }
servers() { # the servers of the running stack, or those `up` would start
  if [[ -f $STATE/servers ]]; then cat "$STATE/servers"; else wanted_servers; fi
}
wanted_servers() { printf '%s\n' seaweedfs s3-mount moto; wanted_engines; }
stack_engines() { local n; while read -r n; do is_engine "$n" && echo "$n"; done < <(servers); return 0; }

server_row() { # server_row NAME -> prints "version url pid state"; returns 0 when up
  local name=$1 pid state=down version url
  pid=$(pid_of "$name" 2>/dev/null) || pid="-"
  read -r version url < <("$(srv "$name")_describe" "$name")
  [[ $pid == - ]] || state=$("$(srv "$name")_probe" "$name")
  echo "${version:--} ${url:--} $pid $state"
  [[ $state == up ]]
}
all_engines() { # the table's engines and any other engine with a pid file (a row since removed)
  local f
  { printf '%s\n' "${ENGINES[@]}"; for f in "$PIDS"/*.pid; do [[ -e $f ]] && basename "$f" .pid; done; } |
    grep -vxE 'seaweedfs|s3-mount|moto' | awk '!seen[$0]++'
}
healthy() { server_row "$1" >/dev/null; }

cmd_status() {
  local name row ok=0
  printf '%-17s %-10s %-40s %-8s %s\n' SERVER VERSION URL PID STATE
  while read -r name; do
    row=$(server_row "$name") || ok=1
    # shellcheck disable=SC2086
    printf '%-17s %-10s %-40s %-8s %s\n' "$name" $row
  done < <(servers)
  [[ -f $ENV_FILE ]] || ok=1
  return $ok
}

stack_env() { env_q ESSNAP_STACK_DIR "$STACK_DIR"; env_q ESSNAP_STACK_BASE_PORT "$BASE"; }
write_env() {
  local engines
  engines=$(stack_engines | paste -sd' ')
  # shellcheck disable=SC2086 # engine names are single words
  env_engines() { engines_env $engines; }
  write_env_file "$ENV_FILE" stack_env env_engines seaweedfs_env s3mount_env moto_env
}

# ---------------------------------------------------------------------------------------------
STARTED_BY_US=()
FAILED=()
try() { # try NAME CMD... — record a failure instead of exiting
  local name=$1; shift
  if ! "$@"; then FAILED+=("$name"); return 1; fi
}
stop_ours() { # stop_ours NAME — stop NAME if this run started it
  printf '%s\n' "${STARTED_BY_US[@]}" | grep -qx "$1" || return 0
  "$(srv "$1")_stop" "$1" || true
}
failed() { printf '%s\n' "${FAILED[@]}" | grep -qx "$1"; }
start() { # start NAME — unless it runs: start it, remember that this run did
  running "$1" && return 0
  try "$1" "$(srv "$1")_start" "$1" && STARTED_BY_US+=("$1")
}

cmd_up() {
  local t0 name engines=() order=() i
  t0=$(now)
  mkdir -p "$STACK_DIR" "$CACHE" "$DIST" "$RUN" "$LOGS" "$PIDS" "$STATE"
  chmod 755 "$STACK_DIR" "$RUN" "$DIST"
  chmod 700 "$STATE"
  # A stack from another set of servers (e.g. OS3 toggled) is restarted as a whole.
  if [[ -f $STATE/servers ]] && ! diff -q <(sort "$STATE/servers") <(wanted_servers | sort) >/dev/null; then
    log "the set of servers changed; stopping the old stack first"
    cmd_down
  fi
  wanted_servers >"$STATE/servers"
  mapfile -t engines < <(stack_engines)

  local all_up=1
  while read -r name; do healthy "$name" || all_up=0; done < <(servers)
  if ((all_up)) && [[ -f $ENV_FILE ]]; then
    log "already up; nothing to do (scripts/stack.sh status for details)"
    return 0
  fi

  ensure_user
  seaweedfs_credentials
  # Downloads first (cold: minutes), so the servers' timeouts measure only their start.
  for name in "${engines[@]}"; do engine_fetch "$name" >/dev/null; done
  weed_bin >/dev/null

  running s3-mount && mounted && ensure_repo_dirs
  # A server whose process is alive but does not answer is restarted (an engine may be starting).
  for name in seaweedfs s3-mount moto; do
    if running "$name" && ! healthy "$name"; then
      warn "$name is running but not answering; restarting it"
      [[ $name == s3-mount ]] && unmount_s3
      stop_server "$name" 10 || true
    fi
  done
  running seaweedfs || unmount_s3
  if ! running seaweedfs && running s3-mount; then stop_server s3-mount 10 || true; fi

  # Engines without a bucket prefix need nothing else: start them first, the slow JVMs overlap
  # the rest. Those whose path.repo lives in the S3 mount start once the mount is there.
  for name in "${engines[@]}"; do
    if [[ ${E_S3[$name]} == - ]]; then order+=("$name"); start "$name" || true; fi
  done
  start seaweedfs || true
  start moto || true
  if ! failed seaweedfs && [[ -n ${STARTED_AT[seaweedfs]:-} ]]; then try seaweedfs seaweedfs_wait || true; fi
  failed seaweedfs || start s3-mount || true
  running s3-mount && mounted && ensure_repo_dirs
  for name in "${engines[@]}"; do
    [[ ${E_S3[$name]} == - ]] && continue
    running "$name" && continue
    order+=("$name")
    if ! running s3-mount; then
      warn "$name: not started, because its path.repo lives in the S3 mount, which is not up"
      FAILED+=("$name"); continue
    fi
    start "$name" || true
  done
  failed moto || try moto moto_wait || true
  for name in "${order[@]}"; do
    [[ -n ${STARTED_AT[$name]:-} ]] || continue
    failed "$name" && continue
    # In CI one failure fails the run: do not wait minutes for the rest only to stop them.
    [[ $CI == true && ${#FAILED[@]} -gt 0 ]] && continue
    try "$name" engine_wait "$name" || true
  done
  # moto's keys survive a restart of the others only while moto itself runs.
  [[ -n ${ESSNAP_TEST_AWS_ACCESS_KEY_ID:-} ]] || moto_load_key

  if ((${#FAILED[@]})); then
    warn "FAILED to start: ${FAILED[*]} (logs under $LOGS and $RUN/<server>/logs)"
    if [[ $CI == true ]]; then
      warn "CI=true: stopping what this run started"
      # Engines last-started first, then moto, the mount, SeaweedFS.
      for ((i = ${#engines[@]} - 1; i >= 0; i--)); do stop_ours "${engines[i]}"; done
      for name in moto s3-mount seaweedfs; do stop_ours "$name"; done
    else
      warn "the servers that did start are left running; scripts/stack.sh down stops them"
    fi
    return 1
  fi
  write_env
  log "stack up in $(($(now) - t0))s; environment in $ENV_FILE"
  cmd_status || true
}

cmd_down() {
  local name t0 stopped
  t0=$(now)
  mkdir -p "$STATE"
  : >"$STATE/stopped"
  stop_logged() { "$(srv "$1")_stop" "$1" && { log "stopped $1 (${STOP_SECONDS}s)"; echo "$1" >>"$STATE/stopped"; }; return 0; }
  # Engines first, together (they write into the mount); then the mount; then the S3 server and
  # moto, together.
  for name in $(all_engines); do stop_logged "$name" & done
  wait
  stop_logged s3-mount
  stop_logged seaweedfs &
  stop_logged moto &
  wait
  stopped=$(wc -l <"$STATE/stopped")
  rm -f "$ENV_FILE" "$STATE/servers" "$STATE/moto.env" "$STATE/stopped"
  if ((stopped)); then log "stack down in $(($(now) - t0))s"; else log "nothing was running"; fi
}

cmd_reset() {
  cmd_down
  if mounted; then die "$MNT is still mounted; not deleting state"; fi
  rm -rf "$RUN" "$LOGS" "$PIDS" "$STATE" "${STACK_DIR:?}/mnt"
  log "state deleted (the download cache in $CACHE and $DIST is kept)"
}

case ${1:-} in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  reset) cmd_reset ;;
  *) echo "usage: $0 up|down|status|reset" >&2; exit 2 ;;
esac
