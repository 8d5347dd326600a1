#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# stas-nvme as a process against the kernel's nvmet, inside the test bed's namespace: the
# commands doc/core.md shows, and what a user sees from them (doc/testbed.md has the target).
# Needs STAS_NVME (ctest passes it).
set -u
dir=$(mktemp -d)
fails=0
trap 'rm -rf "$dir"' EXIT

# shellcheck source=tests/tools/lib-expect.sh
. "$(dirname "$0")/lib-expect.sh"

N=$STAS_NVME
T1=nqn.2014-08.org.example:tgt1
T2=nqn.2014-08.org.example:tgt2
ID=0b7c1a2e-3d4f-4a5b-8c6d-7e8f9a0b1c2d
io="-a 198.51.100.2 -n $T1 -I $ID"

# discover: the referrals lead to all five ports, IPv4 and IPv6; tgt3 only behind port 5
for p in 198.51.100.2:8009 198.51.100.2:4420 198.51.100.3:4421 '\[2001:db8::2\]:4420' \
	198.51.100.2:8010; do
	expect 0 "^Discovery Log of $p: Number of Records" "$N" discover -a 198.51.100.2 \
		--follow-referrals
done
expect 0 '"subnqn":"nqn.2014-08.org.example:tgt3"' "$N" discover -a 198.51.100.2 \
	--follow-referrals --json

# identify, list-ns, ana: the configured serials, both namespaces, group 2 non-optimized on
# the second path only; IPv6 and digests too
expect 0 "^sn +: SN-TGT1-0001$" "$N" identify $io
expect 0 "^sn +: SN-TGT2-0001$" "$N" identify -a 2001:db8::2 -n "$T2" -g -G
expect 0 "^nsid 2: 131072 blocks of 512 bytes \(64 MiB\), ANA group 2$" "$N" list-ns $io
expect 0 "^group 2: non-optimized, nsids 2$" "$N" ana -a 198.51.100.3 -s 4421 -n "$T1"
expect 0 "^group 2: optimized, nsids 2$" "$N" ana $io

# features: what nvmet holds for this controller, in words; SEL and SV refused before sending
# (nvmet 6.1 has ONCS bit 4 clear and would answer SEL 3 with the current value)
expect 0 "^  keep-alive timeout: 7000 ms$" "$N" get-feature $io --fid 0x0f -k 7
expect 0 "^  host identifier: $ID$" "$N" get-feature $io --fid 0x81
expect 0 "^  volatile write cache: enabled$" "$N" get-feature $io --fid 6
expect 0 "^  no write protect$" "$N" get-feature $io --fid 0x84 --nsid 1
expect 0 "^  notices enabled: ANA change$" "$N" set-feature $io --fid 0x0b --value 0x800
expect 1 "takes no SEL but current \(Identify ONCS bit 4 is clear\); not sent" "$N" \
	get-feature $io --fid 7 --sel supported
expect 1 "saves no feature \(Identify ONCS bit 4 is clear\); not sent" "$N" set-feature $io \
	--fid 0x0b --value 0x800 --save
expect 1 "Set Features: Command Sequence Error" "$N" set-feature $io --fid 0x81 --value 1
expect 1 "Get Features: Invalid Field in Command" "$N" get-feature $io --fid 0x0e

# logs: a fresh controller has no errors; the SMART log and a raw page
expect 0 "^Error Information log: 0 of 128 entries in use$" "$N" error-log $io
expect 0 "^host_write_commands +: [0-9]+$" "$N" smart-log $io --nsid 1
expect 0 '"lid":12' "$N" get-log $io --lid 0x0c --len 4096 --json

# data: a pattern written through one path reads back through the other, over IPv6
expect 0 "wrote 4096 bytes" "$N" write $io --nsid 1 --slba 8 --len 4096 --pattern 0x5a
expect 0 '"data":"(5a){4096}"' "$N" read -a 2001:db8::2 -n "$T1" --nsid 1 --slba 8 --len 4096 \
	--json
expect 1 "LBA Out of Range .*not sent" "$N" read $io --nsid 1 --slba 131072 --len 512

echo "$fails failure(s)"
[ "$fails" = 0 ]
