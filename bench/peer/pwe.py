"""PWE MoE (Pareto-driven weight-ensembling MoE, arXiv 2406.09770) on the CLIP
vision encoder of clipvit.py, in plain PyTorch eager: our own module, written
after fusion_bench's ParetoWeightEnsemblingModule (not imported from it).

Model (what the C++ side computes too):
  * every parameter outside an upscaled module: pretrained + 0.3 * sum_i
    (expert_i - pretrained), the sum accumulated expert by expert, then
    scaled, then added (fusion_bench's task_arithmetic_merge order);
    visual_projection is the pretrained one;
  * every `vision_model.encoder.layers.N.mlp` becomes a PWEModule that keeps
    the pretrained MLP (base_model), the stacked task vectors tau [T, ...] of
    fc1/fc2 weight and bias, and a router
        Linear(T, 2T) [w ~ N(0, 0.01^2), b = 0] -> ReLU -> Linear(2T, T) [w ~ N(0, 0.01^2), b = 0.3];
    routing weights w = router(ray); merged W = W0 + sum_i w_i tau_i, computed
    as fusion_bench does ((tau * w.view(T, 1, ..)).sum(0)), then
    functional_call(base_model, merged, x).
  * The merged weights are cached until the next set_preference (as fusion_bench
    does): once per ray in evaluation, once per step (shared by the T task
    forwards, with its autograd graph) in training.
  * Routers and the merge always run in float32, also inside a bf16 autocast
    region (autocast is switched off around them).
"""

import os
import re
from collections import OrderedDict
from typing import Dict, List, Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn

import safetensors_io as st
from clipvit import CLIPVisionModel, FeedForward, VisionConfig

try:  # torch >= 2.0
    from torch.func import functional_call as _functional_call  # type: ignore
    FUNCTIONAL_CALL = "torch.func.functional_call"
except ImportError:  # torch 1.13 (Debian 12)
    from torch.nn.utils.stateless import functional_call as _functional_call
    FUNCTIONAL_CALL = "torch.nn.utils.stateless.functional_call"

INIT_LAMBDA = 0.3
ROUTER_HIDDEN_LAYERS = 2
UPSCALED_RE = re.compile(r"^vision_model\.encoder\.layers\.(\d+)\.mlp\.")


class PoolError(Exception):
    """A pool folder or file is missing or does not fit."""


# ----------------------------------------------------------------------------
# the module
# ----------------------------------------------------------------------------
class PWEModule(nn.Module):
    def __init__(self, base_model: nn.Module, task_vectors: List[Tensor], init_lambda: float = INIT_LAMBDA,
                 router_hidden_layers: int = ROUTER_HIDDEN_LAYERS):
        """task_vectors: one stacked [T, *shape] tensor per entry of
        base_model.state_dict(), in that order."""
        super().__init__()
        t = task_vectors[0].shape[0]
        self.num_experts = t
        if router_hidden_layers == 1:
            self.gate = nn.Sequential(nn.Linear(t, t, bias=True))
            nn.init.normal_(self.gate[0].weight, std=0.01)
            self.gate[0].bias.data.fill_(init_lambda)
        elif router_hidden_layers == 2:
            self.gate = nn.Sequential(nn.Linear(t, 2 * t, bias=True), nn.ReLU(), nn.Linear(2 * t, t, bias=True))
            nn.init.normal_(self.gate[0].weight, std=0.01)
            nn.init.zeros_(self.gate[0].bias)
            nn.init.normal_(self.gate[2].weight, std=0.01)
            self.gate[2].bias.data.fill_(init_lambda)
        else:
            raise ValueError("router_hidden_layers must be 1 or 2")
        self.base_model = base_model
        self.base_model.requires_grad_(False)
        names = list(base_model.state_dict().keys())
        if len(names) != len(task_vectors):
            raise ValueError("one stacked task vector per base parameter")
        self.expert_params = nn.ParameterList([nn.Parameter(tv, requires_grad=False) for tv in task_vectors])
        self.preference_vector: Optional[Tensor] = None
        self._merged: Optional[Dict[str, Tensor]] = None

    def set_preference(self, ray: Tensor) -> None:
        ray = torch.as_tensor(ray, dtype=torch.float32)
        if ray.dim() != 1 or ray.shape[0] != self.num_experts:
            raise ValueError(f"preference vector must be 1-D with {self.num_experts} entries")
        self.preference_vector = ray
        self._merged = None  # reset the cache

    def routing_weights(self) -> Tensor:
        with torch.autocast("cpu", enabled=False):
            return self.gate(self.preference_vector)

    def merge_state_dict(self) -> Dict[str, Tensor]:
        """W0 + sum_i w_i tau_i for every base parameter, float32."""
        if self.preference_vector is None:
            raise RuntimeError("preference vector is not set")
        with torch.autocast("cpu", enabled=False):
            w = self.gate(self.preference_vector)
            merged = OrderedDict()
            for idx, (name, p) in enumerate(self.base_model.state_dict(keep_vars=True).items()):
                tau = self.expert_params[idx]
                merged[name] = p + (tau * w.view([-1] + [1] * (tau.dim() - 1))).sum(dim=0)
        return merged

    def forward(self, *args, **kwargs):
        if self._merged is None:
            self._merged = self.merge_state_dict()
        return _functional_call(self.base_model, self._merged, args, kwargs)


