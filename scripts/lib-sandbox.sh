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

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# utime+stime of a process, in ms
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / hz) }' "/proc/$1/stat"; }
# voluntary + involuntary context switches of all its threads
ctxsw() { cat /proc/"$1"/task/*/status | awk '/^(non)?voluntary_ctxt_switches/ { s += $2 } END { print s }'; }
# a line of /proc/PID/status in KiB: kib PID VmRSS
kib() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
