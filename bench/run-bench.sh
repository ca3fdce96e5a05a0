#!/bin/bash
# Runs inside the vm-run guest (as root): the configurations on the same
# backing filesystems, ROUNDS rounds, each round every configuration in
# turn, printing one line per measurement:
#   RESULT <kernel> <clock> <fs> <config> <round> <workload> <seconds> <reps>
#   REQS   <kernel> <fs> <config> <round> <requests that reached the server>
#   SCALE  <kernel> <fs> <config> <names> <workload> <seconds per name>
#   SLAB   <kernel> <fs> <config> <names> <slab bytes per cached name>
#   PROF   <kernel> <fs> <config> <workload> <line of perf report>
# <seconds> is per repetition (for fio: per I/O); every timed part is
# measured inside the guest program (fbench, fio's latency) or, for the git
# macro, around the processes.
#
# Usage: run-bench.sh BINDIR TARBALL PART [--demo]
#   PART  micro   fbench rows and fio (the in-kernel rows; meant for a
#                 deterministic -icount boot)
#         macro   the git macro (wall clock, ordinary TCG boot)
#         scale   cold_stat, walk and readdir over SCALE_NAMES names on the
#                 ext4 scratch disk, and slab memory per cached name
#         profile where the fbench rows spend their time: perf's cpu-clock
#                 samples of PROFILE_PHASES in PROFILE_CONFIGS, by function
#                 (under -icount a sample is taken every PROFILE_PERIOD
#                 instructions, but lands where TCG next looks at
#                 interrupts, so shares are skewed by up to ~30%; for exact
#                 call counts trace one operation with function_graph)
# Environment: KERNEL (label, default "ours"), CLOCK (label), ROUNDS,
# MIN_TIME (seconds of guest time each fbench/fio sample loops to),
# FILESYSTEMS, CONFIGS, NDIRS, NFILES, COLD_REPS, SCALE_NAMES,
# SCALE_CONFIGS, ROUND_BASE (first round number), DIR_ARGS (options of the
# dir configuration's server, e.g. --server-root), EXT4_RAM (0: the micro
# part's ext4 on the scratch disk), EXT4_RAM_SIZE, PROFILE_CONFIGS,
# PROFILE_PHASES, PROFILE_NFILES (files per directory of the profiled tree),
# PROFILE_LINES (functions per report), PROFILE_PERIOD (ns between samples),
# PROFILE_TIME (seconds each non-changing phase loops to).
set -uo pipefail
bin=$1 tarball=$2 part=${3:-micro} demo=${4:-}

KERNEL=${KERNEL:-ours}
CLOCK=${CLOCK:-wall}
ROUNDS=${ROUNDS:-5}
ROUND_BASE=${ROUND_BASE:-1}
MIN_TIME=${MIN_TIME:-1}
FILESYSTEMS=${FILESYSTEMS:-"tmpfs ext4"}
CONFIGS=${CONFIGS:-"native overlay none file dir"}
NDIRS=${NDIRS:-20} NFILES=${NFILES:-100}
COLD_REPS=${COLD_REPS:-5}
SCALE_NAMES=${SCALE_NAMES:-"2000 20000 200000"}
SCALE_CONFIGS=${SCALE_CONFIGS:-"native overlay dir"}
if [ "$demo" = --demo ]; then
	ROUNDS=1 FILESYSTEMS=tmpfs NDIRS=40 NFILES=75 MIN_TIME=0 COLD_REPS=1
fi
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@localhost
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@localhost
export HOME=/tmp

fsroot() { case $1 in tmpfs) echo /tmp/bench ;; ext4) echo /mnt/scratch/bench ;; esac; }

