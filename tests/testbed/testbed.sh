#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# stas real-target test bed: the Linux kernel's NVMe/TCP target (nvmet,
# Debian kernel) in a qemu TCG guest whose only network link is a tap device
# inside a private network namespace. See doc/testbed.md.
#
#   testbed.sh start          boot it (idempotent), wait until it answers
#   testbed.sh stop           stop it and remove what start created
#   testbed.sh status         exit 0 when it runs and answers
#   testbed.sh exec CMD...    run CMD inside the namespace
#   testbed.sh ctl SCRIPT     run SCRIPT in the guest ('-': from stdin)
#   testbed.sh link up|down   cut the target's only link, or mend it
#   testbed.sh reboot         power the guest off and boot it again, same namespace
#   testbed.sh check-clean    fail if a test bed namespace/qemu is left
#
# Environment:
#   STAS_TB_DIR            run directory (required except for check-clean)
#   STAS_TB_NETNS          namespace name for start (default stas-tb)
#   STAS_TB_READY_TIMEOUT  seconds start waits for the target (default 180)
#   STAS_TB_CTL_TIMEOUT    seconds ctl waits for the guest (default 60)
#   STAS_TB_TBCTL, STAS_TB_PING  the built tbctl / tb-ping (default: looked
#                          up next to the run dir's build tree, then PATH)
#   STAS_TB_KVER           guest kernel (default: newest installed 6.1 -amd64)
#   STAS_TB_KEEP_ON_FAIL=1 leave a guest that did not get ready running
set -euo pipefail

TB_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly TB_HERE
readonly TB_QEMU_NAME=stas-testbed
readonly TB_NETNS_DEFAULT=stas-tb
# Bump when the way the initramfs is put together changes (part of its key).
readonly TB_BUILDER_REV=1
readonly TB_PACKAGES=(qemu-system-x86 linux-image-amd64 busybox-static cpio gzip iproute2)
# Guest modules; their dependencies are resolved with modprobe --show-depends.
readonly TB_MODULES=(e1000 configfs crc32c_generic null_blk nvmet nvmet-tcp)
# Fixed by the guest (guest/init, guest/tb-topology).
readonly TB_HOST_V4=198.51.100.1/24 TB_HOST_V6=2001:db8::1/64
# inode of the initial network namespace (PROC_NET_INIT_INO in linux/proc_ns.h),
# for machines where /proc/1/ns/net cannot be read even by root
readonly TB_NET_INIT_INO=4026531833
readonly TB_FIRST_ENDPOINTS=(198.51.100.2:8009 198.51.100.2:4420)
readonly TB_MORE_ENDPOINTS=(198.51.100.3:4421 '[2001:db8::2]:4420' 198.51.100.2:8010)
# Host names inside the namespace: `ip netns exec` bind-mounts /etc/netns/<ns>/hosts
# over /etc/hosts, so tests can name the target (doc/testbed.md).
readonly TB_HOSTS_MARK='# written by stas testbed.sh'

TB_T0=$EPOCHREALTIME

# ---- small helpers ------------------------------------------------------------------

say() { printf 'testbed: %s\n' "$*"; }
warn() { printf 'testbed: %s\n' "$*" >&2; }
die() {
	warn "$*"
	exit 1
}

# seconds since the script started, one decimal
elapsed() {
	local now=${EPOCHREALTIME/./} t0=${TB_T0/./}
	local d=$(((now - t0) / 100000))
	printf '%d.%d' $((d / 10)) $((d % 10))
}

need_root() {
	[[ $(id -u) == 0 ]] || die "$1 needs root (network namespaces, tap devices)"
}

