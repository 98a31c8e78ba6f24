#!/usr/bin/env bash
# Proves that the dependency bundle alone is enough for the GPU check: in a minimal Debian 12
# chroot that has only a compiler, CMake, Ninja and a CPU LibTorch (plus PyTorch, numpy and h5py
# for the conformance phase, as the GPU machine has them) and no -dev package of any of pwemoe's
# other dependencies and no MPI, runs `scripts/gpu-check.sh --rehearse-on-cpu --bundle` on a copy
# of the working tree (tracked and untracked files, not ignored ones) with gpu-bundle/ beside it.
# Needs root and Debian's archive.
#
#   bash scripts/gpu-bundle.sh                # first, if gpu-bundle/ is not there
#   bash scripts/rehearse-gpu-check.sh [DIR]  # default DIR /var/tmp/pwemoe-gpu-rehearsal (reused)
#
# The check's summary and logs land in DIR/root/gpu-out; a 2-core machine builds for about ten
# minutes, so the time box and each phase's cap are raised (PWEMOE_GPU_CHECK_SECONDS=5400,
# PWEMOE_GPU_PHASE_CAP_SCALE=10). Exit status: the check's.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
root=${1:-/var/tmp/pwemoe-gpu-rehearsal}
[[ -n $(ls "$repo"/gpu-bundle/*.deb 2>/dev/null) ]] ||
  { echo "rehearse-gpu-check: no gpu-bundle/*.deb: run bash scripts/gpu-bundle.sh first" >&2; exit 2; }
. "$repo/scripts/debian-chroot.sh"
open_debian_chroot "$root"
chroot "$root" /bin/bash -c 'apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -q --no-install-recommends g++ cmake ninja-build libtorch-dev \
  python3-torch python3-numpy python3-h5py >/dev/null'
# What the chroot holds of the bundle's packages (runtime libraries LibTorch itself pulls in).
chroot "$root" dpkg-query -W -f '${Package}\n' | grep -Fxf "$repo/gpu-bundle/packages.txt" |
  paste -sd ' ' | sed 's/^/rehearse-gpu-check: already in the chroot (runtime libraries, no headers): /' || true
rm -rf "$root/root/pwemoe" "$root/root/gpu-out"
mkdir -p "$root/root/pwemoe"
(cd "$repo" && git ls-files -co --exclude-standard -z | tar --null -T - -cf -) | tar -xf - -C "$root/root/pwemoe"
cp -r "$repo/gpu-bundle" "$root/root/pwemoe/gpu-bundle"
time chroot "$root" /bin/bash -c 'cd /root/pwemoe && PWEMOE_GPU_CHECK_SECONDS=5400 \
  PWEMOE_GPU_PHASE_CAP_SCALE=10 PWEMOE_GPU_OUT=/root/gpu-out bash scripts/gpu-check.sh --rehearse-on-cpu --bundle'
