#!/bin/bash
# Runs inside the vm-run guest (as root): every configuration on the same
# backing filesystems, RUNS times, printing one line per measurement:
#   RESULT <fs> <config> <run> <workload> <seconds>
#   REQS   <fs> <config> <run> <requests that reached the server>
# Usage: run-bench.sh BINDIR TARBALL [--demo]
set -uo pipefail
bin=$1 tarball=$2 demo=${3:-}

RUNS=${RUNS:-3}
FILESYSTEMS=${FILESYSTEMS:-"tmpfs ext4"}
CONFIGS=${CONFIGS:-"native overlay none file dir"}
NDIRS=${NDIRS:-20} NFILES=${NFILES:-100}
if [ "$demo" = --demo ]; then
	RUNS=1 FILESYSTEMS=tmpfs NDIRS=40 NFILES=75
fi
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@localhost
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@localhost
export HOME=/tmp

fsroot() { case $1 in tmpfs) echo /tmp/bench ;; ext4) echo /mnt/scratch/bench ;; esac; }

mkdir -p /tmp/bench
daemon_pid= inst=0

# start FS CONFIG BASE: make BASE/src ready and mount the configuration
start() {
	local fs=$1 cfg=$2 base=$3
	mkdir -p "$base/src" "$base/mnt"
	case $cfg in
	native) ;;
	overlay)
		mkdir -p "$base/lower" "$base/work"
		mount -t overlay overlay \
			-o "lowerdir=$base/lower,upperdir=$base/src,workdir=$base/work" \
			"$base/mnt" ;;
	none|file|dir)
		inst=$((inst + 1))
		log=$base/daemon.$inst.log
		"$bin/fuse-passthrough" --mode="$cfg" --timeout=3600 "$base/src" \
			"$base/mnt" > "$log" 2>&1 &
		daemon_pid=$!
		for _ in $(seq 200); do
			grep -q "mounted on" "$log" && break
			sleep 0.05
		done
		grep -q "mounted on" "$log" || { cat "$log"; exit 1; } ;;
	esac
}

# stop FS CONFIG BASE RUN: unmount, and report the server's request count
stop() {
	local fs=$1 cfg=$2 base=$3 run=$4
	case $cfg in
	native) ;;
	overlay) umount "$base/mnt" ;;
	none|file|dir)
		kill "$daemon_pid"; wait "$daemon_pid"
		# every server instance of this run (one is restarted cold)
		total=$(cat "$base"/daemon.*.log | sed -n 's/.*total=\([0-9]*\).*/\1/p' |
			awk '{ n += $1 } END { print n + 0 }')
		echo "REQS $fs $cfg $run $total" ;;
	esac
}

target() { [ "$2" = native ] && echo "$1/src/w" || echo "$1/mnt/w"; }

t0() { date +%s.%N; }
report() { echo "RESULT $1 $2 $3 $4 $(echo "$(date +%s.%N) - $5" | bc)"; }

# drop every cache between a config's mount and its backing filesystem
make_cold() {
	local fs=$1 cfg=$2 base=$3
	case $cfg in
	overlay) umount "$base/mnt" ;;
	none|file|dir) kill "$daemon_pid"; wait "$daemon_pid" ;;
	esac
	sync
	if [ "$fs" = ext4 ]; then
		umount /mnt/scratch && mount /dev/vda /mnt/scratch
	fi
	echo 3 > /proc/sys/vm/drop_caches
	start "$fs" "$cfg" "$base"
}

one() {
	local fs=$1 cfg=$2 run=$3 base w t
	base=$(fsroot "$fs")/$cfg-$run
	rm -rf "$base"
	start "$fs" "$cfg" "$base"
	w=$(target "$base" "$cfg")
	mkdir "$w"
	for phase in create stat walk read seqwrite seqread; do
		"$bin/fbench" "$phase" "$w" "$NDIRS" "$NFILES" | sed "s/^/RESULT $fs $cfg $run /"
	done
	if [ -z "$demo" ]; then
		fio --name=prep --filename="$w/fio.dat" --size=32m --bs=1m --rw=write \
			--ioengine=psync --thread --eta=never --output=/dev/null
		for rw in randread randwrite; do
			t=$(t0)
			fio --name="$rw" --filename="$w/fio.dat" --size=32m --bs=4k \
				--rw="$rw" --io_size=8m --ioengine=psync --thread \
				--randrepeat=1 --norandommap --fsync_on_close=1 --eta=never \
				--output=/dev/null
			report "$fs" "$cfg" "$run" "$rw" "$t"
		done
		rm -f "$w/fio.dat"
	fi
	# build-like: unpack a source tree, commit it with git, change it
	t=$(t0)
	(cd "$w" && mkdir repo && cd repo && tar -xf "$tarball" && git init -q &&
	 git add -A && git commit -qm import &&
	 find . -name '*.c' -path '*fuse*' -exec sh -c 'echo "/* x */" >> "$1"' _ {} \; &&
	 git status --porcelain > /dev/null && git commit -qam change &&
	 grep -rl passthrough . > /dev/null) || echo "macro failed" >&2
	report "$fs" "$cfg" "$run" git-macro "$t"

	make_cold "$fs" "$cfg" "$base"
	"$bin/fbench" stat "$w" "$NDIRS" "$NFILES" | sed "s/^stat/RESULT $fs $cfg $run cold_stat/"
	"$bin/fbench" unlink "$w" "$NDIRS" "$NFILES" | sed "s/^/RESULT $fs $cfg $run /"
	stop "$fs" "$cfg" "$base" "$run"
	rm -rf "$base"
}

echo "# kernel $(uname -r), $(nproc) vCPUs, $(awk '/MemTotal/ {print $2 / 1024 " MiB"}' /proc/meminfo)"
for run in $(seq "$RUNS"); do
	for fs in $FILESYSTEMS; do
		for cfg in $CONFIGS; do
			one "$fs" "$cfg" "$run"
		done
	done
done
