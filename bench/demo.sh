#!/bin/bash
# The demo, inside the guest: the benchmark workloads once on tmpfs (3000
# files in 40 directories, a 64 MiB file, a git workload), then the policy.
set -uo pipefail
out=$1 top=$2
echo "== fuse-passthrough on a sample tree: native, overlayfs, FUSE, per-file and directory passthrough"
"$top/bench/run-bench.sh" "$out" "$out/src.tar" micro --demo > /tmp/demo.raw
"$top/bench/run-bench.sh" "$out" "$out/src.tar" macro --demo >> /tmp/demo.raw
python3 "$top/bench/report.py" /tmp/demo.raw

echo "== Android-style policy: Android/media served by the server (and filtered by it),"
echo "   Android/data passed through and filtered per app in the kernel (BPF), the rest passed through"
src=/tmp/storage mnt=/tmp/sdcard bpftool=$out/bpftool
mkdir -p $src/DCIM $src/Android/media/app $src/Android/data/com.example.one \
	$src/Android/data/com.example.two $mnt
chmod 0755 $src/Android/data
echo photo > $src/DCIM/img.jpg
echo song > $src/Android/media/app/song.mp3
echo secret > $src/Android/media/app/.nomedia-private
echo one > $src/Android/data/com.example.one/state.db
echo two > $src/Android/data/com.example.two/state.db
chown -R 10001:10001 $src/Android/data/com.example.one
chown -R 10002:10002 $src/Android/data/com.example.two
chmod 0700 $src/Android/data/com.example.*
"$out/fuse-passthrough" --allow-other --daemon-path=Android/media --hide='.nomedia-*' \
	--filter=Android/data $src $mnt > /tmp/policy.log 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "mounted on" /tmp/policy.log && break; sleep 0.05; done
# fpt_allow's key: cookie (1: the first --filter), uid, name in 64 bytes, padding
key() { python3 -c 'import struct,sys; print(" ".join("%02x" % b for b in struct.pack("<QI64s4x", int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].encode())))' "$@"; }
as() { local uid=$1; shift; setpriv --reuid=$uid --regid=$uid --clear-groups "$@"; }
set -x
ls -a $mnt/Android/media/app
cat $mnt/Android/media/app/song.mp3 $mnt/DCIM/img.jpg
cat $mnt/Android/media/app/.nomedia-private
$bpftool struct_ops show
$bpftool map update name fpt_allow key hex $(key 1 10001 com.example.one) value hex 01 00 00 00
$bpftool map update name fpt_allow key hex $(key 1 10002 com.example.two) value hex 01 00 00 00
$bpftool map dump name fpt_allow
ls -a $mnt/Android/data
as 10001 ls -a $mnt/Android/data
as 10002 ls -a $mnt/Android/data
as 10001 cat $mnt/Android/data/com.example.one/state.db
as 10001 stat -c %n $mnt/Android/data/com.example.two
as 10001 mkdir $mnt/Android/data/com.example.two
as 10002 sh -c "echo more >> $mnt/Android/data/com.example.two/state.db"
set +x
kill $pid; wait $pid
echo "requests that reached the server (Android/media is served by it, DCIM and Android/data are not):"
tail -n 1 /tmp/policy.log
