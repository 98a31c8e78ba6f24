#!/usr/bin/env bash
# pwemoe against PyTorch eager doing the same work, in one run on this machine: the same model
# files (a ViT-B/32-sized random pool written by bench/peer/peer_bench.py make-pool), the same
# thread count, one program after the other. Prints one table of pwemoe / PyTorch ratios with the
# GEMM (fp32 and bf16) and bandwidth probes of both sides and the load average before and after.
#
#   bash bench/side_by_side.sh            # everything (about 20 minutes at 1 thread, 2-core machine)
#   bash bench/side_by_side.sh --quick    # T = 2 training and batches 16, 64 only (about 6 minutes)
#
# Environment: PWEMOE_BUILD_DIR (default build; pwemoe_bench is built there if missing),
# SBS_THREADS (LibTorch threads of both sides, default 1), SBS_POOL (the pool folder, default
# /tmp/pwemoe-side-by-side-pool, made once and reused), SBS_OUT (where the JSON of both sides
# goes, default <build>/side_by_side), SBS_BF16 (1: time bf16 too, 0: never; default: only where
# the CPU has bfloat16 instructions), SBS_PEER_MALLOC (the peer's allocator: "tuned", the default,
# runs it with the glibc settings pwemoe applies to itself, the stricter comparison; "default"
# leaves glibc as it is, as most users run PyTorch).
# Needs Debian's python3-torch (the peer runs on /usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${PWEMOE_BUILD_DIR:-build}
threads=${SBS_THREADS:-1}
pool=${SBS_POOL:-/tmp/pwemoe-side-by-side-pool}
out=${SBS_OUT:-$build/side_by_side}
peer_malloc=${SBS_PEER_MALLOC:-tuned}
py=/usr/bin/python3
quick=0
[ "${1:-}" = "--quick" ] && quick=1

die() { echo "side_by_side: $*" >&2; exit 1; }
[ -x "$py" ] || die "$py not found (apt-get install python3-torch)"
"$py" -c 'import torch' 2>/dev/null || die "python3-torch is not installed (apt-get install python3-torch)"
if [ ! -x "$build/bin/pwemoe_bench" ]; then
  cmake --build "$build" --target pwemoe_bench >/dev/null || die "cannot build $build/bin/pwemoe_bench"
fi
if [ -z "${SBS_BF16:-}" ]; then
  if grep -qwE 'avx512_bf16|amx_bf16' /proc/cpuinfo; then SBS_BF16=1; else SBS_BF16=0; fi
fi
precisions="fp32"
[ "$SBS_BF16" = 1 ] && precisions="fp32 bf16"
if [ "$quick" = 1 ]; then tasks="2"; batches="16 64"; else tasks="2 8"; batches="16 64 256"; fi
mkdir -p "$out"
rm -f "$out"/peer.jsonl "$out"/pwemoe.json

echo "side_by_side: load before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores); threads $threads; precisions: $precisions"
if [ ! -f "$pool/.complete" ]; then
  echo "side_by_side: writing the ViT-B/32 pool (8 tasks) into $pool"
  rm -rf "$pool"
  "$py" bench/peer/peer_bench.py make-pool --config b32 --tasks 8 --seed 0 --classes 10 --out "$pool" >/dev/null
  touch "$pool/.complete"
fi

peer() { "$py" bench/peer/peer_bench.py "$@" --threads "$threads" --malloc "$peer_malloc" >>"$out/peer.jsonl"; }
echo "side_by_side: PyTorch eager $("$py" -c 'import torch; print(torch.__version__)')"
peer probes
for p in $precisions; do
  for b in $batches; do
    echo "side_by_side:   eager eval $p batch $b"
    peer time-eval --pool "$pool" --tasks 2 --batch "$b" --images $((3 * b)) --precision "$p"
  done
  for t in $tasks; do
    for v in ls epo; do
      echo "side_by_side:   eager train $p $v T=$t"
      peer time-train --pool "$pool" --tasks "$t" --batch 16 --steps 2 --warmup 1 --variant "$v" --precision "$p"
    done
  done
