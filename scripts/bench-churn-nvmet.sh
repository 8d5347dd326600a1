#!/bin/bash
# Endurance benchmark (not a test) against the kernel's nvmet in the qemu test bed: stafd and
# stacd held inside the test bed's namespace, told about 198.51.100.2:8009 only (5 DCs through
# the referrals, 9 I/O controllers over IPv4 and IPv6), while the target changes under them.
# Each cycle: tgt2 is unlinked from port 2 and linked back (stacd drops and re-adds that
# controller), port 2's ANA group 2 is made inaccessible and optimized again, a namespace is
# added to tgt2 and removed (namespace-change events on 4 controllers), and the link is cut
# until keep-alive (KATO 4 s) has found every controller lost, then mended (every DC and
# controller reconnected). Every 5th cycle the target is powered off and booted again
# (testbed.sh reboot: a fresh nvmet). After each cycle, once everything is back, it prints
# each daemon's RSS, open fds and CPU; at the end, stacd's connects against what the cycles
# explain. Memory or fds that grow with the cycles are a leak exit-time checkers cannot see.
# Usage: scripts/bench-churn-nvmet.sh [--cycles N] (root; the first run installs the test bed)
set -euo pipefail
cd "$(dirname "$0")/.."
cycles=20
while (($#)); do
	case $1 in
	--cycles) cycles=$2; shift 2 ;;
	*) echo "usage: $0 [--cycles N]" >&2; exit 2 ;;
	esac
done
build=${STAS_BUILD_DIR:-$PWD/build-bench}
scripts/deps.sh test
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target stafd stacd tbctl tb-ping >/dev/null
tb=$PWD/tests/testbed/testbed.sh
export STAS_TB_DIR=$build/testbed

# shellcheck source=scripts/lib-sandbox.sh
. scripts/lib-sandbox.sh
sandbox_dir bench-churn-nvmet
trap 'sandbox_cleanup; "$tb" stop >/dev/null 2>&1 || true' EXIT
fail() {
	echo "bench: $*" >&2
	for f in "$work"/*.log; do tail -n 8 "$f" >&2; done
	exit 1
}
guest() { "$tb" ctl "$*" >/dev/null || fail "guest: $*"; }
connects() { grep -c '): connected, ' "$work/stacd.log" || true; }

"$tb" start | tail -n 1
sandbox_bus "$work"
sandbox_sys_conf $((0x7e57))
cat >"$work/stafd.conf" <<EOF
[Global]
kato = 4
reconnect-delay = 1
[Service Discovery]
zeroconf = disabled
[Controllers]
controller = transport=tcp;traddr=198.51.100.2;trsvcid=8009
EOF
printf '[Global]\nkato = 4\nreconnect-delay = 1\nnr-io-queues = 2\n' >"$work/stacd.conf"
mkdir -p "$work/run-f" "$work/run-c"
RUNTIME_DIRECTORY=$work/run-f "$tb" exec "$build/daemons/stafd/stafd" -f "$work/stafd.conf" \
	2>"$work/stafd.log" &
stafd_pid=$!
RUNTIME_DIRECTORY=$work/run-c "$tb" exec "$build/daemons/stacd/stacd" -f "$work/stacd.conf" \
	2>"$work/stacd.log" &
stacd_pid=$!
n=9 dcs=5
wait_live dcs $dcs 60
wait_live iocs $n 60

echo "== churn against nvmet: $n I/O controllers, $dcs DCs, $cycles cycles (a reboot every 5th)"
echo "| cycle | elapsed | stafd VmRSS | stafd fds | stafd CPU | stacd VmRSS | stacd fds | stacd CPU |"
echo "|---|---|---|---|---|---|---|---|"
t_start=$(now_ms)
churn_row start
tgt2=nqn.2014-08.org.example:tgt2
for c in $(seq "$cycles"); do
	guest "tgt unlink 2 $tgt2"
	wait_live iocs $((n - 1)) 30
	guest "tgt link 2 $tgt2"
	wait_live iocs $n 30

	guest "tgt mk_ana 2 2 inaccessible"
	guest "tgt mk_ana 2 2 optimized"
	guest "dd if=/dev/zero of=/tmp/churn.img bs=1M count=0 seek=8 2>/dev/null && tgt add_ns $tgt2 2 /tmp/churn.img 1"
	sleep 1
	guest "tgt rm_ns $tgt2 2 && rm /tmp/churn.img"

	"$tb" link down
	wait_live iocs 0 20
	"$tb" link up
	wait_live iocs $n 60
	wait_live dcs $dcs 60

	if ((c % 5 == 0)); then
		before=$(connects)
		"$tb" reboot >/dev/null || fail "the target did not come back"
		# until keep-alive meets the new target the old associations look live: wait for
		# the reconnects themselves
		t0=$(now_ms)
		while (($(connects) < before + n)); do
			(($(now_ms) - t0 < 120000)) || fail "only $(($(connects) - before)) reconnects after the reboot"
			sleep 0.5
		done
		wait_live iocs $n 60
		wait_live dcs $dcs 60
	fi
	sleep 2 # let the re-reads settle before reading the numbers
	churn_row "$c"
done
total=$(connects)
# the first connects; per cycle the relinked controller and all after the cut; all per reboot
expected=$((n + cycles * (1 + n) + cycles / 5 * n))
echo "stacd connects in all: $total (the cycles explain $expected)"
