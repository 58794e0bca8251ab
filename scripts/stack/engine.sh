# shellcheck shell=bash
# The engines (OpenSearch, Elasticsearch): one integ-test zip from Maven Central per version, each
# node with a private config dir, single node on 127.0.0.1, run as the unprivileged user.
#
# Adding an engine version is adding one line to ENGINE_TABLE:
#   name    the server's name in `status`, pid files and .stack/run/<name>/; its upper-case form
#           NAME gives .stack/env's ESSNAP_TEST_<NAME>_URL/_VERSION/_FS_REPO_PATH (and
#           _S3_REPO_PATH/_S3_REPO_PREFIX with a bucket prefix) and the knob
#           ESSNAP_STACK_<NAME>_VERSION, which overrides the version column
#   kind    opensearch | elasticsearch (the differences between the two are the KIND_* maps below)
#   version the default version (the zip's Maven version)
#   port    the offset from ESSNAP_STACK_BASE_PORT: HTTP at base+port, transport at base+100+port
#   java    MIN-MAX: the newest JDK under /usr/lib/jvm with major in MIN..MAX, else the newest >= MIN
#   s3      a key prefix in the test bucket that becomes part of path.repo through the S3 mount
#           (the engine then starts only once the mount is up), or - for none
#   when    always, or a knob NAME=auto|1|0: auto runs the engine when its Java exists, 1 requires
#           it, 0 leaves it out
# ESSNAP_STACK_ENGINES=name[,name...] (or space-separated) runs only those engines.
#
# One engine per major essnap supports (Elasticsearch 7, 8, 9; OpenSearch 1, 2, 3), plus
# Elasticsearch 7.10.2 (the version OpenSearch forked from, still common on Amazon's managed
# service) and Elasticsearch 6.8.23, a source only: the index created-version rule needs an index
# created in 6.x (essnap's cluster suites do not run on it; tests/support/stack_engines.hpp).
# Elasticsearch 9 needs Java 21+ (Java 25 here); the others run on Java 17; Elasticsearch before
# 7.12 reads JAVA_HOME (engine_start). Heap: ESSNAP_STACK_HEAP (512m) each, ~700 MB resident.
# shellcheck disable=SC2034 # ENGINE_* are read by scripts/stack.sh

ENGINE_TABLE=$(cat <<'EOF'
# name            kind           version  port  java   s3                  when
opensearch        opensearch     2.19.6   0     17-20  opensearch-2        always
elasticsearch     elasticsearch  8.19.7   1     17-20  elasticsearch-8     always
opensearch3       opensearch     3.3.0    2     21-99  opensearch-3        ESSNAP_STACK_OS3=auto
elasticsearch7    elasticsearch  7.17.29  3     17-17  elasticsearch-7     always
elasticsearch9    elasticsearch  9.2.0    4     21-99  elasticsearch-9     ESSNAP_STACK_ES9=auto
opensearch1       opensearch     1.3.20   5     11-17  opensearch-1        always
elasticsearch710  elasticsearch  7.10.2   6     11-17  elasticsearch-7.10  ESSNAP_STACK_ES710=auto
elasticsearch6    elasticsearch  6.8.23   7     11-17  elasticsearch-6     ESSNAP_STACK_ES6=auto
EOF
)

declare -A KIND_GROUP=([opensearch]=org.opensearch.distribution.integ-test-zip
  [elasticsearch]=org.elasticsearch.distribution.integ-test-zip)
declare -A KIND_ENV_PREFIX=([opensearch]=OPENSEARCH [elasticsearch]=ES) # <P>_JAVA_HOME, _PATH_CONF, _TMPDIR
declare -A KIND_YML_EXTRA=([opensearch]="" [elasticsearch]="xpack.security.enabled: false")

