#!/bin/bash
# Inside the guest: stress-ng on a passthrough subtree (tmpfs, then ext4)
# while another process changes the backing tree directly, then the data
# integrity check.  Fails on any stressor failure or verification error.
# Usage: stress.sh BINDIR TOPDIR
set -uo pipefail
bin=$1 top=$2
DUR=${STRESS_SECONDS:-60}
STRESSORS=${STRESSORS:-"dir dentry rename link symlink fallocate xattr flock lockf hdd iomix mmap seek readahead file-ioctl"}
rc=0
for fs in tmpfs ext4; do
	case $fs in
	tmpfs) root=/tmp/stress ;;
	ext4) root=/mnt/scratch/stress ;;
	esac
	src=$root/src mnt=$root/mnt
	mkdir -p "$src/w/chaos" "$mnt"
	"$bin/fuse-passthrough" --mode=dir --timeout=3600 "$src" "$mnt" \
		> "$root/daemon.log" 2>&1 &
	pid=$!
	for _ in $(seq 100); do grep -q "mounted on" "$root/daemon.log" && break; sleep 0.05; done

	# another process changes the backing tree under the mount
	python3 - "$src/w/chaos" "$mnt/w/chaos" "$DUR" <<'PY' &
import os, shutil, sys, time
src, mnt, dur = sys.argv[1], sys.argv[2], float(sys.argv[3])
end, i = time.time() + dur, 0
while time.time() < end:
    f = os.path.join(src, "f%d" % (i % 50))
    with open(f, "w") as fh:
        fh.write(str(i))
    os.rename(f, f + ".r")
    os.makedirs(os.path.join(src, "d%d" % (i % 7), "x"), exist_ok=True)
    shutil.rmtree(os.path.join(src, "d%d" % ((i + 3) % 7)), ignore_errors=True)
    os.unlink(f + ".r")
    try:
        os.listdir(mnt)
    except OSError:
        pass
    i += 1
print("backing mutator: %d rounds" % i)
PY
	mut=$!

	args=()
	for s in $STRESSORS; do args+=("--$s" 2); done
	echo "== stress-ng on $fs: ${STRESSORS// /,} x2 workers, ${DUR}s, --verify"
	stress-ng --temp-path "$mnt/w" --timeout "${DUR}s" --verify --metrics-brief \
		--oomable --hdd-bytes 32M --iomix-bytes 32M --fallocate-bytes 32M \
		"${args[@]}" 2>&1 | grep -v "^stress-ng: info:  \[.*\] \(setting\|dispatching\)"
	s=${PIPESTATUS[0]}
	wait "$mut"
	# 0: success; 3: a stressor lacked resources (memory, space) in the VM
	echo "stress-ng exit status $s"
	case $s in 0|3) ;; *) rc=1 ;; esac

	echo "== data integrity on $fs"
	python3 "$top/bench/integrity.py" "$mnt/w" "$src/w" || rc=1

	kill "$pid"; wait "$pid"
	tail -n 1 "$root/daemon.log"
done
exit $rc
