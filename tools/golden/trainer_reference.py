#!/usr/bin/python3
"""PyTorch reference run for the Epochal trainer (two epochs of SGD with momentum).

Writes ``cli/src/test/resources/golden/sgd_two_epochs/``:

* ``data.csv``: 100 samples with a header ``x0,x1,x2,x3,label``; three
  Gaussian blobs in 4 features (labels 0..2), rows in a fixed random order.
  Every feature is printed with ``%.9g``, which float32 parsing (Java's
  ``Float.parseFloat``, numpy) turns back into the exact float32 value;
  PyTorch trains on the values parsed back from this text, so both sides see
  identical inputs.
* ``init.safetensors``: the ``state_dict()`` of
  ``nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))`` with
  PyTorch's default initialisation after ``torch.manual_seed(3)``; F32,
  names ``0.weight``, ``0.bias``, ``2.weight``, ``2.bias``.
* ``losses.json``: that model trained in float32 for 2 epochs over the data
  in file order (no shuffling), batch size 32 with the last, partial batch
  kept (4 batches per epoch: 32, 32, 32, 4), ``torch.optim.SGD(lr=0.1,
  momentum=0.9)``, ``nn.CrossEntropyLoss()`` (mean); per batch zero_grad,
  forward, loss, backward, step.  Fields: ``torch_version``,
  ``batch_losses`` (the 8 batch losses, each before its step),
  ``epoch_train_loss`` (per epoch, sum(loss_b * n_b) / sum(n_b), as Epochal
  defines train_loss), ``epoch_train_accuracy`` (argmax accuracy of the
  batches' pre-step outputs, weighted the same way), ``final`` (the
  parameters after the 2 epochs, flattened row-major, by state-dict name),
  ``shapes`` and ``config``.  Floats are float32 values written as the
  shortest decimal that reads back to the same double (exact).
* ``experiment.yaml``: the Epochal experiment file describing the same run.

Run from the repository root with Debian's python (which sees python3-torch):

    /usr/bin/python3 tools/golden/trainer_reference.py

Deterministic: every random draw is seeded and the run is single-threaded,
so re-running produces byte-identical files.  The script reads every file
back and checks it (safetensors round trip, CSV values exact in float32,
8 losses, learnable but not solved at once).
"""

import json
import os
import sys
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate import read_safetensors, write_safetensors  # noqa: E402  (no side effects on import)

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_DIR = os.path.join(REPO_ROOT, "cli", "src", "test", "resources", "golden", "sgd_two_epochs")
TORCH_VERSION = torch.__version__

N_SAMPLES = 100
N_FEATURES = 4
N_CLASSES = 3
BATCH_SIZE = 32
EPOCHS = 2
LR = 0.1
MOMENTUM = 0.9
DATA_SEED = 20240
MODEL_SEED = 3

EXPERIMENT_YAML = """\
name: sgd-two-epochs
seed: 1
epochs: 2
data:
  train: {format: csv, path: data.csv, label: label, header: true}
  batch_size: 32
  shuffle: false
  drop_last: false
  normalize: {type: none}
model:
  input: [4]
  layers:
    - {type: linear, out: 16}
    - {type: relu}
    - {type: linear, out: 3}
loss: cross_entropy
metrics: [accuracy]
optimizer: {type: sgd, lr: 0.1, momentum: 0.9}
checkpoint: {every: 1, keep_last: 1}
"""

# Blob centres: close enough that the classes overlap a little (the problem is
# learnable in two epochs but not solved by the first batch).
CENTERS = [[1.0, 0.0, -0.5, 0.5],
           [-0.5, 1.0, 0.5, -1.0],
           [0.0, -1.0, 1.0, 0.5]]
NOISE_STD = 0.8


def fmt(v):
    """A float32 as text that float32 parsing turns back into exactly v."""
    return "%.9g" % float(np.float32(v))


