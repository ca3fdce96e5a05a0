#!/bin/bash
# The demo, inside the guest: the benchmark workloads once on tmpfs (3000
# files in 40 directories, a 64 MiB file, a git workload), then the policy.
set -uo pipefail
out=$1 top=$2
echo "== fuse-passthrough on a sample tree: native, overlayfs, FUSE, per-file and directory passthrough"
"$top/bench/run-bench.sh" "$out" "$out/src.tar" micro --demo > /tmp/demo.raw
"$top/bench/run-bench.sh" "$out" "$out/src.tar" macro --demo >> /tmp/demo.raw
python3 "$top/bench/report.py" /tmp/demo.raw

echo "== Android-style policy: Android/media served by the server (and filtered), the rest passed through"
src=/tmp/storage mnt=/tmp/sdcard
mkdir -p $src/DCIM $src/Android/media/app $src/Android/data/app $mnt
echo photo > $src/DCIM/img.jpg
echo song > $src/Android/media/app/song.mp3
echo secret > $src/Android/media/app/.nomedia-private
echo data > $src/Android/data/app/state.db
"$out/fuse-passthrough" --daemon-path=Android/media --hide='.nomedia-*' $src $mnt > /tmp/policy.log 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "mounted on" /tmp/policy.log && break; sleep 0.05; done
set -x
ls -a $mnt/Android/media/app
cat $mnt/Android/media/app/song.mp3 $mnt/DCIM/img.jpg $mnt/Android/data/app/state.db
cat $mnt/Android/media/app/.nomedia-private
echo more >> $mnt/Android/data/app/state.db
set +x
kill $pid; wait $pid
echo "requests that reached the server (Android/media is served by it, DCIM and Android/data are not):"
tail -n 1 /tmp/policy.log
