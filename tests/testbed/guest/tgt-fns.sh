# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=sh
#
# nvmet configfs helpers for the stas test-bed guest. Sourced by
# /sbin/tb-topology (initial setup) and /sbin/tgt (command line: the host
# calls `tgt FUNC args` over the control channel). Every function is named
# tgt_FUNC so none of them shadows a busybox applet (link, unlink, ...).
#
# Each function returns non-zero (and says why on stderr) when a configfs
# operation fails, so the exit status of `testbed.sh ctl` means something.

TGT_NVMET=/sys/kernel/config/nvmet
TGT_NULLB=/sys/kernel/config/nullb
TGT_MODEL_DEFAULT="stas testbed (Linux nvmet)"

_tgt_err() {
	echo "tgt: $*" >&2
	return 1
}

# _tgt_args COUNT_MIN COUNT_MAX USAGE -- "$@"
_tgt_args() {
	_min=$1 _max=$2 _use=$3
	shift 4
	if [ $# -lt "$_min" ] || [ $# -gt "$_max" ]; then
		_tgt_err "usage: tgt $_use"
		return 1
	fi
}

# _tgt_w FILE VALUE: write one configfs attribute
_tgt_w() {
	if ! printf '%s\n' "$2" 2>/dev/null >"$1"; then
		_tgt_err "cannot write '$2' to ${1#"$TGT_NVMET"/}"
		return 1
	fi
}

# address family from the address text: anything with a colon is IPv6
_tgt_adrfam() {
	case $1 in
	*:*) echo ipv6 ;;
	*) echo ipv4 ;;
	esac
}

_tgt_port_dir() {
	if [ ! -d "$TGT_NVMET/ports/$1" ]; then
		_tgt_err "no port $1"
		return 1
	fi
	echo "$TGT_NVMET/ports/$1"
}

_tgt_subsys_dir() {
	if [ ! -d "$TGT_NVMET/subsystems/$1" ]; then
		_tgt_err "no subsystem $1"
		return 1
	fi
	echo "$TGT_NVMET/subsystems/$1"
}

# tgt_mk_nullb IDX SIZE_MIB: memory-backed null_blk device /dev/nullbIDX
# (data written is kept, so a write/read compare works)
tgt_mk_nullb() {
	_tgt_args 2 2 "mk_nullb IDX SIZE_MIB" -- "$@" || return 1
	_d=$TGT_NULLB/nullb$1
	mkdir -p "$_d" || return 1
	_tgt_w "$_d/size" "$2" || return 1
	_tgt_w "$_d/blocksize" 512 || return 1
	_tgt_w "$_d/memory_backed" 1 || return 1
	if [ -e "$_d/index" ]; then
		_tgt_w "$_d/index" "$1" || return 1
	fi
	_tgt_w "$_d/power" 1 || return 1
	_i=0
	while [ ! -b "/dev/nullb$1" ] && [ $_i -lt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ -b "/dev/nullb$1" ] || _tgt_err "/dev/nullb$1 did not appear"
}

# tgt_mk_port ID TRADDR TRSVCID: a TCP port (adrfam ipv6 when TRADDR has a
# colon; give it without brackets). It listens once a subsystem is linked.
tgt_mk_port() {
	_tgt_args 3 3 "mk_port ID TRADDR TRSVCID" -- "$@" || return 1
	_p=$TGT_NVMET/ports/$1
	if [ -d "$_p" ] && [ -n "$(ls "$_p/subsystems")" ]; then
		_tgt_err "port $1 is enabled (subsystems linked); unlink them first"
		return 1
	fi
	mkdir -p "$_p" || return 1
	_tgt_w "$_p/addr_trtype" tcp || return 1
	_tgt_w "$_p/addr_adrfam" "$(_tgt_adrfam "$2")" || return 1
	_tgt_w "$_p/addr_traddr" "$2" || return 1
	_tgt_w "$_p/addr_trsvcid" "$3" || return 1
}

# tgt_mk_ana PORT GROUP STATE: create (if needed) ANA group GROUP on PORT and
# set its state; changing it raises an ANA-change AEN on that port.
tgt_mk_ana() {
	_tgt_args 3 3 "mk_ana PORT GROUP optimized|non-optimized|inaccessible|persistent-loss|change" -- "$@" || return 1
	case $3 in
	optimized | non-optimized | inaccessible | persistent-loss | change) ;;
	*)
		_tgt_err "bad ANA state '$3'"
		return 1
		;;
	esac
	_p=$(_tgt_port_dir "$1") || return 1
	if [ ! -d "$_p/ana_groups/$2" ]; then
		mkdir "$_p/ana_groups/$2" || return 1
	fi
	_tgt_w "$_p/ana_groups/$2/ana_state" "$3"
}

