#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# stas-nvme and stas-perf as processes against stas-target-emu on 127.0.0.1: exit codes
# (1 error, 2 usage) and the messages that name the problem (doc/core.md).
# Needs STAS_NVME, STAS_PERF, STAS_TARGET_EMU (ctest passes them).
set -u
dir=$(mktemp -d)
fails=0
emu_pid=
stall_pid=

cleanup() {
	[ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null && wait "$emu_pid" 2>/dev/null
	# a stopped process takes SIGTERM only once it runs again
	[ -n "$stall_pid" ] && kill -CONT "$stall_pid" 2>/dev/null && kill "$stall_pid" 2>/dev/null &&
		wait "$stall_pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

# shellcheck source=tests/tools/lib-expect.sh
. "$(dirname "$0")/lib-expect.sh"

# ports 1-3 discovery (1 refers to 2 and 3, 2 to 3), port 4 I/O; mdts 3: 32 KiB transfers;
# "tiny" has one 4 KiB block.
"$STAS_TARGET_EMU" --listen 127.0.0.1 --discovery-ports 3 --io-ports 1 --referral 1:2 \
	--referral 1:3 --referral 2:3 --knob mdts=3 --subsys-per-port 1 \
	--subsys nqn.2014-08.org.example:tiny,ns=1:4096:4096,ports=4 >"$dir/emu" 2>&1 &
emu_pid=$!
wait_for "$dir/emu" READY
# port ID [FILE]: the TCP port of the emulator's port ID
port() { emu_port "$1" "${2:-$dir/emu}"; }
P1=$(port 1) P3=$(port 3) P4=$(port 4)
NQN=nqn.2014-08.org.example:emu-p1-s1
io="-a 127.0.0.1 -s $P4 -n $NQN"

# stas-perf: a refused run fails (1), geometry is checked first, options are validated (2)
expect 1 "above the controller's max transfer" "$STAS_PERF" $io --bs 1m --time 1
expect 1 "larger than the span" "$STAS_PERF" -a 127.0.0.1 -s "$P4" \
	-n nqn.2014-08.org.example:tiny --bs 8k --time 1
expect 0 " 0 errors" "$STAS_PERF" $io --bs 4k --rw read --span-mb 1 --qd 4 --time 1
expect 0 " 0 errors" "$STAS_PERF" -a 127.0.0.1 -s "$P4" -n nqn.2014-08.org.example:tiny \
	--bs 4k --rw write --qd 1 --time 1
expect 2 "--bs: '4x'" "$STAS_PERF" $io --bs 4x
expect 2 "--rw 'foo'" "$STAS_PERF" $io --rw foo
expect 2 "--rwmix: '101'" "$STAS_PERF" $io --rwmix 101
expect 2 "--qd: '-1'" "$STAS_PERF" $io --qd -1
expect 2 "--trsvcid: '70000'" "$STAS_PERF" -a 127.0.0.1 -s 70000 -n "$NQN"
expect 2 "unexpected argument 'extra'" "$STAS_PERF" $io extra

# stas-nvme --in: a pipe needs --len and is read in chunks; a directory is refused
expect 2 "not a regular file: give --len" sh -c \
	"printf 'x' | \"\$0\" write $io --nsid 1 --in /dev/stdin" "$STAS_NVME"
expect 0 "wrote 1024 bytes" sh -c \
	"head -c 1024 /dev/zero | \"\$0\" write $io --nsid 1 --in /dev/stdin --len 1024" \
	"$STAS_NVME"
expect 1 "$dir: is a directory" "$STAS_NVME" write $io --nsid 1 --in "$dir"
expect 1 "$dir/none: No such file" "$STAS_NVME" write $io --nsid 1 --in "$dir/none"
head -c 512 /dev/zero >"$dir/short"
expect 1 "$dir/short: 512 bytes, shorter than 1024" "$STAS_NVME" write $io --nsid 1 \
	--in "$dir/short" --len 1024

# usage errors exit 2 before connecting (port 1 is not an I/O port: a connect would fail)
expect 2 "--nsid is required" "$STAS_NVME" read -a 127.0.0.1 -s "$P1" -n "$NQN" --len 512
expect 2 "--hostnqn" "$STAS_NVME" identify -a 127.0.0.1 -s "$P1" -q bad
expect 2 "--hostid 'x' is not a UUID" "$STAS_NVME" identify -a 127.0.0.1 -s "$P1" -I x
expect 2 "for flush and get-log only" "$STAS_NVME" read $io --nsid 0xffffffff --len 512
expect 0 "" "$STAS_NVME" flush $io --nsid 0xffffffff
expect 2 "--trsvcid: '0'" "$STAS_NVME" identify -a 127.0.0.1 -s 0
expect 2 "-a/--traddr 'localhost' is not a numeric IPv4/IPv6 address" "$STAS_NVME" discover \
	-a localhost -s "$P1"
expect 2 "-w/--host-traddr 'nowhere' is not a numeric" "$STAS_NVME" discover -a 127.0.0.1 \
	-s "$P1" -w nowhere
expect 2 "^stas-nvme discover: unknown option '-x'" "$STAS_NVME" discover -a 127.0.0.1 -x
# inside a bundle after a long option, the short one is named, not the long one before it
expect 2 "^stas-nvme discover: unknown option '-x'" "$STAS_NVME" discover -a 127.0.0.1 --json -xj
expect 2 "^stas-nvme identify: option '--nsid' needs an argument" "$STAS_NVME" identify \
	-a 127.0.0.1 -j --nsid
expect 2 "^stas-nvme identify: option '--nsid' needs an argument" "$STAS_NVME" identify \
	-a 127.0.0.1 --nsid
# an IPv6 address in a message is bracketed, so that its port stands apart
expect 1 "^stas-nvme: \\[::1\\]:1: " "$STAS_NVME" discover -a ::1 -s 1
expect 0 '"data":"0000' "$STAS_NVME" read $io --nsid 1 --len 512 --json

# smart-log: a write of 512,000 bytes (one data unit; 16 commands at mdts 3, 32 KiB each) moves
# host_write_commands by 16 and data_units_written by exactly 1, whatever was written before
smart_field() { # NAME [OPTIONS]: one counter of $NQN's SMART log, read with --json
	f=$1
	shift
	timeout 60 "$STAS_NVME" smart-log $io "$@" --json | sed -n "s/^ *\"$f\": *\([0-9]*\),*$/\1/p"
}
check_delta() { # WHAT BEFORE AFTER WANT
	if [ -n "$2" ] && [ -n "$3" ] && [ $(($3 - $2)) = "$4" ]; then
		echo "ok: smart-log $1 grew by $4"
	else
		echo "FAIL: smart-log $1 went from '$2' to '$3', want +$4"
		fails=$((fails + 1))
	fi
}
w0=$(smart_field host_write_commands --nsid 1)
u0=$(smart_field data_units_written)
expect 0 "wrote 512000 bytes" "$STAS_NVME" write $io --nsid 1 --slba 0 --len 512000 --pattern 7
check_delta host_write_commands "$w0" "$(smart_field host_write_commands --nsid 1)" 16
check_delta data_units_written "$u0" "$(smart_field data_units_written)" 1
expect 0 "^temperature +: 313 K \(40 °C\)$" "$STAS_NVME" smart-log $io
expect 0 "^data_units_written +: [0-9]+ \([0-9.]+ [kMG]?B\)$" "$STAS_NVME" smart-log $io --nsid 1
expect 0 '"temperature_celsius":40' "$STAS_NVME" smart-log $io --json
expect 1 "Get Log Page: Invalid Namespace" "$STAS_NVME" smart-log $io --nsid 9
# error-log: a new controller each run, and the emulator keeps errors per controller
expect 0 "^Error Information log: 0 of 16 entries in use$" "$STAS_NVME" error-log $io
expect 0 '"entries":16' "$STAS_NVME" error-log $io --json

# get-feature / set-feature: DW0 in hex and in words; the Host Identifier is the one we sent
expect 0 "^  keep-alive timeout: 7000 ms$" "$STAS_NVME" get-feature $io --fid 0x0f -k 7
expect 0 "^  I/O submission queues: [0-9]+, completion queues: [0-9]+$" "$STAS_NVME" \
	get-feature $io --fid 7
expect 0 "^  host identifier: 0b7c1a2e-3d4f-4a5b-8c6d-7e8f9a0b1c2d$" "$STAS_NVME" get-feature \
	$io --fid 0x81 -I 0b7c1a2e-3d4f-4a5b-8c6d-7e8f9a0b1c2d
expect 0 '"capabilities":"changeable"' "$STAS_NVME" get-feature $io --fid 0x0b --sel supported -j
expect 0 "^  notices enabled: ANA change$" "$STAS_NVME" set-feature $io --fid 0x0b --value 0x800
expect 1 "Set Features: Feature Identifier Not Saveable" "$STAS_NVME" set-feature $io \
	--fid 0x0b --value 0x800 --save
expect 1 "Get Features: Invalid Field in Command" "$STAS_NVME" get-feature $io --fid 0x0e
expect 2 "get-feature needs --fid" "$STAS_NVME" get-feature $io
expect 2 "set-feature needs --fid and --value" "$STAS_NVME" set-feature $io --fid 0x0b
expect 2 "'later' is not a number in 0..3" "$STAS_NVME" get-feature $io --fid 7 --sel later
expect 2 "--fid: '256'" "$STAS_NVME" get-feature $io --fid 256

# --max-depth 1: port 3 is a direct referral of port 1, so it is read even though port 2's
# referral to it (depth 2) is not followed
expect 0 "Discovery Log of 127.0.0.1:$P3" "$STAS_NVME" discover -a 127.0.0.1 -s "$P1" \
	--follow-referrals --max-depth 1

# -t bounds the connect to a target that accepts TCP and never answers the ICReq: a second
# emulator, stopped with SIGSTOP (the kernel still completes the handshake and takes the
# ICReq). 2 s here, where the default is 10 s: the exit must come well before the default.
"$STAS_TARGET_EMU" --listen 127.0.0.1 --discovery-ports 1 >"$dir/stall" 2>&1 &
stall_pid=$!
wait_for "$dir/stall" READY
kill -STOP "$stall_pid"
t0=$(date +%s%N)
timeout 60 "$STAS_NVME" discover -a 127.0.0.1 -s "$(port 1 "$dir/stall")" -t 2000 \
	>"$dir/out" 2>&1
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
if [ "$rc" = 1 ] && [ "$ms" -ge 1000 ] && [ "$ms" -le 7000 ] &&
	grep -q "ICReq/ICResp timed out after 2000 ms" "$dir/out"; then
	echo "ok: -t 2000 against a stalled target: exit 1 after $ms ms"
else
	echo "FAIL: -t 2000 against a stalled target: rc $rc (want 1) after $ms ms (want 1000..7000)"
	sed 's/^/    /' "$dir/out"
	fails=$((fails + 1))
fi
kill -CONT "$stall_pid"
kill "$stall_pid"
wait "$stall_pid"
stall_pid=

# Reservations need a stable host ID: a generated one (no /etc/nvme/hostnqn or hostid, and no
# -I) is refused with exit 2 before connecting (the I/O port would take the commands), also
# with -q alone. $dir/nohost runs a command where those files cannot be seen: where they
# exist, an empty tmpfs hides them in a mount namespace of its own.
if [ ! -e /etc/nvme/hostnqn ] && [ ! -e /etc/nvme/hostid ]; then
	printf '#!/bin/sh\nexec "$@"\n' >"$dir/nohost"
elif unshare -rm sh -c 'mount -t tmpfs none /etc/nvme' 2>/dev/null; then
	cat >"$dir/nohost" <<'EOF'
#!/bin/sh
exec unshare -rm sh -c 'mount -t tmpfs none /etc/nvme && exec "$@"' sh "$@"
EOF
else
	rm -f "$dir/nohost"
	echo "SKIP: /etc/nvme holds a host identity that no mount namespace can hide here:" \
		"the refusal of a generated host ID is not checked"
fi
refused="reservations need a stable host ID: give -I UUID, or create /etc/nvme/hostid"
if [ -e "$dir/nohost" ]; then
	for c in "resv-register --nrkey 0x1234" "resv-acquire --rtype 1 --crkey 0x1234" \
		"resv-release --crkey 0x1234" "resv-report" \
		"resv-report -q nqn.2014-08.org.example:host1"; do
		expect 2 "$refused" sh "$dir/nohost" "$STAS_NVME" $c $io --nsid 1
	done
fi

# with -I the ID is the same in every run: one run registers, the next acquires, later ones
# see it, release it and unregister
U=0b7c1a2e-3d4f-4a5b-8c6d-7e8f9a0b1c2d
expect 0 "" "$STAS_NVME" resv-register $io --nsid 1 --nrkey 0x1234 -I $U
expect 0 "" "$STAS_NVME" resv-acquire $io --nsid 1 --rtype 1 --crkey 0x1234 -I $U
expect 0 "reservation write-exclusive, 1 registrant" "$STAS_NVME" resv-report $io --nsid 1 -I $U
expect 0 "hostid $U rkey 0x1234 \\(holder\\)" "$STAS_NVME" resv-report $io --nsid 1 -I $U
expect 0 "" "$STAS_NVME" resv-release $io --nsid 1 --rtype 1 --crkey 0x1234 -I $U
expect 0 "" "$STAS_NVME" resv-register $io --nsid 1 --action unregister --crkey 0x1234 -I $U
expect 0 "reservation none, 0 registrant" "$STAS_NVME" resv-report $io --nsid 1 -I $U

echo "$fails failure(s)"
[ "$fails" = 0 ]