def make_data():
    """Returns the CSV text (rows in a seeded random order)."""
    torch.manual_seed(DATA_SEED)
    counts = [34, 33, 33]
    xs, ys = [], []
    for c, n in enumerate(counts):
        center = torch.tensor(CENTERS[c], dtype=torch.float32)
        xs.append(center + NOISE_STD * torch.randn(n, N_FEATURES))
        ys.append(torch.full((n,), c, dtype=torch.int64))
    x = torch.cat(xs)
    y = torch.cat(ys)
    order = torch.randperm(N_SAMPLES)
    x, y = x[order], y[order]
    lines = [",".join(["x%d" % i for i in range(N_FEATURES)] + ["label"])]
    for row, label in zip(x.numpy(), y.numpy()):
        lines.append(",".join([fmt(v) for v in row] + [str(int(label))]))
    text = "\n".join(lines) + "\n"
    return text, x.numpy().astype(np.float32), y.numpy()


def parse_csv(text):
    """The CSV text back as (float32 features [N,4], int64 labels [N])."""
    lines = text.rstrip("\n").split("\n")
    assert lines[0] == "x0,x1,x2,x3,label", lines[0]
    feats, labels = [], []
    for line in lines[1:]:
        cells = line.split(",")
        assert len(cells) == N_FEATURES + 1, line
        # %.9g is within 5e-9 relative of a float32 value, far inside its rounding
        # interval, so going through double first cannot round differently.
        feats.append([np.float32(float(c)) for c in cells[:N_FEATURES]])
        labels.append(int(cells[N_FEATURES]))
    return np.array(feats, dtype=np.float32), np.array(labels, dtype=np.int64)


def build_model():
    torch.manual_seed(MODEL_SEED)
    return nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))


def train(model, x, y):
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    loss_fn = nn.CrossEntropyLoss()
    batch_losses, epoch_losses, epoch_accuracies, batch_sizes = [], [], [], []
    n = x.shape[0]
    for _ in range(EPOCHS):
        loss_sum, correct, seen = 0.0, 0, 0
        for start in range(0, n, BATCH_SIZE):  # drop_last false: the last batch is partial
            xb, yb = x[start:start + BATCH_SIZE], y[start:start + BATCH_SIZE]
            opt.zero_grad()
            out = model(xb)
            loss = loss_fn(out, yb)
            loss.backward()
            opt.step()
            value = loss.item()  # float32 value, exact as a double
            nb = xb.shape[0]
            batch_losses.append(value)
            batch_sizes.append(nb)
            loss_sum += value * nb
            correct += int((out.detach().argmax(dim=1) == yb).sum().item())
            seen += nb
        epoch_losses.append(loss_sum / seen)
        epoch_accuracies.append(correct / seen)
    return batch_losses, batch_sizes, epoch_losses, epoch_accuracies