# RUN: absolute run directory from STAS_TB_DIR
set_run_dir() {
	[[ -n ${STAS_TB_DIR:-} ]] || die "STAS_TB_DIR is not set (the run directory, e.g. build/testbed)"
	[[ $STAS_TB_DIR != *[,[:space:]]* ]] || die "STAS_TB_DIR must not contain commas or spaces (qemu option syntax)"
	RUN=$(realpath -m -- "$STAS_TB_DIR")
	if [[ ${1:-} == create ]]; then
		mkdir -p "$RUN"
	fi
	PIDFILE=$RUN/qemu.pid
	OWNED=$RUN/netns.owned
	SERIAL=$RUN/serial.log
	# unix socket paths are limited to 107 bytes
	SOCK=$RUN/ctl.sock
	if ((${#SOCK} > 100)); then
		SOCK=/run/stas-testbed/$(printf '%s' "$RUN" | sha256sum | cut -c1-16).sock
	fi
}

# serialise start/stop on one run directory
take_lock() {
	exec 9>"$RUN/lock"
	flock -w 600 9 || die "another testbed.sh holds $RUN/lock"
}

valid_netns_name() {
	[[ $1 =~ ^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$ ]] || die "bad netns name '$1'"
}

netns_exists() { [[ -e /run/netns/$1 ]]; }

netns_inode() { stat -L -c %i "/run/netns/$1" 2>/dev/null; }

# the namespace recorded as created by us, if it still is that namespace
owned_netns() {
	local name ino
	[[ -f $OWNED ]] || return 1
	read -r name ino <"$OWNED" || return 1
	[[ -n $name && -n $ino ]] || return 1
	netns_exists "$name" || return 1
	[[ $(netns_inode "$name") == "$ino" ]] || return 1
	printf '%s\n' "$name"
}

# true when PID is a qemu started with "-name stas-testbed"
is_tb_qemu() {
	local pid=$1 prev='' arg
	[[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
	while IFS= read -r -d '' arg; do
		if [[ $prev == -name && $arg == "$TB_QEMU_NAME" ]]; then
			return 0
		fi
		prev=$arg
	done </proc/"$pid"/cmdline 2>/dev/null
	return 1
}

# pid of our running qemu (from the pid file), or fail
our_qemu() {
	local pid
	[[ -s $PIDFILE ]] || return 1
	read -r pid <"$PIDFILE" || return 1
	is_tb_qemu "$pid" || return 1
	printf '%s\n' "$pid"
}

# every process started with "-name stas-testbed"
all_tb_qemus() {
	local d
	for d in /proc/[0-9]*; do
		if is_tb_qemu "${d#/proc/}"; then
			printf '%s\n' "${d#/proc/}"
		fi
	done
}

# find_tool NAME ENVVAR: the built helper binaries
find_tool() {
	local name=$1 var=$2 c
	if [[ -n ${!var:-} ]]; then
		[[ -x ${!var} ]] || die "$var=${!var} is not executable"
		printf '%s\n' "${!var}"
		return
	fi
	for c in "$RUN/../tests/testbed/$name" "$TB_HERE/$name"; do
		if [[ -x $c ]]; then
			printf '%s\n' "$c"
			return
		fi
	done
	if c=$(command -v "$name"); then
		printf '%s\n' "$c"
		return
	fi
	die "$name not found: build it (cmake --build BUILD --target $name) or set $var"
}

nsx() { ip netns exec "$NETNS" "$@"; }

# ---- host checks and packages ---------------------------------------------------------

# The namespace reuses documentation ranges; the machine itself must not use
# them, or a mistake could reach a real host.
check_host_ranges() {
	local -a in_init=()
	local self init
	self=$(stat -L -c %i /proc/self/ns/net)
	init=$(stat -L -c %i /proc/1/ns/net 2>/dev/null || echo "$TB_NET_INIT_INO")
	if [[ $self != "$init" ]]; then
		if [[ -r /proc/1/ns/net ]] && nsenter --net=/proc/1/ns/net true 2>/dev/null; then
			in_init=(nsenter --net=/proc/1/ns/net)
		else
			warn "cannot enter the initial network namespace; checking the current one"
		fi
	fi
	local hits
	hits=$({
		"${in_init[@]}" ip -4 -o addr show
		"${in_init[@]}" ip -4 route show table all
	} | grep -E '(^|[^0-9.])198\.51\.100\.' || true)
	[[ -z $hits ]] || die "the host network namespace uses 198.51.100.0/24 itself; refusing:"$'\n'"$hits"
	hits=$({
		"${in_init[@]}" ip -6 -o addr show
		"${in_init[@]}" ip -6 route show table all
	} | grep -E '(^|[^0-9a-f:])2001:db8::' || true)
	[[ -z $hits ]] || die "the host network namespace uses 2001:db8::/64 itself; refusing:"$'\n'"$hits"
}

ensure_packages() {
	local -a missing=()
	local p
	for p in "${TB_PACKAGES[@]}"; do
		if [[ $(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) != installed ]]; then
			missing+=("$p")
		fi
	done
	((${#missing[@]})) || return 0
	say "[$(elapsed)s] installing ${missing[*]} (log: $RUN/apt.log)"
	{
		apt-get update -q &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
				-o DPkg::Lock::Timeout=600 "${missing[@]}"
	} >"$RUN/apt.log" 2>&1 || die "apt-get failed; see $RUN/apt.log"
	say "[$(elapsed)s] packages installed"
}

pick_kernel() {
	if [[ -n ${STAS_TB_KVER:-} ]]; then
		KVER=$STAS_TB_KVER
	else
		KVER=$(find /lib/modules -mindepth 1 -maxdepth 1 -name '6.1.*-amd64' -printf '%f\n' | sort -V | tail -n1)
		if [[ -z $KVER ]]; then
			KVER=$(find /lib/modules -mindepth 1 -maxdepth 1 -name '*-amd64' -printf '%f\n' | sort -V | tail -n1)
			[[ -z $KVER ]] || warn "no 6.1 kernel installed, using $KVER (doc/testbed.md describes 6.1)"
		fi
	fi
	[[ -n $KVER ]] || die "no -amd64 kernel in /lib/modules (package linux-image-amd64)"
	KERNEL=/boot/vmlinuz-$KVER
	[[ -r $KERNEL && -r /lib/modules/$KVER/modules.dep ]] || die "kernel $KVER is incomplete ($KERNEL, /lib/modules/$KVER)"
}

# ---- initramfs ------------------------------------------------------------------------

# the cache key: anything that changes the image changes the key
initramfs_key() {
	{
		echo "rev $TB_BUILDER_REV kver $KVER modules ${TB_MODULES[*]}"
		declare -f build_initramfs copy_module # the builder itself
		dpkg-query -W -f='${Package} ${Version}\n' "linux-image-$KVER" busybox-static 2>/dev/null || true
		cd "$TB_HERE/guest" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
	} | sha256sum | cut -c1-16
}

# copy_module SRC DESTDIR: uncompressed .ko in DESTDIR, prints its name
copy_module() {
	local src=$1 dst=$2 base
	base=$(basename "$src")
	case $base in
	*.ko) cp "$src" "$dst/$base" ;;
	*.ko.xz) base=${base%.xz} && xz -dc "$src" >"$dst/$base" ;;
	*.ko.zst) base=${base%.zst} && zstd -qdc "$src" >"$dst/$base" ;;
	*.ko.gz) base=${base%.gz} && gzip -dc "$src" >"$dst/$base" ;;
	*) die "unknown module file type: $src" ;;
	esac
	printf '%s\n' "$base"
}

build_initramfs() {
	local key root m path base verb deps
	key=$(initramfs_key)
	IMG=$RUN/initramfs-$key.cpio.gz
	if [[ -s $IMG ]]; then
		say "[$(elapsed)s] initramfs cached: ${IMG##*/}"
		return
	fi
	say "[$(elapsed)s] building initramfs for $KVER"
	root=$RUN/rootfs.$$
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,dev,etc,lib/modules,lib/tb,proc,sys,tmp,run}
	cp /bin/busybox "$root/bin/busybox"
	ln -s busybox "$root/bin/sh" # for the #! lines; init installs the other applets
	[[ $(file -b "$root/bin/busybox" 2>/dev/null || echo static) == *static* ]] ||
		die "/bin/busybox is not statically linked (package busybox-static)"
	install -m 0755 "$TB_HERE/guest/init" "$root/init"
	install -m 0755 "$TB_HERE/guest/tgt" "$TB_HERE/guest/tb-topology" "$TB_HERE/guest/tb-ctl-serve" "$root/sbin/"
	install -m 0644 "$TB_HERE/guest/tgt-fns.sh" "$root/lib/tb/"
	mknod -m 0600 "$root/dev/console" c 5 1
	mknod -m 0666 "$root/dev/null" c 1 3

	# load order: modprobe prints dependencies first; keep the first occurrence
	local -A seen=()
	: >"$root/etc/tb-modules"
	for m in "${TB_MODULES[@]}"; do
		deps=$(modprobe -C /dev/null -S "$KVER" --show-depends "$m") ||
			die "module $m not found for $KVER"
		while read -r verb path _; do
			[[ $verb == insmod && -z ${seen[$path]:-} ]] || continue
			seen[$path]=1
			base=$(copy_module "$path" "$root/lib/modules")
			case $base in
			null_blk.ko) echo "$base nr_devices=0" ;; # devices come from configfs
			*) echo "$base" ;;
			esac >>"$root/etc/tb-modules"
		done <<<"$deps"
	done
	say "  modules: $(cut -d' ' -f1 "$root/etc/tb-modules" | tr '\n' ' ')"

	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
		gzip -6 -n >"$IMG.tmp"
	mv "$IMG.tmp" "$IMG"
	rm -rf "$root"
	find "$RUN" -maxdepth 1 -name 'initramfs-*.cpio.gz' ! -name "${IMG##*/}" -delete
	say "[$(elapsed)s] initramfs $(du -h "$IMG" | cut -f1) ${IMG##*/}"
}

