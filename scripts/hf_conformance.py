#!/usr/bin/env python3
"""pwemoe's CLIP forwards and tools against Hugging Face transformers, on random models.

  python3 scripts/hf_conformance.py --bin build/bin --work DIR [--reference auto|transformers|standin]
                                    [--tolerance 1e-5]

It writes random models, a dataset file of random images, class names and prompt templates into
DIR, runs pwemoe's tools on them (float32, on the CPU) and compares what they write with what the
reference computes from the same files (float64, on the CPU, so TF32 never enters):

  tiny        a CLIPModel written with save_pretrained: vision 32x32 images, patch 8, width 32,
              2 layers, 4 heads; text: the 64-token CLIP vocabulary of tests/model/clip_text_golden
              (vocab.json, merges.txt copied beside it), width 32, 2 layers, 16 positions, eos 63;
              projection 32; quick_gelu. Every parameter is moved off transformers' initialisation
              (layer norms 1/0, biases 0) by seeded noise, so each takes part.
  tiny-id     the same with visual_projection and text_projection set to the identity: its
              embeddings are the pooled outputs.
  b32         a CLIPVisionModelWithProjection shaped as ViT-B/32 (224, patch 32, width 768,
              12 layers, projection 512), written with save_pretrained.

Checks (each: max |pwemoe - reference| <= tolerance * max(1, max |reference|)):
  vision      pwemoe-eval --save-outputs: image_embeds of tiny and b32; the pooled output (tiny-id);
              logits through a random head (b32).
  text        pwemoe-zeroshot-heads on 5 classes x 2 templates: the head rows against
              normalize(mean over templates of normalize(text_embeds)), its logit_scale against
              exp(logit_scale); with tiny-id, the same from the pooled outputs.
  zero-shot   pwemoe-eval with that head on tiny: logits against the reference's
              logit_scale * normalize(image_embeds) . head^T.

--reference transformers needs the transformers package (and uses its CLIPTokenizer on the tiny
vocabulary); standin (what `auto` picks where transformers is absent) writes the same models in
the same layout with this repository's independent implementations: bench/peer/clipvit.py (a
PyTorch CLIP vision tower) and tests/model/make_clip_text_golden.py (a numpy text tower and CLIP
tokenizer). The first line printed says which reference ran. PWEMOE_TOOL_LD_LIBRARY_PATH, when
set, becomes the tools' LD_LIBRARY_PATH (scripts/gpu-check.sh --bundle: the bundle's libraries
reach the tools, not this python). Exit status 0 when every check
passes, 1 otherwise; a JSON summary goes to DIR/conformance.json.
"""

import argparse
import importlib.util
import json
import math
import os
import shutil
import subprocess
import sys

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN_DIR = os.path.join(ROOT, "tests", "model", "clip_text_golden")
CLASSES = ["cat", "dog", "owl", "red fox", "the cat"]
TEMPLATES = ["a photo of a {}.", "art of the {}!"]
TINY = dict(image=32, patch=8, width=32, inner=64, layers=2, heads=4, projection=32)
B32 = dict(image=224, patch=32, width=768, inner=3072, layers=12, heads=12, projection=512)


def load_module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sys.path.insert(0, os.path.join(ROOT, "bench", "peer"))
golden = load_module("clip_text_golden", os.path.join(ROOT, "tests", "model", "make_clip_text_golden.py"))
st_io = load_module("safetensors_io", os.path.join(ROOT, "bench", "peer", "safetensors_io.py"))


def perturb_(tensors, seed):
    """Adds seeded noise to every floating tensor (in place, in name order)."""
    g = torch.Generator().manual_seed(seed)
    for name in sorted(tensors):
        t = tensors[name]
        if t.is_floating_point() and name != "logit_scale":
            t.add_(torch.randn(t.shape, generator=g, dtype=t.dtype) * 0.05)


def vision_config(v):
    return dict(hidden_size=v["width"], intermediate_size=v["inner"], num_hidden_layers=v["layers"],
                num_attention_heads=v["heads"], image_size=v["image"], patch_size=v["patch"],
                num_channels=3, hidden_act="quick_gelu", layer_norm_eps=1e-5,
                projection_dim=v["projection"])


def text_config():
    return dict(vocab_size=golden.VOCAB, hidden_size=golden.WIDTH, intermediate_size=golden.INNER,
                num_hidden_layers=golden.LAYERS, num_attention_heads=golden.HEADS,
                max_position_embeddings=golden.POSITIONS, hidden_act="quick_gelu",
                layer_norm_eps=golden.EPS, bos_token_id=golden.BOS, eos_token_id=golden.EOS,
                pad_token_id=1, projection_dim=TINY["projection"])


