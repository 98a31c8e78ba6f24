#!/usr/bin/env bash
# The transformers-conformance harness against its stand-in reference (scripts/hf_conformance.py):
# skipped (77) when no python3 here imports torch, numpy and h5py (Debian's python3-torch,
# python3-numpy, python3-h5py are for /usr/bin/python3, tried first).
# Usage: hf_conformance_test.sh SOURCE_DIR BIN_DIR WORK_DIR
set -u
src=$1 bin=$2 work=$3
for py in /usr/bin/python3 python3; do
  if "$py" -c 'import torch, numpy, h5py' 2>/dev/null; then
    exec "$py" "$src/scripts/hf_conformance.py" --reference standin --bin "$bin" --work "$work"
  fi
done
echo "SKIPPED: no python3 with torch, numpy and h5py"
exit 77