# ext4 of the micro part: with EXT4_RAM=1 (the default) a loop device on
# a file in the guest's tmpfs replaces the scratch disk, so that no row
# waits for the host's disk: under -icount the guest clock jumps to the
# next timer while the guest idles, so a wait for host I/O has no fixed
# guest time (ext4 seqwrite took 0.2 s in one boot and 18 s in another).
# The scale part keeps the disk (its trees do not fit in RAM).
scratch_dev=/dev/vda
ext4_ram() {
	[ "${EXT4_RAM:-1}" = 1 ] || return 0
	umount /mnt/scratch || exit 1
	truncate -s "${EXT4_RAM_SIZE:-1G}" /tmp/ext4.img
	mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 /tmp/ext4.img
	scratch_dev=$(losetup -f --show /tmp/ext4.img) || exit 1
	mount -t ext4 "$scratch_dev" /mnt/scratch || exit 1
	echo "# ext4 on $scratch_dev, a loop device on a file in the guest's tmpfs"
}

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
		# shellcheck disable=SC2086 # DIR_ARGS: words
		"$bin/fuse-passthrough" --mode="$cfg" --timeout=3600 \
			$([ "$cfg" = dir ] && echo ${DIR_ARGS:-}) "$base/src" \
			"$base/mnt" > "$log" 2>&1 &
		daemon_pid=$!
		for _ in $(seq 400); do
			grep -q "mounted on" "$log" && break
			sleep 0.05
		done
		grep -q "mounted on" "$log" || { cat "$log"; exit 1; } ;;
	esac
}

# unmount: stop FS CONFIG BASE ROUND (reports the server's request count)
stop() {
	local fs=$1 cfg=$2 base=$3 round=$4 total
	case $cfg in
	native) ;;
	overlay) umount "$base/mnt" ;;
	none|file|dir)
		kill "$daemon_pid"; wait "$daemon_pid"
		# every server instance of this round (one is restarted cold)
		total=$(cat "$base"/daemon.*.log | sed -n 's/.*total=\([0-9]*\).*/\1/p' |
			awk '{ n += $1 } END { print n + 0 }')
		[ -n "$round" ] && echo "REQS $KERNEL $fs $cfg $round $total" ;;
	esac
}

target() { [ "$2" = native ] && echo "$1/src/w" || echo "$1/mnt/w"; }

# drop every cache between a configuration's mount and its backing
# filesystem: unmount it, remount ext4, drop caches, mount it again
make_cold() {
	local fs=$1 cfg=$2 base=$3
	case $cfg in
	overlay) umount "$base/mnt" ;;
	none|file|dir) kill "$daemon_pid"; wait "$daemon_pid" ;;
	esac
	sync
	if [ "$fs" = ext4 ]; then
		umount /mnt/scratch && mount "$scratch_dev" /mnt/scratch
	fi
	echo 3 > /proc/sys/vm/drop_caches
	start "$fs" "$cfg" "$base"
}

result() { echo "RESULT $KERNEL $CLOCK $*"; }

# fbench_row FS CFG ROUND PHASE DIR [ARGS...]
fbench_row() {
	local fs=$1 cfg=$2 round=$3 phase=$4 dir=$5 out
	shift 5
	out=$("$bin/fbench" -t "$MIN_TIME" "$phase" "$dir" "$@") ||
		{ echo "fbench $phase failed on $fs $cfg" >&2; return; }
	result "$fs" "$cfg" "$round" $out
}