def pwe_modules(model: nn.Module):
    return [(n, m) for n, m in model.named_modules() if isinstance(m, PWEModule)]


def set_preference(model: nn.Module, ray: Tensor) -> None:
    for _, m in pwe_modules(model):
        m.set_preference(ray)


def router_parameters(model: nn.Module) -> List[nn.Parameter]:
    return [p for _, m in pwe_modules(model) for p in m.gate.parameters()]


@torch.no_grad()
def merged_state_dict(model: nn.Module) -> Dict[str, Tensor]:
    """The plain (CLIPVisionModel + visual_projection) state dict at the current
    ray: upscaled tensors freshly merged, all others shared (not copied)."""
    mods = pwe_modules(model)
    prefixes = tuple(n + "." for n, _ in mods)
    out = OrderedDict()
    for name, p in model.named_parameters():
        if not name.startswith(prefixes):
            out[name] = p.detach()
    for n, m in mods:
        for k, v in m.merge_state_dict().items():
            out[f"{n}.{k}"] = v
    return out


def plain_model(cfg: VisionConfig, sd: Dict[str, Tensor]) -> CLIPVisionModel:
    m = CLIPVisionModel(cfg, with_projection=True)
    m.load_state_dict(sd)
    m.requires_grad_(False)
    return m


# ----------------------------------------------------------------------------
# heads and logits
# ----------------------------------------------------------------------------
class Head:
    def __init__(self, weight: Tensor, logit_scale: float):
        self.weight = weight
        self.logit_scale = logit_scale

    @property
    def classes(self) -> int:
        return int(self.weight.shape[0])


def compute_logits(model: CLIPVisionModel, head: Head, images: Tensor) -> Tensor:
    """logit_scale * normalize(visual_projection(pooled)) @ head.weight^T."""
    pooled = model(images)[1]
    emb = model.visual_projection(pooled)
    emb = emb / emb.norm(p=2, dim=-1, keepdim=True)
    return head.logit_scale * torch.matmul(emb, head.weight.t())


# ----------------------------------------------------------------------------
# pool on disk
# ----------------------------------------------------------------------------
def expected_shapes(cfg: VisionConfig) -> "OrderedDict[str, tuple]":
    m = CLIPVisionModel(cfg, with_projection=True)
    return OrderedDict((k, tuple(v.shape)) for k, v in m.state_dict().items())


class Pool:
    def __init__(self, root: str, max_tasks: Optional[int] = None):
        self.root = root
        if not os.path.isdir(root):
            raise PoolError(f"pool folder {root!r} does not exist")
        self.pre_path = self._need(os.path.join(root, "pretrained", "model.safetensors"))
        cfg_path = self._need(os.path.join(root, "pretrained", "config.json"))
        try:
            self.cfg = VisionConfig.load(cfg_path)
        except (ValueError, KeyError, OSError) as e:
            raise PoolError(f"{cfg_path}: {e}") from e
        self.expert_paths, self.head_paths = [], []
        i = 0
        while os.path.isdir(os.path.join(root, "experts", f"task{i}")) and (max_tasks is None or i < max_tasks):
            d = os.path.join(root, "experts", f"task{i}")
            self.expert_paths.append(self._need(os.path.join(d, "model.safetensors")))
            ecfg_path = self._need(os.path.join(d, "config.json"))
            try:
                ecfg = VisionConfig.load(ecfg_path)
            except (ValueError, KeyError, OSError) as e:
                raise PoolError(f"{ecfg_path}: {e}") from e
            if ecfg != self.cfg:
                raise PoolError(f"{ecfg_path}: config differs from the pretrained model's")
            self.head_paths.append(self._need(os.path.join(root, "heads", f"task{i}.safetensors")))
            i += 1
        if i == 0:
            raise PoolError(f"{os.path.join(root, 'experts', 'task0')}: missing (a pool needs at least one expert)")
        if max_tasks is not None and i < max_tasks:
            raise PoolError(f"{os.path.join(root, 'experts', f'task{i}')}: missing (asked for {max_tasks} tasks)")
        self.tasks = i
        self.shapes = expected_shapes(self.cfg)

    @staticmethod
    def _need(path: str) -> str:
        if not os.path.isfile(path):
            raise PoolError(f"{path}: missing file")
        return path

    def _load(self, path: str, keys) -> Dict[str, Tensor]:
        try:
            sd = st.load_file(path)
        except (ValueError, OSError) as e:
            raise PoolError(f"{path}: {e}") from e
        out = {}
        for k in keys:
            if k not in sd:
                raise PoolError(f"{path}: missing tensor {k!r}")
            t = sd[k]
            if tuple(t.shape) != self.shapes[k]:
                raise PoolError(f"{path}: tensor {k!r} has shape {list(t.shape)}, expected {list(self.shapes[k])}")
            out[k] = t.float()
        return out

    def vision_keys(self) -> List[str]:
        return [k for k in self.shapes if k.startswith("vision_model.")]

    def load_pretrained(self) -> Dict[str, Tensor]:
        return self._load(self.pre_path, list(self.shapes))

    def load_expert(self, i: int) -> Dict[str, Tensor]:
        return self._load(self.expert_paths[i], self.vision_keys())

    def load_head(self, i: int) -> Head:
        path = self.head_paths[i]
        try:
            sd = st.load_file(path)
        except (ValueError, OSError) as e:
            raise PoolError(f"{path}: {e}") from e
        for k in ("weight", "logit_scale"):
            if k not in sd:
                raise PoolError(f"{path}: missing tensor {k!r}")
        w, s = sd["weight"], sd["logit_scale"]
        if w.dim() != 2 or w.shape[1] != self.cfg.projection_dim or w.shape[0] < 1:
            raise PoolError(f"{path}: weight has shape {list(w.shape)}, expected [classes, {self.cfg.projection_dim}]")
        if s.numel() != 1 or s.dim() > 1:
            raise PoolError(f"{path}: logit_scale has shape {list(s.shape)}, expected [] or [1]")
        return Head(w.float().contiguous(), float(s.reshape(())))


