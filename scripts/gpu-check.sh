#!/usr/bin/env bash
# The GPU check, in one run on a machine with an NVIDIA GPU: finds a CUDA LibTorch, the CUDA
# toolkit and NCCL, configures a build folder of its own with -DPWEMOE_WITH_CUDA=ON, builds only
# what it runs (the gpu-labelled tests, pwemoe_bench and the tools the conformance runs), runs
# mpirun -np 2 once, `ctest -L gpu` (NCCL all-reduce in groups under mpirun; one LS and one EPO
# training step and one evaluation on the GPU against the CPU), the conformance with Hugging Face
# transformers (scripts/hf_conformance.py), then the ViT-B/32-sized benchmarks on the GPU
# (training step, evaluation throughput in images/s, merge), and writes a short summary (GPU,
# every phase's result and figures) to a file and stdout.
#
#   bash scripts/gpu-check.sh                    # on the GPU machine
#   bash scripts/gpu-check.sh --bundle           # there, with the libraries from gpu-bundle/
#                                                # (the default when gpu-bundle/ holds .deb files;
#                                                # --no-bundle uses the system's libraries only)
#   bash scripts/gpu-check.sh --rehearse-on-cpu  # checks this script on a machine without a GPU
#
# --bundle [DIR] (default gpu-bundle, made by scripts/gpu-bundle.sh on a Debian machine): unpacks
# the .deb files of DIR with `dpkg -x` (or `ar` and `tar` where there is no dpkg) into a private
# prefix, <build>/bundle-prefix, never into /; points absolute symbolic links inside it back into
# it; and points CMake (CMAKE_PREFIX_PATH, MPI_CXX_COMPILER, MPIEXEC_EXECUTABLE), pkg-config and
# Open MPI (OPAL_PREFIX) at it. The loader gets the prefix's libraries (LD_LIBRARY_PATH) only in
# the commands that build and run pwemoe, not in python3. Unpacked once per bundle content.
#
# Exit status: 0 when every gpu test passed (none skipped) and the benchmarks ran; 1 otherwise,
# with one line "gpu-check: FAILED: <what>" on stderr (and at the end of the summary). Without a
# GPU, or without a CUDA LibTorch, it stops at once with that line and builds nothing.
#
# Time box: the whole run stops within PWEMOE_GPU_CHECK_SECONDS (default 540); each phase gets
# what is left, less what the later phases need. Builds go through ccache when it is installed
# (CMake picks it up) on every core.
#
# Environment (all optional):
#   LIBTORCH_DIR               an unpacked CUDA LibTorch (holds share/cmake/Torch); default: the
#                              LibTorch inside python3's PyTorch (torch.utils.cmake_prefix_path)
#   CUDA_HOME                  the CUDA toolkit; default: nvcc on PATH, else /usr/local/cuda
#   NCCL_HOME                  NCCL (include/nccl.h, lib/libnccl.so*); default: the CUDA toolkit or
#                              the system, else python3's nvidia-nccl package (linked into
#                              <build>/nccl, since that package ships no libnccl.so)
#   PWEMOE_GPU_BUILD_DIR       build folder (default build-gpu-check)
#   PWEMOE_GPU_SUMMARY         summary file (default <build>/gpu-check-summary.txt); the full logs
#                              are beside it in the build folder (gpu-check-*.log)
#   PWEMOE_GPU_CHECK_SECONDS   the time box (default 540)
#   PWEMOE_GPU_PHASE_CAP_SCALE multiplies each phase's own cap (default 1; a 2-core rehearsal
#                              machine builds far slower than the 16-core GPU machine)
#   PWEMOE_GPU_BENCH_FILTER    Google Benchmark filter (default BM_Forward|BM_TrainStep|BM_Merge)
#   PWEMOE_BENCH_TF32          1 to allow TF32 in the benchmarks (default 0: float32, bench/README.md)
#   PWEMOE_JOBS                compile jobs (default: every core)
#   PWEMOE_GPU_OUT             a folder for every phase's figures and logs (the summary and the
#                              gpu-check-*.log files go there instead of the build folder)
#
# --rehearse-on-cpu runs the same phases on a machine without a GPU, to check this script: no
# GPU, LibTorch or NCCL detection, a CPU build (PWEMOE_WITH_CUDA=OFF), the gpu tests may skip,
# and the benchmarks run on the CPU with the filter BM_Forward/fp32/batch:16/ unless
# PWEMOE_GPU_BENCH_FILTER says otherwise. Its figures are CPU figures.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

