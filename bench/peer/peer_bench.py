#!/usr/bin/python3
"""PyTorch-eager peer of pwemoe's C++ benchmark: PWE MoE (arXiv 2406.09770)
over a CLIP-ViT vision encoder, timed the way this project's pyref harness
times fusion_bench, but with our own PWE module (pwe.py) so nothing outside
bench/peer/ is needed. Run with Debian's interpreter (python3-torch, 1.13):

  /usr/bin/python3 bench/peer/peer_bench.py <subcommand> ...

Subcommands (each prints exactly one JSON line on stdout; progress on stderr):
  make-pool   random pool on disk in the layout the C++ side loads
  time-eval   evaluation throughput of the upscaled model at one ray, + merge time
  time-train  LS / EPO training steps (T tasks, one batch each per step)
  probes      GEMM GFLOP/s (fp32, bf16) and triad memory bandwidth
  selftest    functional_call path vs plain merged model, router gradients, EPO weights
Exit status: 0 ok, 1 a self-test check failed, 2 usage or pool error.
"""

import sys

sys.dont_write_bytecode = True  # keep bench/peer free of __pycache__

import argparse  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from typing import Dict, List, Optional  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import Tensor, nn  # noqa: E402

import epo  # noqa: E402
import pwe  # noqa: E402
import safetensors_io as st  # noqa: E402
from clipvit import PRESETS, CLIPVisionModel, VisionConfig, count_params, init_random_pretrained, preset_name  # noqa: E402

DELTA = 1e-3  # expert = pretrained + DELTA * rms(tensor) * N(0, 1)
LOGIT_SCALE = 100.0  # the multiplier itself, as the C++ heads store it
LR = 1e-2
ALPHA = 1.0  # Dirichlet concentration of the training rays
# the settings of pwemoe/util/allocator.h (TuneAllocator), as glibc environment tunables
MALLOC_TUNED = {"MALLOC_MMAP_THRESHOLD_": str(1 << 30), "MALLOC_TRIM_THRESHOLD_": str(1 << 30),
                "MALLOC_ARENA_MAX": "1"}
_LOADAVG_START = os.getloadavg()


class UsageError(Exception):
    pass