done

filter="BM_Merge/T:2/"
for p in $precisions; do
  for b in $batches; do filter="$filter|BM_Forward/$p/batch:$b/"; done
  for t in $tasks; do filter="$filter|BM_TrainStep/$p/(LS|EPO)/T:$t/"; done
done
echo "side_by_side: pwemoe ($build/bin/pwemoe_bench)"
PWEMOE_BENCH_POOL="$pool" PWEMOE_BENCH_THREADS="$threads" PWEMOE_BENCH_BF16="$SBS_BF16" \
  "$build/bin/pwemoe_bench" --benchmark_filter="$filter" --benchmark_format=json \
  --benchmark_out="$out/pwemoe.json" --benchmark_out_format=json >/dev/null

echo "side_by_side: load after: $(cut -d' ' -f1-3 /proc/loadavg)"
"$py" - "$out/peer.jsonl" "$out/pwemoe.json" <<'EOF'
import json, sys
peer = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
# "BM_Forward/fp32/batch:16/iterations:2/manual_time" -> "BM_Forward/fp32/batch:16"
ours = {}
for b in json.load(open(sys.argv[2]))["benchmarks"]:
    parts = [x for x in b["name"].split("/") if not x.startswith(("iterations:", "manual_time"))]
    ours["/".join(parts)] = b

def find(cmd, **kw):
    for r in peer:
        if r.get("cmd") == cmd and all(r.get(k) == v for k, v in kw.items()):
            return r
    return None

rows = []
probe = find("probes")
ours_any = next(iter(ours.values()))
rows.append(("GEMM probe fp32 (GFLOP/s)", ours_any.get("gemm_probe_GFLOPs"), probe["gemm_fp32_gflops"], "-"))
bf = [b.get("gemm_bf16_probe_GFLOPs") for b in ours.values() if b.get("gemm_bf16_probe_GFLOPs")]
rows.append(("GEMM probe bf16 (GFLOP/s)", bf[0] if bf else None, probe["gemm_bf16_gflops"], "-"))
rows.append(("bandwidth probe (GB/s)", ours_any.get("bw_probe_GBps"), probe["triad_GBps"], "-"))
for name, b in ours.items():
    if name.startswith("BM_Forward/"):
        _, prec, batch = name.split("/")
        batch = int(batch.split(":")[1])
        r = find("time-eval", batch=batch, precision=prec)
        if r:
            rows.append((f"eval {prec} batch {batch} (images/s)", b["images_per_s"], r["images_per_s"],
                         b["images_per_s"] / r["images_per_s"]))
for name, b in ours.items():
    if name.startswith("BM_TrainStep/"):
        _, prec, variant, t = name.split("/")
        t = int(t.split(":")[1])
        r = find("time-train", tasks=t, precision=prec, variant=variant.lower())
        if r:
            rows.append((f"train {prec} {variant} T={t} (s/step)", b["s_per_step"], r["median_step_s"],
                         r["median_step_s"] / b["s_per_step"]))
m = ours.get("BM_Merge/T:2")
r = find("time-eval", batch=16, precision="fp32")
if m and r:
    ours_s = m["merge_GB"] / m["merge_GBps"]
    rows.append(("merge T=2 (s)", ours_s, r["merge_s"], r["merge_s"] / ours_s))

def fmt(x):
    return "-" if x is None else (x if isinstance(x, str) else f"{x:.3g}")
print()
print(f"| work | pwemoe | PyTorch eager | speed-up (pwemoe / eager) |")
print(f"|---|---|---|---|")
for w, a, b, ratio in rows:
    print(f"| {w} | {fmt(a)} | {fmt(b)} | {fmt(ratio) if ratio == '-' else f'{ratio:.2f}x'} |")
print()
print(f"threads {probe['threads']}; eager: torch {probe['torch']}, allocator {peer[0].get('malloc_env') or 'glibc defaults'}")
EOF
