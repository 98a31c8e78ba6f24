#!/usr/bin/env bash
# Makes the dependency bundle that the GPU check needs on a GPU machine that has a compiler, CMake,
# Ninja, Python with a CUDA PyTorch, CUDA and NCCL, but none of the system libraries pwemoe builds
# against (Open MPI, HDF5, TOML++, spdlog/fmt, GLPK, GoogleTest, Google Benchmark, nlohmann-json,
# ICU, libjpeg, libpng, FreeType) and where nothing can be installed.
#
#   bash scripts/gpu-bundle.sh [DIR]        # default DIR: gpu-bundle (ignored by git)
#
# It fetches Debian's packages with `apt-get download`, installing nothing: the -dev packages
# whose headers and CMake files the build reads, the tools the check runs (mpirun), and the
# shared libraries they load, found by letting apt resolve them for an empty system
# (`apt-get -s install` against an empty dpkg status) and then leaving out
#   - what a machine with a C/C++ compiler already has (glibc, libstdc++, gcc's runtime libraries,
#     binutils, the compiler itself) and the packaging layer (dpkg, perl, debconf, PAM, ...);
#   - what the build does not use: Fortran (Open MPI's and HDF5's Fortran bindings, gfortran),
#     the -dev packages of libraries we do not compile against (libcurl, OpenSSL, hwloc,
#     libevent, PMIx, SuiteSparse, ...), HDF5's C++ bindings and compiler wrappers, ICU's tools,
#     hwloc's optional plugins (X11, OpenCL), jQuery for Open MPI's docs, ssh (one node).
# The .deb files, a list of them (packages.txt), what was left out (left-out.txt) and the newest
# glibc they need (glibc-needed.txt, from objdump) go into DIR;
# it prints the size, and fails when it exceeds PWEMOE_GPU_BUNDLE_MAX_MIB (default 50).
#
# scripts/gpu-check.sh --bundle [DIR] unpacks DIR with `dpkg -x` into a private prefix (never
# into /) and builds against it; docs/gpu.md names the folders that travel.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-gpu-bundle}
max_mib=${PWEMOE_GPU_BUNDLE_MAX_MIB:-50}

# What the gpu-check build compiles against and runs (cmake/Dependencies.cmake names each).
wanted=(
  libopenmpi-dev openmpi-bin                 # MPI
  libhdf5-dev                                # HDF5 (C)
  libtomlplusplus-dev libspdlog-dev libfmt-dev nlohmann-json3-dev
  libglpk-dev                                # EPO's LP
  zlib1g-dev libfreetype-dev                 # the built-in benchmark
  libjpeg62-turbo-dev libpng-dev             # image decoding
  libicu-dev                                 # the CLIP tokenizer
  libgtest-dev libgmock-dev libbenchmark-dev # tests and benchmarks
  libudev1                                   # hwloc (Open MPI) loads it; minimal images lack it
)

# Left out (extended regular expressions over package names); see the header for why.
left_out='^(gcc|cpp|g\+\+|gfortran)(-[0-9]+)?$|^gfortran-mod-|^gcc-[0-9]+-base$|^binutils|^libbinutils$'
left_out+='|^lib(gcc|gfortran|stdc\+\+)-[0-9]+-dev$|^lib(asan|tsan|lsan|ubsan|itm|quadmath|atomic|gomp|cc1|gprofng)[0-9-]*$'
left_out+='|^lib(isl|mpc|mpfr|jansson)[0-9]+$|^libctf|^libc6(-dev)?$|^libc-dev-bin$|^linux-libc-dev$|^libcrypt'
left_out+='|^libgcc-s1$|^libstdc\+\+6$|^libgfortran[0-9]+$|^rpcsvc-proto$|^libtirpc|^libnsl'
left_out+='|^perl|^libperl|^dpkg$|^tar$|^passwd$|^adduser$|^debconf$|^debianutils$|^libpam|^libaudit'
left_out+='|^libcap-ng|^libsemanage|^libsepol|^libselinux|^libdb5|^libgdbm|^libmd0$|^libbz2|^liblzma'
left_out+='|^libzstd|^libpcre2|^libacl1$|^libtinfo|^libedit|^libbsd0$|^libcbor|^libfido|^libuuid1$'
left_out+='|^openssh-client$|^autoconf$|^automake$|^autotools-dev$|^m4$|^catch2$|^libjs-|^hdf5-helpers$'
left_out+='|^lib(ssl|gmp|numa|hwloc|event|ibverbs|pmix|ltdl|aec|brotli|blas|lapack|suitesparse|curl4-openssl|jpeg)-dev$'
left_out+='|^libnl-.*-dev$|^libhdf5-(fortran|hl-fortran|cpp|hl-cpp)-|^icu-devtools$|^libhwloc-plugins$'
left_out+='|^ocl-icd|^libx|^libpciaccess|^libgmpxx'
left_out+='|^lib(cholmod|camd|ccolamd|cxsparse|klu|ldl|metis|mongoose|umfpack|rbio|spqr|sliplu|btf)[0-9]*$'
left_out+='|^liblapack3$|^libblas3$'

