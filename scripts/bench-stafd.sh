#!/bin/bash
# Benchmark of stafd at scale (not a test): stas-target-emu with N discovery ports on 127.0.0.1,
# a private dbus-daemon, and stafd told about every port with one controller= line each. For the
# default kato (30 s: a keep-alive every 15 s per DC) and for kato = 120 it measures the ramp-up
# (stafd start until every log is cached; stafd's CPU time and memory by then) and 30 s of idle
# (CPU time and wake-ups: context switches from /proc, and perf's count when perf works).
# Usage: scripts/bench-stafd.sh [--dcs N] [--idle SECONDS] [--katos "30 120"]
set -euo pipefail
cd "$(dirname "$0")/.."
n=1000 idle=30 katos="30 120"
while (($#)); do
	case $1 in
	--dcs) n=$2; shift 2 ;;
	--idle) idle=$2; shift 2 ;;
	--katos) katos=$2; shift 2 ;;
	*) echo "usage: $0 [--dcs N] [--idle SECONDS] [--katos \"30 120\"]" >&2; exit 2 ;;
	esac
done
build=${STAS_BUILD_DIR:-$PWD/build-bench}
scripts/deps.sh build
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target stafd stas-target-emu >/dev/null
# one socket per DC in stafd, a listener and a connection per port in the emulator
ulimit -n "$(ulimit -Hn)"
((n + 64 <= $(ulimit -n))) || { echo "bench: ulimit -n $(ulimit -n) is too small for $n DCs" >&2; exit 1; }

# shellcheck source=scripts/lib-sandbox.sh
. scripts/lib-sandbox.sh
sandbox_dir bench-stafd

# ---- the target and the bus ----
emu_start --discovery-ports "$n" --null-data || exit 1
sandbox_bus "$work"
bus=$DBUS_SYSTEM_BUS_ADDRESS
sandbox_sys_conf $((0xbec4))

# ---- one stafd run ----
call() { busctl --address="$bus" call org.nvmexpress.staf /org/nvmexpress/staf org.nvmexpress.staf "$@"; }
# DCs whose first log arrived (the log line names the DC; each counts once)
logs_cached() { grep -F ': discovery log: ' "$1" | sed 's/: discovery log: .*//' | sort -u | wc -l; }

run() {
	local kato=$1 dir=$work/kato$1 t_start t_ready ramp_cpu rss hwm cpu0 cpu1 sw0 sw1 got
	local idle_rss t_stop t_hup cpu_hup hup_ms hup_cpu counts='' errors
	mkdir -p "$dir/run"
	{
		printf '[Global]\nkato = %s\n[Service Discovery]\nzeroconf = disabled\n[Controllers]\n' "$kato"
		emu_controllers
	} >"$dir/stafd.conf"
	t_start=$(now_ms)
	DBUS_SYSTEM_BUS_ADDRESS=$bus RUNTIME_DIRECTORY=$dir/run \
		"$build/daemons/stafd/stafd" -f "$dir/stafd.conf" 2>"$dir/stafd.log" &
	stafd_pid=$!
	while (($(logs_cached "$dir/stafd.log") < n)); do
		kill -0 "$stafd_pid" || { tail "$dir/stafd.log"; exit 1; }
		(($(now_ms) - t_start < 300000)) || { echo "bench: not all logs within 300 s" >&2; exit 1; }
		sleep 0.05
	done
	t_ready=$(now_ms)
	ramp_cpu=$(cpu_ms "$stafd_pid")
	rss=$(kib "$stafd_pid" VmRSS) hwm=$(kib "$stafd_pid" VmHWM)
	# exact check over D-Bus: every DC connected, each with its own subsystem in its log
	got=$(call list_controllers b true | grep -o '"connected" "True"' | wc -l)
	((got == n)) || { echo "bench: $got of $n DCs connected" >&2; exit 1; }
	got=$(call get_all_log_pages b false |
		grep -o 'subnqn\\":\\"nqn.2014-08.org.example:emu-p[0-9]*-s1' | sort -u | wc -l)
	((got == n)) || { echo "bench: $got of $n logs hold their subsystem" >&2; exit 1; }

	sleep 5 # the state file, the last soak
	cpu0=$(cpu_ms "$stafd_pid") sw0=$(ctxsw "$stafd_pid")
	if ((use_perf)); then
		# loop turns (epoll_wait), sends (writev: one per keep-alive), receives (recvfrom)
		counts=$(perf stat -x, -e "$perf_events" -p "$stafd_pid" -- sleep "$idle" 2>&1 |
			awk -F, -v idle="$idle" '$3 ~ /^(syscalls|context)/ { printf "%s%.1f", sep, $1 / idle; sep = " / " }')
	else
		sleep "$idle"
	fi
	cpu1=$(cpu_ms "$stafd_pid") sw1=$(ctxsw "$stafd_pid")
	idle_rss=$(kib "$stafd_pid" VmRSS)

	# a reload with the same file: parse, compare every controller, reconcile
	t_hup=$(now_ms) cpu_hup=$(cpu_ms "$stafd_pid")
	kill -HUP "$stafd_pid"
	until grep -q '^info: reloaded' "$dir/stafd.log"; do sleep 0.01; done
	hup_ms=$(($(now_ms) - t_hup)) hup_cpu=$(($(cpu_ms "$stafd_pid") - cpu_hup))
	t_stop=$(now_ms)
	kill -TERM "$stafd_pid"
	wait "$stafd_pid" || true
	stafd_pid=''
	# failed connects, commands or fetches would be errors (or retries) in stafd's log
	errors=$(grep -c -e '^error:' -e 'retrying' "$dir/stafd.log" || true)
	awk -v kato="$kato" -v ramp=$((t_ready - t_start)) -v rcpu="$ramp_cpu" -v rss="$rss" \
		-v hwm="$hwm" -v icpu=$((cpu1 - cpu0)) -v idle="$idle" -v sw=$((sw1 - sw0)) \
		-v counts="${counts:--}" -v irss="$idle_rss" -v hup="$hup_ms" -v hcpu="$hup_cpu" \
		-v stop=$(($(now_ms) - t_stop)) -v errors="$errors" 'BEGIN {
		printf "| %s s | %.2f s | %d ms | %d / %d KiB | %d ms (%.2f%%) | %.1f | %s | %d KiB | %d ms (%d ms CPU) | %.2f s | %d |\n",
			kato, ramp / 1000, rcpu, rss, hwm, icpu, icpu / (idle * 10), sw / idle, counts,
			irss, hup, hcpu, stop / 1000, errors }'
}

perf_events=context-switches,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_writev,syscalls:sys_enter_recvfrom
use_perf=0
perf stat -e "$perf_events" true >/dev/null 2>&1 && use_perf=1

echo "== stafd with $n DCs on stas-target-emu (127.0.0.1), $(nproc) CPUs, kernel $(uname -r), idle window ${idle} s"
echo "| kato | all $n logs cached | stafd CPU by then | VmRSS / VmHWM then | idle CPU in ${idle} s (% of a CPU) | ctx switches/s (/proc) | perf per s: ctx switches / loop turns / writev / recvfrom | VmRSS idle | SIGHUP to reloaded | SIGTERM to exit | errors/retries logged |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for k in $katos; do run "$k"; done
