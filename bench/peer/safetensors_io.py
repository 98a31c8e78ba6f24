"""Hand-written reader/writer for the safetensors container format.

(Copied from this project's shared pyref harness, unchanged apart from this line.)

Layout of a file:
    bytes 0..8      : N, unsigned 64-bit little-endian, length of the JSON header
    bytes 8..8+N    : UTF-8 JSON object.  One entry per tensor:
                        "name": {"dtype": "F32", "shape": [d0, d1, ...],
                                 "data_offsets": [begin, end]}
                      plus an optional "__metadata__": {str: str} entry.
                      Offsets are relative to the start of the data section.
                      The writer pads the header with spaces so that the data
                      section starts on an 8-byte boundary (as the reference
                      implementation does); the reader accepts any padding.
    bytes 8+N..     : the data section: raw little-endian, C-contiguous tensor
                      bytes.  Every byte belongs to exactly one tensor (no holes,
                      no overlaps).

Only torch and numpy are used; no dependency on the `safetensors` package.
"""

import json
import struct
from collections import OrderedDict
from typing import Dict, Optional, Tuple

import numpy as np
import torch

# dtype tag -> (torch dtype, numpy little-endian storage dtype used for the bytes)
# BF16 has no numpy type; its raw 16-bit patterns travel as '<u2' and are
# reinterpreted with Tensor.view(torch.bfloat16).
_TAGS = OrderedDict(
    [
        ("F64", (torch.float64, "<f8")),
        ("F32", (torch.float32, "<f4")),
        ("F16", (torch.float16, "<f2")),
        ("BF16", (torch.bfloat16, "<u2")),
        ("I64", (torch.int64, "<i8")),
        ("I32", (torch.int32, "<i4")),
        ("I16", (torch.int16, "<i2")),
        ("I8", (torch.int8, "i1")),
        ("U8", (torch.uint8, "u1")),
        ("BOOL", (torch.bool, "u1")),
    ]
)
_TORCH_TO_TAG = {v[0]: k for k, v in _TAGS.items()}

# a header bigger than this is treated as a corrupt file
_MAX_HEADER = 100 * 1024 * 1024


def _tensor_bytes(t: torch.Tensor) -> Tuple[str, bytes]:
    if t.dtype not in _TORCH_TO_TAG:
        raise TypeError(f"unsupported dtype {t.dtype}")
    tag = _TORCH_TO_TAG[t.dtype]
    t = t.detach().to("cpu").contiguous()
    if t.dtype == torch.bfloat16:
        arr = t.view(torch.int16).numpy().view(np.uint16)
    elif t.dtype == torch.bool:
        arr = t.to(torch.uint8).numpy()
    else:
        arr = t.numpy()
    arr = arr.astype(np.dtype(_TAGS[tag][1]), copy=False)
    return tag, arr.tobytes(order="C")


def save_file(
    tensors: Dict[str, torch.Tensor],
    path: str,
    metadata: Optional[Dict[str, str]] = None,
) -> None:
    """Write `tensors` (name -> tensor) to `path`.  Tensors are laid out in
    sorted-name order.  `metadata` values must be strings."""
    header = {}
    chunks = []
    offset = 0
    for name in sorted(tensors):
        if name == "__metadata__":
            raise ValueError("'__metadata__' is reserved")
        t = tensors[name]
        tag, raw = _tensor_bytes(t)
        header[name] = {
            "dtype": tag,
            "shape": [int(d) for d in t.shape],
            "data_offsets": [offset, offset + len(raw)],
        }
        chunks.append(raw)
        offset += len(raw)
    if metadata:
        for k, v in metadata.items():
            if not isinstance(k, str) or not isinstance(v, str):
                raise TypeError("metadata keys and values must be str")
        header = OrderedDict([("__metadata__", dict(metadata))] + list(header.items()))
    hbytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    pad = (-(8 + len(hbytes))) % 8
    hbytes += b" " * pad
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hbytes)))
        f.write(hbytes)
        for c in chunks:
            f.write(c)