# ---- namespace and guest ----------------------------------------------------------------

# the namespace start will create; fail early when the name is taken
check_netns_free() {
	NETNS=${STAS_TB_NETNS:-$TB_NETNS_DEFAULT}
	valid_netns_name "$NETNS"
	if netns_exists "$NETNS" && [[ $(owned_netns || true) != "$NETNS" ]]; then
		die "network namespace '$NETNS' exists and was not created by testbed.sh for $RUN; refusing to use it (set STAS_TB_NETNS to another name)"
	fi
}

create_netns() {
	check_netns_free
	if netns_exists "$NETNS"; then
		# ours, left over from a guest that died: start from scratch
		ip netns del "$NETNS"
		rm -f "$OWNED"
	fi
	ip netns add "$NETNS" || die "ip netns add $NETNS failed"
	printf '%s %s\n' "$NETNS" "$(netns_inode "$NETNS")" >"$OWNED"

	ip -n "$NETNS" link set lo up
	nsx ip tuntap add dev tap0 mode tap
	local k
	for k in accept_dad accept_ra autoconf; do
		nsx sh -c "echo 0 >/proc/sys/net/ipv6/conf/tap0/$k"
	done
	# `testbed.sh link down` must not take the IPv6 address with it
	nsx sh -c "echo 1 >/proc/sys/net/ipv6/conf/tap0/keep_addr_on_down"
	ip -n "$NETNS" addr add "$TB_HOST_V4" dev tap0
	ip -n "$NETNS" -6 addr add "$TB_HOST_V6" dev tap0 nodad
	ip -n "$NETNS" link set tap0 up
	write_hosts
	if [[ -n $(ip -n "$NETNS" route show default) || -n $(ip -n "$NETNS" -6 route show default) ]]; then
		die "namespace $NETNS has a default route; refusing"
	fi
}

