#!/bin/bash
# Benchmark of stacd at scale (not a test): stas-target-emu with D discovery ports of S
# subsystems each on 127.0.0.1 (D x S I/O controllers), a private dbus-daemon, stafd told about
# the D ports and stacd following it. Measures the ramp (stacd start until every controller is
# connected, through the cap of 16 connects in flight; stacd's CPU and memory by then), an idle
# window (CPU, wake-ups), and the reconnect curve when the whole target dies and comes back.
# Usage: scripts/bench-stacd.sh [--dcs D] [--subsys S] [--queues Q] [--idle SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
dcs=10 subsys=100 queues=4 idle=30
while (($#)); do
	case $1 in
	--dcs) dcs=$2; shift 2 ;;
	--subsys) subsys=$2; shift 2 ;;
	--queues) queues=$2; shift 2 ;;
	--idle) idle=$2; shift 2 ;;
	*) echo "usage: $0 [--dcs D] [--subsys S] [--queues Q] [--idle SECONDS]" >&2; exit 2 ;;
	esac
done
n=$((dcs * subsys))
build=${STAS_BUILD_DIR:-$PWD/build-bench}
scripts/deps.sh build
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target stafd stacd stas-target-emu >/dev/null
# stacd: an admin and Q I/O sockets per controller; the emulator: the same on its side
ulimit -n "$(ulimit -Hn)"
((n * (queues + 1) + 256 <= $(ulimit -n))) || { echo "bench: ulimit -n too small" >&2; exit 1; }

# shellcheck source=scripts/lib-sandbox.sh
. scripts/lib-sandbox.sh
sandbox_dir bench-stacd

base_port=$((10000 + RANDOM % 20000)) # below the ephemeral range
start_emu() {
	emu_start --base-port "$base_port" --discovery-ports "$dcs" --subsys-per-port "$subsys" \
		--null-data --ns-size 1M || exit 1
}
start_emu

sandbox_bus "$work"
bus=$DBUS_SYSTEM_BUS_ADDRESS
sandbox_sys_conf $((0xbec5))
{
	printf '[Service Discovery]\nzeroconf = disabled\n[Controllers]\n'
	emu_controllers
} >"$work/stafd.conf"
printf '[Global]\nnr-io-queues = %s\n' "$queues" >"$work/stacd.conf"
mkdir -p "$work/run-f" "$work/run-c"

RUNTIME_DIRECTORY=$work/run-f "$build/daemons/stafd/stafd" -f "$work/stafd.conf" 2>"$work/stafd.log" &
stafd_pid=$!
until (($(grep -c ': discovery log: ' "$work/stafd.log") >= dcs)); do
	kill -0 "$stafd_pid" || { tail "$work/stafd.log"; exit 1; }
	sleep 0.05
done

echo "== stacd: $n I/O controllers ($dcs DCs x $subsys subsystems, $queues I/O queues each) on stas-target-emu, $(nproc) CPUs, kernel $(uname -r)"
t0=$(now_ms)
RUNTIME_DIRECTORY=$work/run-c "$build/daemons/stacd/stacd" -f "$work/stacd.conf" 2>"$work/stacd.log" &
stacd_pid=$!
first=''
while :; do
	got=$(grep -c '): connected, ' "$work/stacd.log" || true)
	[ -z "$first" ] && ((got > 0)) && first=$(($(now_ms) - t0))
	((got >= n)) && break
	kill -0 "$stacd_pid" || { tail "$work/stacd.log"; exit 1; }
	(($(now_ms) - t0 < 600000)) || { echo "bench: $got of $n within 600 s" >&2; exit 1; }
	sleep 0.02
done
ramp=$(($(now_ms) - t0))
ramp_cpu=$(cpu_ms "$stacd_pid") rss=$(kib "$stacd_pid" VmRSS) hwm=$(kib "$stacd_pid" VmHWM)
got=$(stac_live)
((got == n)) || { echo "bench: D-Bus says $got of $n live" >&2; exit 1; }
echo "| controllers | first connected | all connected | rate | stacd CPU by then | VmRSS / VmHWM |"
echo "|---|---|---|---|---|---|"
awk -v n="$n" -v first="$first" -v ramp="$ramp" -v cpu="$ramp_cpu" -v rss="$rss" -v hwm="$hwm" 'BEGIN {
	printf "| %d | %d ms | %.2f s | %.0f/s | %d ms (%.2f ms each) | %d / %d KiB |\n",
		n, first, ramp / 1000, n / (ramp / 1000), cpu, cpu / n, rss, hwm }'

sleep 3
cpu0=$(cpu_ms "$stacd_pid") sw0=$(ctxsw "$stacd_pid")
sleep "$idle"
cpu1=$(cpu_ms "$stacd_pid") sw1=$(ctxsw "$stacd_pid")
echo
echo "| idle window | stacd CPU (% of a CPU) | context switches/s | VmRSS |"
echo "|---|---|---|---|"
awk -v idle="$idle" -v cpu=$((cpu1 - cpu0)) -v sw=$((sw1 - sw0)) -v rss="$(kib "$stacd_pid" VmRSS)" 'BEGIN {
	printf "| %d s | %d ms (%.2f%%) | %.1f | %d KiB |\n", idle, cpu, cpu / (idle * 10), sw / idle, rss }'

# ---- the whole target dies, and is back 5 s later ----
echo
echo "== the reconnect curve: the target is killed, restarted 5 s later on the same ports"
kill -KILL "$emu_pid"
wait "$emu_pid" 2>/dev/null || true
t_down=$(now_ms)
lost_by=''
until (($(stac_live) == 0)); do sleep 0.1; done
lost_by=$(($(now_ms) - t_down))
sleep $((5 - lost_by / 1000 > 0 ? 5 - lost_by / 1000 : 0))
start_emu
t_up=$(now_ms)
cpu0=$(cpu_ms "$stacd_pid")
echo "all $n seen lost after ${lost_by} ms; target back at +$(((t_up - t_down) / 100))00 ms"
echo "| since the target died | connected |"
echo "|---|---|"
last=-1
while :; do
	got=$(stac_live)
	t=$(($(now_ms) - t_down))
	if ((got != last)); then printf '| %d.%d s | %d |\n' $((t / 1000)) $((t % 1000 / 100)) "$got"; last=$got; fi
	((got >= n)) && break
	((t < 600000)) || { echo "bench: $got of $n back within 600 s" >&2; exit 1; }
	sleep 0.5
done
echo "all $n reconnected $(((($(now_ms) - t_up)) / 100))00 ms after the target came back; stacd CPU meanwhile $(($(cpu_ms "$stacd_pid") - cpu0)) ms"
t_stop=$(now_ms)
kill -TERM "$stacd_pid"
wait "$stacd_pid" || true
stacd_pid=''
echo "SIGTERM to exit (orderly shutdown of $n controllers): $(($(now_ms) - t_stop)) ms"
