# SPDX-License-Identifier: Apache-2.0
# What the shell tests of the tools share (POSIX sh). The test sets $dir (a scratch directory)
# and $fails (a count) before it sources this.

# expect RC PATTERN CMD...: CMD exits RC and its stderr+stdout matches PATTERN (grep -E)
expect() {
	want=$1 pat=$2
	shift 2
	timeout 60 "$@" >"$dir/out" 2>&1
	rc=$?
	if [ "$rc" != "$want" ] || { [ -n "$pat" ] && ! grep -Eq -- "$pat" "$dir/out"; }; then
		echo "FAIL: $* -> rc $rc (want $want), output:"
		sed 's/^/    /' "$dir/out"
		fails=$((fails + 1))
	else
		echo "ok: $*"
	fi
}

# wait_for FILE PATTERN: until FILE holds PATTERN (at most 30 s); else the test fails here
wait_for() {
	for _ in $(seq 300); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "FAIL: '$2' never showed up in $1:"
	sed 's/^/    /' "$1"
	exit 1
}

# emu_port ID FILE: the TCP port of port ID of the emulator whose output is FILE
emu_port() {
	awk -v p="$1" '$1 == "port" && $2 == p { n = split($3, a, ":"); print a[n] }' "$2"
}