write_hosts() {
	local dir=/etc/netns/$NETNS
	if [[ -e $dir/hosts ]] && ! grep -qxF "$TB_HOSTS_MARK" "$dir/hosts"; then
		die "$dir/hosts exists and was not written by testbed.sh; refusing to replace it"
	fi
	mkdir -p "$dir"
	cat >"$dir/hosts" <<-EOF
		$TB_HOSTS_MARK
		127.0.0.1 localhost
		::1 localhost
		198.51.100.2 target.stas.test
		2001:db8::2 target.stas.test target6.stas.test
		198.51.100.3 target2.stas.test
	EOF
}

# the hosts file of a namespace we created (never one we did not write)
remove_hosts() {
	local dir=/etc/netns/$1
	[[ -f $dir/hosts ]] && grep -qxF "$TB_HOSTS_MARK" "$dir/hosts" || return 0
	rm -f "$dir/hosts"
	rmdir "$dir" 2>/dev/null || true
	rmdir /etc/netns 2>/dev/null || true
}

boot_guest() {
	rm -f "$PIDFILE" "$SOCK"
	mkdir -p "$(dirname "$SOCK")"
	: >"$SERIAL"
	say "[$(elapsed)s] booting qemu (TCG, 512 MiB, 2 vcpus) in netns $NETNS"
	# fd 9 (the lock) must not live on in the daemon
	nsx qemu-system-x86_64 -name "$TB_QEMU_NAME" \
		-machine pc,accel=tcg -cpu max -smp 2 -m 512 \
		-nodefaults -no-user-config -display none -no-reboot \
		-kernel "$KERNEL" -initrd "$IMG" \
		-append "console=ttyS0,115200 panic=-1 loglevel=4 mitigations=off tsc=reliable" \
		-serial "file:$SERIAL" \
		-serial "unix:$SOCK,server=on,wait=off" \
		-netdev tap,id=tb0,ifname=tap0,script=no,downscript=no \
		-device e1000,netdev=tb0,mac=52:54:00:5b:00:02 \
		-daemonize -pidfile "$PIDFILE" \
		</dev/null >"$RUN/qemu.out" 2>"$RUN/qemu.err" 9>&- ||
		die "qemu failed to start: $(cat "$RUN/qemu.err")"
	say "[$(elapsed)s] qemu pid $(cat "$PIDFILE"); console: $SERIAL"
}

