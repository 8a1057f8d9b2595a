#!/usr/bin/env bash
# linuxref.sh — the Linux reference rows end to end: the init program in
# host mode (native, a valid record stream), the host row next to perf
# bench, and one matrix with --linux that boots Debian's kernel twice under
# tcg-icount (linux, linux-nomit; about 10-20 s on two cores), checked down
# to the report.  The boots are skipped, with the reason, when no
# /boot/vmlinuz-* is installed.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

INIT=build/linuxref/init
expect "make built the init program and the initramfs" \
	test -x "$INIT" -a -s build/linuxref/initramfs.cpio
expect "the initramfs is a newc archive with a trailer" \
	sh -c 'head -c 6 build/linuxref/initramfs.cpio | grep -qx 070701 &&
	       grep -qa "TRAILER!!!" build/linuxref/initramfs.cpio'

# ------------------------------------------------------------ host mode, native
"$INIT" el.bench=getpid el.samples=3 el.budget=100000 >"$TMP/native" 2>&1
expect "the init program runs natively and exits 0" [ $? = 0 ]
expect "its stream starts with a host header (unit tsc)" \
	grep -q '^@H proto=2 variant=host-.* short=host .* unit=tsc$' "$TMP/native"
n=$(grep -c '^@' "$TMP/native")
expect "its final record counts every record before it ($((n - 1)))" \
	grep -qx "@E records=$((n - 1)) status=pass" "$TMP/native"
expect "three getpid samples" [ "$(grep -c '^@D bench=getpid ' "$TMP/native")" = 3 ]

expect_status 0 "the host row: native loop pinned, perf bench on the same cpu" \
	"$EL" linuxref host --samples 3 --out "$TMP/host"
expect "the host row's result file says pass" grep -qx 'status=pass' "$TMP/host/host.result"
ns=$(sed -n 's/^ns_per_call=//p' "$TMP/out")
expect "a positive ns per call from the TSC ($ns)" awk -v x="$ns" 'BEGIN { exit !(x > 0) }'
if command -v perf >/dev/null; then
	pns=$(sed -n 's/^perf_ns_per_call=//p' "$TMP/out")
	expect "perf bench parsed into ns per call ($pns)" awk -v x="$pns" 'BEGIN { exit !(x > 0) }'
else
	ok "perf bench # SKIP perf is not installed (linux-perf)"
fi
expect_status 2 "a kernel that is not there is a usage error" \
	"$EL" linuxref prepare --kernel /nonexistent/vmlinuz-0
expect "the error names the file" grep -q '/nonexistent/vmlinuz-0' "$TMP/err"

# ------------------------------------------------------------ Linux under icount
if ! compgen -G "/boot/vmlinuz-*" >/dev/null; then
	ok "Linux boots # SKIP no /boot/vmlinuz-* (install linux-image-amd64)"
	finish
	exit
fi
R=$TMP/results
expect_status 0 "matrix --linux: floor, linux-5.x and the two Linux rows pass" \
	"$EL" matrix --variants floor,linux-5.x --linux --bench getpid,signal,clone --samples 3 \
	--results-dir "$R" --no-plots
run=$R/latest
for s in linux linux-nomit; do
	expect "$s: status pass, unit instructions" \
		sh -c "grep -qx status=pass '$run/raw/$s.result' && grep -qx unit=instructions '$run/raw/$s.result'"
	g=$(per_call "$run/raw/$s.samples.csv" getpid)
	expect "$s: getpid is a positive whole instruction count ($g)" is_positive_int "$g"
	expect "$s: the @H header names the row" grep -q "^@H .* short=$s " "$run/raw/$s.console"
	expect "$s: the kernel reports its vulnerabilities" grep -q '^@K vulnerability meltdown: ' "$run/raw/$s.console"
	expect "$s: clone is unavailable with a reason" grep -q '^@N bench=clone reason=' "$run/raw/$s.console"
	echo "# $s: boot and benchmarks took $(sed -n 's/^wall_ms=//p' "$run/raw/$s.result") ms"
done
expect "linux-nomit booted with mitigations=off" \
	grep -q '^@K cmdline .*mitigations=off' "$run/raw/linux-nomit.console"
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["linuxref"]["build_id"])' "$run/meta.json")
expect "the running kernel's build id (/sys/kernel/notes) is the unpacked image's ($id)" \
	grep -qx "build=$id" "$run/raw/linux.result"
expect "summary.csv marks the Linux rows as references" \
	grep -q '^"linux-debian-[^"]*",linux,reference,getpid,pass,' "$run/summary.csv"
expect "report.md lists the reference rows" grep -q 'Reference rows, not variants' "$run/report.md"
expect "no 'not a combination of the axes' warning for them" \
	sh -c "! grep -q 'linux is not a combination' '$run/report.md'"
finish