# ---- references: write models, compute outputs (float64) ---------------------------------------

def save_pretrained(model, path):
    """save_pretrained in safetensors (transformers 4.x needs the flag; 5.x writes nothing else)."""
    try:
        save_pretrained(model, path)
    except TypeError:
        model.save_pretrained(path)


class Transformers:
    name = "transformers"

    def __init__(self):
        import transformers
        self.tf = transformers
        self.version = transformers.__version__

    def write_clip(self, path, seed, identity=False):
        cfg = self.tf.CLIPConfig(text_config=text_config(), vision_config=vision_config(TINY),
                                 projection_dim=TINY["projection"], logit_scale_init_value=4.6052)
        torch.manual_seed(seed)
        model = self.tf.CLIPModel(cfg).eval()
        with torch.no_grad():
            state = dict(model.named_parameters())
            perturb_(state, seed)
            if identity:
                model.visual_projection.weight.copy_(torch.eye(TINY["projection"], TINY["width"]))
                model.text_projection.weight.copy_(torch.eye(TINY["projection"], golden.WIDTH))
        save_pretrained(model, path)

    def write_vision(self, path, seed):
        cfg = self.tf.CLIPVisionConfig(**vision_config(B32))
        torch.manual_seed(seed)
        model = self.tf.CLIPVisionModelWithProjection(cfg).eval()
        with torch.no_grad():
            perturb_(dict(model.named_parameters()), seed)
        save_pretrained(model, path)

    def write_expert(self, path, seed):
        cfg = self.tf.CLIPVisionConfig(**vision_config(TINY))
        torch.manual_seed(seed)
        model = self.tf.CLIPVisionModel(cfg).eval()
        with torch.no_grad():
            perturb_(dict(model.named_parameters()), seed)
        save_pretrained(model, path)

    def load_check(self, path):
        """Loads a CLIPVisionModelWithProjection folder; the keys transformers did not find or use."""
        cls = self.tf.CLIPVisionModelWithProjection
        try:
            _, info = cls.from_pretrained(path, output_loading_info=True)
            return sorted(info.get("missing_keys", [])) + sorted(info.get("unexpected_keys", []))
        except TypeError:  # no loading info in this version: compare the key sets
            model_keys = set(cls.from_pretrained(path).state_dict())
            file_keys = set(st_io.load_file(os.path.join(path, "model.safetensors")))
            return sorted(model_keys ^ file_keys)

    def image(self, path, pixels, full_clip):
        cls = self.tf.CLIPModel if full_clip else self.tf.CLIPVisionModelWithProjection
        model = cls.from_pretrained(path, attn_implementation="eager").double().eval()
        with torch.no_grad():
            vm = model.vision_model
            pooled = vm(pixel_values=pixels.double()).pooler_output
            return pooled, model.visual_projection(pooled)

    def text(self, path, prompts):
        model = self.tf.CLIPModel.from_pretrained(path, attn_implementation="eager").double().eval()
        try:
            tok = self.tf.CLIPTokenizer(vocab_file=os.path.join(path, "vocab.json"),
                                        merges_file=os.path.join(path, "merges.txt"))
            ids = [tok(p, truncation=True, max_length=golden.POSITIONS)["input_ids"] for p in prompts]
            self.tokenizer = "transformers' CLIPTokenizer"
        except Exception as e:  # a tokenizer API this script does not know: say so, use the stand-in's
            ids = standin_ids(prompts)
            self.tokenizer = f"the stand-in tokenizer (CLIPTokenizer failed: {e})"
        with torch.no_grad():
            rows = [model.text_model(input_ids=torch.tensor([i])).pooler_output[0] for i in ids]
            pooled = torch.stack(rows)
            return pooled, model.text_projection(pooled), float(model.logit_scale.exp())


def standin_ids(prompts):
    vocab = golden.make_vocab()
    ranks = {pair: r for r, pair in enumerate(golden.MERGES)}
    return [golden.tokenize(p, vocab, ranks)[0] for p in prompts]


