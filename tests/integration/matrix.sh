#!/bin/sh
# matrix.sh — `entrylab matrix` end to end: real kernels, real QEMU.
#
# Assumes `make` has been run (builds nothing).  Runs three variants twice
# into a temporary results directory and checks the published runs, then
# the refusals (unknown variant or benchmark, unwritable results directory)
# and an interrupted run.  Prints one ok/not ok line per check and
# "N passed, N failed"; exit 0 only when nothing failed.
set -u
cd "$(dirname "$0")/../.." || exit 2

E=build/host/entrylab
SEL=pcsa,linux-5.x,floor
SHORTS="pcsa fsac floor"
passed=0
failed=0

ok()  { passed=$((passed + 1)); echo "ok - $1"; }
nok() { failed=$((failed + 1)); echo "not ok - $1"; }
check() { _what=$1; shift; if "$@"; then ok "$_what"; else nok "$_what"; fi; }
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }

for f in $E build/kernels/pcsa.elf build/kernels/fsac.elf build/kernels/floor.elf; do
	if [ ! -f "$f" ]; then
		nok "$f exists (run 'make' first)"
		finish
	fi
done
command -v python3 >/dev/null || { nok "python3 is installed"; finish; }

tmp=$(mktemp -d /tmp/entrylab-matrix.XXXXXX) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
R=$tmp/results

# Names of the published runs (not the hidden partial ones), oldest first.
runs() { ls -1tr "$R" 2>/dev/null | grep -v '^latest$'; }

# ------------------------------------------------------------ first run
$E matrix --variants $SEL --samples 3 --results-dir "$R" >"$tmp/out1" 2>"$tmp/err1"
rc=$?
check "first run exits 0 (got $rc)" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || sed 's/^/# /' "$tmp/err1"
run1=$(runs | head -n 1)
check "first run published one directory" [ -n "$run1" -a "$(runs | wc -l)" -eq 1 ]
check "latest points at the first run" [ "$(readlink "$R/latest")" = "$run1" ]
missing=""
for s in $SHORTS; do
	for ext in result samples.csv console; do
		[ -s "$R/$run1/raw/$s.$ext" ] || missing="$missing $s.$ext"
	done
	[ -f "$R/$run1/raw/$s.tap" ] || missing="$missing $s.tap"
	grep -qx 'status=pass' "$R/$run1/raw/$s.result" 2>/dev/null || missing="$missing $s:status"
done
check "raw files of the 3 variants, all passed${missing:+ (missing:$missing)}" [ -z "$missing" ]
check "no partial directory or latest temporary left" \
	[ -z "$(ls -A "$R" | grep -e '\.partial$' -e '^latest\.tmp')" ]
check "report.md and summary.csv written" [ -s "$R/$run1/report.md" -a -s "$R/$run1/summary.csv" ]
check "stdout names the report of the published run" grep -q "report: $R/$run1/report.md" "$tmp/out1"
# the static fast path of pcsa, read from its image, beside its dynamic getpid:
# 41 laid-out instructions from entry_SYSCALL_64 to sysretq (kernels/entry.S)
check "report.md gives pcsa's static fast path (41 instructions, 148 bytes)" \
	grep -q '^| pcsa |  | 41 | 148 | 45 |$' "$R/$run1/report.md"
check "report.md gives the floor's static fast path" grep -q '^| floor |  | 14 | 60 | 18 |$' "$R/$run1/report.md"
check "progress line per variant on stderr" [ "$(grep -c '^\[[0-9]/3\] ' "$tmp/err1")" -eq 3 ]

