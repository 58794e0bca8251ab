#!/usr/bin/env bash
# Overhead of an idle `essnap run`: RSS and CPU over 30 s (DURATION) with a daily policy against
# the stack's Elasticsearch and the metrics endpoint on, scraped once a second (as Prometheus
# would, more often). Targets: RSS <= 20 MiB, CPU ~ 0. Run by bench/run.sh; figures in
# docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
BIN=$BUILD_DIR/essnap
DURATION=${DURATION:-30}
[[ -f .stack/env ]] && . .stack/env
URL=${ESSNAP_TEST_ELASTICSEARCH_URL:-http://127.0.0.1:19201}
tmp=$(mktemp -d /tmp/schedwt-idle.XXXXXX)
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$tmp/essnap.yaml" <<YAML
clusters:
  es: {url: "$URL"}
policies:
  idle: {cluster: es, repository: schedwt-idle, schedule: "0 3 1 1 *", prune: never}
metrics: {listen: "127.0.0.1:$port"}
YAML
"$BIN" run --config "$tmp/essnap.yaml" 2>"$tmp/log" &
pid=$!
sleep 1
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
t0=$(ticks)
max_rss=0
for ((i = 0; i < DURATION; i++)); do
  curl -s "http://127.0.0.1:$port/metrics" >/dev/null || true
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  ((rss > max_rss)) && max_rss=$rss
  sleep 1
done
t1=$(ticks)
hz=$(getconf CLK_TCK)
cpu_s=$(awk -v a="$t0" -v b="$t1" -v hz="$hz" 'BEGIN {printf "%.2f", (b - a) / hz}')
pct=$(awk -v s="$cpu_s" -v d="$DURATION" 'BEGIN {printf "%.3f", 100 * s / d}')
echo "essnap run idle for ${DURATION}s (metrics scraped every second): max RSS $((max_rss / 1024)).$(((max_rss % 1024) * 10 / 1024)) MiB, CPU ${cpu_s}s (${pct}%)"
((max_rss <= 20 * 1024)) || echo "  above the 20 MiB target" >&2