class StandIn:
    name = "standin"
    version = "bench/peer/clipvit.py + tests/model/make_clip_text_golden.py"
    tokenizer = "the stand-in tokenizer (tests/model/make_clip_text_golden.py)"

    def __init__(self):
        self.cv = load_module("clipvit", os.path.join(ROOT, "bench", "peer", "clipvit.py"))

    def _vision(self, v, seed):
        cfg = self.cv.VisionConfig.from_hf_dict(vision_config(v))
        torch.manual_seed(seed)
        model = self.cv.CLIPVisionModel(cfg, with_projection=True)
        state = {k: t.detach().clone() for k, t in model.state_dict().items()}
        perturb_(state, seed)
        return cfg, state

    def write_clip(self, path, seed, identity=False):
        _, tensors = self._vision(TINY, seed)
        golden.PROJECTION = TINY["projection"]
        text = golden.random_params(np.random.default_rng(seed))
        tensors.update({k: torch.from_numpy(np.ascontiguousarray(a)) for k, a in text.items()})
        if identity:
            tensors["visual_projection.weight"] = torch.eye(TINY["projection"], TINY["width"])
            tensors["text_projection.weight"] = torch.eye(TINY["projection"], golden.WIDTH)
        os.makedirs(path, exist_ok=True)
        st_io.save_file({k: v.float().contiguous() for k, v in tensors.items()},
                        os.path.join(path, "model.safetensors"))
        config = {"architectures": ["CLIPModel"], "model_type": "clip",
                  "projection_dim": TINY["projection"], "logit_scale_init_value": golden.LOGIT_SCALE,
                  "text_config": dict(text_config(), model_type="clip_text_model"),
                  "vision_config": dict(vision_config(TINY), model_type="clip_vision_model")}
        with open(os.path.join(path, "config.json"), "w") as f:
            json.dump(config, f, indent=2)

    def write_expert(self, path, seed):
        _, tensors = self._vision(TINY, seed)
        del tensors["visual_projection.weight"]  # a CLIPVisionModel
        os.makedirs(path, exist_ok=True)
        st_io.save_file({k: v.float().contiguous() for k, v in tensors.items()},
                        os.path.join(path, "model.safetensors"))
        with open(os.path.join(path, "config.json"), "w") as f:
            json.dump(dict(vision_config(TINY), architectures=["CLIPVisionModel"],
                           model_type="clip_vision_model"), f, indent=2)

    def load_check(self, path):
        cfg = self.cv.VisionConfig.load(os.path.join(path, "config.json"))
        model = self.cv.CLIPVisionModel(cfg, with_projection=True)
        tensors = st_io.load_file(os.path.join(path, "model.safetensors"))
        result = model.load_state_dict(tensors, strict=False)
        return sorted(result.missing_keys) + sorted(result.unexpected_keys)

    def write_vision(self, path, seed):
        cfg, tensors = self._vision(B32, seed)
        os.makedirs(path, exist_ok=True)
        st_io.save_file({k: v.float().contiguous() for k, v in tensors.items()},
                        os.path.join(path, "model.safetensors"))
        with open(os.path.join(path, "config.json"), "w") as f:
            json.dump(dict(vision_config(B32), architectures=["CLIPVisionModelWithProjection"],
                           model_type="clip_vision_model"), f, indent=2)

    def image(self, path, pixels, full_clip):
        cfg = self.cv.VisionConfig.load(os.path.join(path, "config.json")) if not full_clip \
            else self.cv.VisionConfig.from_hf_dict(vision_config(TINY))
        model = self.cv.CLIPVisionModel(cfg, with_projection=True).double().eval()
        tensors = st_io.load_file(os.path.join(path, "model.safetensors"))
        model.load_state_dict({k: tensors[k] for k in model.state_dict()})
        with torch.no_grad():
            _, pooled = model(pixels.double())
            return pooled, model.image_embeds(pixels.double())

    def text(self, path, prompts):
        tensors = st_io.load_file(os.path.join(path, "model.safetensors"))
        params = {k: v.double().numpy() for k, v in tensors.items() if k.startswith("text_")}
        pooled, embeds = golden.text_forward(params, np.array(standin_ids(prompts)))
        scale = math.exp(float(tensors["logit_scale"]))
        return torch.from_numpy(pooled), torch.from_numpy(embeds), scale


# ---- inputs -------------------------------------------------------------------------------------

MEAN = [0.48145466, 0.4578275, 0.40821073]
STD = [0.26862954, 0.26130258, 0.27577711]


def write_dataset(path, size, n, classes, seed):
    import h5py
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, size, size, 3), dtype=np.uint8)
    labels = rng.integers(0, classes, size=n).astype(np.int64)
    with h5py.File(path, "w") as f:
        f.create_dataset("images", data=images)
        f.create_dataset("labels", data=labels)
        f.attrs["format"] = "pwemoe-dataset"
        f.attrs["version"] = np.int64(1)
        f.attrs["classes"] = np.array([f"class{i}" for i in range(classes)], dtype=h5py.string_dtype())
        f.attrs["mean"] = np.array(MEAN)
        f.attrs["std"] = np.array(STD)
    # The model input, as FORMAT.md defines it (float32 arithmetic).
    x = (images.astype(np.float32) / np.float32(255) - np.array(MEAN, np.float32)) / np.array(STD, np.float32)
    return torch.from_numpy(x.transpose(0, 3, 1, 2).copy())