def build_upscaled(pool: Pool, init_lambda: float = INIT_LAMBDA,
                   router_hidden_layers: int = ROUTER_HIDDEN_LAYERS, seed: int = 0,
                   log=None) -> CLIPVisionModel:
    """The upscaled model (experts are read one at a time). Router init draws
    from torch's global RNG after torch.manual_seed(seed), as fusion_bench's
    nn.init calls do."""
    cfg = pool.cfg
    pre = pool.load_pretrained()
    keys = pool.vision_keys()
    up_keys = [k for k in keys if UPSCALED_RE.match(k)]
    fixed_keys = [k for k in keys if not UPSCALED_RE.match(k)]
    tv_sum: Optional[Dict[str, Tensor]] = None
    taus: Dict[str, List[Tensor]] = {k: [] for k in up_keys}
    for i in range(pool.tasks):
        if log:
            log(f"expert {i + 1}/{pool.tasks}")
        e = pool.load_expert(i)
        with torch.no_grad():
            d = {k: e[k] - pre[k] for k in fixed_keys}
            tv_sum = d if tv_sum is None else {k: tv_sum[k] + d[k] for k in fixed_keys}
            for k in up_keys:
                taus[k].append(e[k] - pre[k])
        del e, d
    with torch.no_grad():
        sd = {k: pre[k] + tv_sum[k] * init_lambda for k in fixed_keys}
    del tv_sum
    for k in up_keys:
        sd[k] = pre[k]
    sd["visual_projection.weight"] = pre["visual_projection.weight"]
    del pre
    model = CLIPVisionModel(cfg, with_projection=True)
    model.load_state_dict(sd)
    del sd
    model.requires_grad_(False)
    torch.manual_seed(seed)
    for li, layer in enumerate(model.vision_model.encoder.layers):
        base: FeedForward = layer.mlp
        prefix = f"vision_model.encoder.layers.{li}.mlp."
        stacked = []
        for name in base.state_dict().keys():
            stacked.append(torch.stack(taus[prefix + name]))
            taus[prefix + name] = None
        layer.mlp = PWEModule(base, stacked, init_lambda, router_hidden_layers)
    return model


def task_vector_check(pool: Pool, model: CLIPVisionModel, ray: Tensor, init_lambda: float) -> Dict[str, float]:
    """Recompute the merged state dict with plain tensor arithmetic, for the
    self-test: non-upscaled p + lambda * sum(e_i - p); upscaled p + sum_i w_i
    (e_i - p) with w = router(ray)."""
    pre = pool.load_pretrained()
    experts = [pool.load_expert(i) for i in range(pool.tasks)]
    mods = dict(pwe_modules(model))
    ref = {}
    for k in pool.vision_keys():
        m = UPSCALED_RE.match(k)
        if m:
            mod = mods[f"vision_model.encoder.layers.{m.group(1)}.mlp"]
            with torch.no_grad():
                w = mod.gate(ray)
                acc = pre[k].clone()
                for i, e in enumerate(experts):
                    acc = acc + w[i] * (e[k] - pre[k])
            ref[k] = acc
        else:
            acc = experts[0][k] - pre[k]
            for e in experts[1:]:
                acc = acc + (e[k] - pre[k])
            ref[k] = pre[k] + init_lambda * acc
    ref["visual_projection.weight"] = pre["visual_projection.weight"]
    set_preference(model, ray)
    got = merged_state_dict(model)
    if set(got) != set(ref):
        raise AssertionError(f"merged keys differ: {sorted(set(got) ^ set(ref))[:5]}")
    up = max(float((got[k] - ref[k]).abs().max()) for k in ref if UPSCALED_RE.match(k))
    fixed = max(float((got[k] - ref[k]).abs().max()) for k in ref if not UPSCALED_RE.match(k))
    return {"max_abs_upscaled_param_diff": up, "max_abs_fixed_param_diff": fixed}


def cross_entropy(logits: Tensor, labels: Tensor) -> Tensor:
    return F.cross_entropy(logits.float(), labels)
