# shellcheck shell=bash
# Common to every server of the local test stack (sourced by scripts/stack.sh): where state lives,
# logging, pid files and process groups, ports, waiting, the unprivileged user, Java, downloads
# through mvn, and the quoting of .stack/env. Each server's own logic is in scripts/stack/<server>.sh.
# shellcheck disable=SC2034 # the settings below are used by the server files

STACK_DIR=${ESSNAP_STACK_DIR:-$ROOT/.stack}
HELPER=$ROOT/scripts/stack/stackctl.py
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

declare -A STARTED_AT=() # server -> epoch second its process was launched by this run
RUN_AS=()                # the command prefix that drops to $STACK_USER (empty when not root)

log() { printf 'stack: %s\n' "$*"; }
warn() { printf 'stack: %s\n' "$*" >&2; }
die() { printf 'stack: error: %s\n' "$*" >&2; exit 1; }
now() { date +%s; }
is_root() { [[ $(id -u) -eq 0 ]]; }
since() { echo "$(($(now) - ${STARTED_AT[$1]}))s"; } # since NAME — seconds since NAME's launch

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
running() { pid_of "$1" >/dev/null; }

launch() { # launch NAME LOGFILE CMD... — in a new session, stdin closed, output to LOGFILE
  local name=$1 logf=$2; shift 2
  mkdir -p "$PIDS" "$(dirname "$logf")"
  : >"$logf"
  setsid "$@" >>"$logf" 2>&1 </dev/null &
  local pid=$!
  local st=""
  for _ in 1 2 3 4 5 6 7 8 9 10; do st=$(proc_start "$pid" 2>/dev/null || true); [[ -n $st ]] && break; sleep 0.05; done
  echo "$pid $st" >"$PIDS/$name.pid"
  STARTED_AT[$name]=$(now)
}

stop_server() { # stop_server NAME GRACE_SECONDS — TERM the process group, KILL after the grace
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

# ---------------------------------------------------------------------------------------------
# Ports and waiting.
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

http_code() { curl -s -o /dev/null -w '%{http_code}' -m "${2:-3}" "$1" 2>/dev/null; } # http_code URL [SECS]

# wait_for NAME DEADLINE INTERVAL CMD... — run CMD every INTERVAL seconds until it succeeds. Fails
# when NAME's process is gone (WAIT_WHY=exited) or the epoch second DEADLINE passes (=timeout).
wait_for() {
  local name=$1 deadline=$2 interval=$3; shift 3
  WAIT_WHY=""
  until "$@"; do
    running "$name" || { WAIT_WHY=exited; return 1; }
    (($(now) >= deadline)) && { WAIT_WHY=timeout; return 1; }
    sleep "$interval"
  done
}

# ---------------------------------------------------------------------------------------------
# The unprivileged user, Java, downloads.
ensure_user() { # as root: create $STACK_USER once and set RUN_AS to drop to it
  if ! is_root; then RUN_AS=(); return; fi
  if ! id -u "$STACK_USER" >/dev/null 2>&1; then
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin "$STACK_USER"
    log "created unprivileged user $STACK_USER for the servers"
  fi
  RUN_AS=(setpriv "--reuid=$STACK_USER" "--regid=$STACK_USER" --init-groups --)
  reach_stack_dir
}
# The servers run as $STACK_USER inside $STACK_DIR, so every directory above it must let that
# user pass through. A checkout in a `mktemp -d` directory (mode 0700) does not: grant search
# permission only (o+x: no listing, no reading) on exactly the directories that lack it, and say so.
reach_stack_dir() {
  local d
  d=$(dirname "$(realpath -m "$STACK_DIR")")
  while [[ $d != / ]]; do
    if [[ -d $d ]] && ! "${RUN_AS[@]}" test -x "$d"; then
      chmod o+x "$d"
      log "made $d passable (o+x, no read) for $STACK_USER: the servers run below it"
    fi
    d=$(dirname "$d")
  done
}
own() { if is_root; then chown -R "$STACK_USER:$STACK_USER" "$@" || true; fi; }

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

# ---------------------------------------------------------------------------------------------
# .stack/env: `export NAME=value` lines, value quoted with printf %q (the C++ tests and stackenv.py
# read them back). write_env_file FILE FUNC... runs each FUNC, which prints its lines with env_q.
env_q() { printf 'export %s=%q\n' "$1" "$2"; }

write_env_file() {
  local file=$1 tmp=$1.tmp fn; shift
  (
    umask 077
    {
      echo "# Written by scripts/stack.sh up on $(date -u +%FT%TZ). Source it: . .stack/env"
      for fn in "$@"; do "$fn"; done
    } >"$tmp"
  )
  mv "$tmp" "$file"
}
