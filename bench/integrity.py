#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Data integrity across a passthrough mount: what is written through the
mount (and fsync'ed) is in the backing file byte for byte, and what the
backing tree changes is what the mount reads, across fsync, truncate,
mmap writes and rename.  Usage: integrity.py MOUNT_DIR BACKING_DIR [N]"""
import mmap
import os
import random
import sys

mnt, back = sys.argv[1], sys.argv[2]
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 200
rng = random.Random(20261122)
errors = 0


def check(what, got, want):
    global errors
    if got != want:
        errors += 1
        diff = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b),
                    min(len(got), len(want)))
        print(f"integrity: {what}: differs at byte {diff} "
              f"(sizes {len(got)}/{len(want)})")


def read(path):
    with open(path, "rb") as f:
        return f.read()


def pattern(n):
    return bytes(rng.getrandbits(8) for _ in range(n))


os.makedirs(os.path.join(mnt, "integrity"), exist_ok=True)
m = lambda name: os.path.join(mnt, "integrity", name)
b = lambda name: os.path.join(back, "integrity", name)

for size in (1, 4095, 4096, 65537, 1 << 20):
    data = pattern(size)
    with open(m(f"w{size}"), "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    check(f"write {size} through the mount", read(b(f"w{size}")), data)
    data2 = pattern(size)
    with open(b(f"w{size}"), "r+b") as f:
        f.write(data2)
    check(f"write {size} in backing, read through mount",
          read(m(f"w{size}")), data2)

# random pwrite through the mount, pread in backing, and the reverse
size = 1 << 20
model = bytearray(read(b("w1048576")))
fm = os.open(m("w1048576"), os.O_RDWR)
fb = os.open(b("w1048576"), os.O_RDWR)
for i in range(rounds):
    off = rng.randrange(size - 8192)
    chunk = pattern(rng.randrange(1, 8192))
    fd = fm if i % 2 else fb
    os.pwrite(fd, chunk, off)
    model[off:off + len(chunk)] = chunk
    if i % 17 == 0:
        os.fsync(fm)
    other = fb if i % 2 else fm
    check(f"round {i}", os.pread(other, len(chunk), off), chunk)
check("after random writes (backing)", os.pread(fb, size, 0), bytes(model))
check("after random writes (mount)", os.pread(fm, size, 0), bytes(model))

# truncate down and up through the mount
os.ftruncate(fm, 5000)
del model[5000:]
os.ftruncate(fm, 9000)
model += bytes(4000)
check("truncate", read(b("w1048576")), bytes(model))

# shared mmap writes through the mount
with mmap.mmap(fm, 9000) as mp:
    mp[100:200] = b"M" * 100
    mp.flush()
model[100:200] = b"M" * 100
check("mmap write", read(b("w1048576")), bytes(model))
os.close(fm)
os.close(fb)

# rename through the mount keeps the content
os.rename(m("w1048576"), m("renamed"))
check("rename", read(b("renamed")), bytes(model))
os.rename(b("renamed"), b("renamed2"))
check("rename in backing", read(m("renamed2")), bytes(model))

print(f"integrity: {errors} errors")
sys.exit(1 if errors else 0)
