#!/usr/bin/env bash
# Proves that a bare Debian 12 gets from nothing to green with the project's own scripts:
# debootstraps a minimal bookworm into a folder, clones the committed HEAD into it, and runs
# .ci/run there (install-deps.sh installs everything). Needs root and Debian's archive.
# Usage: bash scripts/check-fresh-machine.sh [DIR]   (default /var/tmp/pwemoe-fresh; reused if present)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
root=${1:-/var/tmp/pwemoe-fresh}
. "$repo/scripts/debian-chroot.sh"
open_debian_chroot "$root"
rm -rf "$root/root/pwemoe"
git clone -q "$repo" "$root/root/pwemoe"
time chroot "$root" /bin/bash -c 'cd /root/pwemoe && CI=true bash .ci/run'
