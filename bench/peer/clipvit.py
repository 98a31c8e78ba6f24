"""A CLIP vision encoder in plain PyTorch (no `transformers` dependency).

Adapted from this project's shared pyref harness (clipvit.py). Differences:
the `tiny` preset (hidden 64, intermediate 256, 2 layers, 4 heads, image 32,
patch 8, projection 32), the config.json writer emits exactly the keys the C++
side reads, and the attention scales q before QK^T as HF 4.x's eager path does.

Parameter names, registration order and math follow Hugging Face
`transformers`' CLIPVisionModel (`vision_model.*` keys, transformers 4.x
layout), plus CLIPModel's `visual_projection.weight` [proj, hidden]:

    vision_model.embeddings.class_embedding                [D]
    vision_model.embeddings.patch_embedding.weight         [D, C, P, P]   (conv, no bias)
    vision_model.embeddings.position_embedding.weight      [(S/P)^2 + 1, D]
    vision_model.pre_layrnorm.{weight,bias}                [D]            (sic: "layrnorm")
    vision_model.encoder.layers.{i}.self_attn.{k,v,q,out}_proj.{weight,bias}
    vision_model.encoder.layers.{i}.layer_norm1.{weight,bias}
    vision_model.encoder.layers.{i}.mlp.fc1.{weight,bias}  [I, D], [I]
    vision_model.encoder.layers.{i}.mlp.fc2.{weight,bias}  [D, I], [D]
    vision_model.encoder.layers.{i}.layer_norm2.{weight,bias}
    vision_model.post_layernorm.{weight,bias}
    visual_projection.weight                              [proj, D]

Forward (pixel_values [B, C, S, S]):
    x = conv(pixel_values).flatten(2).transpose(1, 2)          # [B, N, D]
    x = cat([class_embedding, x], 1) + position_embedding
    x = pre_layrnorm(x)
    per layer:  x = x + attn(layer_norm1(x));  x = x + mlp(layer_norm2(x))
        attn: q = q_proj(h) * head_dim^-0.5, k, v; per head softmax(q k^T) v; out_proj
        mlp : fc2(quick_gelu(fc1(h))), quick_gelu(z) = z * sigmoid(1.702 z)
    pooled = post_layernorm(x[:, 0, :])
`forward` returns (last_hidden_state, pooled).
"""

import json
from dataclasses import dataclass
import torch
from torch import Tensor, nn


