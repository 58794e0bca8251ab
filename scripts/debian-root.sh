#!/usr/bin/env bash
# The clean Debian root of tests/scripts/package_deb.sh: `debootstrap --variant=minbase` of this
# machine's release from this machine's mirror (read from `apt-get indextargets`, never written
# here), with its apt lists, cached as a tarball. One place for it, so that `make test`
# (scripts/run-tests.sh) can build it in the background while the compiler runs and the test finds
# it made.
#
#   scripts/debian-root.sh CACHE_DIR   prints the tarball's path; builds it first when missing
#
# Exit 0: the path is printed. Exit 2: no root can be made here (no release name, no apt source for
# it; the reason on stderr; the test skips). Exit 1: building failed (the log on stderr). Needs
# root and debootstrap. Concurrent callers wait on CACHE_DIR/.lock: one builds, the others reuse.
set -euo pipefail
CACHE=${1:?usage: $0 CACHE_DIR}
t0=$(date +%s)
say() { echo "debian-root: $* (+$(($(date +%s) - t0))s)" >&2; }

SUITE=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[[ -n $SUITE ]] || { echo "no VERSION_CODENAME in /etc/os-release" >&2; exit 2; }
ARCH=$(dpkg --print-architecture)
# "URI SUITE" of each main component of this release that apt here knows (bookworm, -updates, -security).
mapfile -t SOURCES < <(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' \
  "Created-By: Packages" "Component: main" "Architecture: $ARCH" | awk -v s="$SUITE" '$2 == s || index($2, s "-") == 1' | sort -u)
MIRROR=""
for line in "${SOURCES[@]}"; do [[ ${line#* } == "$SUITE" ]] && MIRROR=${line%% *}; done
[[ -n $MIRROR ]] || { echo "no apt source for $SUITE main in this machine's apt configuration" >&2; exit 2; }
key=$(printf '%s\n' v1 "${SOURCES[@]}" | sha256sum | cut -c1-12)
TARBALL=$CACHE/$SUITE-$ARCH-minbase-$key.tar.zst
mkdir -p "$CACHE" "$CACHE/archives"
if [[ -f $TARBALL ]]; then echo "$TARBALL"; exit 0; fi

exec 9>"$CACHE/.lock"
flock 9
if [[ ! -f $TARBALL ]]; then
  WORK=$(mktemp -d /tmp/essnap-debian-root.XXXXXX)
  # Nothing may still be mounted below it (a debootstrap that failed half-way) before it is deleted.
  trap 'if grep -q " $WORK/" /proc/mounts; then echo "debian-root: mounts left under $WORK; not deleting it" >&2; else rm -rf "$WORK"; fi' EXIT
  say "building the $SUITE minbase root (once; cached as $TARBALL)"
  mkdir "$WORK/fresh"
  debootstrap --variant=minbase --arch="$ARCH" "$SUITE" "$WORK/fresh" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
    { tail -n 30 "$WORK/debootstrap.log" >&2; echo "debootstrap $SUITE from $MIRROR failed" >&2; exit 1; }
  for line in "${SOURCES[@]}"; do echo "deb ${line%% *} ${line#* } main"; done >"$WORK/fresh/etc/apt/sources.list"
  cp /etc/resolv.conf "$WORK/fresh/etc/resolv.conf"
  chroot "$WORK/fresh" apt-get update -qq >"$WORK/apt.log" 2>&1 ||
    { cat "$WORK/apt.log" >&2; echo "apt-get update in the root failed" >&2; exit 1; }
  chroot "$WORK/fresh" apt-get clean
  tar -C "$WORK/fresh" --zstd -cf "$TARBALL.tmp" . && mv "$TARBALL.tmp" "$TARBALL"
  say "root cached ($(du -k "$TARBALL" | cut -f1) KiB)"
fi
echo "$TARBALL"