command -v apt-get >/dev/null || { echo "gpu-bundle: needs Debian's apt-get" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
: >"$work/status"
# Everything apt would install on an empty system, with its preferred alternatives.
apt-get -o Dir::State::status="$work/status" -o Debug::NoLocking=1 -s -q install \
  --no-install-recommends "${wanted[@]}" >"$work/sim.txt" 2>"$work/sim.err" || {
  cat "$work/sim.err" >&2
  echo "gpu-bundle: apt could not resolve the packages (run apt-get update?)" >&2
  exit 1
}
awk '/^Inst /{print $2}' "$work/sim.txt" | sort -u >"$work/all.txt"
grep -Ev "$left_out" "$work/all.txt" >"$work/keep.txt" || true
grep -E "$left_out" "$work/all.txt" >"$work/left.txt" || true
for p in "${wanted[@]}"; do
  grep -qx "$p" "$work/keep.txt" || { echo "gpu-bundle: the rules leave out $p, which is wanted" >&2; exit 1; }
done

rm -rf "$dir"
mkdir -p "$dir"
(cd "$dir" && apt-get download -q $(cat "$work/keep.txt") >"$work/download.log" 2>&1) || {
  tail -n 20 "$work/download.log" >&2
  echo "gpu-bundle: apt-get download failed (no access to Debian's archive?)" >&2
  exit 1
}
cp "$work/keep.txt" "$dir/packages.txt"
cp "$work/left.txt" "$dir/left-out.txt"
# The newest glibc symbol version the bundle's programs and libraries need: gpu-check.sh refuses
# a machine with an older glibc with that one line, instead of a loader error deep in a phase.
mkdir "$work/x"
for deb in "$dir"/*.deb; do dpkg -x "$deb" "$work/x"; done
glibc=$({ find "$work/x" -type f \( -name '*.so*' -o -path '*/bin/*' \) -exec objdump -T {} + 2>/dev/null || true; } |
  grep -o 'GLIBC_2\.[0-9]*' | sort -t. -k2 -n -u | tail -n 1 | sed 's/GLIBC_//')
[[ -n $glibc ]] || { echo "gpu-bundle: could not read the glibc versions (objdump, binutils)" >&2; exit 1; }
echo "$glibc" >"$dir/glibc-needed.txt"
count=$(ls "$dir"/*.deb | wc -l)
bytes=$(du -cb "$dir"/*.deb | tail -n 1 | cut -f1)
mib=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
echo "gpu-bundle: $count packages, $mib MiB in $dir, needing glibc >= $glibc ($(wc -l <"$work/left.txt") of the resolved packages left out: $dir/left-out.txt)"
if awk -v b="$bytes" -v m="$max_mib" 'BEGIN { exit !(b > m * 1048576) }'; then
  echo "gpu-bundle: $mib MiB is over the $max_mib MiB limit (PWEMOE_GPU_BUNDLE_MAX_MIB)" >&2
  exit 1
fi
