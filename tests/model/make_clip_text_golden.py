#!/usr/bin/env python3
"""Golden files for the CLIP text tower and pwemoe-zeroshot-heads, computed with numpy alone.

Writes tests/model/clip_text_golden/ (or the folder given as the only argument):

  config.json             a CLIPModel config (model_type "clip") for a tiny random text tower:
                          vocab 64, width 32, MLP 64, 2 layers, 4 heads, 16 positions,
                          projection 24, quick_gelu, eos_token_id 63 (the highest id)
  model.safetensors       its CLIPModel checkpoint in F32: text_model.*, text_projection.weight,
                          logit_scale, plus tensors the text loader must ignore (a scrap of the
                          vision tower, visual_projection.weight, the I64 position_ids buffer)
  model_f16.safetensors   the same tensors in F16 (floating ones), and
  model_bf16.safetensors  in BF16 (round to nearest even)
  vocab.json, merges.txt  a tiny CLIP byte-level BPE vocabulary (ids 0..63, "<|startoftext|>" 62,
                          "<|endoftext|>" 63) with six merges
  classes.txt,            the classes and prompt templates of the zero-shot head test
  templates.txt
  expected.safetensors    the numpy results, F64 (ids I64):
      ids [R, 16], text_embeds [R, 24], pooled [R, 32]: pooling at the first eos_token_id 63;
      legacy_ids [L, 16], legacy_text_embeds [L, 24]: the same weights with eos_token_id 2,
          which pools at the argmax of the ids (the first position of the largest id);
      f16_text_embeds, bf16_text_embeds [R, 24]: `ids` through the F16 / BF16 weights (widened);
      prompt_ids [C * T, 16]: every template filled with every class (class-major), tokenized;
      head_weight [C, 24]: normalize(mean over templates of normalize(text_embeds)) per class;
      head_logit_scale []: exp(logit_scale) of the F32 checkpoint.

The forward is written independently of pwemoe's: explicit loops over heads, the causal mask as
-inf above the diagonal, layer norm from mean and variance, softmax from exp and sum, and the full
16 positions (no truncation). The tokenizer is a small re-implementation of Hugging Face's
CLIPTokenizer for lower-case ASCII text (clean-up, the pre-tokenizer pattern restricted to ASCII,
byte-pair merges by rank, [bos] + ids[:14] + [eos] padded with eos to 16 positions).

Deterministic: the same numpy version writes the same bytes (these were written with numpy 1.24).
Run with a python3 that has numpy (on Debian, /usr/bin/python3 with python3-numpy):
  /usr/bin/python3 tests/model/make_clip_text_golden.py
"""

import json
import math
import os
import re
import struct
import sys

import numpy as np

VOCAB = 64
WIDTH = 32
INNER = 64
LAYERS = 2
HEADS = 4
POSITIONS = 16
PROJECTION = 24
EPS = 1e-5
BOS = 62
EOS = 63
LOGIT_SCALE = 4.6052  # ln(100), as trained CLIP checkpoints hold it

CLASSES = ["cat", "dog", "Red fox", "owl"]
# "a photo of a red fox." is 15 tokens: its "." is cut (14 fit between bos and eos); "a red fox in
# the wild!" is exactly 14.
TEMPLATES = ["a photo of a {}.", "a {} in the wild!", "{}", "art of the {}."]
MERGES = [("t", "h"), ("th", "e</w>"), ("i", "n</w>"), ("o", "f</w>"), ("c", "a"), ("ca", "t</w>")]


# ---- the model ----------------------------------------------------------------------------------