ping_endpoints() {
	nsx "$TB_PING" -q -t 2000 "$@" 2>&1
}

# wait_ready: until the target answers, bounded
wait_ready() {
	local timeout=${STAS_TB_READY_TIMEOUT:-180} out deadline
	# counted from the boot, not from the start of the script (apt-get)
	deadline=$((${EPOCHREALTIME%.*} + timeout))
	# The guest logs when its nvmet setup is done; probing before that only
	# burns connect timeouts. The ICReq probe below stays the real test.
	until grep -q 'TB-TOPOLOGY-' "$SERIAL" 2>/dev/null; do
		our_qemu >/dev/null || break
		((${EPOCHREALTIME%.*} < deadline)) || break
		sleep 0.2
	done
	if grep -q 'TB-TOPOLOGY-FAILED' "$SERIAL" 2>/dev/null; then
		warn "the guest's nvmet setup failed; console tail:"
		tail -n 30 "$SERIAL" >&2
		return 1
	fi
	until out=$(ping_endpoints "${TB_FIRST_ENDPOINTS[@]}"); do
		if ! our_qemu >/dev/null; then
			warn "qemu exited before the target got ready; console tail:"
			tail -n 30 "$SERIAL" >&2
			return 1
		fi
		if ((${EPOCHREALTIME%.*} >= deadline)); then
			warn "target not ready after ${timeout}s (last probe: ${out//$'\n'/; }); console tail:"
			tail -n 30 "$SERIAL" >&2
			return 1
		fi
		sleep 0.5
	done
	# the remaining ports are set up in the same breath; give them a little slack
	deadline=$((${EPOCHREALTIME%.*} + 30))
	until out=$(ping_endpoints "${TB_MORE_ENDPOINTS[@]}"); do
		if ((${EPOCHREALTIME%.*} >= deadline)); then
			warn "discovery and I/O ports answer, but not all others: ${out//$'\n'/; }"
			return 1
		fi
		sleep 0.5
	done
}

