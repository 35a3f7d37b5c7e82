#!/usr/bin/python3
"""PyTorch golden-value generator for Epochal.

Writes small safetensors fixtures into ``core/src/test/resources/golden/``
that the Java test-suite compares against:

* layer fixtures (``linear``, ``conv2d_*``, ``maxpool2d*``, ``avgpool2d``,
  ``flatten``, activations, ``batchnorm{1,2}d_{train,eval}``, ``layernorm*``):
  ``input``, ``output``, ``grad_output``, ``grad_input`` and, for layers with
  parameters, ``weight``, ``bias``, ``grad_weight``, ``grad_bias`` (batch norm
  also ``running_mean``/``running_var`` and, in train mode,
  ``running_mean_after``/``running_var_after``).  Metadata ``layer`` is the
  JSON layer configuration.
* loss fixtures (``loss_*``): ``input``, ``target``, ``loss`` [1],
  ``grad_input``; metadata ``loss`` (JSON).
* optimizer fixtures (``optim_*``): 10 full-batch training steps of a tiny
  MLP; ``x``, ``y``, ``init.*``, ``final.*``, ``losses`` [10]; metadata
  ``optimizer`` (JSON, every hyper-parameter explicit) and, when used,
  ``clip_grad_norm``.
* model interchange: ``model_torch.safetensors`` (a PyTorch ``state_dict()``
  with its exact names, ``num_batches_tracked`` as I64 scalar) and
  ``model_torch_io.safetensors`` (``input`` [5,1,8,8], eval ``output`` [5,3]).

Conventions: tensors are F32 unless said otherwise; scalars have shape [1];
class indices are stored as F32 values; every metadata value is a string
(JSON-encoded where structured) and every file carries ``torch_version``.
Layer and loss references are computed in float64 from float32-rounded
inputs/weights and stored rounded to float32; optimizer fixtures are computed
in float32 (as the Java side computes).  Every case calls
``torch.manual_seed``, so re-running produces byte-identical files.

Run from the repository root with Debian's python (which sees python3-torch):

    /usr/bin/python3 tools/golden/generate.py

Check mode for a model written by Epochal (state dict in FILE, ``input`` and
``output`` in FILE with ``_io`` inserted before the extension):

    /usr/bin/python3 tools/golden/generate.py --check-epochal \
        core/src/test/resources/golden/epochal_written.safetensors

It loads the state dict into the same ``nn.Sequential`` with strict=True,
runs an eval-mode forward on ``input``, compares with ``output`` (max abs
diff / max abs) and writes
``core/src/test/resources/golden/epochal_written_check.json`` (override with
``--check-output PATH``) with ``loaded_strict`` (strict load succeeded and
the key set is exactly PyTorch's, since torch would silently add a missing
``num_batches_tracked``), ``max_rel_error``, ``torch_version`` and details.
"""

import argparse
import json
import math
import os
import struct
import sys
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_DIR = os.path.join(REPO_ROOT, "core", "src", "test", "resources", "golden")
TORCH_VERSION = torch.__version__

# ---------------------------------------------------------------------------
# safetensors writer / reader (no external dependency)
# ---------------------------------------------------------------------------

_DTYPES = {
    "F64": np.dtype("<f8"),
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "I64": np.dtype("<i8"),
    "I32": np.dtype("<i4"),
    "I16": np.dtype("<i2"),
    "I8": np.dtype("i1"),
    "U8": np.dtype("u1"),
    "BOOL": np.dtype("?"),
}


def _to_numpy(value, dtype):
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    # note: np.ascontiguousarray would turn a 0-d array into shape [1]
    return np.array(value, dtype=_DTYPES[dtype], order="C", copy=True)


