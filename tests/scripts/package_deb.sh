#!/usr/bin/env bash
# The .deb on a clean Debian: built with CPack from the build tree (the install rules of
# cmake/install.cmake, as `make package` does from build-release/), installed with apt into a root
# made by `debootstrap --variant=minbase` with only the dependencies it declares (no recommends),
# then from inside that root `essnap --version` and `essnap request GET /` to the stack's cluster
# (the root shares the host's network). Also: the package holds exactly the files, byte for byte,
# that `cmake --install` (what `make install` runs) writes under DESTDIR with the same prefix; the
# binary is stripped with a debuglink to essnap.debug; Depends: names the libraries the binary
# links; the version is kVersion of src/essnap/version.hpp (the one place).
#
# Needs root (debootstrap, chroot), debootstrap (scripts/install-deps.sh stack) and the stack; skips
# without them, fails with CI=true. The Debian mirror is the one this machine's apt uses (read from
# `apt-get indextargets`, never written here). The minbase root is built once and cached as a
# tarball beside the stack's downloads ($ESSNAP_STACK_DIR/cache/debootstrap/), with its apt lists and
# the .debs the package pulled in, so a warm run downloads nothing. docs/TESTING.md has the timings.
set -euo pipefail
SRC=${ESSNAP_SOURCE_DIR:?}
BUILD=${ESSNAP_BUILD_DIR:?}
t0=$(date +%s)
say() { echo "package_deb: $* (+$(($(date +%s) - t0))s)"; }
fail() { echo "FAIL: $*"; exit 1; }
skip() {
  if [[ ${CI:-} == true ]]; then fail "$* (CI=true: this test does not skip)"; fi
  echo "SKIP: $*"
  exit 0
}

# The loopback guard (LD_PRELOAD from ctest) stays on for essnap itself, inside the root (below);
# the package tools and the mirror downloads run without it.
GUARD=${LD_PRELOAD:-}
GUARD_LOG=${ESSNAP_LOOPBACK_GUARD_LOG:-}
unset LD_PRELOAD

[[ $(id -u) -eq 0 ]] || skip "needs root (debootstrap, chroot)"
command -v debootstrap >/dev/null || skip "debootstrap not installed (scripts/install-deps.sh stack)"
command -v cpack >/dev/null && command -v dpkg-deb >/dev/null || fail "cpack / dpkg-deb missing"