# The old names of some per-engine variables, still written: VARIABLE ENGINE FIELD.
ENGINE_ENV_ALIASES=$(cat <<'EOF'
ESSNAP_TEST_FS_REPO_PATH    elasticsearch  FS_REPO_PATH
ESSNAP_TEST_S3_REPO_PATH    opensearch     S3_REPO_PATH
ESSNAP_TEST_S3_REPO_PREFIX  opensearch     S3_REPO_PREFIX
EOF
)

declare -A E_KIND=() E_VERSION=() E_HTTP=() E_TRANSPORT=() E_JAVA=() E_S3=() E_WHEN=()
ENGINES=() # every engine of the table, in table order
while read -r _n _kind _ver _port _java _s3 _when; do
  [[ -z $_n || $_n == \#* ]] && continue
  _var=ESSNAP_STACK_${_n^^}_VERSION
  ENGINES+=("$_n")
  E_KIND[$_n]=$_kind E_VERSION[$_n]=${!_var:-$_ver} E_JAVA[$_n]=$_java E_S3[$_n]=$_s3 E_WHEN[$_n]=$_when
  E_HTTP[$_n]=$((BASE + _port)) E_TRANSPORT[$_n]=$((BASE + 100 + _port))
done <<<"$ENGINE_TABLE"
unset _n _kind _ver _port _java _s3 _when _var

is_engine() { [[ -n ${E_KIND[$1]:-} ]]; }
engine_url() { echo "http://$HOST:${E_HTTP[$1]}"; }
engine_java() { # engine_java NAME — the JDK for NAME's java column, or fails
  local min=${E_JAVA[$1]%-*} max=${E_JAVA[$1]#*-}
  find_java "$min" "$max" || find_java "$min" 99
}

wanted_engines() { # the engines `up` would start, in table order
  local sel=${ESSNAP_STACK_ENGINES:-} name knob
  sel=${sel//,/ }
  for name in $sel; do is_engine "$name" || die "ESSNAP_STACK_ENGINES: unknown engine '$name' (known: ${ENGINES[*]})"; done
  for name in "${ENGINES[@]}"; do
    if [[ -n $sel ]]; then [[ " $sel " == *" $name "* ]] && echo "$name"; continue; fi
    [[ ${E_WHEN[$name]} == always ]] && { echo "$name"; continue; }
    knob=${E_WHEN[$name]%%=*}
    case ${!knob:-${E_WHEN[$name]#*=}} in
      1 | true | yes) echo "$name" ;;
      auto) [[ -n $(engine_java "$name") ]] && echo "$name" ;;
    esac
  done
  return 0
}

engine_fetch() { fetch_dist "${KIND_GROUP[${E_KIND[$1]}]}" "${E_KIND[$1]}" "${E_VERSION[$1]}"; }

engine_start() { # engine_start NAME
  local name=$1 kind=${E_KIND[$1]} version=${E_VERSION[$1]} http=${E_HTTP[$1]} tport=${E_TRANSPORT[$1]}
  local java_home prefix=${KIND_ENV_PREFIX[${E_KIND[$1]}]} repos=() node=$RUN/$1 home
  java_home=$(engine_java "$name") || { warn "$name: no suitable Java under /usr/lib/jvm"; return 1; }
  # The engine's own prefix first (a relative `location` resolves against the first entry, and
  # only the prefix is the server user's), then the whole S3 mount: any engine can register any
  # other's repository (read-only), as a migration does.
  [[ ${E_S3[$name]} != - ]] && repos+=("$MNT/${E_S3[$name]}" "$MNT")
  repos+=("$node/repo")
  check_ports_free "$name" "$http" "$tport" || return 1

  home=$(fetch_dist "${KIND_GROUP[$kind]}" "$kind" "$version")
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
  # Elasticsearch 7.10's integ-test zip has no x-pack modules, so no xpack.* setting exists there.
  if [[ -n ${KIND_YML_EXTRA[$kind]} && ( $kind != elasticsearch || -d $home/modules/x-pack-security ) ]]; then
    echo "${KIND_YML_EXTRA[$kind]}" >>"$yml"
  fi
  own "$node"

  # Elasticsearch before 7.12 reads JAVA_HOME only (ES_JAVA_HOME came with 7.12).
  local java_var=${prefix}_JAVA_HOME
  grep -q "$java_var" "$home/bin/$kind-env" 2>/dev/null || java_var=JAVA_HOME
  launch "$name" "$LOGS/$name.log" env -i PATH=/usr/bin:/bin LANG=C.UTF-8 HOME="$node" \
    "$java_var=$java_home" "${prefix}_PATH_CONF=$node/config" "${prefix}_TMPDIR=$node/tmp" \
    "${RUN_AS[@]}" "$home/bin/$kind"
}

# The integ-test zips lack Elasticsearch's rest-root module, so `GET /` answers 405 there; the node
# info API is in the core of both engines.
engine_node_version() {
  curl -s -m 5 "$1/_nodes/_local?filter_path=nodes.*.version" 2>/dev/null |
    sed -nE 's/.*"version" *: *"([^"]+)".*/\1/p' | head -1
}
engine_answers() { [[ -n $(engine_node_version "$1") ]]; }

engine_wait() { # engine_wait NAME — until the node answers with its version and health is yellow
  local name=$1 version=${E_VERSION[$1]} url deadline got left
  url=$(engine_url "$name")
  deadline=$((${STARTED_AT[$name]:-$(now)} + TIMEOUT))
  if ! wait_for "$name" "$deadline" 1 engine_answers "$url"; then
    if [[ $WAIT_WHY == exited ]]; then warn "$name exited during start"
    else warn "$name did not answer on $url within ${TIMEOUT}s"; fi
    log_tail "$name" "$LOGS/$name.log" "$RUN/$name/logs/essnap-$name.log"
    return 1
  fi
  got=$(engine_node_version "$url")
  [[ $got == "$version" ]] || { warn "$name answers with version '$got', expected $version"; return 1; }
  left=$((deadline - $(now))); ((left < 10)) && left=10
  curl -sf -m $((left + 5)) "$url/_cluster/health?wait_for_status=yellow&timeout=${left}s" >/dev/null ||
    { warn "$name: cluster health did not reach yellow"; return 1; }
  log "$name $version up on $url ($(since "$name"))"
}

# A name in a running stack's state may have left the table: shown, stoppable, never "up".
engine_describe() { if is_engine "$1"; then echo "${E_VERSION[$1]} $(engine_url "$1")"; else echo "- -"; fi; }
engine_probe() { # engine_probe NAME -> the state of a running engine: up | starting
  is_engine "$1" || { echo not-in-table; return; }
  if [[ $(engine_node_version "$(engine_url "$1")") == "${E_VERSION[$1]}" ]]; then echo up; else echo starting; fi
}
engine_stop() { stop_server "$1" 60; }

engine_env() { # engine_env NAME — NAME's lines of .stack/env
  local name=$1 var=ESSNAP_TEST_${1^^}
  env_q "${var}_URL" "$(engine_url "$name")"
  env_q "${var}_VERSION" "${E_VERSION[$name]}"
  env_q "${var}_FS_REPO_PATH" "$RUN/$name/repo"
  if [[ ${E_S3[$name]} != - ]]; then
    env_q "${var}_S3_REPO_PATH" "$MNT/${E_S3[$name]}"
    env_q "${var}_S3_REPO_PREFIX" "${E_S3[$name]}"
  fi
}

engines_env() { # engines_env NAME... — the lines of these engines, the old aliases, the list
  local name alias engine field names=()
  for name in "$@"; do engine_env "$name"; names+=("${name^^}=$(engine_url "$name")"); done
  while read -r alias engine field; do
    [[ " $* " == *" $engine "* ]] || continue
    engine_env "$engine" | sed -n "s|^export ESSNAP_TEST_${engine^^}_${field}=|export $alias=|p"
  done <<<"$ENGINE_ENV_ALIASES"
  env_q ESSNAP_TEST_ENGINES "${names[*]}"  # space-separated NAME=URL
}