def write_text(path, text):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    os.makedirs(OUT_DIR, exist_ok=True)

    # 1. data: write, then train on the values parsed back from the text
    csv_text, x_orig, y_orig = make_data()
    csv_path = os.path.join(OUT_DIR, "data.csv")
    write_text(csv_path, csv_text)
    with open(csv_path, encoding="utf-8") as f:
        x_np, y_np = parse_csv(f.read())
    assert x_np.shape == (N_SAMPLES, N_FEATURES) and y_np.shape == (N_SAMPLES,)
    assert np.array_equal(x_np.view(np.uint32), x_orig.view(np.uint32)), "CSV does not round-trip float32"
    assert np.array_equal(y_np, y_orig)
    assert sorted(set(y_np.tolist())) == [0, 1, 2]
    x = torch.from_numpy(x_np)
    y = torch.from_numpy(y_np)

    # 2. initial weights
    model = build_model()
    init = OrderedDict((k, v.detach().clone()) for k, v in model.state_dict().items())
    assert list(init.keys()) == ["0.weight", "0.bias", "2.weight", "2.bias"], list(init.keys())
    init_meta = OrderedDict([
        ("torch_version", TORCH_VERSION),
        ("generator", "tools/golden/trainer_reference.py"),
        ("model", "Sequential(Linear(4,16), ReLU(), Linear(16,3)); torch.manual_seed(%d) then "
                  "default init" % MODEL_SEED),
        ("format", "pytorch state_dict()")])
    init_path = os.path.join(OUT_DIR, "init.safetensors")
    write_safetensors(init_path, init, init_meta)

    # 3. training
    batch_losses, batch_sizes, epoch_losses, epoch_accuracies = train(model, x, y)
    final = OrderedDict((k, v.detach().clone()) for k, v in model.state_dict().items())
    result = OrderedDict()
    result["torch_version"] = TORCH_VERSION
    result["batch_losses"] = batch_losses
    result["batch_sizes"] = batch_sizes
    result["epoch_train_loss"] = epoch_losses
    result["epoch_train_accuracy"] = epoch_accuracies
    result["final"] = OrderedDict((k, [float(a) for a in v.numpy().reshape(-1)]) for k, v in final.items())
    result["shapes"] = OrderedDict((k, list(v.shape)) for k, v in final.items())
    result["config"] = OrderedDict([
        ("generator", "tools/golden/trainer_reference.py"),
        ("data", "data.csv, %d samples, features x0..x3 (float32, exact in the CSV text), label 0..2; "
                 "3 Gaussian blobs (std %s), rows in a seeded random order" % (N_SAMPLES, NOISE_STD)),
        ("model", "nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3)), torch.manual_seed(%d), "
                  "default init (= init.safetensors)" % MODEL_SEED),
        ("dtype", "float32"),
        ("epochs", EPOCHS),
        ("batch_size", BATCH_SIZE),
        ("shuffle", False),
        ("drop_last", False),
        ("batches_per_epoch", len(batch_losses) // EPOCHS),
        ("optimizer", OrderedDict([("type", "sgd"), ("lr", LR), ("momentum", MOMENTUM), ("dampening", 0.0),
                                   ("weight_decay", 0.0), ("nesterov", False)])),
        ("loss", OrderedDict([("type", "cross_entropy"), ("reduction", "mean")])),
        ("per_batch", "zero_grad, forward, loss, backward, step; batch_losses[i] is the loss before step i"),
        ("epoch_train_loss", "sum(loss_b * n_b) / sum(n_b) over the epoch's batches (in double)"),
        ("epoch_train_accuracy", "argmax accuracy of the pre-step outputs, over the epoch's samples"),
    ])
    losses_path = os.path.join(OUT_DIR, "losses.json")
    write_text(losses_path, json.dumps(result, indent=2) + "\n")

    # 4. experiment file
    write_text(os.path.join(OUT_DIR, "experiment.yaml"), EXPERIMENT_YAML)

    # ---- checks -----------------------------------------------------------
    got, got_meta, got_dtypes = read_safetensors(init_path)
    assert dict(got_meta) == dict(init_meta)
    assert list(got.keys()) == list(init.keys())
    for k, v in init.items():
        assert got_dtypes[k] == "F32" and got[k].shape == tuple(v.shape), k
        assert np.array_equal(got[k], v.numpy()), k
    fresh = build_model()
    fresh.load_state_dict({k: torch.from_numpy(v) for k, v in got.items()}, strict=True)

    with open(losses_path, encoding="utf-8") as f:
        back = json.load(f, object_pairs_hook=OrderedDict)
    assert len(back["batch_losses"]) == 8 and back["batch_sizes"] == [32, 32, 32, 4] * 2
    assert all(np.float32(v) == v for v in back["batch_losses"]), "losses are not float32 values"
    for k, v in final.items():
        assert np.array_equal(np.array(back["final"][k], dtype=np.float32).reshape(v.shape), v.numpy()), k
    # re-running the training from the stored files gives the same numbers
    again = train(fresh, x, y)
    assert again[0] == batch_losses and again[2] == epoch_losses
    # learnable, but not solved at once
    bl = batch_losses
    assert 0.9 < bl[0] < 1.6, bl[0]
    assert bl[-1] < bl[0] and epoch_losses[1] < epoch_losses[0], (bl, epoch_losses)
    assert min(bl) > 0.1, bl
    assert bl[1] > 0.3, bl
    assert sum(1 for a, b in zip(init.values(), final.values()) if not torch.equal(a, b)) == 4

    for name in sorted(os.listdir(OUT_DIR)):
        print("%-20s %6d bytes" % (name, os.path.getsize(os.path.join(OUT_DIR, name))))
    print("batch_losses     ", ", ".join("%.6f" % v for v in batch_losses))
    print("epoch_train_loss ", ", ".join("%.6f" % v for v in epoch_losses))
    print("epoch_train_acc  ", ", ".join("%.3f" % v for v in epoch_accuracies))


if __name__ == "__main__":
    main()
