#!/usr/bin/env bash
# boot.sh — the walking skeleton end to end against real QEMU: a variant
# boots under tcg-icount, its getpid figure is a positive instruction count
# identical on a second run, and every kind of bad input or bad guest is a
# one-line error with its documented exit status.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

img=build/kernels/pcsa.elf
expect_status 0 "pcsa boots, passes conformance and benchmarks" \
	"$EL" run --image "$img" --name pcsa --out "$TMP/a" --bench getpid --samples 3
a=$(per_call "$TMP/a/pcsa.samples.csv" getpid)
expect "getpid is a positive whole instruction count ($a)" is_positive_int "$a"
expect "the unit is instructions" grep -qx 'unit=instructions' "$TMP/a/pcsa.result"
"$EL" run --image "$img" --name pcsa --out "$TMP/b" --bench getpid --samples 3 >/dev/null 2>&1
b=$(per_call "$TMP/b/pcsa.samples.csv" getpid)
expect "a second run gives the identical figure ($a == $b)" [ "$a" = "$b" ]
expect "every sample of a run is identical under icount" \
	[ "$(awk -F, 'NR > 1 { print $(NF-3), $(NF-2) }' "$TMP/a/pcsa.samples.csv" | sort -u | wc -l)" = 1 ]
id=$(readelf -n "$img" | awk '/Build ID/ { print $3 }')
expect "the header's build id is the image's GNU build-id" grep -qx "build=$id" "$TMP/a/pcsa.result"

# bad input and bad guests
expect_status 2 "missing image" "$EL" run --image build/kernels/nonexistent.elf --name x --out "$TMP/c"
expect_status 2 "missing QEMU" "$EL" run --image "$img" --name pcsa --out "$TMP/c" --qemu /nonexistent/qemu
expect_status 5 "kernel-mode exception" "$EL" run --image "$img" --name pcsa --out "$TMP/c" --append el.selftest=1
expect "the exception error names vector and RIP" grep -q 'vector 6.*rip 0x' "$TMP/err"
expect_status 4 "guest hang hits the time limit" "$EL" run --image "$img" --name pcsa --out "$TMP/c" --append el.selftest=2 --timeout 2
expect_status 6 "impossible sample values" "$EL" run --image "$img" --name pcsa --out "$TMP/c" --append el.selftest=4
expect_status 5 "triple fault" "$EL" run --image "$img" --name pcsa --out "$TMP/c" --append el.selftest=5
expect_status 6 "truncated stream (no final record)" "$EL" run --image "$img" --name pcsa --out "$TMP/c" --append el.selftest=6
expect "the truncation error names the missing final record" grep -q 'no final @E record' "$TMP/err"
# PMU events asked of a guest without a PMU (TCG): every benchmark says so
"$EL" run --image "$img" --name pcsa --out "$TMP/d" --run bench --bench getpid,iopl \
	--append el.events=43003c >/dev/null 2>&1
expect "events without a PMU: the kernel probes rdpmc and reports pmu_unavailable" \
	test "$(grep -c 'reason=pmu_unavailable' "$TMP/d/pcsa.console")" = 2
finish
