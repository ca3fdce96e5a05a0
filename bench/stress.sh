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
	"$bin/fuse-passthrough" --mode=dir "$src" "$mnt" > "$root/daemon.log" 2>&1 &
	pid=$!
	for _ in $(seq 100); do grep -q "mounted on" "$root/daemon.log" && break; sleep 0.05; done

	# another process changes the backing tree under the mount
	(
		end=$((SECONDS + DUR)) i=0
		while [ $SECONDS -lt $end ]; do
			f=$src/w/chaos/f$((i % 50))
			echo "$i" > "$f"; mv "$f" "$f.r"
			mkdir -p "$src/w/chaos/d$((i % 7))/x"
			rm -rf "$src/w/chaos/d$(((i + 3) % 7))"; rm -f "$f.r"
			ls "$mnt/w/chaos" > /dev/null 2>&1
			i=$((i + 1))
		done
		echo "backing mutator: $i rounds"
	) &
	mut=$!

	args=()
	for s in $STRESSORS; do args+=("--$s" 2); done
	echo "== stress-ng on $fs: ${STRESSORS// /,} x2 workers, ${DUR}s, --verify"
	stress-ng --temp-path "$mnt/w" --timeout "${DUR}s" --verify --metrics-brief \
		--oomable "${args[@]}" 2>&1 | grep -v "^stress-ng: info:  \[.*\] \(setting\|dispatching\)"
	s=${PIPESTATUS[0]}
	wait "$mut"
	echo "stress-ng exit status $s"
	[ "$s" = 0 ] || rc=1

	echo "== data integrity on $fs"
	python3 "$top/bench/integrity.py" "$mnt/w" "$src/w" || rc=1

	kill "$pid"; wait "$pid"
	tail -n 1 "$root/daemon.log"
done
exit $rc
