#!/usr/bin/python3
"""PyTorch learning-rate schedule golden values for Epochal's org.epochal.schedule.

Writes ``core/src/test/resources/golden/schedules.json``:

    {"torch_version": "1.13.0a0", "epochs": 30,
     "cases": [{"name": "step", "torch": "StepLR(step_size=7, gamma=0.5)",
                "base_lr": 0.1, "batches_per_epoch": 1,
                "schedules": [{"type": "step", "step_size": 7, "gamma": 0.5, "unit": "epoch"}],
                "lrs": [...],                       # one per training batch, in order
                "metrics": [{"val_loss": 1.0}, ...]  # plateau cases only: fed after each epoch
               }, ...]}

``schedules`` is the same schedule written as an Epochal experiment-file list, so the
Java test builds it with ``Schedules.create`` and compares learning rates one to one.
``lrs[k]`` is ``optimizer.param_groups[0]['lr']`` read before training batch k (k counts
from 0 over the whole run), i.e. the rate PyTorch trains that batch with.  Schedulers are
stepped the PyTorch 1.13 way: ``optimizer.step()`` then ``scheduler.step()`` once per epoch
(after the epoch), or once per batch for the ``unit: batch`` ones;
ReduceLROnPlateau gets ``step(metrics[epoch]["monitor"])`` after each epoch.

Run from the repository root with Debian's python (which sees python3-torch):

    /usr/bin/python3 tools/golden/schedules.py

Everything is deterministic: no random numbers are involved.
"""

import json
import math
import os
import warnings

import torch
from torch.optim import lr_scheduler as sched

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_PATH = os.path.join(REPO_ROOT, "core", "src", "test", "resources", "golden", "schedules.json")
EPOCHS = 30

# The plateau cases' monitored metric: improves, plateaus (small changes that count as
# improvements or not depending on threshold and threshold_mode), improves, plateaus.
VAL_LOSS = [1.0, 0.9, 0.85, 0.8485, 0.8495, 0.848, 0.85, 0.86, 0.6, 0.5,
            0.45, 0.4495, 0.4494, 0.45, 0.451, 0.452, 0.453, 0.3, 0.2999, 0.2998,
            0.2997, 0.2996, 0.2995, 0.2994, 0.2993, 0.2992, 0.2991, 0.299, 0.2989, 0.2988]
VAL_ACCURACY = [round(1.0 - x, 6) for x in VAL_LOSS]
# A loss that is negative (e.g. a log-likelihood objective): PyTorch's rel threshold
# multiplies best by (1 - threshold), which for negative best moves the bar the wrong way.
NEGATIVE_LOSS = [round(x - 1.0, 6) for x in VAL_LOSS]
CONSTANT = [0.5] * EPOCHS


def optimizer(lr):
    param = torch.nn.Parameter(torch.zeros(1))
    return torch.optim.SGD([param], lr=lr)


def run_epochs(opt, steppers, batches_per_epoch=1, per_batch=()):
    """The lr of every batch; ``per_batch`` schedulers step after each batch, ``steppers`` after each epoch."""
    lrs = []
    for _ in range(EPOCHS):
        for _ in range(batches_per_epoch):
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            for s in per_batch:
                s.step()
        for s in steppers:
            s.step()
    return lrs


def case(name, torch_text, base_lr, schedules, lrs, batches_per_epoch=1, metrics=None):
    c = {"name": name, "torch": torch_text, "base_lr": base_lr,
         "batches_per_epoch": batches_per_epoch, "schedules": schedules, "lrs": lrs}
    if metrics is not None:
        c["metrics"] = metrics
    return c