def random_params(rng):
    """Float32 parameters of the text tower plus CLIPModel's text_projection and logit_scale."""
    def normal(shape, std):
        return (rng.standard_normal(shape) * std).astype(np.float32)

    p = {
        "text_model.embeddings.token_embedding.weight": normal((VOCAB, WIDTH), 0.5),
        "text_model.embeddings.position_embedding.weight": normal((POSITIONS, WIDTH), 0.2),
    }
    for layer in range(LAYERS):
        pre = f"text_model.encoder.layers.{layer}."
        for ln in ("layer_norm1", "layer_norm2"):
            p[pre + ln + ".weight"] = (1.0 + normal((WIDTH,), 0.1)).astype(np.float32)
            p[pre + ln + ".bias"] = normal((WIDTH,), 0.1)
        for proj in ("q_proj", "k_proj", "v_proj", "out_proj"):
            p[pre + "self_attn." + proj + ".weight"] = normal((WIDTH, WIDTH), WIDTH ** -0.5)
            p[pre + "self_attn." + proj + ".bias"] = normal((WIDTH,), 0.1)
        p[pre + "mlp.fc1.weight"] = normal((INNER, WIDTH), WIDTH ** -0.5)
        p[pre + "mlp.fc1.bias"] = normal((INNER,), 0.1)
        p[pre + "mlp.fc2.weight"] = normal((WIDTH, INNER), INNER ** -0.5)
        p[pre + "mlp.fc2.bias"] = normal((WIDTH,), 0.1)
    p["text_model.final_layer_norm.weight"] = (1.0 + normal((WIDTH,), 0.1)).astype(np.float32)
    p["text_model.final_layer_norm.bias"] = normal((WIDTH,), 0.1)
    p["text_projection.weight"] = normal((PROJECTION, WIDTH), WIDTH ** -0.5)
    p["logit_scale"] = np.array(LOGIT_SCALE, dtype=np.float32)  # shape [], as in CLIPModel
    return p


def layer_norm(x, weight, bias):
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + EPS) * weight + bias


def quick_gelu(x):
    return x / (1.0 + np.exp(-1.702 * x))


def attention(p, pre, x):
    """Causal multi-head self-attention of one sequence x [T, D], head by head."""
    t = x.shape[0]
    head_dim = WIDTH // HEADS
    q = x @ p[pre + "q_proj.weight"].T + p[pre + "q_proj.bias"]
    k = x @ p[pre + "k_proj.weight"].T + p[pre + "k_proj.bias"]
    v = x @ p[pre + "v_proj.weight"].T + p[pre + "v_proj.bias"]
    out = np.zeros((t, WIDTH))
    for h in range(HEADS):
        cols = slice(h * head_dim, (h + 1) * head_dim)
        scores = (q[:, cols] @ k[:, cols].T) / math.sqrt(head_dim)
        for i in range(t):
            scores[i, i + 1:] = -np.inf  # position i sees positions 0..i
        scores = scores - scores.max(axis=1, keepdims=True)
        weights = np.exp(scores)
        weights = weights / weights.sum(axis=1, keepdims=True)
        out[:, cols] = weights @ v[:, cols]
    return out @ p[pre + "out_proj.weight"].T + p[pre + "out_proj.bias"]


def pool_index(ids, eos_token_id):
    if eos_token_id == 2:  # configs from before transformers PR #24773: argmax of the ids
        return int(np.argmax(ids))  # numpy's argmax returns the first maximum
    return int(np.nonzero(ids == eos_token_id)[0][0])


def text_forward(params, ids, eos_token_id=EOS):
    """pooled [R, D] and text_embeds [R, projection] of ids [R, T], in float64."""
    p = {k: v.astype(np.float64) for k, v in params.items()}
    pooled, embeds = [], []
    for row in ids:
        t = len(row)
        x = (p["text_model.embeddings.token_embedding.weight"][row]
             + p["text_model.embeddings.position_embedding.weight"][:t])
        for layer in range(LAYERS):
            pre = f"text_model.encoder.layers.{layer}."
            h = layer_norm(x, p[pre + "layer_norm1.weight"], p[pre + "layer_norm1.bias"])
            x = x + attention(p, pre + "self_attn.", h)
            h = layer_norm(x, p[pre + "layer_norm2.weight"], p[pre + "layer_norm2.bias"])
            h = quick_gelu(h @ p[pre + "mlp.fc1.weight"].T + p[pre + "mlp.fc1.bias"])
            x = x + h @ p[pre + "mlp.fc2.weight"].T + p[pre + "mlp.fc2.bias"]
        x = layer_norm(x, p["text_model.final_layer_norm.weight"],
                       p["text_model.final_layer_norm.bias"])
        y = x[pool_index(row, eos_token_id)]
        pooled.append(y)
        embeds.append(y @ p["text_projection.weight"].T)
    return np.array(pooled), np.array(embeds)


# ---- the tokenizer ------------------------------------------------------------------------------

def letters():
    return [chr(c) for c in range(ord("a"), ord("z") + 1)]


def make_vocab():
    tokens = letters() + [c + "</w>" for c in letters()] + [".", ".</w>", "!", "!</w>"]
    tokens += [a + b for a, b in MERGES]
    tokens += ["<|startoftext|>", "<|endoftext|>"]
    assert len(tokens) == VOCAB and len(set(tokens)) == VOCAB
    vocab = {t: i for i, t in enumerate(tokens)}
    assert vocab["<|startoftext|>"] == BOS and vocab["<|endoftext|>"] == EOS
    return vocab