def log(msg: str) -> None:
    print(f"[peer_bench] {msg}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------
def _gen(seed: int, stream: int, index: int = 0) -> torch.Generator:
    """Independent, reproducible torch RNG streams derived from one seed."""
    return torch.Generator().manual_seed((seed * 1_000_003 + stream * 10_007 + index) % (2 ** 62))


def _vm_kib(field: str) -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


def _reset_peak_rss() -> bool:
    """Reset VmHWM (Linux >= 4.0) so that it measures one phase only."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _maxrss_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _minflt() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


class CpuMeter:
    """Own CPU use versus whole-machine CPU use over an interval (getrusage and
    /proc/stat), to flag runs that shared the cores with another busy process."""

    @staticmethod
    def _stat():
        try:
            with open("/proc/stat") as f:
                vals = [int(x) for x in f.readline().split()[1:9]]
            return sum(vals), vals[3] + vals[4]
        except OSError:
            return 0, 0

    def __init__(self):
        self.t0 = time.perf_counter()
        self.s0 = self._stat()
        r = resource.getrusage(resource.RUSAGE_SELF)
        self.c0 = r.ru_utime + r.ru_stime

    def stop(self) -> dict:
        wall = max(time.perf_counter() - self.t0, 1e-9)
        total, idle = self._stat()
        dt, di = total - self.s0[0], idle - self.s0[1]
        r = resource.getrusage(resource.RUSAGE_SELF)
        own = (r.ru_utime + r.ru_stime - self.c0) / wall
        ncpu = os.cpu_count() or 1
        busy = (dt - di) / dt * ncpu if dt > 0 else float("nan")
        return {"own_cpu_cores": round(own, 2), "machine_busy_cores": round(busy, 2),
                "other_busy_cores": round(max(0.0, busy - own), 2), "cores": ncpu}


def _stats(xs: List[float]) -> Dict[str, Optional[float]]:
    if not xs:
        return {"median": None, "min": None, "max": None, "mean": None}
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "mean": statistics.fmean(xs)}


def _precision_ctx(precision: str):
    if precision == "bf16":
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def _parse_ray(text: Optional[str], tasks: int) -> Tensor:
    if not text:
        return torch.full((tasks,), 1.0 / tasks, dtype=torch.float32)
    try:
        vals = [float(x) for x in text.split(",")]
    except ValueError:
        raise UsageError(f"--ray {text!r}: expected comma-separated numbers")
    if len(vals) != tasks:
        raise UsageError(f"--ray has {len(vals)} entries, the pool has {tasks} tasks")
    if any(not math.isfinite(v) or v < 0 for v in vals) or sum(vals) <= 0:
        raise UsageError("--ray entries must be finite, >= 0, and not all 0")
    return torch.tensor(vals, dtype=torch.float32)


def common(cmd: str, cfg: Optional[VisionConfig], tasks, batch, precision) -> dict:
    return {
        "cmd": cmd,
        "config": preset_name(cfg) if cfg is not None else None,
        "sizes": cfg.sizes() if cfg is not None else None,
        "tasks": tasks,
        "batch": batch,
        "precision": precision,
        "threads": torch.get_num_threads(),
        "interop_threads": torch.get_num_interop_threads(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "functional_call": pwe.FUNCTIONAL_CALL,
        "malloc_env": {k: os.environ.get(k) for k in MALLOC_TUNED},
        "loadavg_start": [round(x, 2) for x in _LOADAVG_START],
    }


# ----------------------------------------------------------------------------
# make-pool
# ----------------------------------------------------------------------------
def _parse_classes(text: str, tasks: int) -> List[int]:
    try:
        vals = [int(x) for x in text.split(",")]
    except ValueError:
        raise UsageError(f"--classes {text!r}: expected an integer or one integer per task")
    if len(vals) == 1:
        vals = vals * tasks
    if len(vals) != tasks or any(v < 1 for v in vals):
        raise UsageError("--classes needs one value >= 1, or one per task")
    return vals


def make_pool(config: str, tasks: int, seed: int, classes: List[int], out: str, delta: float = DELTA) -> dict:
    cfg = PRESETS[config]
    t0 = time.perf_counter()
    pre = CLIPVisionModel(cfg, with_projection=True)
    init_random_pretrained(pre, _gen(seed, 1))
    sd = {k: v.detach().clone() for k, v in pre.state_dict().items()}
    del pre
    conf = cfg.to_hf_dict()
    files = []

    def write_model(folder: str, tensors: Dict[str, Tensor], meta: Dict[str, str]) -> None:
        os.makedirs(folder, exist_ok=True)
        st.save_file(tensors, os.path.join(folder, "model.safetensors"), metadata=meta)
        with open(os.path.join(folder, "config.json"), "w") as f:
            json.dump(conf, f, indent=2)
        files.extend([os.path.join(os.path.relpath(folder, out), n) for n in ("model.safetensors", "config.json")])

    write_model(os.path.join(out, "pretrained"), sd, {"format": "pt", "role": "pretrained", "seed": str(seed)})
    vision_keys = [k for k in sd if k.startswith("vision_model.")]
    os.makedirs(os.path.join(out, "heads"), exist_ok=True)
    for i in range(tasks):
        log(f"make-pool: expert {i + 1}/{tasks}")
        g = _gen(seed, 2, i)
        esd = {}
        with torch.no_grad():
            for k in vision_keys:
                p = sd[k]
                rms = float(p.pow(2).mean().sqrt()) if p.numel() else 0.0
                scale = delta * (rms if rms > 0 else 1.0)
                esd[k] = p + scale * torch.randn(p.shape, generator=g)
        write_model(os.path.join(out, "experts", f"task{i}"), esd,
                    {"format": "pt", "role": "expert", "seed": str(seed), "index": str(i), "delta": repr(delta)})
        del esd
        w = torch.randn(classes[i], cfg.projection_dim, generator=_gen(seed, 3, i))
        w = w / w.norm(dim=-1, keepdim=True)
        hp = os.path.join(out, "heads", f"task{i}.safetensors")
        st.save_file({"weight": w.contiguous(), "logit_scale": torch.tensor(LOGIT_SCALE, dtype=torch.float32)}, hp,
                     metadata={"seed": str(seed), "index": str(i)})
        files.append(os.path.relpath(hp, out))
    res = common("make-pool", cfg, tasks, None, "fp32")
    res.update({"out": out, "seed": seed, "delta": delta, "classes": classes, "logit_scale": LOGIT_SCALE,
                "vision_params": count_params(CLIPVisionModel(cfg)), "files": files,
                "seconds": round(time.perf_counter() - t0, 3)})
    return res


def cmd_make_pool(a) -> dict:
    if a.tasks < 1:
        raise UsageError("--tasks must be >= 1")
    return make_pool(a.config, a.tasks, a.seed, _parse_classes(a.classes, a.tasks), a.out, a.delta)


# ----------------------------------------------------------------------------
# time-eval
# ----------------------------------------------------------------------------
def _run_batches(model, head, batches: List[Tensor], precision: str) -> float:
    t0 = time.perf_counter()
    with _precision_ctx(precision):
        for x in batches:
            pwe.compute_logits(model, head, x).argmax(-1)
    return time.perf_counter() - t0


def cmd_time_eval(a) -> dict:
    if a.batch < 1 or a.images < 1:
        raise UsageError("--batch and --images must be >= 1")
    n_batches = math.ceil(a.images / a.batch)
    if n_batches < 2:
        raise UsageError("--images must exceed --batch: the first batch is timed separately (it fills the "
                         "merged-weight cache) and images/s is measured over the rest")
    pool = pwe.Pool(a.pool, a.tasks)
    cfg, T = pool.cfg, pool.tasks
    ray = _parse_ray(a.ray, T)
    t_setup = time.perf_counter()
    log(f"time-eval: building the upscaled model from {a.pool} (T={T})")
    model = pwe.build_upscaled(pool, seed=a.seed, log=log)
    model.eval()
    head = pool.load_head(0)
    g = torch.Generator().manual_seed(a.seed + 23)
    images = torch.randn(a.images, cfg.num_channels, cfg.image_size, cfg.image_size, generator=g)
    batches = list(images.split(a.batch))
    t_setup = time.perf_counter() - t_setup
    rss_setup = _maxrss_mib()
    peak_reset = _reset_peak_rss()
    timed_images = a.images - batches[0].shape[0]
    res = common("time-eval", cfg, T, a.batch, a.precision)
    with torch.no_grad():
        pwe.set_preference(model, ray)
        log("time-eval: first batch (fills the merged-weight cache)")
        first_s = _run_batches(model, head, batches[:1], a.precision)
        log(f"time-eval: {len(batches) - 1} timed batches")
        meter = CpuMeter()
        f0 = _minflt()
        eval_s = _run_batches(model, head, batches[1:], a.precision)
        faults = _minflt() - f0
        cpu = meter.stop()
        log(f"time-eval: {timed_images / eval_s:.3f} images/s; merge x{a.merge_reps + 1}")
        merge_times = []
        for _ in range(a.merge_reps + 1):
            t0 = time.perf_counter()
            sd = pwe.merged_state_dict(model)
            merge_times.append(time.perf_counter() - t0)
            del sd
        merged = {}
        if a.also_merged:
            plain = pwe.plain_model(cfg, pwe.merged_state_dict(model))
            plain.eval()
            log("time-eval: plain merged model")
            m_first = _run_batches(plain, head, batches[:1], a.precision)
            m_eval = _run_batches(plain, head, batches[1:], a.precision)
            with _precision_ctx(a.precision):
                x = batches[0][:4]
                diff = float((pwe.compute_logits(model, head, x).float()
                              - pwe.compute_logits(plain, head, x).float()).abs().max())
            merged = {"merged_images_per_s": timed_images / m_eval, "merged_eval_s": m_eval,
                      "merged_first_batch_s": m_first, "merged_vs_upscaled_max_abs_logit_diff": diff}
            del plain
    later = merge_times[1:] or merge_times
    res.update({
        "pool": a.pool, "ray": [round(float(v), 6) for v in ray], "images": a.images,
        "images_timed": timed_images, "batches_timed": len(batches) - 1,
        "images_per_s": timed_images / eval_s, "eval_s": eval_s,
        "first_batch_s": first_s, "first_batch_images": int(batches[0].shape[0]),
        "merge_s": statistics.median(later), "merge_min_s": min(later), "merge_first_s": merge_times[0],
        "merge_reps": len(later),
        "minor_faults_eval": faults,
        "setup_s": round(t_setup, 3),
        "trainable_params": sum(p.numel() for p in pwe.router_parameters(model)),
        "peak_rss_setup_mib": rss_setup,
        "peak_rss_eval_mib": round(_vm_kib("VmHWM") / 1024, 1) if peak_reset else None,
        "peak_rss_mib": _maxrss_mib(),
        "cpu": cpu,
    })
    if a.also_merged:
        res.update(merged)
    return res


# ----------------------------------------------------------------------------
# time-train
# ----------------------------------------------------------------------------
def epo_combine(losses: List[Tensor], ray: np.ndarray, params: List[nn.Parameter], grad_mode: str,
                stats: dict) -> Tensor:
    """EPO: per-task gradients over the router parameters (torch.autograd.grad,
    retain_graph), C = G G^T, weights w (on T * simplex) from the LP.
    grad_mode 'direct': the routers' .grad is set to sum_t w_t g_t (no further
    backward; returns the detached combined loss). 'backward': returns
    sum_t w_t l_t for the caller to back-propagate (fusion_bench's way)."""
    T = len(losses)
    grads = []
    for t, loss in enumerate(losses):
        retain = grad_mode == "backward" or t < T - 1
        grads.append(torch.autograd.grad(loss, params, retain_graph=retain, allow_unused=True))
    flat = []
    for g in grads:
        flat.append(torch.cat([(x if x is not None else torch.zeros_like(p)).reshape(-1)
                               for x, p in zip(g, params)]))
    G = torch.stack(flat).double()
    C = (G @ G.t()).numpy()
    lvals = np.array([float(l.detach()) for l in losses])
    w, info = epo.epo_loss_weights(lvals, ray, C)
    key = info["mode"] + ("_fallback" if info["fallback"] else "")
    stats[key] = stats.get(key, 0) + 1
    stats["_backend"] = info.get("backend")
    stats.setdefault("_weights", []).append([round(float(v), 6) for v in w])
    wt = torch.from_numpy(w.astype(np.float32))
    if grad_mode == "direct":
        for j, p in enumerate(params):
            acc = None
            for t in range(T):
                gt = grads[t][j]
                if gt is None:
                    continue
                acc = gt * wt[t] if acc is None else acc + gt * wt[t]
            p.grad = acc
        return torch.sum(torch.stack([l.detach() for l in losses]) * wt)
    return torch.sum(torch.stack(losses) * wt)


def cmd_time_train(a) -> dict:
    if a.batch < 1 or a.steps < 1 or a.warmup < 0:
        raise UsageError("--batch and --steps must be >= 1, --warmup >= 0")
    pool = pwe.Pool(a.pool, a.tasks)
    cfg, T = pool.cfg, pool.tasks
    t_setup = time.perf_counter()
    log(f"time-train: building the upscaled model from {a.pool} (T={T})")
    model = pwe.build_upscaled(pool, seed=a.seed, log=log)
    heads = [pool.load_head(i) for i in range(T)]
    model.train()
    params = pwe.router_parameters(model)
    optimizer = torch.optim.Adam(params, lr=a.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=a.warmup + a.steps, eta_min=a.lr * 0.1)
    t_setup = time.perf_counter() - t_setup
    rss_setup = _maxrss_mib()
    rng = np.random.default_rng(a.seed)
    data_gen = torch.Generator().manual_seed(a.seed + 17)
    peak_reset = _reset_peak_rss()
    res = common("time-train", cfg, T, a.batch, a.precision)
    rows = []  # (step, fwd, combine, bwd, optim, total, loss)
    epo_stats: dict = {}
    meter = None
    f0 = None
    for step in range(a.warmup + a.steps):
        if step == a.warmup:
            meter = CpuMeter()
            f0 = _minflt()
        batches = [(torch.randn(a.batch, cfg.num_channels, cfg.image_size, cfg.image_size, generator=data_gen),
                    torch.randint(0, heads[t].classes, (a.batch,), generator=data_gen)) for t in range(T)]
        t0 = time.perf_counter()
        ray_np = rng.dirichlet((a.alpha,) * T).astype(np.float32)
        ray = torch.from_numpy(ray_np)
        pwe.set_preference(model, ray)
        with _precision_ctx(a.precision):
            losses = [pwe.cross_entropy(pwe.compute_logits(model, heads[t], x), y)
                      for t, (x, y) in enumerate(batches)]
        t1 = time.perf_counter()
        if a.variant == "ls":
            loss = 0
            for r, l in zip(ray, losses):
                loss = loss + r * l
        else:
            if a.epo_grads == "direct":
                optimizer.zero_grad(set_to_none=True)
            loss = epo_combine(losses, ray_np.astype(np.float64), params, a.epo_grads, epo_stats)
        t2 = time.perf_counter()
        if a.variant == "ls" or a.epo_grads == "backward":
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
        t3 = time.perf_counter()
        optimizer.step()
        sched.step()
        t4 = time.perf_counter()
        lv = float(loss.detach())
        rows.append((step, t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0, lv))
        log(f"time-train: step {step}{' (warm-up)' if step < a.warmup else ''} {t4 - t0:.3f}s "
            f"(fwd {t1 - t0:.3f} comb {t2 - t1:.3f} bwd {t3 - t2:.3f} opt {t4 - t3:.3f}) loss {lv:.5f}")
        del losses, loss, batches
    faults = _minflt() - f0
    cpu = meter.stop()
    timed = [r for r in rows if r[0] >= a.warmup]
    step_s = [r[5] for r in timed]
    st_ = _stats(step_s)
    res.update({
        "pool": a.pool, "variant": a.variant, "steps": a.steps, "warmup": a.warmup, "lr": a.lr,
        "images_per_step": a.batch * T,
        "median_step_s": st_["median"], "min_step_s": st_["min"], "max_step_s": st_["max"],
        "mean_step_s": st_["mean"],
        "median_forward_s": statistics.median(r[1] for r in timed),
        "median_combine_s": statistics.median(r[2] for r in timed),
        "median_backward_s": statistics.median(r[3] for r in timed),
        "median_optim_s": statistics.median(r[4] for r in timed),
        "step_times_s": [round(x, 4) for x in step_s],
        "warmup_step_times_s": [round(r[5], 4) for r in rows if r[0] < a.warmup],
        "losses": [round(r[6], 5) for r in rows],
        "minor_faults_train": faults,
        "setup_s": round(t_setup, 3),
        "trainable_params": sum(p.numel() for p in params),
        "peak_rss_setup_mib": rss_setup,
        "peak_rss_train_mib": round(_vm_kib("VmHWM") / 1024, 1) if peak_reset else None,
        "peak_rss_mib": _maxrss_mib(),
        "cpu": cpu,
    })
    if a.variant == "epo":
        res["epo_grads"] = a.epo_grads
        res["epo_lp_backend"] = epo_stats.pop("_backend", None)
        res["epo_weights"] = epo_stats.pop("_weights", [])
        res["epo_modes"] = epo_stats
    return res


# ----------------------------------------------------------------------------
# probes
# ----------------------------------------------------------------------------
def _best_of(fn, reps: int, budget_s: float):
    """fn once as warm-up, then up to `reps` timed runs within ~budget_s (>= 1)."""
    t0 = time.perf_counter()
    fn()
    warm = time.perf_counter() - t0
    n = reps if warm * reps <= budget_s else max(1, int(budget_s / max(warm, 1e-9)))
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), n, warm


