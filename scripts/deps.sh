#!/bin/bash
# Install the Debian 12 packages stas needs to build and test, only those missing.
# Usage: scripts/deps.sh [build|bench|test]   (default: test = build + test bed)
set -euo pipefail

build_pkgs=(gcc make cmake pkg-config libevent-dev libsystemd-dev libinih-dev libjson-c-dev check
	dbus-daemon) # dbus-daemon: the private bus of the D-Bus unit tests (skipped without it)
# The nvmet test bed: Debian's kernel booted in qemu from a busybox initramfs, in a netns.
testbed_pkgs=(qemu-system-x86 linux-image-amd64 busybox-static cpio gzip iproute2)
# stafd's zeroconf test (ctest -L zeroconf): a real avahi-daemon and avahi-publish in a netns.
testbed_pkgs+=(avahi-daemon avahi-utils)

want=("${build_pkgs[@]}")
case ${1:-test} in
build) ;;
bench) want+=(socat) ;; # scripts/bench-churn.sh drives the emulator's control socket
*) want+=("${testbed_pkgs[@]}") ;;
esac

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
((${#missing[@]})) || exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages: ${missing[*]} (run as root to install them)" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Packages are tools for the tests, not services for this machine: keep their daemons (avahi,
# dbus) from being started by the install, so nothing starts announcing the host on the LAN.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh
exit 101
' >"$policy" && chmod 755 "$policy" && own_policy=1
fi
rc=0
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}" >/tmp/stas-apt.log 2>&1 || rc=$?
((own_policy)) && rm -f "$policy"
((rc == 0)) || { tail -20 /tmp/stas-apt.log; echo "deps: apt-get install failed" >&2; exit 1; }
echo "deps: done"