def write_safetensors(path, tensors, metadata):
    """tensors: ordered list/dict name -> tensor | (tensor, dtype) | ndarray.

    Data is laid out back to back in the given order; the JSON header keeps
    that order and is padded with spaces so that 8 + len(header) % 8 == 0.
    """
    items = tensors.items() if isinstance(tensors, dict) else tensors
    header = OrderedDict()
    blobs = []
    offset = 0
    for name, value in items:
        dtype = "F32"
        if isinstance(value, tuple):
            value, dtype = value
        arr = _to_numpy(value, dtype)
        data = arr.tobytes()
        header[name] = OrderedDict(
            [("dtype", dtype), ("shape", [int(s) for s in arr.shape]),
             ("data_offsets", [offset, offset + len(data)])])
        blobs.append(data)
        offset += len(data)
    meta = OrderedDict()
    for k, v in metadata.items():
        if not isinstance(v, str):
            raise TypeError("metadata value for %r must be a string" % k)
        meta[k] = v
    header["__metadata__"] = meta
    hbytes = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    hbytes += b" " * ((-(8 + len(hbytes))) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hbytes)))
        f.write(hbytes)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    """Returns (OrderedDict name -> numpy array, metadata dict, dtypes dict)."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError("%s: too short" % path)
    (n,) = struct.unpack("<Q", raw[:8])
    if 8 + n > len(raw):
        raise ValueError("%s: header length %d exceeds file size" % (path, n))
    header = json.loads(raw[8:8 + n].decode("utf-8"), object_pairs_hook=OrderedDict)
    data = raw[8 + n:]
    metadata = header.pop("__metadata__", {}) or {}
    tensors = OrderedDict()
    dtypes = OrderedDict()
    spans = []
    for name, info in header.items():
        dtype = info["dtype"]
        shape = tuple(int(s) for s in info["shape"])
        begin, end = info["data_offsets"]
        if not 0 <= begin <= end <= len(data):
            raise ValueError("%s: bad data_offsets for %s" % (path, name))
        count = int(np.prod(shape)) if shape else 1
        if dtype == "BF16":
            u16 = np.frombuffer(data[begin:end], dtype="<u2")
            arr = (u16.astype(np.uint32) << 16).view(np.float32)
            nbytes = 2
        else:
            npd = _DTYPES[dtype]
            arr = np.frombuffer(data[begin:end], dtype=npd)
            nbytes = npd.itemsize
        if end - begin != count * nbytes:
            raise ValueError("%s: %s has %d bytes, expected %d" % (path, name, end - begin, count * nbytes))
        tensors[name] = arr.reshape(shape).copy()
        dtypes[name] = dtype
        spans.append((begin, end))
    spans.sort()
    pos = 0
    for b, e in spans:
        if b != pos:
            raise ValueError("%s: data section is not contiguous" % path)
        pos = e
    if pos != len(data):
        raise ValueError("%s: %d trailing bytes after the tensors" % (path, len(data) - pos))
    return tensors, metadata, dtypes


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

WRITTEN = []  # (file name, tensors, metadata) for the read-back check


def save(name, tensors, metadata):
    meta = OrderedDict([("torch_version", TORCH_VERSION),
                        ("generator", "tools/golden/generate.py")])
    meta.update(metadata)
    path = os.path.join(OUT_DIR, name)
    write_safetensors(path, tensors, meta)
    WRITTEN.append((name, tensors, meta))


def f32(t):
    """float32-rounded float64 leaf (the exact float32 values, in float64)."""
    return t.float().double()


def out32(t):
    return t.detach().float()


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"))


def away_from_zero(x, margin=1e-3):
    return torch.where(x.abs() < margin, x + torch.copysign(torch.full_like(x, 10 * margin), x), x)


# ---------------------------------------------------------------------------
# 1. layers
# ---------------------------------------------------------------------------

def layer_case(fname, config, module, x, params=None, extra_before=None, extra_after=None):
    """module must already be float64 with float32-rounded parameters."""
    x = x.detach().clone().requires_grad_(True)
    out = module(x)
    g_out = f32(torch.randn(out.shape, dtype=torch.float32))
    wrt = [x] + ([module.weight, module.bias] if params else [])
    grads = torch.autograd.grad((out * g_out).sum(), wrt)
    tensors = OrderedDict()
    tensors["input"] = out32(x)
    if params:
        tensors["weight"] = out32(module.weight)
        tensors["bias"] = out32(module.bias)
    if extra_before:
        tensors.update(extra_before)
    tensors["output"] = out32(out)
    tensors["grad_output"] = out32(g_out)
    tensors["grad_input"] = out32(grads[0])
    if params:
        tensors["grad_weight"] = out32(grads[1])
        tensors["grad_bias"] = out32(grads[2])
    if extra_after:
        tensors.update({k: out32(v()) for k, v in extra_after.items()})
    save(fname, tensors, {"layer": dumps(config)})


def set_params(module, weight, bias):
    with torch.no_grad():
        module.weight.copy_(weight)
        module.bias.copy_(bias)


def gen_layers():
    # Linear
    torch.manual_seed(101)
    m = nn.Linear(5, 4).double()
    set_params(m, f32(torch.randn(4, 5) * 0.5), f32(torch.randn(4) * 0.5))
    x = f32(torch.randn(3, 5))
    layer_case("linear.safetensors",
               {"type": "linear", "in_features": 5, "out_features": 4, "bias": True},
               m, x, params=True)

    # Conv2d
    for fname, seed, cin, cout, k, s, p, shape in [
            ("conv2d_s2p1.safetensors", 102, 2, 3, 3, 2, 1, (2, 2, 7, 6)),
            ("conv2d_k2.safetensors", 103, 3, 4, 2, 1, 0, (2, 3, 5, 5))]:
        torch.manual_seed(seed)
        m = nn.Conv2d(cin, cout, kernel_size=k, stride=s, padding=p).double()
        set_params(m, f32(torch.randn(cout, cin, k, k) * 0.5), f32(torch.randn(cout) * 0.5))
        x = f32(torch.randn(*shape))
        layer_case(fname, {"type": "conv2d", "in_channels": cin, "out_channels": cout,
                           "kernel_size": [k, k], "stride": [s, s], "padding": [p, p],
                           "dilation": [1, 1], "groups": 1, "bias": True},
                   m, x, params=True)

    # Pooling
    for fname, seed, kind, k, s, shape in [
            ("maxpool2d.safetensors", 104, "maxpool2d", 2, 2, (2, 3, 6, 5)),
            ("maxpool2d_k3s2.safetensors", 105, "maxpool2d", 3, 2, (1, 2, 7, 7)),
            ("avgpool2d.safetensors", 106, "avgpool2d", 3, 2, (2, 2, 7, 6))]:
        torch.manual_seed(seed)
        x = f32(torch.randn(*shape))
        cfg = {"type": kind, "kernel_size": [k, k], "stride": [s, s], "padding": [0, 0],
               "ceil_mode": False}
        if kind == "maxpool2d":
            m = nn.MaxPool2d(k, stride=s)
            cfg["dilation"] = [1, 1]
        else:
            m = nn.AvgPool2d(k, stride=s)
            cfg["count_include_pad"] = True
        layer_case(fname, cfg, m, x)

    # Flatten
    torch.manual_seed(107)
    layer_case("flatten.safetensors", {"type": "flatten", "start_dim": 1, "end_dim": -1},
               nn.Flatten(), f32(torch.randn(2, 3, 2, 2)))

    # Activations
    for fname, seed, cfg, m in [
            ("relu.safetensors", 108, {"type": "relu"}, nn.ReLU()),
            ("leaky_relu.safetensors", 109, {"type": "leaky_relu", "negative_slope": 0.1},
             nn.LeakyReLU(0.1)),
            ("sigmoid.safetensors", 110, {"type": "sigmoid"}, nn.Sigmoid()),
            ("tanh.safetensors", 111, {"type": "tanh"}, nn.Tanh()),
            ("gelu.safetensors", 112, {"type": "gelu", "approximate": "none"},
             nn.GELU(approximate="none"))]:
        torch.manual_seed(seed)
        x = away_from_zero(torch.rand(4, 6) * 6.0 - 3.0)
        layer_case(fname, cfg, m, f32(x))

    # Batch norm
    for dim, nf, shape, seed in [(1, 6, (5, 6), 113), (2, 3, (4, 3, 5, 5), 115)]:
        for mode in ("train", "eval"):
            torch.manual_seed(seed + (mode == "eval"))
            m = (nn.BatchNorm1d(nf) if dim == 1 else nn.BatchNorm2d(nf)).double()
            set_params(m, f32(torch.rand(nf) + 0.5), f32(torch.randn(nf) * 0.5))
            rmean = f32(torch.randn(nf))
            rvar = f32(torch.rand(nf) * 1.5 + 0.5)
            with torch.no_grad():
                m.running_mean.copy_(rmean)
                m.running_var.copy_(rvar)
            bshape = (1, nf) + (1,) * (len(shape) - 2)
            mean = torch.randn(nf).reshape(bshape) * 1.5
            x = f32(torch.randn(*shape) * 2.0 + mean)
            m.train(mode == "train")
            cfg = {"type": "batchnorm%dd" % dim, "num_features": nf, "eps": m.eps,
                   "momentum": m.momentum, "affine": True, "track_running_stats": True,
                   "training": mode == "train"}
            before = OrderedDict([("running_mean", out32(rmean)), ("running_var", out32(rvar))])
            after = None
            if mode == "train":
                after = OrderedDict([("running_mean_after", lambda m=m: m.running_mean),
                                     ("running_var_after", lambda m=m: m.running_var)])
            layer_case("batchnorm%dd_%s.safetensors" % (dim, mode), cfg, m, x, params=True,
                       extra_before=before, extra_after=after)
            if mode == "train":  # independent check of the running-stat update
                red = [0] + list(range(2, len(shape)))
                n = x.numel() // nf
                bm = x.mean(dim=red)
                bv = x.var(dim=red, unbiased=False) * n / (n - 1)
                assert torch.allclose(m.running_mean, 0.9 * rmean + 0.1 * bm, atol=1e-12)
                assert torch.allclose(m.running_var, 0.9 * rvar + 0.1 * bv, atol=1e-12)

    # Layer norm
    for fname, seed, nshape, shape in [("layernorm.safetensors", 117, [6], (4, 6)),
                                       ("layernorm_chw.safetensors", 118, [3, 4, 4], (2, 3, 4, 4))]:
        torch.manual_seed(seed)
        m = nn.LayerNorm(nshape).double()
        set_params(m, f32(torch.rand(*nshape) + 0.5), f32(torch.randn(*nshape) * 0.5))
        x = f32(torch.randn(*shape) * 2.0 + 0.7)
        layer_case(fname, {"type": "layernorm", "normalized_shape": nshape, "eps": m.eps,
                           "elementwise_affine": True}, m, x, params=True)


# ---------------------------------------------------------------------------
# 2. losses
# ---------------------------------------------------------------------------

def loss_case(fname, cfg, fn, x, target):
    x = x.detach().clone().requires_grad_(True)
    loss = fn(x, target)
    (g,) = torch.autograd.grad(loss, [x])
    save(fname, OrderedDict([("input", out32(x)), ("target", out32(target)),
                             ("loss", out32(loss).reshape(1)), ("grad_input", out32(g))]),
         {"loss": dumps(cfg)})


def gen_losses():
    ce = {"type": "cross_entropy", "reduction": "mean", "label_smoothing": 0.0,
          "target": "class_indices"}

    torch.manual_seed(201)
    x = f32(torch.randn(6, 5) * 3.0)
    y = torch.randint(0, 5, (6,))
    loss_case("loss_cross_entropy.safetensors", ce, lambda a, t: F.cross_entropy(a, t.long()),
              x, y.double())

    torch.manual_seed(202)
    x = torch.rand(4, 5) * 160.0 - 80.0
    x[0, 1] = 80.0
    x[1, 3] = -80.0
    x[2] = torch.tensor([80.0, -80.0, 79.5, -3.0, 0.0])
    x = f32(x)
    y = torch.tensor([3, 1, 1, 4])  # mostly targets far below the row maximum
    loss_case("loss_cross_entropy_large.safetensors", ce,
              lambda a, t: F.cross_entropy(a, t.long()), x, y.double())

    torch.manual_seed(203)
    x = f32(torch.randn(4, 3))
    t = f32(torch.randn(4, 3))
    loss_case("loss_mse.safetensors", {"type": "mse", "reduction": "mean"},
              F.mse_loss, x, t)

    torch.manual_seed(204)
    x = f32(torch.randn(4, 3) * 4.0)
    t = f32(torch.tensor([[0.0, 1.0, 0.3], [1.0, 0.0, 0.0], [0.75, 1.0, 1.0], [0.0, 0.3, 0.75]]))
    loss_case("loss_bce_with_logits.safetensors", {"type": "bce_with_logits", "reduction": "mean"},
              F.binary_cross_entropy_with_logits, x, t)


# ---------------------------------------------------------------------------
# 3. optimizers (float32)
# ---------------------------------------------------------------------------

OPT_KEYS = {
    "sgd": ["lr", "momentum", "dampening", "weight_decay", "nesterov"],
    "adam": ["lr", "betas", "eps", "weight_decay", "amsgrad"],
    "adamw": ["lr", "betas", "eps", "weight_decay", "amsgrad"],
    "rmsprop": ["lr", "alpha", "eps", "weight_decay", "momentum", "centered"],
}

OPT_CONFIGS = [
    ("sgd", "sgd", dict(lr=0.1), None),
    ("sgd_momentum", "sgd", dict(lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01), None),
    ("sgd_nesterov", "sgd", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.001), None),
    ("adam", "adam", dict(lr=0.01), None),
    ("adam_wd", "adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1), None),
    ("adamw", "adamw", dict(lr=0.01, weight_decay=0.1), None),
    ("rmsprop", "rmsprop", dict(lr=0.01), None),
    ("rmsprop_centered", "rmsprop",
     dict(lr=0.01, alpha=0.9, eps=1e-6, momentum=0.5, centered=True, weight_decay=0.01), None),
    ("sgd_clip", "sgd", dict(lr=0.5, momentum=0.9), 0.5),
]

OPT_CLASSES = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam,
               "adamw": torch.optim.AdamW, "rmsprop": torch.optim.RMSprop}


def gen_optimizers(steps=10):
    for name, kind, kwargs, clip in OPT_CONFIGS:
        torch.manual_seed(0)
        net = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 3))
        x = torch.randn(8, 4)
        y = torch.randint(0, 3, (8,))
        opt = OPT_CLASSES[kind](net.parameters(), **kwargs)
        cfg = OrderedDict([("type", kind)])
        for k in OPT_KEYS[kind]:
            v = opt.defaults[k]
            if isinstance(v, tuple):
                v = [float(b) for b in v]
            elif not isinstance(v, bool):
                v = float(v)
            cfg[k] = v
        init = OrderedDict(("init." + k, v.detach().clone()) for k, v in net.state_dict().items())
        loss_fn = nn.CrossEntropyLoss()
        losses = []
        for _ in range(steps):
            opt.zero_grad()
            loss = loss_fn(net(x), y)
            loss.backward()
            if clip is not None:
                torch.nn.utils.clip_grad_norm_(net.parameters(), clip)
            opt.step()
            losses.append(loss.item())
        tensors = OrderedDict([("x", x), ("y", y.float())])
        tensors.update(init)
        tensors.update(("final." + k, v.detach().clone()) for k, v in net.state_dict().items())
        tensors["losses"] = torch.tensor(losses, dtype=torch.float32)
        meta = OrderedDict([("optimizer", dumps(cfg)), ("loss", dumps({"type": "cross_entropy",
                                                                        "reduction": "mean"})),
                            ("steps", str(steps)),
                            ("net", "Sequential(Linear(4,6), Tanh(), Linear(6,3)); torch.manual_seed(0) "
                                    "then default init, then x=randn(8,4), y=randint(0,3,(8,))")])
        if clip is not None:
            meta["clip_grad_norm"] = repr(float(clip))
        save("optim_%s.safetensors" % name, tensors, meta)


# ---------------------------------------------------------------------------
# 4. model interchange
# ---------------------------------------------------------------------------

MODEL_DESCRIPTION = ("Sequential(Conv2d(1,4,3,padding=1), BatchNorm2d(4), ReLU(), MaxPool2d(2), "
                     "Flatten(), Linear(64,8), ReLU(), Dropout(0.5), Linear(8,3)); input [1,8,8]")


def build_model():
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64, 8), nn.ReLU(),
                         nn.Dropout(0.5), nn.Linear(8, 3))


def state_dict_tensors(model):
    out = OrderedDict()
    for k, v in model.state_dict().items():
        if v.dtype == torch.int64:
            out[k] = (v.detach().clone(), "I64")
        else:
            out[k] = v.detach().clone().float()
    return out


def gen_model():
    torch.manual_seed(1)
    model = build_model()
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(6, 1, 8, 8) * 1.5 + 0.3)
    model.eval()
    x = torch.randn(5, 1, 8, 8)
    with torch.no_grad():
        y = model(x)
    meta = {"model": MODEL_DESCRIPTION, "format": "pytorch state_dict()"}
    save("model_torch.safetensors", state_dict_tensors(model), meta)
    save("model_torch_io.safetensors", OrderedDict([("input", x), ("output", y)]),
         {"model": MODEL_DESCRIPTION, "mode": "eval"})


def io_path(path):
    root, ext = os.path.splitext(path)
    return root + "_io" + (ext or ".safetensors")


def check_epochal(path, out_path):
    torch.set_num_threads(1)
    tensors, _, dtypes = read_safetensors(path)
    io, _, _ = read_safetensors(io_path(path))
    model = build_model()
    sd = OrderedDict((k, torch.from_numpy(v)) for k, v in tensors.items())
    expected_sd = model.state_dict()
    # torch's BatchNorm silently adds a missing num_batches_tracked when the
    # state dict carries no version metadata, and load_state_dict converts
    # dtypes silently, so the key set and dtypes are compared explicitly too.
    missing = [k for k in expected_sd if k not in sd]
    unexpected = [k for k in sd if k not in expected_sd]
    dtype_mismatches = OrderedDict(
        (k, "%s (torch %s)" % (dtypes[k], str(expected_sd[k].dtype).replace("torch.", "")))
        for k in sd if k in expected_sd and sd[k].dtype != expected_sd[k].dtype)
    result = OrderedDict()
    try:
        model.load_state_dict(sd, strict=True)
        strict_ok = True
    except RuntimeError as e:
        strict_ok = False
        result["strict_error"] = str(e)
        model.load_state_dict(sd, strict=False)
    result["loaded_strict"] = strict_ok and not missing and not unexpected
    result["missing_keys"] = missing
    result["unexpected_keys"] = unexpected
    result["dtype_mismatches"] = dtype_mismatches
    model.eval()
    x = torch.from_numpy(io["input"]).float()
    expected = torch.from_numpy(io["output"]).float()
    with torch.no_grad():
        y = model(x)
    max_abs_diff = (y - expected).abs().max().item()
    max_abs = expected.abs().max().item()
    result["max_rel_error"] = max_abs_diff / max_abs if max_abs > 0 else max_abs_diff
    result["max_abs_error"] = max_abs_diff
    result["max_abs_output"] = max_abs
    result["state_dict_dtypes"] = dict(dtypes)
    result["torch_version"] = TORCH_VERSION
    with open(out_path, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    print(json.dumps(result, indent=2))
    return result


# ---------------------------------------------------------------------------
# read-back verification
# ---------------------------------------------------------------------------

def verify_written():
    for name, tensors, meta in WRITTEN:
        path = os.path.join(OUT_DIR, name)
        got, got_meta, got_dtypes = read_safetensors(path)
        assert dict(got_meta) == dict(meta), name
        assert list(got.keys()) == list(tensors.keys()), name
        for k, v in tensors.items():
            dtype = "F32"
            if isinstance(v, tuple):
                v, dtype = v
            ref = _to_numpy(v, dtype)
            assert got_dtypes[k] == dtype, (name, k)
            assert got[k].shape == ref.shape, (name, k)
            assert np.array_equal(got[k], ref), (name, k)
            if dtype == "F32":
                assert np.all(np.isfinite(got[k])), (name, k)
        with open(path, "rb") as f:
            (n,) = struct.unpack("<Q", f.read(8))
        assert (8 + n) % 8 == 0, name
    print("read back %d files OK" % len(WRITTEN))


def sanity_checks():
    """Cross-checks of a few stored values against independent formulas."""
    t, _, _ = read_safetensors(os.path.join(OUT_DIR, "loss_cross_entropy_large.safetensors"))
    x = t["input"].astype(np.float64)
    y = t["target"].astype(np.int64)
    m = x.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(x - m).sum(axis=1))
    ref = np.mean(lse - x[np.arange(len(y)), y])
    assert abs(ref - t["loss"][0]) <= 1e-6 * abs(ref), (ref, t["loss"])
    # model io pair reproduces with the stored state dict
    sd, _, _ = read_safetensors(os.path.join(OUT_DIR, "model_torch.safetensors"))
    io, _, _ = read_safetensors(os.path.join(OUT_DIR, "model_torch_io.safetensors"))
    model = build_model()
    model.load_state_dict({k: torch.from_numpy(v) for k, v in sd.items()}, strict=True)
    model.eval()
    with torch.no_grad():
        out = model(torch.from_numpy(io["input"])).numpy()
    assert np.array_equal(out, io["output"])
    assert sd["1.num_batches_tracked"].shape == () and sd["1.num_batches_tracked"] == 3
    print("sanity checks OK")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check-epochal", metavar="FILE",
                    help="check an Epochal-written state dict FILE (+ FILE_io pair)")
    ap.add_argument("--check-output", metavar="PATH",
                    default=os.path.join(OUT_DIR, "epochal_written_check.json"))
    args = ap.parse_args()
    if args.check_epochal:
        check_epochal(args.check_epochal, args.check_output)
        return
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    os.makedirs(OUT_DIR, exist_ok=True)
    gen_layers()
    gen_losses()
    gen_optimizers()
    gen_model()
    verify_written()
    sanity_checks()
    for name, _, _ in WRITTEN:
        print("%-40s %6d bytes" % (name, os.path.getsize(os.path.join(OUT_DIR, name))))


if __name__ == "__main__":
    main()