def run(args, tool, *flags):
    cmd = [os.path.join(args.bin, tool), *flags]
    env = dict(os.environ)
    if os.environ.get("PWEMOE_TOOL_LD_LIBRARY_PATH"):  # the tools' libraries, not python's
        env["LD_LIBRARY_PATH"] = os.environ["PWEMOE_TOOL_LD_LIBRARY_PATH"]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}: {p.stderr.strip()[-400:]}")
    return p.stdout


def normalize(x):
    return x / x.norm(dim=-1, keepdim=True)


class Checks:
    def __init__(self, tolerance):
        self.tolerance = tolerance
        self.rows = []

    def close(self, what, got, want):
        got, want = torch.as_tensor(got).double(), torch.as_tensor(want).double()
        if got.shape != want.shape:
            self.rows.append({"check": what, "ok": False, "error": f"shape {list(got.shape)} vs {list(want.shape)}"})
        else:
            diff = float((got - want).abs().max())
            scale = max(1.0, float(want.abs().max()))
            self.rows.append({"check": what, "ok": diff <= self.tolerance * scale,
                              "max_abs_diff": diff, "scale": scale})
        r = self.rows[-1]
        detail = r.get("error") or f"max |diff| {r['max_abs_diff']:.3g} (scale {r['scale']:.3g})"
        print(f"  {'ok  ' if r['ok'] else 'FAIL'} {what}: {detail}")


EXPERIMENT = """[experiment]
name = "conformance"
output_dir = "{w}/runs"

[model]
pretrained = "{w}/tiny"
experts = "{w}/expert-{{task}}"
heads = {{ a = "{w}/head-tiny.safetensors", b = "{w}/head-tiny.safetensors" }}

[tasks]
names = ["a", "b"]
train_data = {{ a = "{w}/data32.h5", b = "{w}/data32.h5" }}
test_data = {{ a = "{w}/data32.h5", b = "{w}/data32.h5" }}

[upscale]
modules = ["mlp"]
init_lambda = 0.3
router_hidden_layers = 2
"""


