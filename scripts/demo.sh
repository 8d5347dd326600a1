#!/bin/bash
# The main job: stafd finding NVMe-oF discovery controllers and stacd keeping the I/O
# controllers of their logs connected, shown with stafctl and stacctl.
# Installs what is missing and builds, then runs, all inside a private sandbox of this
# machine (nothing is installed system-wide, no real network is touched):
#   - stas-target-emu, the in-tree NVMe/TCP target, on 127.0.0.1: a discovery port with a
#     referral to a second one, each with its own subsystems;
#   - a private dbus-daemon with the system bus's kind of policy plus stas's own policy file;
#   - stafd, told only where the first discovery controller is (it follows the referral);
#   - stafctl ls, stafctl adlp and stafctl status as any script would call them;
#   - stacd following stafd: every subsystem of those logs connected (I/O queues up,
#     namespaces and ANA states read), shown with stacctl ls and stacctl state.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
build=${STAS_BUILD_DIR:-$top/build}
# shellcheck source=scripts/lib-sandbox.sh
. scripts/lib-sandbox.sh

scripts/deps.sh build
cmake -S . -B "$build" >/dev/null
cmake --build "$build" -j"$(nproc)" --target stafd stafctl stacd stacctl stas-target-emu

work=$(mktemp -d /tmp/stas-demo.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

wait_for() { # FILE PATTERN: up to 10 s
	for _ in $(seq 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
	echo "demo: '$2' never showed up in $1:" >&2
	cat "$1" >&2
	exit 1
}

echo "== the target: stas-target-emu (2 discovery ports, the first refers to the second)"
"$build/tests/emulator/stas-target-emu" --listen 127.0.0.1 --discovery-ports 2 \
	--subsys-per-port 2 --referral 1:2 >"$work/emu.out" 2>&1 &
pids+=($!)
wait_for "$work/emu.out" READY
cat "$work/emu.out"
port1=$(awk '/^port 1 /{split($3, a, ":"); print a[2]}' "$work/emu.out")

echo "== a private system bus"
sandbox_bus "$work"
pids+=("$bus_pid")

echo "== stafd, told about localhost:$port1 only (a host name, as nvme-stas's sample writes it)"
cat >"$work/stafd.conf" <<EOF
[Controllers]
controller = transport=tcp;traddr=localhost;trsvcid=$port1
EOF
cat >"$work/sys.conf" <<EOF
[Host]
nqn = nqn.2014-08.org.nvmexpress:uuid:0e4d0000-5ca5-4000-8000-00000000de40
id = 0e4d0000-5ca5-4000-8000-00000000de40
EOF
mkdir -p "$work/run"
RUNTIME_DIRECTORY=$work/run STAS_SYS_CONF=$work/sys.conf \
	"$build/daemons/stafd/stafd" -f "$work/stafd.conf" >"$work/stafd.log" 2>&1 &
pids+=($!)
wait_for "$work/stafd.log" "org.nvmexpress.staf acquired"
# both discovery controllers connected and their logs cached
for _ in $(seq 100); do
	[ "$(grep -c 'discovery log:' "$work/stafd.log")" -ge 2 ] && break
	sleep 0.1
done
sed 's/^/  stafd: /' "$work/stafd.log"

stafctl=$build/daemons/ctl/stafctl
echo "== stafctl ls"
"$stafctl" ls
echo "== stafctl adlp"
"$stafctl" adlp
echo "== stafctl status"
"$stafctl" status

echo "== stacd, following stafd (no controller= of its own)"
cat >"$work/stacd.conf" <<EOF
[Global]
nr-io-queues = 2
EOF
mkdir -p "$work/run-stacd"
RUNTIME_DIRECTORY=$work/run-stacd STAS_SYS_CONF=$work/sys.conf \
	"$build/daemons/stacd/stacd" -f "$work/stacd.conf" >"$work/stacd.log" 2>&1 &
pids+=($!)
wait_for "$work/stacd.log" "org.nvmexpress.stac acquired"
# 2 ports x 2 subsystems: 4 I/O controllers
for _ in $(seq 100); do
	[ "$(grep -c '): connected, ' "$work/stacd.log")" -ge 4 ] && break
	sleep 0.1
done
sed 's/^/  stacd: /' "$work/stacd.log"

stacctl=$build/daemons/ctl/stacctl
echo "== stacctl ls"
"$stacctl" ls
echo "== stacctl state"
"$stacctl" state
