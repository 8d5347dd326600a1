# shellcheck shell=bash
# Sourced by demo.sh and the bench scripts: a private system bus for the daemons, and readings
# of a process from /proc. Nothing here touches the machine's own system bus.

# sandbox_bus DIR: a dbus-daemon listening on DIR/bus with the system bus's kind of policy
# (everyone connects; nobody owns a name or calls a method unless a policy file allows it)
# plus stas's own policy files. Sets bus_pid and exports DBUS_SYSTEM_BUS_ADDRESS.
sandbox_bus() {
	local dir=$1 top
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	cat >"$dir/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$dir/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus"/>
  </policy>
  <include>$top/dbus/org.nvmexpress.staf.conf</include>
  <include>$top/dbus/org.nvmexpress.stac.conf</include>
</busconfig>
EOF
	dbus-daemon --config-file="$dir/bus.conf" --nofork --nopidfile --nosyslog >"$dir/bus.out" 2>&1 &
	bus_pid=$!
	for _ in $(seq 100); do [ -S "$dir/bus" ] && break; sleep 0.05; done
	[ -S "$dir/bus" ] || { cat "$dir/bus.out" >&2; return 1; }
	export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$dir/bus
}

# The processes a script starts; sandbox_dir's exit trap stops whichever are set.
emu_pid='' bus_pid='' stafd_pid='' stacd_pid=''

# sandbox_dir NAME: $work, a fresh directory; it and the processes above go when the script exits.
sandbox_dir() {
	work=$(mktemp -d "/tmp/stas-$1-XXXXXX")
	trap sandbox_cleanup EXIT
}
sandbox_cleanup() {
	for p in $stacd_pid $stafd_pid $emu_pid $bus_pid; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}

# emu_start ARGS...: stas-target-emu from $build on 127.0.0.1 with ARGS, its port list in
# $work/emu.out; returns once it said READY (sets emu_pid), or 1 with its errors shown.
emu_start() {
	"$build/tests/emulator/stas-target-emu" --listen 127.0.0.1 "$@" >"$work/emu.out" \
		2>"$work/emu.err" &
	emu_pid=$!
	for _ in $(seq 600); do grep -q '^READY' "$work/emu.out" && return 0; sleep 0.05; done
	cat "$work/emu.err" >&2
	return 1
}

# emu_controllers: a controller= line for every port of the emulator
emu_controllers() {
	awk '/^port /{ split($3, a, ":"); printf "controller = transport=tcp;traddr=127.0.0.1;trsvcid=%s\n", a[2] }' \
		"$work/emu.out"
}

# sandbox_sys_conf N: $work/sys.conf with a fixed host identity ending in N, for the daemons
sandbox_sys_conf() {
	local id
	id=5a5a0000-0000-4000-8000-$(printf '%012x' "$1")
	printf '[Host]\nnqn = nqn.2014-08.org.nvmexpress:uuid:%s\nid = %s\n' "$id" "$id" >"$work/sys.conf"
	export STAS_SYS_CONF=$work/sys.conf
}

# stac_live: the I/O controllers stacd says are connected (its typed state over D-Bus)
stac_live() {
	busctl --address="$DBUS_SYSTEM_BUS_ADDRESS" --json=short call org.nvmexpress.stac \
		/org/nvmexpress/stac org.nvmexpress.stac.state controllers 2>/dev/null |
		{ grep -o '"live"' || true; } | wc -l
}

# staf_live: the discovery controllers stafd holds live (list_controllers over D-Bus)
staf_live() {
	busctl --address="$DBUS_SYSTEM_BUS_ADDRESS" --json=short call org.nvmexpress.staf \
		/org/nvmexpress/staf org.nvmexpress.staf list_controllers b true 2>/dev/null |
		{ grep -o '"state":"live"' || true; } | wc -l
}

# wait_live dcs|iocs WANT SECONDS: until stafd's (dcs) or stacd's (iocs) live count is WANT;
# else the script's fail() says what it saw
wait_live() {
	local t0 got
	t0=$(now_ms)
	while got=$(if [[ $1 == dcs ]]; then staf_live; else stac_live; fi); ((got != $2)); do
		(($(now_ms) - t0 < $3 * 1000)) || fail "$1: $got, not $2, after $3 s"
		sleep 0.1
	done
}

# churn_row LABEL: a table row of both daemons' VmRSS, open fds and CPU, time since $t_start
churn_row() {
	printf '| %s | %d s | %d KiB | %d | %d ms | %d KiB | %d | %d ms |\n' "$1" \
		$((($(now_ms) - t_start) / 1000)) \
		"$(kib "$stafd_pid" VmRSS)" "$(fds "$stafd_pid")" "$(cpu_ms "$stafd_pid")" \
		"$(kib "$stacd_pid" VmRSS)" "$(fds "$stacd_pid")" "$(cpu_ms "$stacd_pid")"
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }
fds() { find /proc/"$1"/fd -mindepth 1 2>/dev/null | wc -l; }
# utime+stime of a process, in ms
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / hz) }' "/proc/$1/stat"; }
# voluntary + involuntary context switches of all its threads
ctxsw() { cat /proc/"$1"/task/*/status | awk '/^(non)?voluntary_ctxt_switches/ { s += $2 } END { print s }'; }
# a line of /proc/PID/status in KiB: kib PID VmRSS
kib() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
