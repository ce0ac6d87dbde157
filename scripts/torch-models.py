#!/usr/bin/python3
"""PyTorch reference for `lgg-lab bench`: one SGD training step of the lab's paper networks on the
CPU, at a given number of threads, to compare with the lab measured in the same bench run.

    /usr/bin/python3 scripts/torch-models.py --threads 2 [--quick]

Networks (the lab's definitions, electron/engine/models/):
  wrn-28-1         post-activation WideResNet-28-1 of cadurosar/graph_kd, 369,690 parameters
  preact-resnet18  kuangliu's PreActResNet18 with the final ReLU, 11,171,146 parameters
Step: zero_grad + forward + cross-entropy + backward + SGD (momentum 0.9, weight decay 5e-4), batch 128
of 32x32x3 random inputs; median of the timed steps after a warm-up. Prints one JSON object.
Needs only torch (Debian: apt-get install python3-torch; libopenblas0-pthread for OpenBLAS).
"""
import argparse
import json
import os
import statistics
import sys
import time


def _threads(argv):
    for i, a in enumerate(argv):
        if a == "--threads" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--threads="):
            return a.split("=", 1)[1]
    return "1"


# OpenBLAS keeps its own pool that torch.set_num_threads does not size: set it before torch loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", _threads(sys.argv[1:]))
os.environ.setdefault("OMP_NUM_THREADS", _threads(sys.argv[1:]))

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


class WrnBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + (self.shortcut(x) if self.shortcut is not None else x))


class Wrn(nn.Module):
    def __init__(self, depth=28, width=1, classes=10):
        super().__init__()
        n = (depth - 4) // 6
        widths = [int(16 * width), int(32 * width), int(64 * width)]
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(16)
        layers, cin = [], 16
        for s, w in enumerate(widths):
            for b in range(n):
                layers.append(WrnBlock(cin, w, 2 if (b == 0 and s > 0) else 1))
                cin = w
        self.layers = nn.Sequential(*layers)
        self.linear = nn.Linear(cin, classes)

    def forward(self, x):
        out = self.layers(F.relu(self.bn(self.conv1(x))))
        return self.linear(F.adaptive_avg_pool2d(out, 1).flatten(1))


class PreActBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Conv2d(cin, cout, 1, stride, bias=False)

    def forward(self, x):
        r1 = F.relu(self.bn1(x))
        sc = self.shortcut(r1) if self.shortcut is not None else x
        return self.conv2(F.relu(self.bn2(self.conv1(r1)))) + sc


class PreActResNet18(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        layers, cin = [], 64
        for s, w in enumerate([64, 128, 256, 512]):
            for b in range(2):
                layers.append(PreActBlock(cin, w, 2 if (b == 0 and s > 0) else 1))
                cin = w
        self.layers = nn.Sequential(*layers)
        self.linear = nn.Linear(512, classes)

    def forward(self, x):
        out = F.relu(self.layers(self.conv1(x)))
        return self.linear(F.adaptive_avg_pool2d(out, 1).flatten(1))


def time_step(model, batch, warmup, steps):
    torch.manual_seed(0)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    x = torch.rand(batch, 3, 32, 32)
    y = torch.arange(batch) % 10
    times = []
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        opt.step()
        if i >= warmup:
            times.append(time.perf_counter() - t0)
    ms = 1000 * statistics.median(times)
    return {"batch": batch, "steps": steps, "median_ms": ms, "samples_per_s": batch * 1000 / ms}


def profile_wrn(batch, top=14):
    """Top ops of one WRN-28-1 step by self CPU time (autograd profiler), ms per step."""
    torch.manual_seed(0)
    model = Wrn()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    x = torch.rand(batch, 3, 32, 32)
    y = torch.arange(batch) % 10

    def step():
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        opt.step()

    step()
    with torch.autograd.profiler.profile() as prof:
        step()
    rows = sorted(prof.key_averages(), key=lambda e: e.self_cpu_time_total, reverse=True)[:top]
    return [{"op": e.key, "self_ms": e.self_cpu_time_total / 1000.0, "calls": e.count} for e in rows]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--quick", action="store_true", help="1 warm-up and 2 timed steps")
    ap.add_argument("--profile", action="store_true", help="add the top ops of a WRN-28-1 step")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    warmup, steps = (1, 2) if args.quick else (2, 6)
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "models": {}}
    for name, make, reps in (("wrn-28-1", Wrn, steps), ("preact-resnet18", PreActResNet18, max(2, steps // 2))):
        torch.manual_seed(0)
        model = make()
        model.train()
        out["models"][name] = time_step(model, args.batch, warmup, reps)
        out["models"][name]["parameters"] = sum(p.numel() for p in model.parameters())
    if args.profile:
        out["profile"] = profile_wrn(args.batch)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
