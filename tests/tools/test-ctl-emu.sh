#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# stafctl as a process against stafd on a private bus, stafd against stas-target-emu on
# 127.0.0.1: the exit statuses and messages stafctl(1) documents.
# Needs STAS_STAFD, STAS_STAFCTL, STAS_TARGET_EMU (ctest passes them).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/lib-sandbox.sh
. "$top/scripts/lib-sandbox.sh"
dir=$(mktemp -d)
fails=0
emu_pid='' bus_pid='' stafd_pid=''

cleanup() {
	for p in $stafd_pid $emu_pid $bus_pid; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

# shellcheck source=tests/tools/lib-expect.sh
. "$top/tests/tools/lib-expect.sh"

"$STAS_TARGET_EMU" --listen 127.0.0.1 --discovery-ports 1 --subsys-per-port 1 \
	>"$dir/emu" 2>&1 &
emu_pid=$!
wait_for "$dir/emu" READY
port=$(emu_port 1 "$dir/emu")
sandbox_bus "$dir" || exit 1

# stafctl before stafd: cannot ask (1), says so as nvme-stas's stafctl does
expect 1 "Unable to communicate with stafd over D-Bus. Is stafd running\\?" "$STAS_STAFCTL" ls
# usage: no command (1, the usage on stdout), unknown command, missing or bad options (2)
expect 1 "^usage: stafctl " "$STAS_STAFCTL"
expect 2 "unknown command 'foo'" "$STAS_STAFCTL" foo
expect 2 "-a/--traddr and -s/--trsvcid are required" "$STAS_STAFCTL" dlp -a 127.0.0.1
expect 2 "invalid transport 'xyz'" "$STAS_STAFCTL" dlp -t xyz -a 127.0.0.1 -s 1

printf '[Controllers]\ncontroller = transport=tcp;traddr=127.0.0.1;trsvcid=%s\n' "$port" \
	>"$dir/stafd.conf"
id=5a5a0000-0000-4000-8000-00000000c7c7
printf '[Host]\nnqn = nqn.2014-08.org.nvmexpress:uuid:%s\nid = %s\n' "$id" "$id" >"$dir/sys.conf"
mkdir "$dir/run"
RUNTIME_DIRECTORY=$dir/run STAS_SYS_CONF=$dir/sys.conf "$STAS_STAFD" -f "$dir/stafd.conf" \
	>"$dir/stafd.log" 2>&1 &
stafd_pid=$!
wait_for "$dir/stafd.log" "discovery log:"

expect 0 "'subnqn': 'nqn.2014-08.org.example:emu-p1-s1'" "$STAS_STAFCTL" adlp
# an empty host NQN is stafd's own: the entries of the controller it holds
expect 0 "'subnqn': 'nqn.2014-08.org.example:emu-p1-s1'" "$STAS_STAFCTL" dlp -a 127.0.0.1 \
	-s "$port" -q ""
expect 0 "^\\[\\]$" "$STAS_STAFCTL" dlp -a 127.0.0.1 -s "$port" -q nqn.2014-08.org.example:other
# without -q and without a host NQN in the standard files: stafd's own is asked for, and said
if [ ! -e /etc/stas/sys.conf ] && [ ! -e /etc/nvme/hostnqn ]; then
	expect 0 "no host NQN in /etc/stas/sys.conf or /etc/nvme/hostnqn; asking for stafd's own" \
		"$STAS_STAFCTL" dlp -a 127.0.0.1 -s "$port"
	expect 0 "'subnqn': 'nqn.2014-08.org.example:emu-p1-s1'" "$STAS_STAFCTL" dlp \
		-a 127.0.0.1 -s "$port"
else
	echo "SKIP: /etc/stas/sys.conf or /etc/nvme/hostnqn exists: dlp's default is not checked"
fi

echo "$fails failure(s)"
[ "$fails" = 0 ]
