#!/usr/bin/env bash
# Installs everything pwemoe's build, tests and main job need, from Debian 12 packages only.
# Idempotent: when every package is already present it changes nothing and touches no network.
# Usage (as root): bash scripts/install-deps.sh
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git
  # the algorithm
  libtorch-dev libopenblas0-openmp libglpk-dev
  # MPI, storage, configuration, logging, JSON
  libopenmpi-dev openmpi-bin libhdf5-dev libtomlplusplus-dev libspdlog-dev nlohmann-json3-dev
  # the CLIP tokenizer's Unicode tables (categories, NFC, lower-casing)
  libicu-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # reading results files as users do (results/store/SCHEMA.md's example, run by tests/results)
  python3 python3-h5py python3-numpy python3-pandas
  # report.html rendered by a real browser (tests/results/report/report_browser_test.cpp)
  chromium
  # the built-in benchmark (pwemoe-make-mini): Fashion-MNIST images, glyphs rendered from fonts
  dataset-fashion-mnist zlib1g-dev libfreetype-dev
  fonts-dejavu-core fonts-liberation fonts-freefont-ttf fonts-urw-base35
  # images to dataset files (pwemoe-prepare-data): JPEG and PNG decoding
  libjpeg62-turbo-dev libpng-dev
  # PyTorch eager for the independent reference implementations: the transformers-conformance
  # stand-in (scripts/hf_conformance.py, tests/tools) and bench/peer
  python3-torch
  # the slurm test tier: a real single-node Slurm (tests/slurm/cluster.sh). srun starts Open MPI
  # ranks through Slurm's mpi/pmix plugin, which loads libpmix2 (already pulled in by Open MPI)
  slurmctld slurmd slurm-client munge libpmix2
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
else
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# LibTorch's sgemm goes through libblas.so.3; OpenBLAS (OpenMP build) is about 12x faster than
# the reference BLAS here. Make sure the alternative points at it.
for alt in libblas.so.3-x86_64-linux-gnu liblapack.so.3-x86_64-linux-gnu; do
  target=$(update-alternatives --list "$alt" 2>/dev/null | grep openblas-openmp | head -n 1 || true)
  if [ -n "$target" ] && [ "$(readlink -f "/etc/alternatives/$alt")" != "$(readlink -f "$target")" ]; then
    ${SUDO:-} update-alternatives --set "$alt" "$target"
  fi
done