def cmd_probes(a) -> dict:
    res = common("probes", None, None, None, ["fp32", "bf16"])
    n = a.gemm_n
    g = torch.Generator().manual_seed(0)
    out = {}
    for name, dt in (("fp32", torch.float32), ("bf16", torch.bfloat16)):
        x = torch.randn(n, n, generator=g).to(dt)
        y = torch.randn(n, n, generator=g).to(dt)
        z = torch.empty(n, n, dtype=dt)
        log(f"probes: gemm {name} {n}")

        def mm(x=x, y=y, z=z):
            torch.mm(x, y, out=z)
        best, reps, warm = _best_of(mm, 5, a.budget_s)
        out[f"gemm_{name}_gflops"] = 2 * n ** 3 / best / 1e9
        out[f"gemm_{name}_best_s"] = best
        out[f"gemm_{name}_reps"] = reps
        del x, y, z, mm
    ne = 1 << a.triad_log2
    b = torch.randn(ne, generator=g)
    c = torch.randn(ne, generator=g)
    av = torch.empty(ne)
    log(f"probes: triad 2^{a.triad_log2}")
    best, reps, _ = _best_of(lambda: torch.add(b, c, alpha=3, out=av), 5, a.budget_s)
    out.update({"triad_GBps": 12 * ne / best / 1e9, "triad_best_s": best, "triad_reps": reps,
                "triad_elements": ne, "gemm_n": n})
    res.update(out)
    return res


