#!/bin/bash
# Benchmark of the NVMe/TCP core (not a test): the machine's plain-socket loopback ceiling,
# then stas-perf against the in-tree emulator with null-data namespaces, all in one run.
# With --nvmet also against the kernel's nvmet in the test bed (qemu TCG: functional, slow).
# Usage: scripts/bench-core.sh [--time SECONDS] [--nvmet]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=5 nvmet=0
while (($#)); do
	case $1 in
	--time) secs=$2; shift 2 ;;
	--nvmet) nvmet=1; shift ;;
	*) echo "usage: $0 [--time SECONDS] [--nvmet]" >&2; exit 2 ;;
	esac
done
build=${STAS_BUILD_DIR:-$PWD/build-bench}
scripts/deps.sh build
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DSTAS_TESTBED=ON >/dev/null
cmake --build "$build" -j"$(nproc)" --target stas-perf stas-target-emu tbctl tb-ping >/dev/null
perf=$build/lib/stas-perf
nqn=nqn.2014-08.org.example:bench

out=$(mktemp)
"$build/tests/emulator/stas-target-emu" --listen 127.0.0.1 --knob mdts=0 \
	--subsys "$nqn,ns=1:4G:512,null" >"$out" 2>&1 &
emu=$!
trap 'kill $emu 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 50); do grep -q READY "$out" && break; sleep 0.1; done
port=$(awk '/^port 1 /{split($3, a, ":"); print a[2]}' "$out")
[ -n "$port" ] || { cat "$out"; exit 1; }

echo "== $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), kernel $(uname -r)"
"$perf" baseline --time "$secs"
run() { "$perf" -a 127.0.0.1 -s "$port" -n "$nqn" --time "$secs" "$@"; }
echo "== stas-perf -> stas-target-emu (null data, loopback)"
run --rw randread --bs 4096 --qd 32
run --rw randread --bs 4096 --qd 32 --digests
run --rw randread --bs 4096 --qd 1
run --rw randwrite --bs 4096 --qd 32
run --rw read --bs 131072 --qd 8
run --rw write --bs 131072 --qd 8
run --rw randrw --bs 4096 --qd 16 --queues 2

if ((nvmet)); then
	export STAS_TB_DIR=$build/testbed STAS_TB_TBCTL=$build/tests/testbed/tbctl STAS_TB_PING=$build/tests/testbed/tb-ping
	trap 'kill $emu 2>/dev/null || true; rm -f "$out"; tests/testbed/testbed.sh stop >/dev/null 2>&1 || true' EXIT
	tests/testbed/testbed.sh start >/dev/null
	echo "== stas-perf -> nvmet in qemu TCG (198.51.100.2:4420, tgt1 nsid 1, null_blk)"
	for args in "--rw randread --bs 4096 --qd 32" "--rw randread --bs 4096 --qd 1" \
		"--rw read --bs 131072 --qd 8" "--rw write --bs 131072 --qd 8"; do
		# shellcheck disable=SC2086
		tests/testbed/testbed.sh exec "$perf" -a 198.51.100.2 -n nqn.2014-08.org.example:tgt1 \
			--time "$secs" --span-mb 64 $args
	done
fi