ready_line() {
	local guest
	guest=$(grep -o 'tb +[0-9.]*s\] TB-TOPOLOGY-OK' "$SERIAL" 2>/dev/null | grep -o '[0-9.]*s' | head -n1 || true)
	say "READY netns $NETNS: ${TB_FIRST_ENDPOINTS[*]} ${TB_MORE_ENDPOINTS[*]} answer ICReq;" \
		"qemu pid $(our_qemu); ctl $SOCK${guest:+; guest configured at +$guest} ($(elapsed) s)"
}

# ---- stop -------------------------------------------------------------------------------

# kill_wait PID: SIGTERM, then SIGKILL after 10 s
kill_wait() {
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	warn "qemu $pid ignored SIGTERM; SIGKILL"
	kill -KILL "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	warn "qemu $pid still exists after SIGKILL"
}

do_stop() {
	local pid ns ino p
	if pid=$(our_qemu); then
		kill_wait "$pid"
		say "stopped qemu $pid"
	elif [[ -s $PIDFILE ]]; then
		say "pid file $(cat "$PIDFILE") is not a running $TB_QEMU_NAME qemu; nothing killed"
	fi
	# A qemu of ours whose pid file was never written (start killed at the
	# wrong moment) is still recognisable: same name, in our namespace.
	if ns=$(owned_netns); then
		ino=$(netns_inode "$ns")
		for p in $(all_tb_qemus); do
			if [[ $(stat -L -c %i "/proc/$p/ns/net" 2>/dev/null) == "$ino" ]]; then
				kill_wait "$p"
				say "stopped unrecorded qemu $p (it ran in our netns $ns)"
			fi
		done
		ip netns del "$ns"
		remove_hosts "$ns"
		say "deleted netns $ns"
	elif [[ -f $OWNED ]]; then
		say "netns recorded in $OWNED is gone or was replaced; left alone"
	fi
	rm -f "$PIDFILE" "$SOCK" "$SOCK.lock" "$OWNED"
}

# ---- subcommands ------------------------------------------------------------------------

cmd_start() {
	need_root start
	[[ ${STAS_TB_READY_TIMEOUT:-180} =~ ^[1-9][0-9]*$ ]] ||
		die "STAS_TB_READY_TIMEOUT must be a number of seconds"
	set_run_dir create
	take_lock
	TB_PING=$(find_tool tb-ping STAS_TB_PING)
	if our_qemu >/dev/null; then
		NETNS=$(owned_netns) || die "qemu $(our_qemu) runs, but its netns is gone; run 'testbed.sh stop' first"
		say "already running (qemu $(our_qemu), netns $NETNS)"
	else
		check_netns_free
		ensure_packages
		check_host_ranges
		pick_kernel
		build_initramfs
		create_netns
		boot_guest
	fi
	if ! wait_ready; then
		if [[ ${STAS_TB_KEEP_ON_FAIL:-0} == 1 ]]; then
			warn "left running for inspection (STAS_TB_KEEP_ON_FAIL=1); 'testbed.sh stop' removes it"
		else
			do_stop >&2
		fi
		exit 1
	fi
	ready_line
}

cmd_stop() {
	need_root stop
	set_run_dir
	if [[ ! -d $RUN ]]; then
		say "nothing to stop ($RUN does not exist)"
		return 0
	fi
	take_lock
	do_stop
}

cmd_status() {
	need_root status
	set_run_dir
	local pid
	if ! pid=$(our_qemu); then
		say "not running"
		return 1
	fi
	if ! NETNS=$(owned_netns); then
		say "qemu $pid runs, but its netns is gone"
		return 1
	fi
	TB_PING=$(find_tool tb-ping STAS_TB_PING)
	local out
	if out=$(ping_endpoints "${TB_FIRST_ENDPOINTS[@]}" "${TB_MORE_ENDPOINTS[@]}"); then
		say "running: qemu $pid, netns $NETNS, ctl $SOCK; READY (all 5 endpoints answer ICReq)"
		return 0
	fi
	say "running: qemu $pid, netns $NETNS; NOT ready: ${out//$'\n'/; }"
	return 1
}