@dataclass
class VisionConfig:
    image_size: int = 224
    patch_size: int = 32
    hidden_size: int = 768
    intermediate_size: int = 3072
    num_layers: int = 12
    num_heads: int = 12
    projection_dim: int = 512
    num_channels: int = 3
    layer_norm_eps: float = 1e-5

    @property
    def num_positions(self) -> int:
        return (self.image_size // self.patch_size) ** 2 + 1

    def _shape(self) -> dict:
        """The tower's shape under its HF config.json keys."""
        return {
            "hidden_size": self.hidden_size,
            "intermediate_size": self.intermediate_size,
            "num_hidden_layers": self.num_layers,
            "num_attention_heads": self.num_heads,
            "image_size": self.image_size,
            "patch_size": self.patch_size,
        }

    def sizes(self) -> dict:
        """The sizes reported in every JSON line."""
        return {**self._shape(), "projection_dim": self.projection_dim}

    def to_hf_dict(self) -> dict:
        """config.json in HF CLIPVisionConfig style (the keys the C++ side reads)."""
        return {
            "model_type": "clip_vision_model",
            **self._shape(),
            "num_channels": self.num_channels,
            "hidden_act": "quick_gelu",
            "layer_norm_eps": self.layer_norm_eps,
            "projection_dim": self.projection_dim,
        }

    @classmethod
    def from_hf_dict(cls, d: dict) -> "VisionConfig":
        if d.get("hidden_act", "quick_gelu") != "quick_gelu":
            raise ValueError("only hidden_act=quick_gelu is implemented")
        return cls(
            image_size=int(d["image_size"]),
            patch_size=int(d["patch_size"]),
            hidden_size=int(d["hidden_size"]),
            intermediate_size=int(d["intermediate_size"]),
            num_layers=int(d["num_hidden_layers"]),
            num_heads=int(d["num_attention_heads"]),
            projection_dim=int(d.get("projection_dim", 512)),
            num_channels=int(d.get("num_channels", 3)),
            layer_norm_eps=float(d.get("layer_norm_eps", 1e-5)),
        )

    @classmethod
    def load(cls, path: str) -> "VisionConfig":
        with open(path) as f:
            return cls.from_hf_dict(json.load(f))


PRESETS = {
    "tiny": VisionConfig(
        image_size=32, patch_size=8, hidden_size=64, intermediate_size=256,
        num_layers=2, num_heads=4, projection_dim=32,
    ),
    "b32": VisionConfig(
        image_size=224, patch_size=32, hidden_size=768, intermediate_size=3072,
        num_layers=12, num_heads=12, projection_dim=512,
    ),
}


def preset_name(cfg: VisionConfig) -> str:
    for name, p in PRESETS.items():
        if p == cfg:
            return name
    return "custom"


def quick_gelu(x: Tensor) -> Tensor:
    return x * torch.sigmoid(1.702 * x)


class PatchAndPositionEmbedding(nn.Module):
    def __init__(self, cfg: VisionConfig):
        super().__init__()
        d = cfg.hidden_size
        self.class_embedding = nn.Parameter(torch.zeros(d))
        self.patch_embedding = nn.Conv2d(
            cfg.num_channels, d, kernel_size=cfg.patch_size, stride=cfg.patch_size, bias=False
        )
        self.position_embedding = nn.Embedding(cfg.num_positions, d)
        # not part of the state dict (HF >= 4.31 registers it non-persistent too)
        self.register_buffer(
            "position_ids", torch.arange(cfg.num_positions).unsqueeze(0), persistent=False
        )

    def forward(self, pixel_values: Tensor) -> Tensor:
        b = pixel_values.shape[0]
        w = self.patch_embedding.weight
        patches = self.patch_embedding(pixel_values.to(w.dtype))  # [B, D, g, g]
        patches = patches.flatten(2).transpose(1, 2)  # [B, g*g, D]
        cls_tok = self.class_embedding.reshape(1, 1, -1).expand(b, 1, -1).to(patches.dtype)
        tokens = torch.cat([cls_tok, patches], dim=1)
        return tokens + self.position_embedding(self.position_ids)


class SelfAttention(nn.Module):
    def __init__(self, cfg: VisionConfig):
        super().__init__()
        d = cfg.hidden_size
        if d % cfg.num_heads:
            raise ValueError("hidden_size must be divisible by num_heads")
        self.num_heads = cfg.num_heads
        self.head_dim = d // cfg.num_heads
        self.scale = self.head_dim ** -0.5
        # registration order k, v, q, out matches HF, which fixes state-dict order
        self.k_proj = nn.Linear(d, d)
        self.v_proj = nn.Linear(d, d)
        self.q_proj = nn.Linear(d, d)
        self.out_proj = nn.Linear(d, d)

    def forward(self, hidden_states: Tensor) -> Tensor:
        b, n, d = hidden_states.shape

        def split(t: Tensor) -> Tensor:
            return t.reshape(b, n, self.num_heads, self.head_dim).transpose(1, 2)

        q = split(self.q_proj(hidden_states) * self.scale)  # HF 4.x eager: scale q first
        k = split(self.k_proj(hidden_states))
        v = split(self.v_proj(hidden_states))
        scores = torch.matmul(q, k.transpose(-1, -2))
        probs = torch.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype)
        ctx = torch.matmul(probs, v).transpose(1, 2).reshape(b, n, d)
        return self.out_proj(ctx)


class FeedForward(nn.Module):
    def __init__(self, cfg: VisionConfig):
        super().__init__()
        self.fc1 = nn.Linear(cfg.hidden_size, cfg.intermediate_size)
        self.fc2 = nn.Linear(cfg.intermediate_size, cfg.hidden_size)

    def forward(self, hidden_states: Tensor) -> Tensor:
        return self.fc2(quick_gelu(self.fc1(hidden_states)))


