# Sourced by scripts/check-fresh-machine.sh and scripts/rehearse-gpu-check.sh: a minimal Debian 12
# (bookworm, debootstrap --variant=minbase) in ROOT, made once and reused, with /proc, /sys and
# /dev mounted and DNS; the mounts are undone when the sourcing script exits. Needs root.
# Usage: open_debian_chroot ROOT
open_debian_chroot() {
  local root=$1
  command -v debootstrap >/dev/null || apt-get install -y -q debootstrap
  [ -x "$root/bin/bash" ] || debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  # shellcheck disable=SC2064  # ROOT is fixed now
  trap "umount -l '$root/proc' '$root/sys' '$root/dev' 2>/dev/null || true" EXIT
  mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
  mountpoint -q "$root/sys" || mount -t sysfs sys "$root/sys"
  mountpoint -q "$root/dev" || mount --rbind /dev "$root/dev"
}
