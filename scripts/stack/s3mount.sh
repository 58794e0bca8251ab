# shellcheck shell=bash
# The S3 mount: `weed mount` of the filer directory behind the test bucket on .stack/mnt/s3, so an
# engine's `fs` repository under path.repo writes into the bucket. Runs as root (it mounts without
# fusermount); needs seaweedfs.sh (the filer's ports, weed_bin) and engine.sh (the bucket prefixes).

mounted() { awk -v m="$MNT" '$2 == m {found=1} END {exit !found}' /proc/mounts; }
mount_answers() { mounted && timeout "${1:-5}" stat -t "$MNT/." >/dev/null 2>&1; }

unmount_s3() {
  if mounted; then umount "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null || warn "could not unmount $MNT"; fi
}

s3mount_prefixes() { # the engines' repository roots inside the bucket
  local name
  for name in "${ENGINES[@]}"; do [[ ${E_S3[$name]} != - ]] && echo "${E_S3[$name]}"; done
  return 0
}

ensure_repo_dirs() { # the repository roots exist in the mount, owned by the server user
  local d
  for d in $(s3mount_prefixes); do
    mkdir -p "$MNT/$d" && { if is_root; then chown "$STACK_USER:$STACK_USER" "$MNT/$d" || true; fi; }
  done
}

s3mount_start() { # start and wait (30 s): the engines with a bucket prefix need the mount at once
  local weed node=$RUN/s3-mount
  [[ -e /dev/fuse ]] || { warn "s3-mount: /dev/fuse is missing; the fs-on-S3 repository cannot work"; return 1; }
  is_root || command -v fusermount3 >/dev/null || command -v fusermount >/dev/null ||
    { warn "s3-mount: not root and no fusermount; install fuse3"; return 1; }
  unmount_s3 # a mount left over from a killed stack answers "Transport endpoint is not connected"
  weed=$(weed_bin)
  mkdir -p "$node/cache" "$MNT"
  launch s3-mount "$LOGS/s3-mount.log" "$weed" mount -filer="$HOST:$P_FILER.$G_FILER" \
    -filer.path="/buckets/$BUCKET" -dir="$MNT" -cacheDir="$node/cache" \
    -localSocket="$node/mount.sock" -allowOthers=true -volumeName="essnap-$BUCKET"
  if ! wait_for s3-mount $(($(now) + 30)) 0.3 mount_answers 5; then
    warn "s3-mount: $MNT did not appear"
    log_tail s3-mount "$LOGS/s3-mount.log"
    return 1
  fi
  ensure_repo_dirs
  log "s3-mount: s3://$BUCKET mounted on $MNT ($(since s3-mount))"
}

s3mount_describe() { echo "$(weed_version) $MNT"; }
s3mount_probe() { # up | no-repo-dir (a repository root is missing: `up` recreates it) | unmounted
  local d
  mount_answers 3 || { echo unmounted; return; }
  for d in $(s3mount_prefixes); do [[ -d $MNT/$d ]] || { echo no-repo-dir; return; }; done
  echo up
}
s3mount_stop() {
  if mounted; then unmount_s3 && log "unmounted $MNT"; fi
  stop_server s3-mount 10
}

s3mount_env() { env_q ESSNAP_TEST_S3_MOUNT "$MNT"; }
