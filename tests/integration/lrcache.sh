#!/usr/bin/env bash
# lrcache.sh — the Linux rows' stored getpid breakdown (matrix/
# linuxref_cache.c), with real boots: a first run traces both rows and
# keeps their breakdowns in build/cache/linuxref/; a second, with one file
# cut short and the other's path made one instruction shorter (a
# consistent file that this run's loop - empty contradicts), says one line
# for each, traces the first in its row's boot and the second in a trace
# boot of its own, and reports the real counts; a third takes both stored
# breakdowns, checked against its own counts, without the kernel's symbols
# crossing the record protocol.  Seven Linux boots.  Skipped, with the
# reason, without /boot/vmlinuz-*.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

if ! compgen -G "/boot/vmlinuz-*" >/dev/null; then
	ok "Linux breakdown cache # SKIP no /boot/vmlinuz-* (install linux-image-amd64)"
	finish
	exit
fi
C=build/cache/linuxref
R=$TMP/results
KEY='# key benches=getpid samples=2 traced=getpid'
# this test's own files: those of its key (other runs' stay)
files() { grep -lx -- "$KEY" "$C"/*-"$1"-*.csv 2>/dev/null; }
for f in $(files linux) $(files linux-nomit); do rm -f "$f"; done
mx() { "$EL" matrix --variants floor --linux --bench getpid --samples 2 --no-plots --results-dir "$R"; }
source_of() { sed -n 's/^getpid,source,"\(.*\)",,$/\1/p' "$R/latest/raw/$1.breakdown.csv"; }
total_of() { awk -F, '$2 == "total" { print $5 }' "$R/latest/raw/$1.breakdown.csv"; }
like() { [[ $1 == $2 ]]; }   # like TEXT GLOB

# ------------------------------------------------------------ 1: traced, kept
expect_status 0 "first run (both rows traced)" mx
for s in linux linux-nomit; do
	src=$(source_of $s)
	expect "$s: breakdown traced in the row's boot and kept ($src)" \
		like "$src" "traced in this run*kept in *"
	expect "$s: one file of this key in $C" test "$(files $s | wc -l)" = 1
	g=$(per_call "$R/latest/raw/$s.samples.csv" getpid)
	eval "live_$(echo $s | tr - _)=$g"
	expect "$s: its path is the row's figure ($g)" test "$(total_of $s)" = "$g"
done
expect "linux: the kernel's symbols crossed the record protocol" \
	grep -q '^@K ksyms count=' "$R/latest/raw/linux.console"

# ------------------------------------------------------------ 2: cut short, contradicted
fl=$(files linux); fn=$(files linux-nomit)
head -c -200 "$fn" >"$TMP/cut" && cat "$TMP/cut" >"$fn"
python3 - "$fl" <<'PY'
import sys
p = sys.argv[1]
out, role, sym = [], False, False
for l in open(p).read().split("\n"):
    x = l.split(",")
    if len(x) == 5 and x[1] in ("total", "check"):
        x[4] = str(int(x[4]) - 1)
    elif len(x) == 5 and x[1] == "role" and not role and int(x[4]) > 0:
        x[4], role = str(int(x[4]) - 1), True
    elif len(x) == 5 and x[1] == "symbol" and not sym and int(x[4]) > 0:
        x[4], sym = str(int(x[4]) - 1), True
    out.append(",".join(x))
open(p, "w").write("\n".join(out))
PY
expect_status 0 "second run (one stored file cut short, one contradicted)" mx
expect "the cut file: one line, traced again" \
	test "$(grep -c "linux breakdown cache .*linux-nomit.* is corrupt (.*): tracing linux-nomit again" "$TMP/err")" = 1
expect "the contradicted file: one line naming both counts" \
	grep -q "linux: the stored breakdown's getpid path ($((live_linux - 1)) instructions, .*) is not this run's loop - empty ($live_linux): tracing again" "$TMP/err"
src=$(source_of linux-nomit)
expect "linux-nomit: traced in its row's boot ($src)" like "$src" "traced in this run*"
src=$(source_of linux)
expect "linux: traced again, and says why ($src)" \
	like "$src" "traced again in this run: the stored path ($((live_linux - 1))) was not this run's loop - empty ($live_linux)*"
expect "linux: the real path in raw/ and report.md ($live_linux)" \
	sh -c "[ '$(total_of linux)' = '$live_linux' ] && grep -qF '| **total** | **$live_linux** | **$live_linux_nomit** |' '$R/latest/report.md'"
expect "the trace boot's scratch directory is gone" test ! -e "$R/latest/raw/linux.retrace"
expect "both files whole again" \
	sh -c "tail -1 '$fl' | grep -qx '# end' && tail -1 '$fn' | grep -qx '# end'"

# ------------------------------------------------------------ 3: stored, checked
expect_status 0 "third run (both stored)" mx
for s in linux linux-nomit; do
	src=$(source_of $s)
	g=$(eval echo "\$live_$(echo $s | tr - _)")
	expect "$s: the stored breakdown, checked against this run ($src)" \
		like "$src" "stored by an earlier run*checked: this run's median loop - empty $g = the stored path's $g"
	expect "$s: report.md says where it came from" grep -qF -- "- \`$s\`: stored by an earlier run" "$R/latest/report.md"
	expect "$s: no kernel symbols crossed the record protocol" \
		sh -c "! grep -q '^@K s ' '$R/latest/raw/$s.console'"
done
expect "report.md: the breakdown table with both rows' totals" \
	grep -qF "| **total** | **$live_linux** | **$live_linux_nomit** |" "$R/latest/report.md"
finish
