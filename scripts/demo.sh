#!/bin/bash
# The main job, until the daemons exist: boot the kernel's NVMe/TCP target (nvmet) in the
# qemu test bed, then read its discovery logs, identify its subsystems and show their ANA
# states with the stas wire codec over plain sockets. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${STAS_BUILD_DIR:-$PWD/build}

scripts/deps.sh test
cmake -S . -B "$build" -DSTAS_TESTBED=ON >/dev/null
cmake --build "$build" -j"$(nproc)" --target test-wire-smoke tbctl tb-ping

export STAS_TB_DIR=$build/testbed STAS_TB_TBCTL=$build/tests/testbed/tbctl STAS_TB_PING=$build/tests/testbed/tb-ping
trap 'tests/testbed/testbed.sh stop >/dev/null 2>&1 || true' EXIT
tests/testbed/testbed.sh start
tests/testbed/testbed.sh exec "$build/tests/integration/test-wire-smoke"