def read_header(path: str) -> Tuple[dict, int]:
    """Return (header dict, byte offset of the data section)."""
    with open(path, "rb") as f:
        head = f.read(8)
        if len(head) != 8:
            raise ValueError("file too short for a safetensors header")
        (n,) = struct.unpack("<Q", head)
        if n > _MAX_HEADER:
            raise ValueError(f"header length {n} is implausible")
        hbytes = f.read(n)
        if len(hbytes) != n:
            raise ValueError("truncated header")
    header = json.loads(hbytes.decode("utf-8"))
    if not isinstance(header, dict):
        raise ValueError("header is not a JSON object")
    return header, 8 + n


def load_file(path: str, with_metadata: bool = False):
    """Read every tensor of `path` into a dict name -> torch.Tensor (CPU).
    With with_metadata=True returns (tensors, metadata-dict)."""
    header, data_start = read_header(path)
    with open(path, "rb") as f:
        f.seek(data_start)
        data = f.read()
    metadata = header.pop("__metadata__", None) or {}
    spans = []
    out = OrderedDict()
    for name, info in header.items():
        tag = info["dtype"]
        if tag not in _TAGS:
            raise ValueError(f"{name}: unsupported dtype tag {tag}")
        tdtype, npdtype = _TAGS[tag]
        shape = [int(d) for d in info["shape"]]
        begin, end = (int(x) for x in info["data_offsets"])
        count = int(np.prod(shape)) if shape else 1
        itemsize = np.dtype(npdtype).itemsize
        if end - begin != count * itemsize or begin < 0 or end > len(data):
            raise ValueError(f"{name}: data_offsets {begin},{end} do not fit shape {shape} {tag}")
        spans.append((begin, end, name))
        arr = np.frombuffer(data, dtype=np.dtype(npdtype), count=count, offset=begin).copy()
        arr = arr.reshape(shape)
        if tag == "BF16":
            t = torch.from_numpy(arr.view(np.int16)).view(torch.bfloat16)
        elif tag == "BOOL":
            t = torch.from_numpy(arr).to(torch.bool)
        else:
            t = torch.from_numpy(arr.astype(arr.dtype.newbyteorder("="), copy=False))
        out[name] = t
    # the data section must be covered exactly, with no holes or overlaps
    spans.sort()
    pos = 0
    for begin, end, name in spans:
        if begin != pos:
            raise ValueError(f"{name}: hole or overlap in data section at byte {pos}")
        pos = end
    if pos != len(data):
        raise ValueError(f"data section has {len(data) - pos} trailing bytes")
    if with_metadata:
        return out, metadata
    return out


def _selftest() -> None:
    import os
    import tempfile

    g = torch.Generator().manual_seed(0)
    ts = {
        "f32": torch.randn(3, 4, generator=g),
        "f16": torch.randn(5, generator=g).half(),
        "bf16": torch.randn(2, 3, generator=g).bfloat16(),
        "i64": torch.arange(-3, 7, dtype=torch.int64).reshape(2, 5),
        "scalar": torch.tensor(4.6052, dtype=torch.float32),
        "empty": torch.zeros(0, 3),
    }
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "x.safetensors")
        save_file(ts, p, metadata={"k": "v"})
        back, md = load_file(p, with_metadata=True)
        assert md == {"k": "v"}, md
        for k, v in ts.items():
            assert back[k].dtype == v.dtype, (k, back[k].dtype)
            assert list(back[k].shape) == list(v.shape), k
            assert torch.equal(back[k], v), k
        with open(p, "rb") as f:
            (n,) = struct.unpack("<Q", f.read(8))
        assert (8 + n) % 8 == 0
    return True


if __name__ == "__main__":
    _selftest()
    print("safetensors_io selftest ok")
