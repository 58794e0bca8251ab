#!/usr/bin/env bash
# The loopback guard (tests/support/loopback_guard.cpp) refuses and logs what leaves loopback, and
# lets loopback through: shown with Python (TCP, UDP, IPv6) and with the essnap binary itself.
# Every other test runs under the same guard (tests/CMakeLists.txt) and scripts/run-tests.sh fails
# the run when its log is not empty; the attempts made here go to a log of their own.
set -euo pipefail
guard="${ESSNAP_BUILD_DIR:?}/tests/libessnap_loopback_guard.so"
[[ -f $guard ]] || { echo "FAIL: $guard not built"; exit 1; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
guarded() { ESSNAP_LOOPBACK_GUARD_LOG="$log" LD_PRELOAD="$guard" "$@"; }
fail() { echo "FAIL: $*"; echo "--- guard log:"; cat "$log"; exit 1; }

try_py() {
  guarded python3 - "$@" <<'PY'
import errno, socket, sys
kind, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
family = socket.AF_INET6 if ":" in host else socket.AF_INET
s = socket.socket(family, socket.SOCK_DGRAM if kind == "udp" else socket.SOCK_STREAM)
s.settimeout(3)
try:
    if kind == "udp":
        s.sendto(b"x", (host, port))
    else:
        s.connect((host, port))
    print("sent")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
PY
}

[[ $(try_py tcp 192.0.2.1 9) == ENETUNREACH ]] || fail "TCP to 192.0.2.1 was not refused"
grep -q "connect to 192.0.2.1 port 9 refused: not loopback" "$log" || fail "TCP attempt not logged"
[[ $(try_py udp 198.51.100.7 53) == ENETUNREACH ]] || fail "UDP to 198.51.100.7 was not refused"
grep -q "sendto to 198.51.100.7 port 53" "$log" || fail "UDP attempt not logged"
[[ $(try_py tcp 2001:db8::1 443) == ENETUNREACH ]] || fail "TCP to 2001:db8::1 was not refused"
grep -q "connect to 2001:db8::1 port 443" "$log" || fail "IPv6 attempt not logged"
[[ $(try_py tcp 169.254.169.254 80) == ENETUNREACH ]] || fail "the EC2 metadata address was reachable"

# Loopback is not touched: a closed port answers ECONNREFUSED (the kernel's answer), not logged.
lines=$(wc -l <"$log")
[[ $(try_py tcp 127.0.0.1 1) == ECONNREFUSED ]] || fail "loopback was blocked"
[[ $(try_py udp 127.0.0.1 9) == sent ]] || fail "loopback UDP was blocked"
[[ $(try_py tcp ::1 1) == ECONNREFUSED ]] || fail "::1 was blocked"
[[ $(wc -l <"$log") == "$lines" ]] || fail "loopback traffic was logged"

# The essnap binary under the guard: a cluster URL off loopback is refused before any byte leaves.
set +e
out=$(guarded "${ESSNAP_BINARY:?}" request GET / --url http://192.0.2.10:9200 --auth none \
  --connect-timeout 2 2>&1)
rc=$?
set -e
[[ $rc != 0 ]] || fail "essnap reached 192.0.2.10: $out"
grep -q "connect to 192.0.2.10 port 9200" "$log" || fail "essnap's attempt not logged: $out"
echo "ok: off-loopback connect/sendto refused and logged ($(wc -l <"$log") attempts), loopback untouched"
