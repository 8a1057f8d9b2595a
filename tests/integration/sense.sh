#!/usr/bin/env bash
# sense.sh — input that cannot be right is refused up front, in one line
# (issue 16 items 7 and 8; real kernels, real QEMU; assumes `make` has
# been run).  Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/integration/lib.sh

R=$TMP/results
for f in "$EL" build/kernels/pcsa.elf build/kernels/floor.elf; do
	[ -f "$f" ] || { fail "$f exists (run 'make' first)"; finish; exit 1; }
done
lines() { wc -l <"$1" | tr -d ' '; }

# ---------------------------------------------------------------- baseline
"$EL" matrix --variants pcsa --bench getpid --samples 3 --mode tcg --no-plots --no-linux \
	--results-dir "$R" >"$TMP/m.out" 2>"$TMP/m.err"
expect "a healthy one-variant matrix runs" [ -f "$R/latest/summary.json" ]
expect_status 0 "baseline save" "$EL" baseline save --run "$R/latest" --out "$TMP/base.json"
expect_status 0 "gate against the saved baseline passes" \
	"$EL" gate --baseline-file "$TMP/base.json" --run "$R/latest" --results-dir "$TMP/g"
edit_baseline() {  # edit_baseline OUT PYTHON-STATEMENTS-ON-d
	python3 - "$TMP/base.json" "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"))
PY
}
refused() {  # refused FILE WHAT: the gate refuses the baseline in one line naming WHAT
	expect_status 2 "baseline with $2 is refused" \
		"$EL" gate --baseline-file "$1" --run "$R/latest" --results-dir "$TMP/g"
	expect "baseline with $2: one line naming it ($(head -c 200 "$TMP/err"))" \
		[ "$(lines "$TMP/err")" = 1 -a -n "$(grep -F "$3" "$TMP/err")" ]
}
edit_baseline "$TMP/twice.json" 'd["variants"].append(d["variants"][0])'
refused "$TMP/twice.json" "one variant listed twice" "lists pcsa a second time"
edit_baseline "$TMP/huge.json" 'd["variants"][0]["samples"]["getpid"][0] = 1e308'
refused "$TMP/huge.json" "a sample of 1e308" "beyond 1e9 per call"
edit_baseline "$TMP/neg.json" 'd["variants"][0]["samples"]["getpid"][0] = -3'
refused "$TMP/neg.json" "a negative instruction count" "negative (ticks below empty)"
# ---------------------------------------------------------------- guest arguments
long=el.x=$(printf '%0600d' 0)
expect_status 2 "--append-for of 600 bytes is refused up front" \
	"$EL" matrix --variants pcsa --mode tcg --no-linux --no-plots --results-dir "$TMP/r2" \
	--append-for "pcsa=$long"
expect "--append-for too long: one line saying what fits" \
	[ "$(lines "$TMP/err")" = 1 -a -n "$(grep -F 'where 511 fit' "$TMP/err")" ]
expect "--append-for too long: nothing started, no results directory" [ ! -e "$TMP/r2" ]
expect_status 2 "a newline in --append-for is refused before any boot" \
	"$EL" matrix --variants pcsa --mode tcg --no-linux --no-plots --results-dir "$TMP/r2" \
	--append-for "pcsa=el.a=1
el.b=2"
expect "newline in --append-for: one line, no results directory (no .partial)" \
	[ "$(lines "$TMP/err")" = 1 -a ! -e "$TMP/r2" ]
expect_status 2 "run --append beyond the guest's 1023 bytes is refused" \
	"$EL" run --image build/kernels/pcsa.elf --name pcsa --out "$TMP/r3" --mode tcg-icount \
	--append "el.x=$(printf '%01000d' 0)"
expect "run --append too long: one line saying so, nothing booted" \
	[ "$(lines "$TMP/err")" = 1 -a -n "$(grep -F 'the guest keeps' "$TMP/err")" \
	  -a ! -e "$TMP/r3/pcsa.result" ]

# ---------------------------------------------------------------- tools off PATH
mkdir -p "$TMP/nopath"
if [ -x /usr/bin/qemu-system-x86_64 ]; then
	PATH=$TMP/nopath expect_status 2 "matrix with QEMU installed but off PATH" \
		"$EL" matrix --variants pcsa --mode tcg --no-linux --no-plots --results-dir "$TMP/r4"
	expect "QEMU off PATH: one line saying it is not on PATH, not to install it" \
		[ "$(lines "$TMP/err")" = 1 -a -n "$(grep -F 'is not on PATH (installed as' "$TMP/err")" \
		  -a -z "$(grep -F 'install qemu' "$TMP/err")" ]
fi

mkdir -p "$TMP/noobj"
for t in qemu-system-x86_64 git gnuplot; do
	command -v "$t" >/dev/null && ln -sf "$(command -v "$t")" "$TMP/noobj/$t"
done
PATH=$TMP/noobj expect_status 2 "matrix without objdump: refused before any boot" \
	"$EL" matrix --variants pcsa,floor --mode tcg --no-linux --no-plots --results-dir "$TMP/r5"