rehearse=0
bundle=""
compgen -G "gpu-bundle/*.deb" >/dev/null && bundle=gpu-bundle
while (($#)); do
  case "$1" in
    --rehearse-on-cpu) rehearse=1 ;;
    --bundle)
      bundle=gpu-bundle
      if [[ -n ${2:-} && $2 != --* ]]; then bundle=$2; shift; fi ;;
    --no-bundle) bundle="" ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "gpu-check: FAILED: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

start=$SECONDS
budget=${PWEMOE_GPU_CHECK_SECONDS:-540}
build=${PWEMOE_GPU_BUILD_DIR:-build-gpu-check}
jobs=${PWEMOE_JOBS:-$(nproc)}
summary=""  # set once the build folder exists

# fail WHAT: one line on stderr (and at the end of the summary, once there is one); exit 1.
fail() {
  echo "gpu-check: FAILED: $*" >&2
  if [[ -n $summary ]]; then
    printf 'total: %d s\nresult: FAILED: %s\n' $((SECONDS - start)) "$*" >>"$summary"
  fi
  exit 1
}
# say LINE...: to stdout and the summary.
say() { printf '%s\n' "$@" | tee -a "$summary"; }
left() { echo $((budget - (SECONDS - start))); }
# phase_timeout RESERVE CAP: seconds a phase may take: what is left less RESERVE (for the later
# phases), at most CAP; fails when under 10 s remain for it (call as t=$(...) || exit 1).
phase_timeout() {
  local t=$(($(left) - $1)) cap=$(($2 * ${PWEMOE_GPU_PHASE_CAP_SCALE:-1}))
  ((t > cap)) && t=$cap
  ((t >= 10)) || fail "out of time: under 10 s of the $budget s time box (PWEMOE_GPU_CHECK_SECONDS) left for the next phase"
  echo "$t"
}