def bpe(word, ranks):
    """Hugging Face's CLIP byte-pair encoding of one pre-tokenized word (ASCII: bytes are chars)."""
    parts = list(word[:-1]) + [word[-1] + "</w>"]
    while len(parts) > 1:
        pairs = [(parts[i], parts[i + 1]) for i in range(len(parts) - 1)]
        best = min(pairs, key=lambda pair: ranks.get(pair, math.inf))
        if best not in ranks:
            break
        merged, i = [], 0
        while i < len(parts):  # every occurrence, left to right
            if i + 1 < len(parts) and (parts[i], parts[i + 1]) == best:
                merged.append(parts[i] + parts[i + 1])
                i += 2
            else:
                merged.append(parts[i])
                i += 1
        parts = merged
    return parts


def tokenize(text, vocab, ranks):
    """[bos] + ids (cut to POSITIONS - 2) + [eos], padded with eos to POSITIONS; and whether cut."""
    cleaned = " ".join(text.split()).lower()
    words = re.findall(r"'s|'t|'re|'ve|'m|'ll|'d|[a-z]+|[0-9]|[^\sa-z0-9]+", cleaned)
    ids = [vocab[tok] for w in words for tok in bpe(w, ranks)]
    cut = len(ids) > POSITIONS - 2
    ids = [BOS] + ids[:POSITIONS - 2] + [EOS]
    return ids + [EOS] * (POSITIONS - len(ids)), cut


# ---- files --------------------------------------------------------------------------------------

