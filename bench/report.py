#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the RESULT/REQS/SCALE/SLAB lines of run-bench.sh into Markdown.

   report.py RAW                 the tables
   report.py --compare RAW RAW   two runs' ratios side by side, and the
                                 largest relative difference

Ratios are paired: each sample of a configuration is divided by the
native sample of the same round (same boot, same filesystem), and the
table gives the median of those ratios with their spread [min-max]; a
ratio whose spread includes 1.0 is marked "~1" (not distinguishable from
1.0).  ours/pristine pairs round k of our kernel with round k of the
pristine kernel (alternating boots)."""
import statistics
import sys
from collections import defaultdict

CONFIGS = ["native", "overlay", "none", "file", "dir"]
NAMES = {"native": "native", "overlay": "overlayfs", "none": "FUSE",
         "file": "per-file passthrough", "dir": "dir passthrough"}
WORKLOADS = ["create", "stat", "walk", "readdir", "read", "unlink",
             "cold_stat", "seqwrite", "seqread", "randread", "randwrite",
             "git-macro"]


def parse(path):
    d = {"res": defaultdict(dict), "clock": {}, "reps": defaultdict(list),
         "reqs": defaultdict(list), "scale": {}, "slab": {}, "header": []}
    for line in open(path):
        for tag in ("RESULT ", "REQS ", "SCALE ", "SLAB "):
            if tag in line:
                line = line[line.index(tag):]
        f = line.split()
        if not f:
            continue
        try:
            if f[0] == "RESULT" and len(f) == 9:
                kern, clock, fs, cfg, rnd, w, sec, reps = f[1:]
                d["res"][(kern, fs, cfg, w)][int(rnd)] = float(sec)
                d["clock"][w] = clock
                d["reps"][(kern, fs, cfg, w)].append(int(reps))
            elif f[0] == "REQS" and len(f) == 6:
                d["reqs"][(f[1], f[2], f[3])].append(int(f[5] or 0))
            elif f[0] == "SCALE" and len(f) == 7:
                d["scale"][(f[1], f[2], f[3], int(f[4]), f[5])] = float(f[6])
            elif f[0] == "SLAB" and len(f) == 6:
                d["slab"][(f[1], f[2], f[3], int(f[4]))] = int(f[5])
            elif line.startswith("# kernel"):
                d["header"].append(line.strip("# \n"))
        except ValueError:
            continue
    return d


def paired(num, den):
    """ratios of the samples of num and den taken in the same round"""
    return [num[r] / den[r] for r in sorted(num) if r in den and den[r] > 0]


def fmt_ratio(v):
    if not v:
        return "–"
    m = statistics.median(v)
    s = f"**{m:.3f}** [{min(v):.3f}-{max(v):.3f}]"
    if min(v) <= 1.0 <= max(v):
        s += " ~1"
    return s


def fmt_time(v):
    if v >= 1:
        return f"{v:.3f} s"
    if v >= 1e-3:
        return f"{v * 1e3:.3f} ms"
    return f"{v * 1e6:.2f} µs"


def ratios(d, kern="ours"):
    """{(fs, cfg, workload): [paired ratios to native]}"""
    out = {}
    for (k, fs, cfg, w), samples in d["res"].items():
        if k != kern or cfg == "native":
            continue
        base = d["res"].get((k, fs, "native", w))
        if base:
            out[(fs, cfg, w)] = paired(samples, base)
    return out


def filesystems(d):
    return sorted({k[1] for k in d["res"]}, key=lambda x: x != "tmpfs")


def main_tables(d):
    heads = [h for h in d["header"] if "(ours" in h] or d["header"]
    for h in heads[:1]:
        print(f"Guest: {h}.\n")
    rat = ratios(d)
    for fs in filesystems(d):
        cfgs = [c for c in CONFIGS if any(k[0] == "ours" and k[1] == fs and
                                          k[2] == c for k in d["res"])]
        if not cfgs:
            continue
        nrounds = max(len(v) for k, v in d["res"].items()
                      if k[0] == "ours" and k[1] == fs)
        print(f"### {fs}: ratio to native, paired by round "
              f"({nrounds} rounds; median [min-max]; ~1: not distinguishable "
              f"from 1.0)\n")
        print("| workload | clock | native (per repetition) | " +
              " | ".join(NAMES[c] for c in cfgs if c != "native") + " |")
        print("|---" * (len(cfgs) + 2) + "|")
        for w in WORKLOADS:
            base = d["res"].get(("ours", fs, "native", w))
            if not base:
                continue
            cells = [w, d["clock"].get(w, "?"),
                     fmt_time(statistics.median(base.values()))]
            for c in cfgs:
                if c != "native":
                    cells.append(fmt_ratio(rat.get((fs, c, w))))
            print("| " + " | ".join(cells) + " |")
        cells = []
        for c in cfgs:
            if c == "native":
                continue
            v = d["reqs"].get(("ours", fs, c))
            cells.append(str(int(statistics.median(v))) if v else "–")
        print("| requests to the server (per round) | | | " +
              " | ".join(cells) + " |")
        print()


def pristine_tables(d):
    if not any(k[0] == "pristine" for k in d["res"]):
        return
    for fs in filesystems(d):
        cfgs = [c for c in CONFIGS if ("pristine", fs, c, "stat") in d["res"]]
        if not cfgs:
            continue
        n = max(len(v) for k, v in d["res"].items()
                if k[0] == "pristine" and k[1] == fs)
        print(f"### {fs}: ours / pristine (same configuration, round k of "
              f"each kernel; {n} pairs; median [min-max])\n")
        print("| workload | " + " | ".join(NAMES[c] for c in cfgs) + " |")
        print("|---" * (len(cfgs) + 1) + "|")
        for w in WORKLOADS:
            cells = []
            for c in cfgs:
                ours = d["res"].get(("ours", fs, c, w))
                prist = d["res"].get(("pristine", fs, c, w))
                cells.append(fmt_ratio(paired(ours, prist))
                             if ours and prist else "–")
            if any(x != "–" for x in cells):
                print(f"| {w} | " + " | ".join(cells) + " |")
        print()


def scale_tables(d):
    if not d["scale"]:
        return
    for kern in sorted({k[0] for k in d["scale"]}):
        fs_cfgs = sorted({(k[1], k[2]) for k in d["scale"] if k[0] == kern},
                         key=lambda x: CONFIGS.index(x[1]))
        sizes = sorted({k[3] for k in d["scale"] if k[0] == kern})
        print(f"### Scale ({kern}, {fs_cfgs[0][0]}): time per name "
              "(cold_stat after dropping every cache; walk and readdir "
              "warm) and slab memory per cached name (SReclaimable + "
              "SUnreclaim grown by the cold stat)\n")
        print("| configuration | names | cold_stat | walk | readdir | slab |")
        print("|---|---|---|---|---|---|")
        for fs, c in fs_cfgs:
            rows = [(n, [d["scale"].get((kern, fs, c, n, w))
                         for w in ("cold_stat", "walk", "readdir")],
                     d["slab"].get((kern, fs, c, n))) for n in sizes]
            for n, times, slab in rows:
                cells = [f"{v * 1e6:.2f} µs" if v is not None else "–"
                         for v in times]
                cells.append(f"{slab} B" if slab is not None else "–")
                print(f"| {NAMES[c]} | {n} | " + " | ".join(cells) + " |")
            (lo, tlo, slo), (hi, thi, shi) = rows[0], rows[-1]
            if lo != hi:
                cells = [f"{b / a:.2f}x" if a and b else "–"
                         for a, b in zip(tlo, thi)]
                cells.append(f"{shi / slo:.2f}x" if slo and shi else "–")
                print(f"| {NAMES[c]} | {hi} / {lo} | " + " | ".join(cells) +
                      " |")
        print()


def compare(a, b):
    ra, rb = ratios(parse(a)), ratios(parse(b))
    worst = (-1.0, None)
    print("| fs | workload | config | run 1 | run 2 | relative difference |")
    print("|---|---|---|---|---|---|")
    for key in sorted(set(ra) & set(rb)):
        fs, cfg, w = key
        if cfg not in ("overlay", "dir") or not ra[key] or not rb[key]:
            continue
        x, y = statistics.median(ra[key]), statistics.median(rb[key])
        rel = abs(x - y) / x
        print(f"| {fs} | {w} | {NAMES[cfg]} | {x:.3f} | {y:.3f} | "
              f"{rel * 100:.1f}% |")
        if rel > worst[0]:
            worst = (rel, key)
    if worst[1]:
        print(f"\nLargest relative difference: {worst[0] * 100:.1f}% "
              f"({' '.join(worst[1])})")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--compare":
        compare(sys.argv[2], sys.argv[3])
    else:
        d = parse(sys.argv[1] if len(sys.argv) > 1 else "/dev/stdin")
        main_tables(d)
        pristine_tables(d)
        scale_tables(d)