def closed_form_cases():
    cases = []
    o = optimizer(0.1)
    cases.append(case("step", "StepLR(step_size=7, gamma=0.5)", 0.1,
                      [{"type": "step", "step_size": 7, "gamma": 0.5, "unit": "epoch"}],
                      run_epochs(o, [sched.StepLR(o, step_size=7, gamma=0.5)])))
    o = optimizer(0.1)
    cases.append(case("multistep", "MultiStepLR(milestones=[3, 8, 20], gamma=0.3)", 0.1,
                      [{"type": "multistep", "milestones": [3, 8, 20], "gamma": 0.3, "unit": "epoch"}],
                      run_epochs(o, [sched.MultiStepLR(o, milestones=[3, 8, 20], gamma=0.3)])))
    o = optimizer(0.05)
    cases.append(case("exponential", "ExponentialLR(gamma=0.9)", 0.05,
                      [{"type": "exponential", "gamma": 0.9, "unit": "epoch"}],
                      run_epochs(o, [sched.ExponentialLR(o, gamma=0.9)])))
    # 30 epochs with T_max=10 go past T_max: PyTorch's cosine rises again (period 2*T_max).
    o = optimizer(0.1)
    cases.append(case("cosine", "CosineAnnealingLR(T_max=10, eta_min=0.001)", 0.1,
                      [{"type": "cosine", "t_max": 10, "eta_min": 0.001, "unit": "epoch"}],
                      run_epochs(o, [sched.CosineAnnealingLR(o, T_max=10, eta_min=0.001)])))
    o = optimizer(0.1)
    cases.append(case("warmup", "LinearLR(start_factor=0.2, end_factor=1.0, total_iters=4)", 0.1,
                      [{"type": "warmup", "epochs": 4, "start_factor": 0.2, "unit": "epoch"}],
                      run_epochs(o, [sched.LinearLR(o, start_factor=0.2, end_factor=1.0, total_iters=4)])))
    o = optimizer(0.1)
    chained = sched.ChainedScheduler([sched.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=4),
                                      sched.StepLR(o, step_size=6, gamma=0.5)])
    cases.append(case("chained_warmup_step",
                      "ChainedScheduler([LinearLR(start_factor=0.25, total_iters=4), StepLR(step_size=6, gamma=0.5)])",
                      0.1,
                      [{"type": "warmup", "epochs": 4, "start_factor": 0.25, "unit": "epoch"},
                       {"type": "step", "step_size": 6, "gamma": 0.5, "unit": "epoch"}],
                      run_epochs(o, [chained])))
    # unit: batch, 3 batches per epoch.  eta_min=0 makes the rate exactly 0 at t = T_max.
    o = optimizer(0.1)
    cases.append(case("cosine_batch", "CosineAnnealingLR(T_max=50, eta_min=0) stepped per batch", 0.1,
                      [{"type": "cosine", "t_max": 50, "eta_min": 0.0, "unit": "batch"}],
                      run_epochs(o, [], 3, [sched.CosineAnnealingLR(o, T_max=50, eta_min=0.0)]), 3))
    # A warmup over the first 7 batches together with a per-epoch step decay: two schedulers
    # stepped at different times on one optimizer; both are multiplicative, so rates multiply.
    o = optimizer(0.1)
    warm = sched.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=7)
    step = sched.StepLR(o, step_size=4, gamma=0.5)
    cases.append(case("warmup_batch_step_epoch",
                      "LinearLR(start_factor=0.1, total_iters=7) per batch, StepLR(step_size=4, gamma=0.5) per epoch",
                      0.1,
                      [{"type": "warmup", "epochs": 7, "start_factor": 0.1, "unit": "batch"},
                       {"type": "step", "step_size": 4, "gamma": 0.5, "unit": "epoch"}],
                      run_epochs(o, [step], 3, [warm]), 3))
    return cases


PLATEAU_DEFAULTS = {"monitor": "val_loss", "mode": "min", "factor": 0.1, "patience": 10, "threshold": 1e-4,
                    "threshold_mode": "rel", "cooldown": 0, "min_lr": 0.0, "eps": 1e-8}


def plateau_case(name, base_lr, monitor, values, **options):
    """ReduceLROnPlateau with ``options`` (PyTorch's names) fed ``values`` of ``monitor`` after each epoch."""
    o = optimizer(base_lr)
    s = sched.ReduceLROnPlateau(o, **options)
    lrs = []
    for epoch in range(EPOCHS):
        lrs.append(o.param_groups[0]["lr"])
        o.step()
        s.step(values[epoch])
    config = {"type": "reduce_on_plateau"}
    config.update(PLATEAU_DEFAULTS)
    config.update(options)
    config["monitor"] = monitor
    config["unit"] = "epoch"
    text = "ReduceLROnPlateau(%s) on %s" % (", ".join("%s=%r" % kv for kv in options.items()), monitor)
    return case(name, text, base_lr, [config], lrs, 1, [{monitor: v} for v in values])


