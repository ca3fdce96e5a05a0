#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the RESULT/REQS lines of run-bench.sh into Markdown tables:
median seconds per workload and configuration, the spread (min-max) over
the runs, the ratio to native, and the requests that reached the server."""
import statistics
import sys
from collections import defaultdict

CONFIGS = ["native", "overlay", "none", "file", "dir"]
NAMES = {"native": "native", "overlay": "overlayfs", "none": "FUSE",
         "file": "per-file passthrough", "dir": "dir passthrough"}
WORKLOADS = ["create", "stat", "walk", "read", "seqwrite", "seqread",
             "randread", "randwrite", "git-macro", "cold_stat", "unlink"]

res = defaultdict(list)
reqs = defaultdict(list)
header = []
for line in open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin:
    # a progress line without a newline may come first: start at the tag
    for tag in ("RESULT ", "REQS "):
        if tag in line:
            line = line[line.index(tag):]
    f = line.split()
    if not f:
        continue
    if f[0] == "RESULT" and len(f) == 6:
        res[(f[1], f[2], f[4])].append(float(f[5]))
    elif f[0] == "REQS" and len(f) == 5:
        reqs[(f[1], f[2])].append(int(f[4] or 0))
    elif line.startswith("# kernel"):
        header.append(line.strip("# \n"))

for h in header[:1]:
    print(f"Guest: {h}.\n")
for fs in sorted({k[0] for k in res}, key=lambda x: x != "tmpfs"):
    cfgs = [c for c in CONFIGS if any(k[0] == fs and k[1] == c for k in res)]
    runs = max(len(v) for k, v in res.items() if k[0] == fs)
    print(f"### Backing filesystem: {fs} ({runs} runs; median seconds, "
          f"[min-max], ratio to native)\n")
    print("| workload | " + " | ".join(NAMES[c] for c in cfgs) + " |")
    print("|---" * (len(cfgs) + 1) + "|")
    for w in WORKLOADS:
        base = res.get((fs, "native", w))
        if not any((fs, c, w) in res for c in cfgs):
            continue
        cells = []
        for c in cfgs:
            v = res.get((fs, c, w))
            if not v:
                cells.append("–")
                continue
            m = statistics.median(v)
            cell = f"{m:.3f} [{min(v):.3f}-{max(v):.3f}]"
            if base and c != "native":
                cell += f" **{m / statistics.median(base):.2f}x**"
            cells.append(cell)
        print(f"| {w} | " + " | ".join(cells) + " |")
    cells = []
    for c in cfgs:
        v = reqs.get((fs, c))
        cells.append(str(int(statistics.median(v))) if v else "–")
    print("| requests to the server (whole run) | " + " | ".join(cells) + " |")
    print()