meta_check() {
	python3 - "$R/$1/meta.json" "$1" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
assert m["run_id"] == sys.argv[2], m["run_id"]
assert [v["short"] for v in m["variants"]] == ["pcsa", "fsac", "floor"], m["variants"]
assert all(v["status"] == "pass" and v["build_id"] for v in m["variants"])
assert m["variants"][1]["canonical"].startswith("ptregs=full,rsp=stored,regs=annotated,exit=c,path=asm,clear=no,irq=off")
assert "-DPTREGS_FULL" in m["variants"][1]["flags"]
assert m["mode"]["mode"] in ("tcg-icount", "kvm") and m["mode"]["reason"]
assert m["options"]["samples"] == 3
assert m["command"][:2] == ["entrylab", "matrix"]
for k in ("cpu_model", "microcode", "qemu", "compiler"):
    assert m["host"][k], k
assert m["host"]["kernel"]["release"] and "git" in m["host"]
assert m["start_utc"].endswith("Z") and m["end_utc"] >= m["start_utc"]
assert "analysis" in m, "analyze did not add its summary"
print(m["mode"]["mode"])
EOF
}
mode=$(meta_check "$run1" 2>"$tmp/py1")
check "meta.json parses and holds the run's facts" [ -n "$mode" ]
[ -n "$mode" ] || sed 's/^/# /' "$tmp/py1"

# ------------------------------------------------------------ second run
sleep 1   # a different default id even if pids repeat
$E matrix --variants $SEL --samples 3 --results-dir "$R" >"$tmp/out2" 2>"$tmp/err2"
rc=$?
check "second run exits 0 (got $rc)" [ "$rc" -eq 0 ]
run2=$(runs | tail -n 1)
check "second run has its own directory" [ "$(runs | wc -l)" -eq 2 -a "$run2" != "$run1" ]
check "latest points at the second run" [ "$(readlink "$R/latest")" = "$run2" ]
check "first run left intact" [ -s "$R/$run1/meta.json" -a -s "$R/$run1/raw/pcsa.samples.csv" ]
if [ "$mode" = tcg-icount ]; then
	same=yes
	for s in $SHORTS; do
		cmp -s "$R/$run1/raw/$s.samples.csv" "$R/$run2/raw/$s.samples.csv" || same="no ($s)"
	done
	check "identical instruction figures in both runs: $same" [ "$same" = yes ]
else
	ok "# skip: identical figures only under tcg-icount (mode $mode)"
fi

# ------------------------------------------------------------ refusals
refused() {   # $1 description, $2 results dir, then the arguments
	d=$1; dir=$2; shift 2
	$E matrix "$@" --results-dir "$dir" >"$tmp/out3" 2>"$tmp/err3"
	rc=$?
	check "$d: exit 2 (got $rc)" [ "$rc" -eq 2 ]
	check "$d: one error line" [ "$(wc -l <"$tmp/err3")" -eq 1 -a "$(cut -c1-10 "$tmp/err3")" = "entrylab: " ]
}
refused "unknown variant" "$tmp/r-variant" --variants pcsa,nosuch --samples 3
check "unknown variant: names the accepted values" grep -q "linux-5.x" "$tmp/err3"
check "unknown variant: nothing created" [ ! -e "$tmp/r-variant" ]
refused "unknown benchmark" "$tmp/r-bench" --variants pcsa --bench getpid,nosuch
check "unknown benchmark: nothing created" [ ! -e "$tmp/r-bench" ]
: >"$tmp/file"
refused "results dir under a file" "$tmp/file/results" --variants pcsa --samples 3
if [ "$(id -u)" -ne 0 ]; then
	mkdir "$tmp/ro" && chmod 555 "$tmp/ro"
	refused "read-only results dir" "$tmp/ro" --variants pcsa --samples 3
	check "read-only results dir: nothing created" [ -z "$(ls -A "$tmp/ro")" ]
fi
check "refused runs left latest alone" [ "$(readlink "$R/latest")" = "$run2" ]

# ------------------------------------------------------------ interrupted
$E matrix --variants all --samples 3 --jobs 1 --no-plots --results-dir "$R" \
	>"$tmp/out4" 2>"$tmp/err4" &
pid=$!
sleep 0.4
kill -INT $pid
wait $pid
rc=$?
check "interrupted run exits 130 (got $rc)" [ "$rc" -eq 130 ]
check "interrupted run published nothing" [ "$(runs | wc -l)" -eq 2 ]
check "interrupted run left latest alone" [ "$(readlink "$R/latest")" = "$run2" ]
check "interrupted run kept its partial directory" [ -n "$(ls -A "$R" | grep '\.partial$')" ]
check "no child of the interrupted run survives" [ -z "$(pgrep -f -- "--out $R/" || true)" ]

finish