# ----------------------------------------------------------------------------
# selftest
# ----------------------------------------------------------------------------
def cmd_selftest(a) -> dict:
    res = common("selftest", PRESETS["tiny"], 3, 4, "fp32")
    checks = {}
    st._selftest()
    checks["safetensors_roundtrip"] = True
    # attention against torch's own multi-head attention with packed q, k, v
    cfg = PRESETS["tiny"]
    m = CLIPVisionModel(cfg)
    init_random_pretrained(m, torch.Generator().manual_seed(5))
    att = m.vision_model.encoder.layers[0].self_attn
    mha = nn.MultiheadAttention(cfg.hidden_size, cfg.num_heads, batch_first=True)
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.cat([att.q_proj.weight, att.k_proj.weight, att.v_proj.weight]))
        mha.in_proj_bias.copy_(torch.cat([att.q_proj.bias, att.k_proj.bias, att.v_proj.bias]))
        mha.out_proj.weight.copy_(att.out_proj.weight)
        mha.out_proj.bias.copy_(att.out_proj.bias)
        x = torch.randn(3, cfg.num_positions, cfg.hidden_size, generator=torch.Generator().manual_seed(1))
        res["attention_vs_nn_mha_max_abs"] = float((att(x) - mha(x, x, x, need_weights=False)[0]).abs().max())
    checks["attention"] = res["attention_vs_nn_mha_max_abs"] < 1e-5

    tmp = tempfile.mkdtemp(prefix="peer_selftest_")
    try:
        T = 3
        make_pool("tiny", T, 0, [10, 7, 5], tmp, delta=1e-2)
        pool = pwe.Pool(tmp)
        heads = [pool.load_head(i) for i in range(T)]
        res["head_logit_scale"] = heads[0].logit_scale
        checks["head_logit_scale_100"] = heads[0].logit_scale == LOGIT_SCALE
        model = pwe.build_upscaled(pool, seed=0)
        model.eval()
        checks["upscaled_modules"] = len(pwe.pwe_modules(model)) == cfg.num_layers
        # non-trivial routers, so every module merges with its own weights
        gr = torch.Generator().manual_seed(7)
        with torch.no_grad():
            for p in pwe.router_parameters(model):
                p.add_(0.3 * torch.randn(p.shape, generator=gr))
        ray = torch.tensor([0.2, 0.5, 0.3])
        res.update(pwe.task_vector_check(pool, model, ray, pwe.INIT_LAMBDA))
        checks["merge_arithmetic"] = (res["max_abs_upscaled_param_diff"] < 1e-6
                                      and res["max_abs_fixed_param_diff"] == 0.0)
        px = torch.randn(4, 3, cfg.image_size, cfg.image_size, generator=torch.Generator().manual_seed(3))
        with torch.no_grad():
            pwe.set_preference(model, ray)
            up = [pwe.compute_logits(model, h, px) for h in heads]
            plain = pwe.plain_model(cfg, pwe.merged_state_dict(model))
            pl = [pwe.compute_logits(plain, h, px) for h in heads]
            res["functional_call_vs_merged_max_abs_logit_diff"] = max(
                float((u - v).abs().max()) for u, v in zip(up, pl))
            res["logit_abs_max"] = max(float(u.abs().max()) for u in up)
            # bf16 autocast: routers and merge stay fp32, logits close to fp32
            pwe.set_preference(model, ray)
            with torch.autocast("cpu", dtype=torch.bfloat16):
                ub = pwe.compute_logits(model, heads[0], px)
                rw = pwe.pwe_modules(model)[0][1].routing_weights()
            mdt = {v.dtype for _, mod in pwe.pwe_modules(model) for v in mod._merged.values()}
            res["bf16_max_abs_logit_diff_vs_fp32"] = float((ub.float() - up[0]).abs().max())
            res["bf16_router_dtype"] = str(rw.dtype)
            res["bf16_merged_dtypes"] = sorted(str(d) for d in mdt)
        checks["functional_call_equals_merged"] = res["functional_call_vs_merged_max_abs_logit_diff"] < 1e-4
        checks["bf16_routers_fp32"] = rw.dtype == torch.float32 and mdt == {torch.float32}
        checks["bf16_close"] = res["bf16_max_abs_logit_diff_vs_fp32"] < 0.1 * max(1.0, res["logit_abs_max"])

        # gradients reach every router (fresh model, the routers' own init), LS
        model = pwe.build_upscaled(pool, seed=1)
        model.train()
        params = pwe.router_parameters(model)
        pwe.set_preference(model, ray)
        gl = torch.Generator().manual_seed(4)
        losses = [pwe.cross_entropy(pwe.compute_logits(model, h, px), torch.randint(0, h.classes, (4,), generator=gl))
                  for h in heads]
        sum(r * l for r, l in zip(ray, losses)).backward()
        per_mod = [sum(float(p.grad.norm()) for p in mod.gate.parameters() if p.grad is not None)
                   for _, mod in pwe.pwe_modules(model)]
        res["ls_router_grad_norm_min"] = min(per_mod)
        checks["grads_reach_routers"] = (min(per_mod) > 0
                                         and all(p.grad is not None and torch.isfinite(p.grad).all() for p in params))
        # one real EPO combination on the same model, both gradient modes
        labels = [torch.randint(0, h.classes, (4,), generator=gl) for h in heads]
        got = {}
        for mode in ("backward", "direct"):
            for p in params:
                p.grad = None
            pwe.set_preference(model, ray)
            losses = [pwe.cross_entropy(pwe.compute_logits(model, h, px), y) for h, y in zip(heads, labels)]
            est: dict = {}
            loss = epo_combine(losses, ray.numpy().astype(np.float64), params, mode, est)
            if mode == "backward":
                loss.backward()
            got[mode] = ([p.grad.clone() for p in params], np.array(est["_weights"][0]))
        res["epo_direct_vs_backward_max_abs_grad_diff"] = max(
            float((x - y).abs().max()) for x, y in zip(got["direct"][0], got["backward"][0]))
        checks["epo_direct_equals_backward"] = (
            np.array_equal(got["direct"][1], got["backward"][1])
            and res["epo_direct_vs_backward_max_abs_grad_diff"]
            <= 1e-5 * max(float(x.abs().max()) for x in got["backward"][0]))
        w = got["direct"][1]
        res["epo_weights_model"] = w.tolist()
        res["epo_lp_backend"] = est["_backend"]
        checks["epo_weights_on_T_simplex_model"] = bool(np.all(w >= -1e-9) and abs(w.sum() - T) < 1e-5)
        checks["epo_direct_sets_grads"] = all(p.grad is not None for p in params) and sum(
            float(p.grad.norm()) for p in params) > 0

        # pool errors
        errs = {}
        for what, fn in (
            ("missing_folder", lambda: pwe.Pool(os.path.join(tmp, "nope"))),
            ("missing_head", lambda: (os.rename(os.path.join(tmp, "heads", "task1.safetensors"),
                                                os.path.join(tmp, "heads", "x")), pwe.Pool(tmp))),
        ):
            try:
                fn()
                errs[what] = None
            except pwe.PoolError as e:
                errs[what] = str(e)
        res["pool_errors"] = errs
        checks["pool_errors"] = all(v for v in errs.values())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    res["epo_lp"] = epo._selftest(n_cases=200)
    checks["epo_weights_on_T_simplex"] = res["epo_lp"]["max_weight_sum_or_sign_error"] < 1e-9
    checks["epo_lp_agrees"] = (res["epo_lp"]["feasibility_disagreements"] == 0
                               and res["epo_lp"]["max_rel_objective_gap"] < 1e-6)
    res["checks"] = {k: bool(v) for k, v in checks.items()}
    res["ok"] = all(bool(v) for v in checks.values())
    return res