# ---- the dependency bundle, unpacked into a private prefix ---------------------------------------
bundle_desc="-"
bundle_args=()
run_env=(env)  # the commands that build and run pwemoe: with the bundle's libraries when there is one
if [[ -n $bundle ]]; then
  compgen -G "$bundle/*.deb" >/dev/null ||
    fail "no bundle: $bundle holds no .deb files (make it with bash scripts/gpu-bundle.sh on a Debian machine)"
  if [[ -s $bundle/glibc-needed.txt ]]; then
    need=$(cat "$bundle/glibc-needed.txt")
    have=$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}')
    if [[ -n $have ]] && [[ $(printf '%s\n%s\n' "$need" "$have" | sort -V | head -n 1) != "$need" ]]; then
      fail "the bundle in $bundle needs glibc >= $need (its libraries come from Debian 12) and this machine has $have: make the bundle on a system with a glibc no newer than $have"
    fi
  fi
  mkdir -p "$build" || fail "cannot create the build folder $build"
  prefix=$(cd "$build" && pwd)/bundle-prefix
  key=$(ls -l "$bundle"/*.deb | awk '{print $5, $NF}' | md5sum | cut -d' ' -f1)
  if [[ $(cat "$prefix/.bundle-key" 2>/dev/null) != "$key" ]]; then
    rm -rf "$prefix" && mkdir -p "$prefix" || fail "cannot make $prefix"
    for deb in "$bundle"/*.deb; do
      if command -v dpkg-deb >/dev/null 2>&1; then
        dpkg -x "$deb" "$prefix" || fail "dpkg -x $deb failed"
      else  # a .deb is an ar archive holding data.tar.{xz,zst,gz}
        member=$(ar t "$deb" | grep -m 1 '^data\.tar') || fail "$deb: no data.tar member (ar t)"
        case $member in
          *.xz) ar p "$deb" "$member" | tar -xJ -C "$prefix" ;;
          *.zst) ar p "$deb" "$member" | zstd -dc | tar -x -C "$prefix" ;;
          *.gz) ar p "$deb" "$member" | tar -xz -C "$prefix" ;;
          *) ar p "$deb" "$member" | tar -x -C "$prefix" ;;
        esac || fail "cannot unpack $deb without dpkg (ar, tar, xz or zstd)"
      fi
    done
    # Absolute links (Debian's /usr/lib/<arch>/hdf5/serial/include -> /usr/include/hdf5/serial)
    # would point out of the prefix.
    while IFS= read -r link; do
      ln -sfn "$prefix$(readlink "$link")" "$link"
    done < <(find "$prefix" -type l -lname '/*')
    # The names Debian's postinst scripts would make with update-alternatives.
    for tool in mpirun mpiexec mpicc mpicxx mpic++; do
      [[ -e $prefix/usr/bin/$tool.openmpi ]] && ln -sfn "$tool.openmpi" "$prefix/usr/bin/$tool"
    done
    for lib in "$prefix"/usr/lib/libpsm1/libpsm_infinipath.so.1.*; do  # Open MPI's psm transport
      [[ -e $lib ]] && ln -sfn "$lib" "$prefix/usr/lib/$(ls "$prefix/usr/lib" | grep -m 1 -- '-linux-gnu$')/libpsm_infinipath.so.1"
    done
    echo "$key" >"$prefix/.bundle-key"
  fi
  arch=$(ls "$prefix/usr/lib" | grep -m 1 -- '-linux-gnu$') || fail "$bundle: no usr/lib/<arch>-linux-gnu in the unpacked bundle"
  usr=$prefix/usr
  [[ -x $usr/bin/mpirun.openmpi && -x $usr/bin/mpicxx.openmpi ]] || fail "$bundle: no Open MPI (mpirun.openmpi, mpicxx.openmpi)"
  export OPAL_PREFIX=$usr  # Debian's Open MPI is configured with --prefix=/usr: relocate it
  # One node: Open MPI 4 refuses to start without an rsh/ssh agent even when it never uses one.
  command -v ssh >/dev/null 2>&1 || export OMPI_MCA_plm_rsh_agent=${OMPI_MCA_plm_rsh_agent:-false}
  export PATH=$usr/bin:$PATH
  export PKG_CONFIG_LIBDIR=$usr/lib/$arch/pkgconfig:$usr/share/pkgconfig PKG_CONFIG_SYSROOT_DIR=$prefix
  run_env=(env "LD_LIBRARY_PATH=$usr/lib/$arch:$usr/lib/$arch/openmpi/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
  bundle_args=("-DMPI_CXX_COMPILER=$usr/bin/mpicxx.openmpi" "-DMPIEXEC_EXECUTABLE=$usr/bin/mpirun.openmpi")
  bundle_desc="$(ls "$bundle"/*.deb | wc -l) packages, $(du -sb "$bundle" | awk '{printf "%.1f MiB", $1 / 1048576}') in $bundle, unpacked into $prefix"
fi

# ---- what this machine has: the GPU, a CUDA LibTorch, the CUDA toolkit, NCCL, MPI -------------
gpus="(none: rehearsal on the CPU)"
torch_desc="the default LibTorch (CPU)"
cuda_desc="-"
nccl_desc="-"
usr=${usr:-}
cmake_args=(-DPWEMOE_WITH_CUDA=OFF ${usr:+"-DCMAKE_PREFIX_PATH=$usr"})
if ((rehearse == 0)); then
  command -v nvidia-smi >/dev/null 2>&1 ||
    fail "no GPU: nvidia-smi not found (no NVIDIA driver on this machine, or not on PATH)"
  gpus=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1) ||
    fail "no GPU: nvidia-smi failed: $(head -n 1 <<<"$gpus")"
  [[ -n $gpus ]] || fail "no GPU: nvidia-smi lists none"

  if [[ -n ${LIBTORCH_DIR:-} ]]; then
    config=$LIBTORCH_DIR/share/cmake/Torch/TorchConfig.cmake
    [[ -f $config ]] || fail "no CUDA LibTorch: LIBTORCH_DIR=$LIBTORCH_DIR holds no share/cmake/Torch/TorchConfig.cmake"
    compgen -G "$LIBTORCH_DIR/lib/libtorch_cuda*.so*" >/dev/null ||
      fail "no CUDA LibTorch: LIBTORCH_DIR=$LIBTORCH_DIR has no lib/libtorch_cuda.so (a CPU-only LibTorch)"
    if grep -q '_GLIBCXX_USE_CXX11_ABI=0' "$config" "$LIBTORCH_DIR"/share/cmake/Caffe2/*.cmake 2>/dev/null; then
      fail "LIBTORCH_DIR=$LIBTORCH_DIR is a pre-C++11-ABI LibTorch, which cannot link with the system libraries; use its cxx11-ABI build"
    fi
    torch_prefix=$LIBTORCH_DIR
    torch_desc="LibTorch at $LIBTORCH_DIR"
  else
    command -v python3 >/dev/null 2>&1 ||
      fail "no CUDA LibTorch: LIBTORCH_DIR is not set and there is no python3 with PyTorch"
    info=$(python3 -c 'import torch
print(torch.utils.cmake_prefix_path)
print(torch.__version__)
print(torch.version.cuda or "")
print(int(torch.compiled_with_cxx11_abi()))' 2>/dev/null) ||
      fail "no CUDA LibTorch: LIBTORCH_DIR is not set and python3 cannot import torch"
    { read -r torch_prefix; read -r torch_version; read -r torch_cuda; read -r torch_abi; } <<<"$info"
    [[ -n $torch_cuda ]] ||
      fail "no CUDA LibTorch: python3's PyTorch $torch_version is CPU-only (torch.version.cuda is None); set LIBTORCH_DIR"
    [[ $torch_abi == 1 ]] ||
      fail "python3's PyTorch $torch_version uses the pre-C++11 ABI, which cannot link with the system libraries; set LIBTORCH_DIR to a cxx11-ABI CUDA LibTorch"
    torch_desc="PyTorch $torch_version (CUDA $torch_cuda), $torch_prefix"
  fi

  nvcc=""
  for dir in "${CUDA_HOME:-}" "${CUDA_PATH:-}"; do
    [[ -n $dir && -x $dir/bin/nvcc ]] && { nvcc=$dir/bin/nvcc; break; }
  done
  [[ -n $nvcc ]] || nvcc=$(command -v nvcc 2>/dev/null || true)
  [[ -n $nvcc || ! -x /usr/local/cuda/bin/nvcc ]] || nvcc=/usr/local/cuda/bin/nvcc
  [[ -n $nvcc ]] ||
    fail "no CUDA toolkit: nvcc is not in CUDA_HOME, on PATH or in /usr/local/cuda (a CUDA LibTorch's CMake files need it)"
  cuda_root=$(dirname "$(dirname "$(readlink -f "$nvcc")")")
  cuda_desc="$("$nvcc" --version | grep -o 'release [0-9.]*' | head -n 1) at $cuda_root"

  command -v mpirun >/dev/null 2>&1 ||
    fail "mpirun not found: the NCCL tests run under Open MPI (apt-get install openmpi-bin libopenmpi-dev)"

  mkdir -p "$build" || fail "cannot create the build folder $build"
  if [[ -n ${NCCL_HOME:-} ]]; then
    nccl_desc="NCCL_HOME=$NCCL_HOME"
  elif [[ -f $cuda_root/include/nccl.h || -f /usr/include/nccl.h ]]; then
    nccl_desc="the CUDA toolkit's or the system's"
  elif nccl_pkg=$(python3 -c 'import nvidia.nccl as n; print(list(n.__path__)[0])' 2>/dev/null) &&
    [[ -f $nccl_pkg/include/nccl.h ]] && compgen -G "$nccl_pkg/lib/libnccl.so*" >/dev/null; then
    # The pip package ships libnccl.so.2 only; CMake's find_library wants libnccl.so.
    case $build in /*) shim=$build/nccl ;; *) shim=$PWD/$build/nccl ;; esac
    { mkdir -p "$shim/lib" && ln -sfn "$nccl_pkg/include" "$shim/include"; } || fail "cannot make $shim"
    for lib in "$nccl_pkg"/lib/libnccl.so*; do ln -sf "$lib" "$shim/lib/$(basename "$lib")"; done
    [[ -e $shim/lib/libnccl.so ]] || ln -sf "$(compgen -G "$nccl_pkg/lib/libnccl.so*" | head -n 1)" "$shim/lib/libnccl.so"
    export NCCL_HOME=$shim
    nccl_desc="python3's nvidia-nccl package ($nccl_pkg)"
  else
    nccl_desc="not found before configuring (CMake looks in the CUDA toolkit and NCCL_HOME)"
  fi
  cmake_args=(-DPWEMOE_WITH_CUDA=ON "-DCMAKE_PREFIX_PATH=$torch_prefix${usr:+;$usr}"
              "-DCUDAToolkit_ROOT=$cuda_root" "-DCMAKE_CUDA_COMPILER=$nvcc")
  export PATH="$cuda_root/bin:$PATH"
fi

mkdir -p "$build" || fail "cannot create the build folder $build"
out=$build
if [[ -n ${PWEMOE_GPU_OUT:-} ]]; then
  mkdir -p "$PWEMOE_GPU_OUT" || fail "cannot create PWEMOE_GPU_OUT=$PWEMOE_GPU_OUT"
  out=$PWEMOE_GPU_OUT
fi
summary=${PWEMOE_GPU_SUMMARY:-$out/gpu-check-summary.txt}
: >"$summary" || { summary=""; fail "cannot write the summary file ${PWEMOE_GPU_SUMMARY:-$out/gpu-check-summary.txt}"; }
logs=$out/gpu-check
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[[ -z $(git status --porcelain --untracked-files=no 2>/dev/null) ]] || commit="$commit (with local changes)"

say "pwemoe GPU check, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit$( ((rehearse)) && echo ', REHEARSAL ON THE CPU')" \
    "GPU: $(paste -sd ';' <<<"$gpus")" \
    "LibTorch: $torch_desc" \
    "CUDA toolkit: $cuda_desc; NCCL: $nccl_desc" \
    "bundle: $bundle_desc"

# ---- configure and build only what runs ----------------------------------------------------------
generator=(-G Ninja)
command -v ninja >/dev/null 2>&1 || generator=(-G "Unix Makefiles")
t=$(phase_timeout 300 120) || exit 1
"${run_env[@]}" timeout -k 10 "$t" cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPWEMOE_BUILD_TESTS=ON -DPWEMOE_BUILD_BENCH=ON -DPWEMOE_SLURM_TESTS=OFF "${cmake_args[@]}" \
  "${bundle_args[@]}" >"$logs-configure.log" 2>&1
rc=$?
if ((rc != 0)); then
  ((rc == 124)) && fail "configure did not finish within $t s (log: $logs-configure.log)"
  # the first CMake error's message: the lines after "CMake Error at ...:" up to its call stack
  why=$(awk '/CMake Error/ && !f {f = 1; next} f && /^(Call Stack|CMake (Error|Warning))/ {exit} f' \
    "$logs-configure.log" | tr -s ' \n' ' ' | sed 's/^ //; s/ $//' | cut -c1-400)
  fail "configure failed: ${why:-see $logs-configure.log} (log: $logs-configure.log)"
fi
cuda_line=$(grep -m 1 'pwemoe .*: CUDA=' "$logs-configure.log" | sed 's/^-- //')
if ((rehearse == 0)) && [[ $cuda_line != *"CUDA=ON NCCL=ON"* ]]; then
  fail "configure did not enable CUDA and NCCL: $cuda_line"
fi
say "configure: $((SECONDS - start)) s so far; $cuda_line"

targets=(device_parity_test comm_mpi_group_test pwemoe_bench pwemoe-eval pwemoe-zeroshot-heads pwemoe-export)
build_start=$SECONDS
t=$(phase_timeout 200 480) || exit 1
"${run_env[@]}" timeout -k 10 "$t" cmake --build "$build" -j "$jobs" --target "${targets[@]}" >"$logs-build.log" 2>&1
rc=$?
if ((rc != 0)); then
  ((rc == 124)) && fail "build did not finish within $t s (log: $logs-build.log)"
  why=$(grep -m 1 -E 'error:|Error [0-9]|FAILED:' "$logs-build.log" | cut -c1-300)
  fail "build failed: ${why:-see $logs-build.log} (log: $logs-build.log)"
fi
say "build: $((SECONDS - build_start)) s on $jobs jobs (${targets[*]})"

# ---- the gpu tests ---------------------------------------------------------------------------------
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
((rehearse)) || export PWEMOE_REQUIRE_GPU=1  # a skipped device test fails on a GPU machine
# MPI itself first (the bundle's mpirun when there is one): two ranks in one group, sums checked
# bit for bit (comm_mpi_group_test).
t=$(phase_timeout 130 60) || exit 1
mpirun_cmd=$(sed -n 's/^MPIEXEC_EXECUTABLE:[A-Z]*=//p' "$build/CMakeCache.txt")
"${run_env[@]}" timeout -k 10 "$t" "${mpirun_cmd:-mpirun}" -np 2 --oversubscribe \
  "$build/bin/comm_mpi_group_test" 2 >"$logs-mpi.log" 2>&1
mpi_rc=$?
mpi_line=$(grep -m 1 -E '^(PASSED|FAILED):' "$logs-mpi.log")
say "mpi (${mpirun_cmd:-mpirun} -np 2 comm_mpi_group_test 2, $logs-mpi.log): ${mpi_line:-exit $mpi_rc: $(tail -n 1 "$logs-mpi.log" | cut -c1-200)}"
mpi_problem=""
((mpi_rc == 0)) || mpi_problem="mpirun -np 2 failed (exit $mpi_rc, $logs-mpi.log)"

t=$(phase_timeout 100 120) || exit 1
"${run_env[@]}" timeout -k 10 "$t" ctest --test-dir "$build" -L gpu --output-on-failure -V --timeout 120 \
  >"$logs-tests.log" 2>&1
test_rc=$?
test_line=$(grep -E '^[0-9]+% tests passed|No tests were found' "$logs-tests.log" | tail -n 1)
say "tests (ctest -L gpu, $logs-tests.log): ${test_line:-no summary line (exit $test_rc)}"
grep -E '^ *[0-9]+/[0-9]+ Test +#[0-9]+:' "$logs-tests.log" | sed -E 's/^ *[0-9]+\/[0-9]+ Test +#[0-9]+: //; s/ +\.{2,}/ /; s/ +/ /g; s/^/  /' | tee -a "$summary"
# (with -V and --output-on-failure, a failed test's output appears twice)
grep -E '^([0-9]+: )?parity: ' "$logs-tests.log" | sed -E 's/^([0-9]+: )?/  /' | awk '!seen[$0]++' |
  tee -a "$summary"
test_problem=""
if ((test_rc == 124)); then
  test_problem="the gpu tests did not finish within $t s"
elif [[ -z $test_line || $test_line == *"No tests were found"* ]]; then
  test_problem="ctest -L gpu ran no test"
elif ((test_rc != 0)); then
  test_problem="gpu tests failed: $(grep -A 50 'The following tests FAILED' "$logs-tests.log" | grep -E '^[[:space:]]+[0-9]+ - ' | sed -E 's/^[[:space:]]+[0-9]+ - //; s/ \(.*//' | paste -sd ',' | sed 's/,/, /g')"
elif ((rehearse == 0)) && grep -q '\*\*\*Skipped\|Skipped *[0-9.]* sec' "$logs-tests.log"; then
  test_problem="a gpu test was skipped on a GPU machine"
elif ((rehearse == 0)) && ! grep -q 'comm_nccl_group' "$logs-tests.log"; then
  test_problem="the NCCL tests are not registered (PWEMOE_HAVE_NCCL off?)"
fi

# ---- conformance with Hugging Face transformers -----------------------------------------------------
# scripts/hf_conformance.py: random CLIP models written with save_pretrained, pwemoe-eval and
# pwemoe-zeroshot-heads against transformers' forwards (or, where transformers is absent, against
# the repository's stand-in implementations; the summary says which).
conformance_problem=""
if python3 -c 'import torch, numpy, h5py' >/dev/null 2>&1; then
  t=$(phase_timeout 60 120) || exit 1
  PWEMOE_TOOL_LD_LIBRARY_PATH=$(printf '%s' "${run_env[1]:-}" | sed -n 's/^LD_LIBRARY_PATH=//p') \
    timeout -k 10 "$t" python3 scripts/hf_conformance.py --bin "$build/bin" --work "$build/conformance" \
    >"$logs-conformance.log" 2>&1
  conformance_rc=$?
  say "conformance ($logs-conformance.log): $(head -n 1 "$logs-conformance.log"); $(tail -n 1 "$logs-conformance.log")"
  grep -E '^  (ok  |FAIL) ' "$logs-conformance.log" | tee -a "$summary"
  if ((conformance_rc == 124)); then
    conformance_problem="the conformance checks did not finish within $t s"
  elif ((conformance_rc != 0)); then
    conformance_problem="conformance with transformers failed: $(tail -n 1 "$logs-conformance.log" | cut -c1-200)"
  fi
elif ((rehearse)); then
  say "conformance: skipped (this python3 has no torch, numpy or h5py)"
else
  conformance_problem="conformance: python3 cannot import torch, numpy and h5py"
  say "$conformance_problem"
fi

# ---- the benchmarks on the GPU ---------------------------------------------------------------------
bench_device=cuda
((rehearse)) && bench_device=cpu
filter=${PWEMOE_GPU_BENCH_FILTER:-BM_Forward|BM_TrainStep|BM_Merge}
((rehearse)) && filter=${PWEMOE_GPU_BENCH_FILTER:-BM_Forward/fp32/batch:16/}
t=$(phase_timeout 10 300) || exit 1
"${run_env[@]}" PWEMOE_BENCH_DEVICE=$bench_device PWEMOE_BENCH_THREADS=$jobs timeout -k 10 "$t" \
  "$build/bin/pwemoe_bench" "--benchmark_filter=$filter" \
  "--benchmark_out=$logs-bench.json" --benchmark_out_format=json >"$logs-bench.log" 2>&1
bench_rc=$?
bench_problem=""
if ((bench_rc == 124)); then
  bench_problem="the benchmarks did not finish within $t s"
elif ((bench_rc != 0)); then
  bench_problem="the benchmarks failed (exit $bench_rc): $(tail -n 1 "$logs-bench.log" | cut -c1-200)"
fi
say "benchmarks (PWEMOE_BENCH_DEVICE=$bench_device, TF32 ${PWEMOE_BENCH_TF32:-0}, filter '$filter', $logs-bench.log):"
if [[ -s $logs-bench.json ]] && command -v python3 >/dev/null 2>&1; then
  if ! python3 - "$logs-bench.json" <<'EOF' | tee -a "$summary"; then
import json, re, sys
d = json.load(open(sys.argv[1]))
c = d.get("context", {})
print(f"  context: device {c.get('pwemoe_device', '?')}, TF32 {c.get('cuda_tf32', '?')}, "
      f"{c.get('pwemoe_threads', '?')} LibTorch threads, {c.get('num_cpus', '?')} CPUs")
errors = 0
if not d.get("benchmarks"):
    print("  no benchmark ran (does the filter match any?)")
    errors += 1
for b in d.get("benchmarks", []):
    name = re.sub(r"/iterations:\d+|/manual_time", "", b["name"])
    if b.get("error_occurred"):
        errors += 1
        print(f"  {name}: ERROR {b.get('error_message', '')}")
        continue
    if name.startswith("BM_Forward"):
        fig = (f"{b['images_per_s']:.1f} images/s, {b['GFLOPs']:.0f} GFLOP/s = "
               f"{b['frac_of_gemm']:.2f} of the GEMM probe ({b['gemm_probe_GFLOPs']:.0f} GFLOP/s)")
    elif name.startswith("BM_TrainStep"):
        fig = (f"{b['s_per_step'] * 1e3:.1f} ms/step (first {b['first_step_s'] * 1e3:.1f}, last "
               f"{b['last_step_s'] * 1e3:.1f}), {b['GFLOPs']:.0f} GFLOP/s = {b['frac_of_gemm']:.2f} "
               f"of the GEMM probe ({b['gemm_probe_GFLOPs']:.0f} GFLOP/s)")
    elif name.startswith("BM_Merge"):
        fig = (f"{b['real_time']:.2f} {b.get('time_unit', '')}, {b['merge_GBps']:.0f} GB/s = "
               f"{b['frac_of_bw']:.2f} of the bandwidth probe ({b['bw_probe_GBps']:.0f} GB/s)")
    else:
        fig = f"{b['real_time']:.3g} {b.get('time_unit', '')}"
    if b.get("gemm_bf16_probe_GFLOPs") and b.get("GFLOPs"):
        fig += (f"; {b['GFLOPs'] / b['gemm_bf16_probe_GFLOPs']:.2f} of the bf16 GEMM probe "
                f"({b['gemm_bf16_probe_GFLOPs']:.0f} GFLOP/s)")
    print(f"  {name}: {fig}")
sys.exit(1 if errors else 0)
EOF
    bench_problem=${bench_problem:-"a benchmark reported an error"}
  fi
elif grep -q '^BM_' "$logs-bench.log"; then
  grep -E '^BM_' "$logs-bench.log" | sed 's/^/  /' | tee -a "$summary"
else
  bench_problem=${bench_problem:-"no benchmark ran: $(tail -n 1 "$logs-bench.log" | cut -c1-200)"}
  say "  none: $bench_problem"
fi

say "total: $((SECONDS - start)) s"
problem=$(printf '%s\n' "$mpi_problem" "$test_problem" "$conformance_problem" "$bench_problem" | sed '/^$/d' | paste -sd ';' | sed 's/;/; /g')
if [[ -n $problem ]]; then
  echo "result: FAILED: $problem" >>"$summary"
  echo "summary: $summary"
  echo "gpu-check: FAILED: $problem" >&2
  exit 1
fi
say "result: OK$( ((rehearse)) && echo ' (rehearsal on the CPU: no GPU was used)')"
echo "summary: $summary"