# fio's own mean latency per I/O (ns resolution; its job runtime has only
# ms resolution), repeated until the job runtimes reach MIN_TIME
fio_row() {
	local fs=$1 cfg=$2 round=$3 rw=$4 w=$5 out ms total=0 reps=0 sum=0 lat
	while :; do
		out=$(fio --name="$rw" --filename="$w/fio.dat" --size=32m --bs=4k \
			--rw="$rw" --io_size=8m --ioengine=psync --thread \
			--randrepeat=1 --norandommap --fsync_on_close=1 --eta=never \
			--output-format=json | python3 -c '
import json, sys
j = json.load(sys.stdin)["jobs"][0]
d = j["read" if sys.argv[1] == "randread" else "write"]
print(j["job_runtime"], "%.12f" % (d["lat_ns"]["mean"] / 1e9))' "$rw") ||
			{ echo "fio $rw failed on $fs $cfg" >&2; return; }
		read -r ms lat <<< "$out"
		total=$((total + ms)) reps=$((reps + 1))
		sum=$(echo "$sum + $lat" | bc -l)
		[ "$(echo "$total >= $MIN_TIME * 1000" | bc)" = 1 ] && break
	done
	result "$fs" "$cfg" "$round" "$rw" "$(echo "scale=12; $sum / $reps" | bc -l)" "$reps"
}

micro() {
	local fs=$1 cfg=$2 round=$3 base w i t sum
	base=$(fsroot "$fs")/$cfg-$round
	rm -rf "$base"
	start "$fs" "$cfg" "$base"
	w=$(target "$base" "$cfg")
	mkdir "$w"
	fbench_row "$fs" "$cfg" "$round" create "$w" "$NDIRS" "$NFILES"
	for phase in stat walk readdir read seqwrite seqread; do
		fbench_row "$fs" "$cfg" "$round" "$phase" "$w" "$NDIRS" "$NFILES"
	done
	rm -f "$w/big"
	if [ -z "$demo" ]; then
		fio --name=prep --filename="$w/fio.dat" --size=32m --bs=1m --rw=write \
			--ioengine=psync --thread --eta=never --output=/dev/null
		fio_row "$fs" "$cfg" "$round" randread "$w"
		fio_row "$fs" "$cfg" "$round" randwrite "$w"
		rm -f "$w/fio.dat"
	fi
	# cold: every cache dropped before each repetition
	sum=0
	for i in $(seq "$COLD_REPS"); do
		make_cold "$fs" "$cfg" "$base"
		t=$("$bin/fbench" stat "$w" "$NDIRS" "$NFILES" | awk '{ print $2 }')
		sum=$(echo "$sum + $t" | bc)
	done
	result "$fs" "$cfg" "$round" cold_stat "$(echo "scale=9; $sum / $COLD_REPS" | bc)" "$COLD_REPS"
	fbench_row "$fs" "$cfg" "$round" unlink "$w" "$NDIRS" "$NFILES"
	stop "$fs" "$cfg" "$base" "$round"
	rm -rf "$base"
}

# build-like: unpack a source tree, commit it with git, change it
macro() {
	local fs=$1 cfg=$2 round=$3 base w t0
	base=$(fsroot "$fs")/$cfg-$round
	rm -rf "$base"
	start "$fs" "$cfg" "$base"
	w=$(target "$base" "$cfg")
	mkdir "$w"
	t0=$(date +%s.%N)
	(cd "$w" && mkdir repo && cd repo && tar -xf "$tarball" && git init -q &&
	 git add -A && git commit -qm import &&
	 find . -name '*.c' -path '*fuse*' -exec sh -c 'echo "/* x */" >> "$1"' _ {} \; &&
	 git status --porcelain > /dev/null && git commit -qam change &&
	 grep -rl passthrough . > /dev/null) || echo "macro failed" >&2
	result "$fs" "$cfg" "$round" git-macro "$(echo "$(date +%s.%N) - $t0" | bc)" 1
	stop "$fs" "$cfg" "$base" "$round"
	rm -rf "$base"
}

slab_bytes() {
	awk '/^(SReclaimable|SUnreclaim):/ { n += $2 } END { print n * 1024 }' /proc/meminfo
}

# cost per name as the tree grows (ext4 scratch disk): the tree is made
# once natively; every configuration then serves it cold
scale() {
	local fs=ext4 n base w cfg d before after t
	for n in $SCALE_NAMES; do
		base=$(fsroot $fs)/scale
		rm -rf "$base"
		mkdir -p "$base/src/w"
		d=$(( (n + 999) / 1000 ))
		"$bin/fbench" create "$base/src/w" "$d" $(( n / d )) > /dev/null
		for cfg in $SCALE_CONFIGS; do
			start $fs "$cfg" "$base"
			w=$(target "$base" "$cfg")
			make_cold $fs "$cfg" "$base"
			before=$(slab_bytes)
			t=$("$bin/fbench" stat "$w" "$d" $(( n / d )) | awk '{ print $2 }')
			after=$(slab_bytes)
			echo "SCALE $KERNEL $fs $cfg $n cold_stat $(echo "scale=12; $t / $n" | bc)"
			echo "SLAB $KERNEL $fs $cfg $n $(( (after - before) / n ))"
			for phase in walk readdir; do
				t=$("$bin/fbench" -t "$MIN_TIME" "$phase" "$w" | awk '{ print $2 }')
				echo "SCALE $KERNEL $fs $cfg $n $phase $(echo "scale=12; $t / $n" | bc)"
			done
			stop $fs "$cfg" "$base" ""
		done
		rm -rf "$base"
	done
}

# perf_report FS CFG PHASE MODE: the functions taking most of fbench's
# samples (count, and share of fbench's), self time (MODE self) or with
# their callees (MODE children).  No call chains: the test kernel's
# unwinder (UNWINDER_GUESS) reports stale return addresses in them.
perf_report() {
	local fs=$1 cfg=$2 phase=$3 mode=$4
	perf report -i /tmp/perf.data --stdio --comm fbench -n --percentage relative \
		--sort sym -g none "--$([ "$mode" = self ] && echo no-)children" 2>/dev/null |
		grep -v '^#' | grep -v '^ *$' | head -n "${PROFILE_LINES:-80}" |
		sed "s/^ */PROF $KERNEL $fs $cfg $phase $mode /"
}

# where the time of each phase goes, by kernel function.  create and
# unlink change the tree: one repetition each, on a tree large enough for
# thousands of samples; the others loop to PROFILE_TIME s as in the bench
# (the first repetition after create is not the steady state)
profile() {
	local fs cfg base w phase out t nf=${PROFILE_NFILES:-500}
	# TCG takes long over each sample: without this the kernel throttles
	# sampling, by a different amount in each run
	echo 0 > /proc/sys/kernel/perf_cpu_time_max_percent
	for fs in $FILESYSTEMS; do
		for cfg in ${PROFILE_CONFIGS:-native overlay dir}; do
			base=$(fsroot "$fs")/profile-$cfg
			rm -rf "$base"
			start "$fs" "$cfg" "$base"
			w=$(target "$base" "$cfg")
			mkdir "$w"
			for phase in ${PROFILE_PHASES:-create stat walk read unlink}; do
				case $phase in
				create|unlink) t=0 ;;
				*) t=${PROFILE_TIME:-1} ;;
				esac
				perf record -q -a -g -e cpu-clock -c "${PROFILE_PERIOD:-50000}" \
					-o /tmp/perf.data -- "$bin/fbench" -t "$t" "$phase" "$w" \
					"$NDIRS" "$nf" > /tmp/fbench.out 2> /tmp/perf.err ||
					{ cat /tmp/perf.err >&2; continue; }
				read -r _ out reps < /tmp/fbench.out
				echo "PROF $KERNEL $fs $cfg $phase seconds $out reps $reps period_ns ${PROFILE_PERIOD:-50000}"
				for mode in self children; do
					perf_report "$fs" "$cfg" "$phase" $mode
				done
				[ "$phase" = unlink ] &&
					"$bin/fbench" create "$w" "$NDIRS" "$nf" > /dev/null
			done
			stop "$fs" "$cfg" "$base" ""
			rm -rf "$base"
		done
	done
}

echo "# kernel $(uname -r) ($KERNEL, $CLOCK), $(nproc) vCPUs, $(awk '/MemTotal/ {print $2 / 1024 " MiB"}' /proc/meminfo)"
case $part in
micro|macro)
	if [ "$part" = micro ] && [[ " $FILESYSTEMS " = *" ext4 "* ]]; then
		ext4_ram
	fi
	for round in $(seq "$ROUND_BASE" $((ROUND_BASE + ROUNDS - 1))); do
		for fs in $FILESYSTEMS; do
			for cfg in $CONFIGS; do
				"$part" "$fs" "$cfg" "$round"
			done
		done
	done ;;
scale) scale ;;
profile)
	[[ " $FILESYSTEMS " = *" ext4 "* ]] && ext4_ram
	profile ;;
*) echo "run-bench.sh: unknown part $part" >&2; exit 2 ;;
esac