def check_export(args, ref, w, checks, pixels, head):
    """pwemoe-export of two tiny experts at a ray with random routers, loaded by the reference
    (no key missing or left over) and evaluated by it and by pwemoe-eval alike."""
    for i, task in enumerate(("a", "b")):
        ref.write_expert(os.path.join(w, f"expert-{task}"), 10 + i)
    with open(os.path.join(w, "experiment.toml"), "w") as f:
        f.write(EXPERIMENT.format(w=w))
    g = torch.Generator().manual_seed(11)
    t = 2
    routers = {}
    for layer in range(TINY["layers"]):
        m = f"vision_model.encoder.layers.{layer}.mlp.gate."
        for name, shape in (("0.weight", [2 * t, t]), ("0.bias", [2 * t]), ("2.weight", [t, 2 * t]), ("2.bias", [t])):
            routers[m + name] = torch.randn(shape, generator=g) * 0.5
    st_io.save_file(routers, os.path.join(w, "routers.safetensors"))
    out = os.path.join(w, "exported")
    run(args, "pwemoe-export", "--experiment", os.path.join(w, "experiment.toml"), "--routers",
        os.path.join(w, "routers.safetensors"), "--ray", "0.3,0.7", "--out", out)
    problems = ref.load_check(out)
    checks.rows.append({"check": "exported folder: keys", "ok": not problems, "problems": problems[:10]})
    print(f"  {'ok  ' if not problems else 'FAIL'} exported folder: keys "
          f"{'all loaded, none left over' if not problems else 'missing or unexpected: ' + ', '.join(problems[:10])}")
    saved = os.path.join(w, "outputs-exported.safetensors")
    run(args, "pwemoe-eval", "--model", out, "--head", head, "--data", os.path.join(w, "data32.h5"),
        "--precision", "fp32", "--save-outputs", saved)
    _, embeds = ref.image(out, pixels, False)
    checks.close("exported: image_embeds", st_io.load_file(saved)["image_embeds"], embeds)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True, help="folder of pwemoe's tools (build/bin)")
    ap.add_argument("--work", required=True, help="folder for the models and outputs (made)")
    ap.add_argument("--reference", default="auto", choices=["auto", "transformers", "standin"])
    ap.add_argument("--tolerance", type=float, default=1e-5)
    args = ap.parse_args()
    torch.set_num_threads(max(1, min(8, os.cpu_count() or 1)))

    if args.reference == "auto":
        args.reference = "transformers" if importlib.util.find_spec("transformers") else "standin"
    ref = Transformers() if args.reference == "transformers" else StandIn()
    print(f"reference: {ref.name} ({ref.version})")
    w = os.path.abspath(args.work)
    if os.path.exists(w):
        shutil.rmtree(w)
    os.makedirs(w)
    checks = Checks(args.tolerance)

    tiny, tiny_id, b32 = (os.path.join(w, n) for n in ("tiny", "tiny-id", "b32"))
    ref.write_clip(tiny, 1)
    ref.write_clip(tiny_id, 1, identity=True)
    ref.write_vision(b32, 2)
    for d in (tiny, tiny_id):
        for f in ("vocab.json", "merges.txt"):
            shutil.copy(os.path.join(GOLDEN_DIR, f), d)
    with open(os.path.join(w, "classes.txt"), "w") as f:
        f.write("\n".join(CLASSES) + "\n")
    with open(os.path.join(w, "templates.txt"), "w") as f:
        f.write("\n".join(TEMPLATES) + "\n")
    pixels32 = write_dataset(os.path.join(w, "data32.h5"), 32, 12, len(CLASSES), 3)
    pixels224 = write_dataset(os.path.join(w, "data224.h5"), 224, 4, 7, 4)

    print("text (pwemoe-zeroshot-heads):")
    prompts = [t.format(c) for c in CLASSES for t in TEMPLATES]
    for name, path in (("tiny", tiny), ("tiny-id (pooled)", tiny_id)):
        head = os.path.join(w, f"head-{os.path.basename(path)}.safetensors")
        run(args, "pwemoe-zeroshot-heads", "--clip", path, "--classes", os.path.join(w, "classes.txt"),
            "--templates", os.path.join(w, "templates.txt"), "--out", head)
        got = st_io.load_file(head)
        pooled, embeds, scale = ref.text(path, prompts)
        per_class = normalize(embeds).reshape(len(CLASSES), len(TEMPLATES), -1).mean(1)
        checks.close(f"{name}: head weight", got["weight"], normalize(per_class))
        checks.close(f"{name}: head logit_scale", got["logit_scale"].reshape([]), torch.tensor(scale))
    print(f"  (reference tokenizer: {ref.tokenizer})")

    print("vision (pwemoe-eval --save-outputs):")
    head_tiny = os.path.join(w, "head-tiny.safetensors")
    cases = [("tiny", tiny, head_tiny, "data32.h5", pixels32, True),
             ("tiny-id (pooled)", tiny_id, os.path.join(w, "head-tiny-id.safetensors"), "data32.h5", pixels32, True)]
    g = torch.Generator().manual_seed(5)
    head_b32 = os.path.join(w, "head-b32.safetensors")
    st_io.save_file({"weight": torch.randn(7, B32["projection"], generator=g),
                     "logit_scale": torch.tensor(100.0)}, head_b32)
    cases.append(("b32", b32, head_b32, "data224.h5", pixels224, False))
    for name, model, head, data, pixels, full in cases:
        out = os.path.join(w, f"outputs-{os.path.basename(model)}.safetensors")
        run(args, "pwemoe-eval", "--model", model, "--head", head, "--data", os.path.join(w, data),
            "--precision", "fp32", "--batch-size", "5", "--save-outputs", out)
        got = st_io.load_file(out)
        pooled, embeds = ref.image(model, pixels, full)
        checks.close(f"{name}: image_embeds", got["image_embeds"], embeds)
        hw = st_io.load_file(head)
        logits = float(hw["logit_scale"].reshape([])) * normalize(embeds) @ hw["weight"].double().T
        what = "zero-shot logits (head from pwemoe-zeroshot-heads)" if name == "tiny" else "logits"
        checks.close(f"{name}: {what}", got["logits"], logits)

    print("export (pwemoe-export, loaded back by the reference):")
    check_export(args, ref, w, checks, pixels32, head_tiny)

    ok = all(r["ok"] for r in checks.rows)
    with open(os.path.join(w, "conformance.json"), "w") as f:
        json.dump({"reference": ref.name, "reference_version": ref.version, "tokenizer": ref.tokenizer,
                   "tolerance": args.tolerance, "ok": ok, "checks": checks.rows}, f, indent=2)
    print(f"conformance against {ref.name}: {'OK' if ok else 'FAILED'} "
          f"({sum(r['ok'] for r in checks.rows)} of {len(checks.rows)} checks)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
