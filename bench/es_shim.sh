# Sourced by the bench scripts: es_shim_start UPSTREAM_URL WORK_DIR [REQUEST_LOG] starts
# bench/es_shim.py in the background and sets SHIM (its http://127.0.0.1:PORT URL) and
# SHIM_PID; es_shim_stop ends it. See es_shim.py for why the shim exists.
SHIM="" SHIM_PID=""
es_shim_start() {
  python3 "$(dirname "${BASH_SOURCE[0]}")/es_shim.py" "$1" ${3:+"$3"} >"$2/shim.port" &
  SHIM_PID=$!
  for _ in $(seq 50); do [[ -s $2/shim.port ]] && break; sleep 0.1; done
  [[ -s $2/shim.port ]] || { echo "es_shim: did not start" >&2; return 1; }
  SHIM=http://127.0.0.1:$(head -1 "$2/shim.port")
}
es_shim_stop() { [[ -n $SHIM_PID ]] && kill "$SHIM_PID" 2>/dev/null; SHIM_PID=""; return 0; }