# tgt_mk_subsys NQN [SERIAL [MODEL]]: subsystem open to any host
tgt_mk_subsys() {
	_tgt_args 1 3 "mk_subsys NQN [SERIAL [MODEL]]" -- "$@" || return 1
	_s=$TGT_NVMET/subsystems/$1
	mkdir -p "$_s" || return 1
	_tgt_w "$_s/attr_allow_any_host" 1 || return 1
	if [ -n "${2:-}" ]; then
		_tgt_w "$_s/attr_serial" "$2" || return 1
	fi
	if [ -e "$_s/attr_model" ]; then
		_tgt_w "$_s/attr_model" "${3:-$TGT_MODEL_DEFAULT}" || return 1
	fi
}

# tgt_add_ns NQN NSID PATH [ANA_GROUP]: namespace on a block device or a
# regular file (files get buffered_io), enabled at once
tgt_add_ns() {
	_tgt_args 3 4 "add_ns NQN NSID PATH [ANA_GROUP]" -- "$@" || return 1
	_s=$(_tgt_subsys_dir "$1") || return 1
	[ -e "$3" ] || _tgt_err "no such device or file: $3" || return 1
	_n=$_s/namespaces/$2
	mkdir -p "$_n" || return 1
	_tgt_w "$_n/device_path" "$3" || return 1
	if [ -f "$3" ] && [ -e "$_n/buffered_io" ]; then
		_tgt_w "$_n/buffered_io" 1 || return 1
	fi
	if [ -n "${4:-}" ]; then
		_tgt_w "$_n/ana_grpid" "$4" || return 1
	fi
	_tgt_w "$_n/enable" 1
}

# tgt_rm_ns NQN NSID: disable and remove a namespace (hosts get a namespace-change AEN)
tgt_rm_ns() {
	_tgt_args 2 2 "rm_ns NQN NSID" -- "$@" || return 1
	_s=$(_tgt_subsys_dir "$1") || return 1
	_n=$_s/namespaces/$2
	[ -d "$_n" ] || _tgt_err "no namespace $2 in $1" || return 1
	_tgt_w "$_n/enable" 0 || return 1
	rmdir "$_n"
}

# tgt_link PORT NQN: expose a subsystem on a port (the first link enables
# the port's listener; a discovery-change AEN goes to that port's hosts)
tgt_link() {
	_tgt_args 2 2 "link PORT NQN" -- "$@" || return 1
	_p=$(_tgt_port_dir "$1") || return 1
	_s=$(_tgt_subsys_dir "$2") || return 1
	[ -L "$_p/subsystems/$2" ] && return 0
	ln -s "$_s" "$_p/subsystems/$2"
}

# tgt_unlink PORT NQN: the reverse (the last unlink stops the listener)
tgt_unlink() {
	_tgt_args 2 2 "unlink PORT NQN" -- "$@" || return 1
	_p=$(_tgt_port_dir "$1") || return 1
	[ -L "$_p/subsystems/$2" ] || _tgt_err "$2 is not linked to port $1" || return 1
	rm "$_p/subsystems/$2"
}

# tgt_mk_referral PORT NAME TRADDR TRSVCID REF_PORTID: a referral entry
# (subtype 1) in PORT's discovery log
tgt_mk_referral() {
	_tgt_args 5 5 "mk_referral PORT NAME TRADDR TRSVCID REF_PORTID" -- "$@" || return 1
	_p=$(_tgt_port_dir "$1") || return 1
	_r=$_p/referrals/$2
	mkdir -p "$_r" || return 1
	_tgt_w "$_r/addr_trtype" tcp || return 1
	_tgt_w "$_r/addr_adrfam" "$(_tgt_adrfam "$3")" || return 1
	_tgt_w "$_r/addr_traddr" "$3" || return 1
	_tgt_w "$_r/addr_trsvcid" "$4" || return 1
	_tgt_w "$_r/addr_portid" "$5" || return 1
	_tgt_w "$_r/enable" 1
}

tgt_rm_referral() {
	_tgt_args 2 2 "rm_referral PORT NAME" -- "$@" || return 1
	_p=$(_tgt_port_dir "$1") || return 1
	[ -d "$_p/referrals/$2" ] || _tgt_err "no referral $2 on port $1" || return 1
	rmdir "$_p/referrals/$2"
}

# backing file used by tgt_add_subsys for NQN
_tgt_subsys_file() {
	echo "/tmp/tb-$(echo "$1" | tr -c 'A-Za-z0-9.\n-' '_').img"
}