# The stack: where its cache is, and a cluster to ask.
ENV_FILE=${ESSNAP_STACK_ENV:-$SRC/.stack/env}
[[ -f $ENV_FILE ]] || skip "$ENV_FILE is missing; start the stack with \`make stack-up\`"
# shellcheck disable=SC1090
source "$ENV_FILE"
URL=${ESSNAP_TEST_OPENSEARCH_URL:-}
if [[ -z $URL && -n ${ESSNAP_TEST_ENGINES:-} ]]; then URL=${ESSNAP_TEST_ENGINES%% *} && URL=${URL#*=}; fi
[[ -n $URL ]] || skip "no cluster in $ENV_FILE"
CACHE=${ESSNAP_STACK_DIR:-$SRC/.stack}/cache/debootstrap

VERSION=$(sed -nE 's/.*kVersion = "([0-9.]+)";.*/\1/p' "$SRC/src/essnap/version.hpp")
[[ -n $VERSION ]] || fail "no kVersion in src/essnap/version.hpp"

# What the build made for installing (the essnap_stripped and essnap_docs targets, part of `all`).
# Man pages and completions exist once the tree has `essnap generate-man` / `completion`.
DOCS=0
[[ -f $SRC/src/essnap/cli/cmd_completion.cpp ]] && DOCS=1
built=("$BUILD/stripped/essnap" "$BUILD/essnap.debug")
((DOCS)) && built+=("$BUILD/generated/man.stamp")
for f in "${built[@]}"; do
  [[ -f $f ]] || skip "$f not built (ninja -C $BUILD essnap_stripped essnap_docs; make build does)"
done
[[ ! $BUILD/essnap -nt $BUILD/stripped/essnap ]] ||
  fail "$BUILD/stripped/essnap is older than essnap (ninja -C $BUILD essnap_stripped essnap_docs)"

WORK=$(mktemp -d /tmp/essnap-package-deb.XXXXXX)
ROOT=$WORK/root
cleanup() {
  if mountpoint -q "$ROOT/proc" 2>/dev/null; then umount "$ROOT/proc" || umount -l "$ROOT/proc"; fi
  # Nothing may still be mounted below the root before it is deleted.
  if grep -q " $WORK/" /proc/mounts; then
    echo "package_deb: mounts left under $WORK; not deleting it" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

# 1. The package and the install tree, from the same install rules and the same prefix.
(cd "$BUILD" && cpack -G DEB -B "$WORK/pkg" >"$WORK/cpack.log" 2>&1) ||
  { cat "$WORK/cpack.log"; fail "cpack -G DEB failed"; }
DEB=$(ls "$WORK"/pkg/essnap_*.deb)
say "built $(basename "$DEB") ($(du -k "$DEB" | cut -f1) KiB)"
DESTDIR=$WORK/destdir cmake --install "$BUILD" --prefix /usr >"$WORK/install.log" 2>&1 ||
  { cat "$WORK/install.log"; fail "cmake --install failed"; }
mkdir "$WORK/unpacked"
dpkg-deb -x "$DEB" "$WORK/unpacked"
tree_sums() { (cd "$1" && find . \( -type f -o -type l \) -printf '%P %m\n' | sort | while read -r p m; do
  echo "$p $m $(sha256sum <"$p" | cut -c1-16)"; done); }
tree_sums "$WORK/destdir" >"$WORK/install.list"
tree_sums "$WORK/unpacked" >"$WORK/deb.list"
diff -u "$WORK/install.list" "$WORK/deb.list" >"$WORK/list.diff" ||
  { cat "$WORK/list.diff"; fail "the .deb and cmake --install DESTDIR=... --prefix /usr differ (- install, + deb)"; }
wanted=(usr/bin/essnap usr/lib/systemd/system/essnap.service usr/lib/systemd/system/essnap-once.service
  usr/lib/systemd/system/essnap-once.timer usr/share/doc/essnap/examples/essnap.yaml)
((DOCS)) && wanted+=(usr/share/man/man1/essnap.1 usr/share/man/man1/essnap-run.1
  usr/share/bash-completion/completions/essnap usr/share/zsh/vendor-completions/_essnap
  usr/share/fish/vendor_completions.d/essnap.fish)
for want in "${wanted[@]}"; do
  grep -q "^$want " "$WORK/deb.list" || fail "$want is not in the package"
done
grep -q "^ExecStart=/usr/bin/essnap " "$WORK/unpacked/usr/lib/systemd/system/essnap.service" ||
  fail "the packaged essnap.service does not run /usr/bin/essnap"
if readelf -S "$WORK/unpacked/usr/bin/essnap" | grep -qE '\.debug_|\.symtab'; then
  fail "usr/bin/essnap is not stripped"
fi
readelf -x .gnu_debuglink "$WORK/unpacked/usr/bin/essnap" 2>/dev/null | grep -q "essnap.debug" ||
  fail "usr/bin/essnap has no .gnu_debuglink to essnap.debug"
[[ $(dpkg-deb -f "$DEB" Version) == "$VERSION" ]] ||
  fail "package version $(dpkg-deb -f "$DEB" Version), kVersion $VERSION"
depends=$(dpkg-deb -f "$DEB" Depends)
for lib in libc6 libcurl4 libssl3 libstdc++6; do
  [[ $depends == *"$lib "* || $depends == *"$lib," || $depends == *"$lib" ]] ||
    fail "Depends: lacks $lib (computed from the binary's libraries): $depends"
done
say "file lists equal ($(wc -l <"$WORK/deb.list") files); Depends: $depends"

# 2. A clean Debian root of this machine's release, from this machine's mirror, made once and
# cached (scripts/debian-root.sh; `make test` makes it in the background while it compiles).
set +e
TARBALL=$("$SRC/scripts/debian-root.sh" "$CACHE" 2>"$WORK/root.log")
rc=$?
set -e
cat "$WORK/root.log"
((rc == 2)) && skip "$(tail -n 1 "$WORK/root.log")"
((rc == 0)) || fail "the minbase root could not be made (above)"
SUITE=$(. /etc/os-release && echo "$VERSION_CODENAME")
say "root: $TARBALL"
exec 9>"$CACHE/.lock"
flock 9
mkdir "$ROOT"
tar -C "$ROOT" --zstd -xf "$TARBALL"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
say "root unpacked"
dpkg-query --admindir="$ROOT/var/lib/dpkg" -W essnap >/dev/null 2>&1 && fail "the cached root already has essnap"

# 3. Install with apt: the .deb and the dependencies it declares, nothing recommended. The .debs
# apt fetches are kept in the cache for the next run; stale lists are refreshed once.
cp "$DEB" "$ROOT/tmp/"
find "$CACHE/archives" -name '*.deb' -exec cp {} "$ROOT/var/cache/apt/archives/" \;
mount -t proc proc "$ROOT/proc"
before=$(chroot "$ROOT" dpkg-query -W | wc -l)
install_deb() {
  chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "/tmp/$(basename "$DEB")" >"$WORK/apt-install.log" 2>&1
}
if ! install_deb; then
  say "apt-get install failed; refreshing the lists and trying again"
  chroot "$ROOT" apt-get update -qq >"$WORK/apt.log" 2>&1 || { cat "$WORK/apt.log"; fail "apt-get update failed"; }
  install_deb || { cat "$WORK/apt-install.log"; fail "apt-get install of the .deb in a clean $SUITE root failed"; }
fi
find "$ROOT/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -exec cp -n {} "$CACHE/archives/" \;
say "installed essnap and $(($(chroot "$ROOT" dpkg-query -W | wc -l) - before - 1)) packages it depends on"
# Only what it declares: ca-certificates, recommended by essnap and by libcurl4, stays out.
[[ $(chroot "$ROOT" dpkg-query -W -f='${Status}' ca-certificates 2>/dev/null) != "install ok installed" ]] ||
  fail "a recommended package (ca-certificates) was installed"

# 4. From inside the root: the version, and a request to the stack's cluster, under the loopback
# guard when the test runs under it (its log joins the run's).
inside=(chroot "$ROOT" env -i PATH=/usr/bin:/bin HOME=/root AWS_EC2_METADATA_DISABLED=true)
if [[ -n $GUARD && -f $GUARD ]]; then
  cp "$GUARD" "$ROOT/tmp/guard.so"
  inside+=(LD_PRELOAD=/tmp/guard.so ESSNAP_LOOPBACK_GUARD_LOG=/tmp/guard.log)
fi
out=$("${inside[@]}" essnap --version) || fail "essnap --version in the root failed"
echo "inside: $out"
version_re="^essnap ${VERSION//./\\.} \\(commit ([0-9a-f]{7,}|unknown), built [0-9]{4}-[0-9]{2}-[0-9]{2}\\)$"
[[ $out =~ $version_re ]] ||
  fail "essnap --version says '$out'"
out=$("${inside[@]}" essnap request GET / --url "$URL" --auth none 2>&1) ||
  fail "essnap request GET / --url $URL in the root failed: $out"
echo "inside: essnap request GET / --url $URL: $(echo "$out" | tr -d '\n' | cut -c1-160)"
grep -q '"cluster_name"' <<<"$out" || fail "no cluster_name in the answer: $out"
if [[ -s $ROOT/tmp/guard.log ]]; then
  [[ -n $GUARD_LOG ]] && cat "$ROOT/tmp/guard.log" >>"$GUARD_LOG"
  fail "essnap in the root tried to leave loopback: $(cat "$ROOT/tmp/guard.log")"
fi
say "ok"