class EncoderLayer(nn.Module):
    def __init__(self, cfg: VisionConfig):
        super().__init__()
        self.self_attn = SelfAttention(cfg)
        self.layer_norm1 = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.mlp = FeedForward(cfg)
        self.layer_norm2 = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)

    def forward(self, x: Tensor) -> Tensor:
        x = x + self.self_attn(self.layer_norm1(x))
        return x + self.mlp(self.layer_norm2(x))


class Encoder(nn.Module):
    def __init__(self, cfg: VisionConfig):
        super().__init__()
        self.layers = nn.ModuleList([EncoderLayer(cfg) for _ in range(cfg.num_layers)])

    def forward(self, x: Tensor) -> Tensor:
        for layer in self.layers:
            x = layer(x)
        return x


class VisionTransformer(nn.Module):
    def __init__(self, cfg: VisionConfig):
        super().__init__()
        self.embeddings = PatchAndPositionEmbedding(cfg)
        self.pre_layrnorm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.encoder = Encoder(cfg)
        self.post_layernorm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)

    def forward(self, pixel_values: Tensor):
        x = self.pre_layrnorm(self.embeddings(pixel_values))
        x = self.encoder(x)
        pooled = self.post_layernorm(x[:, 0, :])
        return x, pooled


class CLIPVisionModel(nn.Module):
    """State-dict compatible with HF CLIPVisionModel; with `with_projection`
    it also owns CLIPModel's `visual_projection` (Linear, no bias)."""

    def __init__(self, cfg: VisionConfig, with_projection: bool = False):
        super().__init__()
        self.config = cfg
        self.vision_model = VisionTransformer(cfg)
        if with_projection:
            self.visual_projection = nn.Linear(cfg.hidden_size, cfg.projection_dim, bias=False)
        else:
            self.visual_projection = None

    def forward(self, pixel_values: Tensor):
        """Returns (last_hidden_state, pooled_output)."""
        return self.vision_model(pixel_values)

    def image_embeds(self, pixel_values: Tensor) -> Tensor:
        if self.visual_projection is None:
            raise RuntimeError("built without visual_projection")
        return self.visual_projection(self.forward(pixel_values)[1])


@torch.no_grad()
def init_random_pretrained(model: CLIPVisionModel, generator: torch.Generator) -> None:
    """Random 'pretrained' weights (as pyref's init_random_pretrained). Weight std
    follows HF's CLIP init; biases are N(0, 0.02), LayerNorm weights 1 + N(0, 0.1)
    and LayerNorm biases N(0, 0.02), so parameters mixed up cannot go unnoticed."""
    cfg = model.config
    d, L = cfg.hidden_size, cfg.num_layers

    def normal_(t: Tensor, std: float, mean: float = 0.0) -> None:
        t.copy_(torch.randn(t.shape, generator=generator) * std + mean)

    vm = model.vision_model
    normal_(vm.embeddings.class_embedding, d ** -0.5)
    normal_(vm.embeddings.patch_embedding.weight, 0.02)
    normal_(vm.embeddings.position_embedding.weight, 0.02)
    in_std = d ** -0.5 * (2 * L) ** -0.5
    for layer in vm.encoder.layers:
        at = layer.self_attn
        for lin, std in ((at.k_proj, in_std), (at.v_proj, in_std), (at.q_proj, in_std),
                         (at.out_proj, d ** -0.5)):
            normal_(lin.weight, std)
            normal_(lin.bias, 0.02)
        normal_(layer.mlp.fc1.weight, (2 * d) ** -0.5)
        normal_(layer.mlp.fc1.bias, 0.02)
        normal_(layer.mlp.fc2.weight, in_std)
        normal_(layer.mlp.fc2.bias, 0.02)
    for ln in [vm.pre_layrnorm, vm.post_layernorm] + [
        m for layer in vm.encoder.layers for m in (layer.layer_norm1, layer.layer_norm2)
    ]:
        normal_(ln.weight, 0.1, mean=1.0)
        normal_(ln.bias, 0.02)
    if model.visual_projection is not None:
        normal_(model.visual_projection.weight, d ** -0.5)


def count_params(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())