def bf16_bits(a):
    """float32 -> bfloat16 bit patterns, round to nearest even (no NaNs here)."""
    bits = a.astype(np.float32).reshape(-1).view(np.uint32).astype(np.int64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return rounded.astype(np.uint16).reshape(np.shape(a))


def bf16_to_f32(bits):
    wide = bits.reshape(-1).astype(np.uint32) << np.uint32(16)
    return wide.view(np.float32).reshape(bits.shape)


def write_safetensors(path, tensors):
    """tensors: name -> (dtype name, numpy array of the stored bytes' element type)."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        dtype, array = tensors[name]
        data = np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def checkpoint(params, kind):
    """The CLIPModel checkpoint tensors with floating tensors stored as `kind`."""
    extra = {
        "vision_model.embeddings.class_embedding": np.linspace(-1, 1, 8, dtype=np.float32),
        "visual_projection.weight": np.full((PROJECTION, 8), 0.25, dtype=np.float32),
    }
    out = {}
    for name, array in {**params, **extra}.items():
        if kind == "F32":
            out[name] = ("F32", array)
        elif kind == "F16":
            out[name] = ("F16", array.astype(np.float16))
        else:
            out[name] = ("BF16", bf16_bits(array))
    out["text_model.embeddings.position_ids"] = (
        "I64", np.arange(POSITIONS, dtype=np.int64).reshape(1, POSITIONS))
    return out


def widened(params, kind):
    if kind == "F16":
        return {k: v.astype(np.float16).astype(np.float32) for k, v in params.items()}
    return {k: bf16_to_f32(bf16_bits(v)) for k, v in params.items()}


def test_ids(rng):
    """Rows for eos_token_id 63: the first 63 at positions 1, 3, 6, 9, 15, padded after it with 63,
    with 0, or with random ids; one row holding 63 twice."""
    rows = []
    for eos_at, pad in ((3, "eos"), (9, "zero"), (15, "none"), (1, "random"), (6, "random")):
        row = [BOS] + list(rng.integers(0, EOS - 1, size=eos_at - 1)) + [EOS]
        fill = {"eos": [EOS] * POSITIONS, "zero": [0] * POSITIONS,
                "none": [], "random": list(rng.integers(0, VOCAB, size=POSITIONS))}[pad]
        rows.append((row + fill)[:POSITIONS])
    rows.append([BOS, 7, 12, EOS, 40, 41, EOS] + [EOS] * (POSITIONS - 7))
    return np.array(rows, dtype=np.int64)


def legacy_ids():
    """Rows for eos_token_id 2 (argmax): the largest id at various positions, ties (first wins),
    and 2 itself placed elsewhere so that the first-eos rule would pool somewhere else."""
    rows = [
        [5, 2, 40, 12, 2, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],    # max 40 at 2, first 2 at 1
        [62, 2, 63, 9, 63] + [0] * 11,                           # max 63 at 2 (and 4)
        [3, 9, 2, 9, 1] + [0] * 11,                              # tie: 9 at 1 and 3
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 61],  # max at the last position
        [50, 2, 2, 2] + [2] * 12,                                # max at position 0
    ]
    return np.array(rows, dtype=np.int64)


def normalize(x):
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "clip_text_golden")
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20240813)
    params = random_params(rng)

    config = {
        "architectures": ["CLIPModel"],
        "model_type": "clip",
        "projection_dim": PROJECTION,
        "logit_scale_init_value": 2.6592,
        "text_config": {
            "model_type": "clip_text_model", "vocab_size": VOCAB, "hidden_size": WIDTH,
            "intermediate_size": INNER, "num_hidden_layers": LAYERS,
            "num_attention_heads": HEADS, "max_position_embeddings": POSITIONS,
            "hidden_act": "quick_gelu", "layer_norm_eps": EPS, "projection_dim": PROJECTION,
            "bos_token_id": BOS, "eos_token_id": EOS, "pad_token_id": 1,
        },
        "vision_config": {
            "model_type": "clip_vision_model", "hidden_size": 8, "intermediate_size": 16,
            "num_hidden_layers": 1, "num_attention_heads": 2, "image_size": 8, "patch_size": 4,
            "projection_dim": PROJECTION,
        },
    }
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
        f.write("\n")
    write_safetensors(os.path.join(out, "model.safetensors"), checkpoint(params, "F32"))
    write_safetensors(os.path.join(out, "model_f16.safetensors"), checkpoint(params, "F16"))
    write_safetensors(os.path.join(out, "model_bf16.safetensors"), checkpoint(params, "BF16"))

    vocab = make_vocab()
    with open(os.path.join(out, "vocab.json"), "w") as f:
        json.dump(vocab, f, indent=1)
        f.write("\n")
    with open(os.path.join(out, "merges.txt"), "w") as f:
        f.write("#version: 0.2\n")
        for a, b in MERGES:
            f.write(f"{a} {b}\n")
    with open(os.path.join(out, "classes.txt"), "w") as f:
        f.write("".join(c + "\n" for c in CLASSES))
    with open(os.path.join(out, "templates.txt"), "w") as f:
        f.write("".join(t + "\n" for t in TEMPLATES))

    ids = test_ids(rng)
    pooled, embeds = text_forward(params, ids)
    legacy = legacy_ids()
    _, legacy_embeds = text_forward(params, legacy, eos_token_id=2)
    _, f16_embeds = text_forward(widened(params, "F16"), ids)
    _, bf16_embeds = text_forward(widened(params, "BF16"), ids)

    ranks = {pair: i for i, pair in enumerate(MERGES)}
    prompt_ids, cut = [], 0
    for c in CLASSES:
        for t in TEMPLATES:
            row, was_cut = tokenize(t.replace("{}", c, 1), vocab, ranks)
            prompt_ids.append(row)
            cut += was_cut
    prompt_ids = np.array(prompt_ids, dtype=np.int64)
    assert 0 < cut < len(prompt_ids), cut  # some prompts are truncated, not all
    _, prompt_embeds = text_forward(params, prompt_ids)
    per_class = normalize(prompt_embeds).reshape(len(CLASSES), len(TEMPLATES), PROJECTION)
    head_weight = normalize(per_class.mean(axis=1))
    head_scale = math.exp(float(params["logit_scale"]))

    f64 = lambda a: ("F64", np.asarray(a, dtype=np.float64))
    write_safetensors(os.path.join(out, "expected.safetensors"), {
        "ids": ("I64", ids), "pooled": f64(pooled), "text_embeds": f64(embeds),
        "legacy_ids": ("I64", legacy), "legacy_text_embeds": f64(legacy_embeds),
        "f16_text_embeds": f64(f16_embeds), "bf16_text_embeds": f64(bf16_embeds),
        "prompt_ids": ("I64", prompt_ids), "head_weight": f64(head_weight),
        "head_logit_scale": f64(np.array(head_scale)),
    })
    print(f"{out}: {len(ids)} rows, {len(legacy)} legacy rows, {len(prompt_ids)} prompts "
          f"({cut} truncated); |text_embeds| max {np.abs(embeds).max():.3f}")


if __name__ == "__main__":
    main()