expect "matrix without objdump: one line naming it, no results directory" \
	[ "$(lines "$TMP/err")" = 1 -a -n "$(grep -F objdump "$TMP/err")" -a ! -e "$TMP/r5" ]
"$EL" matrix --variants pcsa,floor --bench getpid --samples 2 --mode tcg --no-linux --no-plots \
	--results-dir "$TMP/r5" >/dev/null 2>&1
PATH=$TMP/noobj expect_status 0 "analyze without objdump: the figures are still analysed" \
	"$EL" analyze "$TMP/r5/latest" --no-plots
expect "analyze without objdump: said once for two images ($(head -c 160 "$TMP/err"))" \
	[ "$(grep -c objdump "$TMP/err")" = 1 ]

# ---------------------------------------------------------------- time limit follows the work
"$EL" matrix --variants pcsa --bench getpid --samples 3000 --mode tcg --no-linux --no-plots \
	--results-dir "$TMP/r6" >/dev/null 2>&1
t=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["options"]["timeout_s"])' \
	"$TMP/r6/latest/meta.json" 2>/dev/null)
expect "--samples 3000 without --timeout: the limit is 3 x 60 s (got $t)" [ "$t" = 180.0 ]
"$EL" matrix --variants pcsa --bench getpid --samples 3000 --timeout 50 --mode tcg --no-linux \
	--no-plots --results-dir "$TMP/r6" >/dev/null 2>&1
t=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["options"]["timeout_s"])' \
	"$TMP/r6/latest/meta.json" 2>/dev/null)
expect "an explicit --timeout is kept (got $t)" [ "$t" = 50.0 ]

# ---------------------------------------------------------------- a full disk
M=$TMP/small
mkdir -p "$M"
if mount -t tmpfs -o size=20m tmpfs "$M" 2>/dev/null; then
	trap 'umount "$M" 2>/dev/null; rm -rf "$TMP"' EXIT
	full() { "$EL" matrix --variants pcsa,floor --bench getpid --samples 2 --mode tcg \
		--no-plots --no-linux --results-dir "$M/R" >/dev/null 2>"$TMP/err"; }
	full
	used=$(df --output=iused "$M" | tail -1 | tr -d ' ')
	umount "$M"
	bad="" tried=0
	for n in $(seq $((used - 8)) $((used - 4))); do
		mount -t tmpfs -o size=20m,nr_inodes=$n tmpfs "$M"
		full
		rc=$?
		left=$(ls -d "$M"/R/.*.partial 2>/dev/null | head -1)
		errs=$(grep -v '^\[' "$TMP/err" | grep -v '^entrylab: warning:')
		if [ "$rc" != 0 ] && [ -n "$left" ]; then
			tried=$((tried + 1))
			[ "$(echo "$errs" | wc -l)" = 1 ] && echo "$errs" | grep -qF "left in $left" &&
				! echo "$errs" | grep -q -- '--out' || bad="$bad $n($(echo "$errs" | head -c 160))"
		fi
		umount "$M"
	done
	expect "full disk: each error line names the .partial left and no child option ($tried runs;$bad)" \
		[ "$tried" -gt 0 -a -z "$bad" ]
	# plots on a disk with room for the figures but not the pictures
	mount -t tmpfs -o size=3m tmpfs "$M"
	# (a preset, so that the history plot is drawn too: more than the room left)
	"$EL" matrix --variants linux-3.13,floor --bench getpid,iopl --samples 2 --mode tcg --no-plots \
		--no-linux --results-dir "$M/R" >/dev/null 2>&1
	avail=$(df -k --output=avail "$M" | tail -1 | tr -d ' ')
	dd if=/dev/zero of="$M/fill" bs=1k count=$((avail - 120)) 2>/dev/null
	"$EL" analyze "$M/R/latest" >/dev/null 2>"$TMP/err"
	expect "plots on a full disk: the warning names the full disk ($(head -c 160 "$TMP/err"))" \
		grep -q 'plots failed (first: no space left on device' "$TMP/err"
	expect "plots on a full disk: so does the report" \
		grep -q 'failed: no space left on device' "$M/R/latest/report.md"
	umount "$M"
else
	ok "# skip: mounting a tmpfs is not permitted here"
fi

# ---------------------------------------------------------------- a config error, said once
# (a copy of the tree with its build, so that make has nothing to rebuild)
T=$TMP/tree
mkdir -p "$T"
cp -a run.sh Makefile kernels bench lib include linuxref variants plots fuzz harness build "$T"/
echo "bogus-preset partial" >>"$T/variants/presets.conf"
for cmd in list "variant-matrix --no-linux --variants pcsa"; do
	expect_status 2 "./run.sh $cmd with a malformed presets.conf" bash "$T/run.sh" $cmd
	expect "./run.sh $cmd: the config error is said once ($(grep -c presets.conf "$TMP/err") times)" \
		[ "$(grep -c 'presets.conf:' "$TMP/err")" = 1 ]
done
expect "no temporary variants.mk left in build/" [ -z "$(ls "$T/build" | grep 'variants.mk.tmp')" ]

finish
