#!/bin/bash
# Endurance benchmark (not a test): stafd and stacd held against stas-target-emu while the
# target churns under them, cycle after cycle, as a fleet does over months. Each cycle, on one
# of the D discovery ports in turn: a subsystem is unlinked and linked back (log change, stacd
# drops and re-adds the controller), the port goes down and comes back (D-Bus: its DC and its S
# controllers are lost and reconnected), an ANA group is made inaccessible and optimized again
# (ANA-change events), and both daemons reload (SIGHUP) with a changed kato for stafd's DCs (each
# DC reconnects as the same DC; stacd must not notice) and a changed ctrl-loss-tmo for stacd (no
# connection touched). Every 20th cycle (--stafd-restart) stafd is restarted (stacd must keep
# every controller), every 10th the whole target is killed and restarted. At the end, stacd's
# connects are compared with the number the cycles explain: any extra one is churn a user sees.
# After each cycle, once everything is back, it prints each daemon's RSS, open fds and CPU.
# Memory or fds that grow with the cycles are a leak that exit-time checkers cannot see.
# Usage: scripts/bench-churn.sh [--cycles N] [--dcs D] [--subsys S] [--stafd-restart EVERY]
#        (--stafd-restart 0: never, to watch stafd's memory over every cycle)
set -euo pipefail
cd "$(dirname "$0")/.."
cycles=30 dcs=4 subsys=25 restart_every=20
while (($#)); do
	case $1 in
	--cycles) cycles=$2; shift 2 ;;
	--dcs) dcs=$2; shift 2 ;;
	--subsys) subsys=$2; shift 2 ;;
	--stafd-restart) restart_every=$2; shift 2 ;;
	*) echo "usage: $0 [--cycles N] [--dcs D] [--subsys S] [--stafd-restart EVERY]" >&2; exit 2 ;;
	esac
done
n=$((dcs * subsys))
build=${STAS_BUILD_DIR:-$PWD/build-bench}
scripts/deps.sh bench
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target stafd stacd stas-target-emu >/dev/null

# shellcheck source=scripts/lib-sandbox.sh
. scripts/lib-sandbox.sh
sandbox_dir bench-churn
fail() {
	echo "bench: $*" >&2
	for f in "$work"/*.log; do tail -n 5 "$f" >&2; done
	exit 1
}
ctl() { printf '%s\n' "$*" | socat - UNIX-CONNECT:"$work/emu.sock" | grep -q '^OK' || fail "emulator: $*"; }

base_port=$((10000 + RANDOM % 20000)) # below the ephemeral range
start_emu() {
	emu_start --base-port "$base_port" --discovery-ports "$dcs" --subsys-per-port "$subsys" \
		--null-data --ns-size 1M --ctl "$work/emu.sock" || fail "the emulator did not start"
}
start_stafd() {
	RUNTIME_DIRECTORY=$work/run-f "$build/daemons/stafd/stafd" -f "$work/stafd.conf" \
		2>>"$work/stafd.log" &
	stafd_pid=$!
}
start_emu
sandbox_bus "$work"
sandbox_sys_conf $((0xc4a2))
# write_confs N: kato 30 or 31 for stafd, ctrl-loss-tmo 600 or 601 for stacd
write_confs() {
	{
		printf '[Global]\nreconnect-delay = 3\nkato = %s\n' $((30 + $1 % 2))
		printf '[Service Discovery]\nzeroconf = disabled\n[Controllers]\n'
		emu_controllers
	} >"$work/stafd.conf"
	printf '[Global]\nnr-io-queues = 2\nreconnect-delay = 1\nctrl-loss-tmo = %s\n' \
		$((600 + $1 % 2)) >"$work/stacd.conf"
}
write_confs 0
mkdir -p "$work/run-f" "$work/run-c"
start_stafd
RUNTIME_DIRECTORY=$work/run-c "$build/daemons/stacd/stacd" -f "$work/stacd.conf" 2>"$work/stacd.log" &
stacd_pid=$!
wait_live dcs "$dcs" 60
wait_live iocs "$n" 60

echo "== churn: $n I/O controllers ($dcs DCs x $subsys subsystems, 2 I/O queues each) on stas-target-emu, $cycles cycles"
echo "| cycle | elapsed | stafd VmRSS | stafd fds | stafd CPU | stacd VmRSS | stacd fds | stacd CPU |"
echo "|---|---|---|---|---|---|---|---|"
t_start=$(now_ms)
churn_row start
stafd_restarts=0
for c in $(seq "$cycles"); do
	p=$(((c - 1) % dcs + 1))
	nqn=nqn.2014-08.org.example:emu-p$p-s1
	ctl unlink "$p" "$nqn"
	wait_live iocs $((n - 1)) 30
	ctl link "$p" "$nqn"
	wait_live iocs "$n" 30

	ctl port down "$p"
	wait_live iocs $((n - subsys)) 30
	ctl port up "$p"
	wait_live iocs "$n" 60
	wait_live dcs "$dcs" 60

	ctl ana "$p" 1 inaccessible
	ctl ana "$p" 1 optimized
	write_confs "$c"
	kill -HUP "$stafd_pid" "$stacd_pid"
	wait_live dcs "$dcs" 30

	if ((restart_every && c % restart_every == 0)); then
		kill -TERM "$stafd_pid"
		wait "$stafd_pid" || fail "stafd exited with $?"
		start_stafd
		stafd_restarts=$((stafd_restarts + 1))
		wait_live dcs "$dcs" 60
		(($(stac_live) == n)) || fail "stacd lost controllers across a stafd restart"
	fi
	if ((c % 10 == 0)); then
		kill -KILL "$emu_pid"
		wait "$emu_pid" 2>/dev/null || true
		wait_live iocs 0 30
		start_emu
		wait_live dcs "$dcs" 60
		wait_live iocs "$n" 60
	fi
	sleep 2 # let the reloads, ANA re-reads and refreshes settle before reading the numbers
	churn_row "$c"
done
connects=$(grep -c '): connected, ' "$work/stacd.log")
# the first connects, a relink and a port's controllers per cycle, all of them per target restart
expected=$((n + cycles * (1 + subsys) + cycles / 10 * n))
echo "stacd connects in all: $connects (the cycles explain $expected); stafd restarted $stafd_restarts times (its VmRSS and CPU restart with it)"