# tgt_add_subsys NQN [SIZE_MIB]: new subsystem with one file-backed namespace
# (ANA group 1, default 64 MiB, serial derived from the NQN), linked to every
# existing port
tgt_add_subsys() {
	_tgt_args 1 2 "add_subsys NQN [SIZE_MIB]" -- "$@" || return 1
	[ ! -d "$TGT_NVMET/subsystems/$1" ] || _tgt_err "subsystem $1 exists" || return 1
	_f=$(_tgt_subsys_file "$1")
	dd if=/dev/zero of="$_f" bs=1M count=0 seek="${2:-64}" 2>/dev/null || return 1
	_sn=SN-$(echo "$1" | md5sum | cut -c1-12)
	tgt_mk_subsys "$1" "$_sn" || return 1
	tgt_add_ns "$1" 1 "$_f" 1 || return 1
	for _p in "$TGT_NVMET"/ports/*; do
		[ -d "$_p" ] || continue
		tgt_link "${_p##*/}" "$1" || return 1
	done
}

# tgt_rm_subsys NQN: unlink from every port, disable and remove the
# namespaces, remove the subsystem (and the file add_subsys made for it)
tgt_rm_subsys() {
	_tgt_args 1 1 "rm_subsys NQN" -- "$@" || return 1
	_s=$(_tgt_subsys_dir "$1") || return 1
	for _p in "$TGT_NVMET"/ports/*; do
		if [ -L "$_p/subsystems/$1" ]; then
			rm "$_p/subsystems/$1" || return 1
		fi
	done
	for _n in "$_s"/namespaces/*; do
		[ -d "$_n" ] || continue
		_tgt_w "$_n/enable" 0 || return 1
		rmdir "$_n" || return 1
	done
	rmdir "$_s" || return 1
	rm -f "$(_tgt_subsys_file "$1")"
}

# tgt_rm_port ID: unlink all subsystems, drop referrals and ANA groups other
# than 1, remove the port
tgt_rm_port() {
	_tgt_args 1 1 "rm_port ID" -- "$@" || return 1
	_p=$(_tgt_port_dir "$1") || return 1
	for _x in "$_p"/subsystems/*; do
		if [ -L "$_x" ]; then
			rm "$_x" || return 1
		fi
	done
	for _x in "$_p"/referrals/*; do
		if [ -d "$_x" ]; then
			rmdir "$_x" || return 1
		fi
	done
	for _x in "$_p"/ana_groups/*; do
		if [ -d "$_x" ] && [ "${_x##*/}" != 1 ]; then
			rmdir "$_x" || return 1
		fi
	done
	rmdir "$_p"
}

# attribute value without the padding nvmet adds (attr_serial is 20 wide)
_tgt_cat() {
	_v=$(cat "$1" 2>/dev/null) || _v="?"
	printf '%s\n' "$_v" | sed 's/[[:space:]]*$//'
}

# tgt_show: the whole configuration, one fact per line
tgt_show() {
	_tgt_args 0 0 "show" -- "$@" || return 1
	for _p in "$TGT_NVMET"/ports/*; do
		[ -d "$_p" ] || continue
		echo "port ${_p##*/} $(_tgt_cat "$_p/addr_trtype") $(_tgt_cat "$_p/addr_adrfam")" \
			"$(_tgt_cat "$_p/addr_traddr") $(_tgt_cat "$_p/addr_trsvcid")"
		for _x in "$_p"/subsystems/*; do
			[ -L "$_x" ] && echo "  subsys ${_x##*/}"
		done
		for _x in "$_p"/ana_groups/*; do
			[ -d "$_x" ] && echo "  ana_group ${_x##*/} $(_tgt_cat "$_x/ana_state")"
		done
		for _x in "$_p"/referrals/*; do
			[ -d "$_x" ] || continue
			echo "  referral ${_x##*/} $(_tgt_cat "$_x/addr_adrfam")" \
				"$(_tgt_cat "$_x/addr_traddr") $(_tgt_cat "$_x/addr_trsvcid")" \
				"portid $(_tgt_cat "$_x/addr_portid") enable $(_tgt_cat "$_x/enable")"
		done
	done
	for _s in "$TGT_NVMET"/subsystems/*; do
		[ -d "$_s" ] || continue
		echo "subsys ${_s##*/} serial $(_tgt_cat "$_s/attr_serial")" \
			"model '$(_tgt_cat "$_s/attr_model")' any_host $(_tgt_cat "$_s/attr_allow_any_host")"
		for _n in "$_s"/namespaces/*; do
			[ -d "$_n" ] || continue
			echo "  ns ${_n##*/} $(_tgt_cat "$_n/device_path") ana_grpid $(_tgt_cat "$_n/ana_grpid")" \
				"enable $(_tgt_cat "$_n/enable")"
		done
	done
}

# the functions `tgt` accepts (tgt help lists them)
# shellcheck disable=SC2034 # used by /sbin/tgt
TGT_FUNCS="mk_nullb mk_port mk_ana mk_subsys add_ns rm_ns link unlink mk_referral rm_referral
add_subsys rm_subsys rm_port show"
