#!/bin/bash
# Fuzzing (not a test): builds the fuzz targets of tests/fuzz against libFuzzer with clang,
# AddressSanitizer and UBSan in build-fuzz, starts each from its seeds (written by the
# deterministic driver) and runs it for --time seconds, then prints executions per second,
# coverage and corpus size. A crash stops that target and leaves its input in
# build-fuzz/fuzz-out/<target>/ (replay: build-fuzz/tests/fuzz/fuzz-<target> FILE).
# Usage: scripts/fuzz.sh [--time SECONDS] [queue|decode|conf|follow|state-log ...]
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
build=$top/build-fuzz
secs=60
while (($#)) && [[ $1 == --* ]]; do
	case $1 in
	--time) secs=$2; shift 2 ;;
	*) echo "usage: $0 [--time SECONDS] [TARGET...]" >&2; exit 2 ;;
	esac
done
targets=("$@")
((${#targets[@]})) || targets=(queue decode conf follow state-log)

scripts/deps.sh build
command -v clang >/dev/null || { echo "fuzz: clang is needed (apt-get install clang)" >&2; exit 1; }
CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTAS_SANITIZE=ON \
	-DSTAS_FUZZ=ON -DSTAS_TESTBED=OFF >/dev/null
build_targets=()
for t in "${targets[@]}"; do build_targets+=("fuzz-$t" "libfuzz-$t"); done
cmake --build "$build" -j"$(nproc)" --target "${build_targets[@]}" >/dev/null

rc=0
for t in "${targets[@]}"; do
	out=$build/fuzz-out/$t corpus=$build/fuzz-out/$t/corpus
	rm -rf "$out" && mkdir -p "$corpus"
	"$build/tests/fuzz/fuzz-$t" --write-seeds "$corpus" >/dev/null
	seeds=$(find "$corpus" -type f | wc -l)
	echo "== $t: $seeds seeds, $secs s"
	if (cd "$out" && "$build/tests/fuzz/libfuzz-$t" -max_total_time="$secs" -max_len=65536 \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$corpus" >"$out/log" 2>&1); then
		:
	else
		rc=1
		echo "fuzz: $t failed; see $out/log and the crash-* file there" >&2
	fi
	grep -E '^#[0-9]+.*DONE|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb' "$out/log" || true
	echo "corpus now $(find "$corpus" -type f | wc -l) inputs"
done
exit $rc
