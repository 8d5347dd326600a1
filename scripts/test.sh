#!/bin/bash
# Install what is missing, build stas with AddressSanitizer+UBSan, and run every test:
# the unit tests and the tests against the kernel's nvmet target in the qemu test bed.
# Fails when a test fails, when no test ran, or when the test bed left anything behind.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
build=${STAS_BUILD_DIR:-$top/build-test}

scripts/deps.sh test
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTAS_SANITIZE=ON -DSTAS_TESTBED=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
# The sanitizers hide some of gcc's warnings (errors here): build README's "by hand"
# configuration too, so what a user builds is what CI built.
cmake -S . -B "$build-plain" >/dev/null
cmake --build "$build-plain" -j"$(nproc)" >/dev/null

export STAS_TB_DIR=$build/testbed
# Whatever happens to ctest, the VM and its namespace go away with us.
trap 'tests/testbed/testbed.sh stop >/dev/null 2>&1 || true' EXIT

rc=0
(cd "$build" && ctest --no-tests=error --output-on-failure -j2 --timeout 900) || rc=$?
if ! tests/testbed/testbed.sh check-clean; then
	echo "test: the test bed left a VM or network namespace behind" >&2
	rc=1
fi
exit $rc
