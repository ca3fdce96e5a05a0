#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare the PROF lines of run-bench.sh's profile part across configurations.

  profile.py PROFILE.TXT [--mode self|children] [--top N] [--phase P]

For each phase: kernel (and user) functions by samples per repetition of
the phase (the sample period is the same for all), one column per
configuration, sorted by how much more the last configuration (dir) spends
there than the first (native); the first line gives the phase's time per
repetition as fbench measured it under perf.
"""
import argparse
import collections
import re


def parse(path):
    meta = {}  # (fs, cfg, phase) -> (seconds, reps)
    samples = collections.defaultdict(dict)  # (fs, phase, mode) -> {cfg: {sym: n}}
    configs = []
    for line in open(path):
        f = line.split()
        if len(f) < 5:
            continue
        _kernel, fs, cfg, phase, mode = f[:5]
        if cfg not in configs:
            configs.append(cfg)
        if mode == "seconds":
            meta[(fs, cfg, phase)] = (float(f[5]), int(f[7]))
            continue
        if mode not in ("self", "children"):
            continue
        rest = " ".join(f[5:])
        # self: "12.34% 567 [k] sym"; children: "12.34% 1.23% 567 [k] sym"
        m = re.match(r"[\d.]+%\s+(?:[\d.]+%\s+)?(\d+)\s+\[(.)\]\s+(.*)", rest)
        if not m:
            continue
        n, space, sym = int(m.group(1)), m.group(2), m.group(3)
        d = samples[(fs, phase, mode)].setdefault(cfg, {})
        d[("" if space == "k" else "user:") + sym] = n
    return meta, samples, configs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--mode", default="self")
    ap.add_argument("--top", type=int, default=20)
    ap.add_argument("--phase")
    a = ap.parse_args()
    meta, samples, configs = parse(a.file)
    for (fs, phase, mode), by_cfg in samples.items():
        if mode != a.mode or (a.phase and phase != a.phase):
            continue
        cfgs = [c for c in configs if c in by_cfg]
        reps = {c: meta[(fs, c, phase)][1] for c in cfgs}
        secs = {c: meta[(fs, c, phase)][0] for c in cfgs}
        syms = set()
        for c in cfgs:
            syms |= set(by_cfg[c])
        per = {s: [by_cfg[c].get(s, 0) / reps[c] for c in cfgs] for s in syms}
        rows = sorted(syms, key=lambda s: per[s][-1] - per[s][0], reverse=True)
        print(f"## {fs} {phase} ({mode}; samples per repetition; functions under "
              f"{'the report cut' if mode == 'self' else 'the top list'} count 0)\n")
        print("| function | " + " | ".join(cfgs) + " |")
        print("|---" * (len(cfgs) + 1) + "|")
        print("| seconds per repetition | " +
              " | ".join(f"{secs[c]:.4f}" for c in cfgs) + " |")
        for s in rows[:a.top]:
            print(f"| {s} | " + " | ".join(f"{v:.1f}" for v in per[s]) + " |")
        print()


if __name__ == "__main__":
    main()