def plateau_cases():
    common = dict(factor=0.4, patience=2, cooldown=2, min_lr=0.01)
    cases = [
        plateau_case("plateau_min_rel", 0.1, "val_loss", VAL_LOSS, mode="min", threshold=0.01,
                     threshold_mode="rel", **common),
        plateau_case("plateau_min_abs", 0.1, "val_loss", VAL_LOSS, mode="min", threshold=0.001,
                     threshold_mode="abs", **common),
        plateau_case("plateau_max_rel", 0.1, "val_accuracy", VAL_ACCURACY, mode="max", threshold=0.01,
                     threshold_mode="rel", **common),
        plateau_case("plateau_max_abs", 0.1, "val_accuracy", VAL_ACCURACY, mode="max", threshold=0.001,
                     threshold_mode="abs", **common),
        plateau_case("plateau_negative_rel", 0.1, "val_loss", NEGATIVE_LOSS, mode="min", threshold=0.01,
                     threshold_mode="rel", factor=0.5, patience=1),
        # eps: the reduction from 1.25e-8 to 6.25e-9 is smaller than eps=1e-8, so it is skipped.
        plateau_case("plateau_eps", 1e-7, "val_loss", CONSTANT, factor=0.5, patience=0),
        plateau_case("plateau_defaults", 0.1, "val_loss", CONSTANT),
    ]
    by_name = {c["name"]: c for c in cases}
    # The fixtures must exercise what they are for.
    for name in ("plateau_min_rel", "plateau_min_abs", "plateau_max_rel", "plateau_max_abs"):
        assert min(by_name[name]["lrs"]) == 0.01, name + " never reaches min_lr"
    assert by_name["plateau_min_rel"]["lrs"] != by_name["plateau_min_abs"]["lrs"], "threshold modes agree"
    assert by_name["plateau_max_rel"]["lrs"] != by_name["plateau_max_abs"]["lrs"], "threshold modes agree"
    assert min(by_name["plateau_eps"]["lrs"]) == 1.25e-8, "eps case"
    return cases


def check_closed_forms(cases):
    """Cross-check: PyTorch's chainable lrs equal the closed forms Epochal uses, to 1e-12."""
    by_name = {c["name"]: c for c in cases}
    expect = {
        "step": lambda t: 0.1 * 0.5 ** (t // 7),
        "exponential": lambda t: 0.05 * 0.9 ** t,
        "cosine": lambda t: 0.001 + (0.1 - 0.001) * (1 + math.cos(math.pi * t / 10)) / 2,
        "warmup": lambda t: 0.1 * (0.2 + 0.8 * min(t, 4) / 4),
        "chained_warmup_step": lambda t: 0.1 * (0.25 + 0.75 * min(t, 4) / 4) * 0.5 ** (t // 6),
    }
    for name, f in expect.items():
        for t, lr in enumerate(by_name[name]["lrs"]):
            assert abs(lr - f(t)) <= 1e-12 * abs(f(t)), (name, t, lr, f(t))


def dumps(doc):
    """JSON with one case per line, so a regenerated fixture diffs case by case."""
    def compact(value):
        return json.dumps(value, separators=(",", ":"), allow_nan=False)
    head = ",\n".join(" %s: %s" % (compact(k), compact(v)) for k, v in doc.items() if k != "cases")
    cases = ",\n".join("  " + compact(c) for c in doc["cases"])
    return "{\n%s,\n \"cases\": [\n%s\n ]\n}\n" % (head, cases)


def main():
    warnings.filterwarnings("ignore")  # the chainable-form reminders are about user code, not ours
    cases = closed_form_cases() + plateau_cases()
    check_closed_forms(cases)
    doc = {"torch_version": torch.__version__, "epochs": EPOCHS, "cases": cases}
    os.makedirs(os.path.dirname(OUT_PATH), exist_ok=True)
    with open(OUT_PATH, "w") as f:
        f.write(dumps(doc))
    for c in cases:
        print("%-26s %s" % (c["name"], " ".join("%.4g" % x for x in c["lrs"][:30])))
    print("wrote %s (%d bytes)" % (OUT_PATH, os.path.getsize(OUT_PATH)))


if __name__ == "__main__":
    main()