# ----------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    def threads(s, default=1):
        s.add_argument("--threads", type=int, default=default, help="torch.set_num_threads (default %(default)s)")
        s.add_argument("--malloc", choices=("default", "tuned"), default="default",
                       help="tuned: re-run with MALLOC_MMAP_THRESHOLD_=1GiB MALLOC_TRIM_THRESHOLD_=1GiB "
                            "MALLOC_ARENA_MAX=1, the settings of pwemoe/util/allocator.h (no fresh mmap per "
                            "large tensor); default: glibc and the environment as they are")

    s = sub.add_parser("make-pool", help="random pool on disk")
    s.add_argument("--config", choices=sorted(PRESETS), required=True)
    s.add_argument("--tasks", type=int, required=True)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--classes", default="10", help="classes per head: one value, or one per task (default 10)")
    s.add_argument("--delta", type=float, default=DELTA, help="relative expert perturbation (default 1e-3)")
    s.add_argument("--out", required=True)
    threads(s)

    s = sub.add_parser("time-eval", help="evaluation throughput of the upscaled model")
    s.add_argument("--pool", required=True)
    s.add_argument("--batch", type=int, default=16)
    s.add_argument("--tasks", type=int, default=None, help="use the pool's first N tasks (default: all)")
    s.add_argument("--images", type=int, default=64, help="images in all (the first batch is timed apart)")
    s.add_argument("--precision", choices=("fp32", "bf16"), default="fp32")
    s.add_argument("--ray", default=None, help="comma separated, one per task (default: equal 1/T)")
    s.add_argument("--also-merged", action="store_true", help="also time the plain merged model")
    s.add_argument("--merge-reps", type=int, default=5, help="timed merges after the first (default 5)")
    s.add_argument("--seed", type=int, default=0)
    threads(s)

    s = sub.add_parser("time-train", help="training steps")
    s.add_argument("--pool", required=True)
    s.add_argument("--batch", type=int, default=16, help="images per task per step")
    s.add_argument("--tasks", type=int, default=None, help="use the pool's first N tasks (default: all)")
    s.add_argument("--steps", type=int, default=3)
    s.add_argument("--warmup", type=int, default=1)
    s.add_argument("--variant", choices=("ls", "epo"), default="ls")
    s.add_argument("--epo-grads", choices=("direct", "backward"), default="direct",
                   help="direct: set the routers' grads to sum w_t g_t from the per-task grads (default); "
                        "backward: back-propagate sum w_t l_t again, as fusion_bench does")
    s.add_argument("--precision", choices=("fp32", "bf16"), default="fp32")
    s.add_argument("--lr", type=float, default=LR)
    s.add_argument("--alpha", type=float, default=ALPHA)
    s.add_argument("--seed", type=int, default=0)
    threads(s)

    s = sub.add_parser("probes", help="GEMM and memory-bandwidth probes")
    s.add_argument("--gemm-n", type=int, default=2048)
    s.add_argument("--triad-log2", type=int, default=25)
    s.add_argument("--budget-s", type=float, default=10.0,
                   help="per probe: fewer than 5 timed runs when one run is slower than budget/5")
    threads(s)

    s = sub.add_parser("selftest", help="consistency checks on a tiny pool")
    threads(s)
    return p


def _maybe_reexec(a) -> None:
    if getattr(a, "malloc", "default") != "tuned":
        return
    if all(os.environ.get(k) == v for k, v in MALLOC_TUNED.items()):
        return
    env = dict(os.environ)
    env.update(MALLOC_TUNED)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, [sys.executable, os.path.abspath(__file__)] + sys.argv[1:], env)


def main(argv=None) -> int:
    parser = build_parser()
    a = parser.parse_args(argv)
    _maybe_reexec(a)
    if a.threads < 1:
        parser.error("--threads must be >= 1")
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    torch.set_num_threads(a.threads)
    fn = {"make-pool": cmd_make_pool, "time-eval": cmd_time_eval, "time-train": cmd_time_train,
          "probes": cmd_probes, "selftest": cmd_selftest}[a.cmd]
    try:
        res = fn(a)
    except (pwe.PoolError, UsageError) as e:
        print(f"peer_bench {a.cmd}: error: {e}", file=sys.stderr, flush=True)
        print(json.dumps({"cmd": a.cmd, "ok": False, "error": str(e)}), flush=True)
        return 2
    res["loadavg"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(res), flush=True)
    return 0 if res.get("ok", True) else 1


if __name__ == "__main__":
    sys.exit(main())