cmd_exec() {
	need_root exec
	set_run_dir
	(($#)) || die "usage: testbed.sh exec CMD [ARGS...]"
	NETNS=$(owned_netns) || die "no test bed namespace recorded in ${RUN} (testbed.sh start)"
	exec ip netns exec "$NETNS" "$@"
}

# A power cut and a boot in the same namespace: connections end without a word, and the
# target that comes back knows nothing of them (a fresh nvmet: new controllers, new counters).
cmd_reboot() {
	need_root reboot
	set_run_dir
	take_lock
	local pid i
	pid=$(our_qemu) || die "the test bed is not running ($RUN)"
	NETNS=$(owned_netns) || die "qemu $pid runs, but its netns is gone"
	TB_PING=$(find_tool tb-ping STAS_TB_PING)
	pick_kernel
	build_initramfs
	kill -KILL "$pid"
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	! kill -0 "$pid" 2>/dev/null || die "qemu $pid survived SIGKILL"
	say "[$(elapsed)s] powered off qemu $pid"
	boot_guest
	wait_ready || die "the target did not come back"
	ready_line
}

# A cut cable: with tap0 down nothing goes in or out, and no peer hears of it.
cmd_link() {
	need_root link
	set_run_dir
	[[ ${1:-} == up || ${1:-} == down ]] || die "usage: testbed.sh link up|down"
	NETNS=$(owned_netns) || die "no test bed namespace recorded in ${RUN} (testbed.sh start)"
	ip -n "$NETNS" link set tap0 "$1"
}

# ctl's own failures exit 2 (like tbctl), so 1 stays the script's status
cmd_ctl() {
	local timeout=${STAS_TB_CTL_TIMEOUT:-60} tbctl
	(set_run_dir) || exit 2
	set_run_dir
	if ! (($#)); then
		warn "usage: testbed.sh ctl 'SCRIPT' (or - to read it from stdin)"
		exit 2
	fi
	if ! [[ $timeout =~ ^[1-9][0-9]*$ ]]; then
		warn "STAS_TB_CTL_TIMEOUT must be a number of seconds"
		exit 2
	fi
	if ! our_qemu >/dev/null; then
		warn "the test bed is not running ($RUN)"
		exit 2
	fi
	tbctl=$(find_tool tbctl STAS_TB_TBCTL) || exit 2
	exec "$tbctl" -t "$timeout" "$SOCK" "$@"
}

cmd_check_clean() {
	local dirty=0 ns p
	local -a names=("${STAS_TB_NETNS:-$TB_NETNS_DEFAULT}")
	if [[ -n ${STAS_TB_DIR:-} ]]; then
		set_run_dir
		if [[ -f $OWNED ]]; then
			read -r ns _ <"$OWNED" || true
			[[ -z ${ns:-} ]] || names+=("$ns")
		fi
	fi
	for ns in $(printf '%s\n' "${names[@]}" | sort -u); do
		if netns_exists "$ns"; then
			warn "left behind: network namespace $ns"
			dirty=1
		fi
		if [[ -e /etc/netns/$ns/hosts ]] && grep -qxF "$TB_HOSTS_MARK" "/etc/netns/$ns/hosts"; then
			warn "left behind: /etc/netns/$ns/hosts"
			dirty=1
		fi
	done
	for p in $(all_tb_qemus); do
		warn "left behind: qemu $p ($(tr '\0' ' ' </proc/"$p"/cmdline | cut -c1-80)...)"
		dirty=1
	done
	if ((dirty)); then
		return 1
	fi
	say "clean: no test bed namespace, no $TB_QEMU_NAME qemu"
}

usage() {
	sed -n '3,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

main() {
	local cmd=${1:-}
	(($#)) && shift
	case $cmd in
	start) cmd_start "$@" ;;
	stop) cmd_stop "$@" ;;
	status) cmd_status "$@" ;;
	exec) cmd_exec "$@" ;;
	link) cmd_link "$@" ;;
	reboot) cmd_reboot "$@" ;;
	ctl) cmd_ctl "$@" ;;
	check-clean) cmd_check_clean "$@" ;;
	-h | --help | help) usage ;;
	*)
		usage >&2
		exit 2
		;;
	esac
}

main "$@"
