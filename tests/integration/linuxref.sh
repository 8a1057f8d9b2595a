#!/usr/bin/env bash
# linuxref.sh — the Linux reference rows end to end: the init program in
# host mode (native, a valid record stream), the host row next to perf
# bench, and three matrices with --linux that boot Debian's kernel under
# tcg-icount (linux, linux-nomit), checked down to the report: the first
# traces both rows and keeps their getpid breakdowns (matrix/
# linuxref_cache.c); the second, with one stored file cut short and the
# other's path made one instruction shorter (a consistent file this run's
# count contradicts), says one line for each and traces them again (the
# second in a trace boot of its own); the third takes linux's stored
# breakdown, checked, without its symbols crossing the record protocol,
# while linux-nomit hides its addresses (kptr_restrict=2) and says why it
# has no breakdown.  Seven Linux boots.  They are skipped, with the reason,
# when no /boot/vmlinuz-* is installed.
# run-all: alone
# (run-all.sh runs it with nothing beside it: the Linux rows' boots take
# 12 s of their 60 s limit on a quiet machine, and the gate of the run
# against itself counts on steady Linux samples, which a loaded machine
# disturbs; both failed once beside the other scripts under a load of 10)
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
C=build/cache/linuxref
KEY='# key benches=getpid,signal,clone samples=3 traced=getpid'
files() {   # files ROW: its stored breakdowns of this test's key (others' stay)
	local f
	for f in $(grep -lx -- "$KEY" "$C"/*.csv 2>/dev/null); do
		grep -qE "^# key cmdline=.* el\.short=$1( |\$)" "$f" && echo "$f"
	done
}
for f in $(files linux) $(files linux-nomit); do rm -f "$f"; done
mx() {
	"$EL" matrix --variants floor,linux-5.x --linux --bench getpid,signal,clone --samples 3 \
		--results-dir "$R" --no-plots "$@"
}
source_of() { sed -n 's/^getpid,source,"\(.*\)",,$/\1/p' "$R/latest/raw/$1.breakdown.csv"; }
total_of() { awk -F, '$2 == "total" { print $5 }' "$R/latest/raw/$1.breakdown.csv"; }
like() { [[ $1 == $2 ]]; }   # like TEXT GLOB
expect_status 0 "matrix --linux: floor, linux-5.x and the two Linux rows pass" mx
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

# ------------------------------------------------------------ the gate
# The Linux rows are gated like the lab's variants in baseline mode (a
# stored run against a later one: a new kernel, or a change of the loops
# its /init is built from).  Against itself: pass, exact; against a
# baseline one instruction cheaper on linux's getpid: a regression there.
# A Linux row's samples are exact under icount unless an interrupt of
# Debian's kernel lands in a sample's window (only ever more
# instructions); QEMU's icount clock follows the host's while the guest
# idles, so on a loaded host that happens on some boots (once in a full
# run at load 8).  Then the same samples on both sides give a wide
# interval around 0, and the verdict is rightly inconclusive, never a
# regression; with steady samples it must be a pass, exactly.
"$EL" baseline save --run "$run" --out "$TMP/lr-base.json" >/dev/null 2>&1
steady=$(python3 -c 'import csv, sys
seen = {}
for f in sys.argv[1:]:
    for r in csv.DictReader(open(f)):
        seen.setdefault((f, r["bench"]), set()).add(r["per_call"])
print("yes" if seen and all(len(v) == 1 for v in seen.values()) else "no")' \
	"$run/raw/linux.samples.csv" "$run/raw/linux-nomit.samples.csv")
[ "$steady" = yes ] || echo "# the run's Linux samples were disturbed by an interrupt: pass or inconclusive accepted"
# gate_vs DIR BASELINE WANT WHAT: the gate of the run against BASELINE
# exits WANT, or 3 (inconclusive) when the samples were disturbed
gate_vs() {
	"$EL" gate --baseline-file "$2" --run "$run" --results-dir "$TMP/$1" >"$TMP/$1.out" 2>&1
	local st=$?
	expect "$4 (exit $st; samples steady: $steady)" \
		sh -c "[ $st = $3 ] || { [ $st = 3 ] && [ $steady = no ]; }"
}
gate_vs g1 "$TMP/lr-base.json" 0 "gate --baseline-file: the run with the Linux rows against itself passes"
expect "... with the Linux rows' getpid in the verdict, delta 0" \
	python3 -c 'import json, sys
v = json.load(open(sys.argv[1]))
ok = ("pass",) if sys.argv[2] == "yes" else ("pass", "inconclusive")
rows = {(r["variant"], r["bench"]): r for r in v["rows"]}
sys.exit(not all(r["verdict"] in ok for r in v["rows"]) or
         not all(rows[(s, "getpid")]["delta"] == 0 for s in ("linux", "linux-nomit")))' \
	"$(ls -d "$TMP"/g1/gate-*)/verdict.json" "$steady"
python3 - "$TMP/lr-base.json" "$TMP/lr-cheaper.json" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
for v in b["variants"]:
    if v["short"] == "linux":
        v["samples"]["getpid"] = [x - 1 for x in v["samples"]["getpid"]]
json.dump(b, open(sys.argv[2], "w"))
PY
gate_vs g2 "$TMP/lr-cheaper.json" 1 \
	"gate --baseline-file: linux's getpid one instruction dearer than its baseline is a regression"
expect "... on that row only, delta +1" \
	python3 -c 'import json, sys
v = json.load(open(sys.argv[1]))
steady = sys.argv[2] == "yes"
ok = ("pass",) if steady else ("pass", "inconclusive")
row = [r for r in v["rows"] if (r["variant"], r["bench"]) == ("linux", "getpid")]
others = [r for r in v["rows"] if (r["variant"], r["bench"]) != ("linux", "getpid")]
sys.exit(len(row) != 1 or row[0]["delta"] != 1 or
         row[0]["verdict"] not in (("regression",) if steady else ("regression", "inconclusive")) or
         not all(r["verdict"] in ok for r in others))' \
	"$(ls -d "$TMP"/g2/gate-*)/verdict.json" "$steady"

# ------------------------------------------------------------ CPU model, verdicts, breakdown
py() { local code=$1; shift; python3 -c "import json,sys; m=json.load(open(sys.argv[1])); $code" "$run/meta.json" "$@"; }
model=$(py 'print(m["linuxref"]["rows"][0]["cpu_model"])')
expect "meta.json: each Linux row has its QEMU CPU model ($model) and how it was chosen" \
	py 'rows = m["linuxref"]["rows"]; assert len(rows) == 2 and all(r["cpu_model"] and r["cpu_model_reason"] for r in rows)'
expect "meta.json: each Linux row has the kernel's vulnerability verdicts (meltdown among them)" \
	py 'rows = m["linuxref"]["rows"]; assert all("meltdown" in r["vulnerabilities"] and len(r["vulnerabilities"]) >= 5 for r in rows)'
v=$(grep '^@K vulnerability meltdown: ' "$run/raw/linux.console" | sed 's/^@K vulnerability meltdown: //')
expect "meta.json's meltdown verdict of linux is its console's ($v)" \
	py "assert m['linuxref']['rows'][0]['vulnerabilities']['meltdown'] == sys.argv[2]" "$v"
expect "linux-nomit's verdicts say mitigations=off (spectre_v2 Vulnerable)" \
	py 'assert m["linuxref"]["rows"][1]["vulnerabilities"]["spectre_v2"].startswith("Vulnerable")'
expect "report.md: the CPU model and verdict table" grep -qF "| meltdown | $v |" "$run/report.md"
bd=$run/raw/linux.breakdown.csv
expect "linux: a breakdown of one traced getpid whose path is loop - empty" \
	awk -F, '$2 == "total" { t = $5 } $2 == "check" { c = $5 } END { exit !(t > 0 && t == c) }' "$bd"
total=$(awk -F, '$2 == "total" { print $5 }' "$bd")
g=$(per_call "$run/raw/linux.samples.csv" getpid)
expect "linux: the traced path ($total) is the matrix figure ($g)" test "$total" = "$g"
expect "linux: the roles add up to the path" \
	awk -F, -v t="$total" '$2 == "role" { s += $5 } END { exit !(s == t) }' "$bd"
expect "linux: entry_SYSCALL_64 is entry assembler" grep -q '^getpid,symbol,"entry_SYSCALL_64",entry-asm,' "$bd"
expect "linux: the getpid body is body" grep -qE '^getpid,symbol,"(__x64_sys_getpid|__do_sys_getpid)",body,' "$bd"
expect "report.md: the Linux rows by role" grep -q '^## Linux rows by function' "$run/report.md"
expect "report.md: next to the nearest preset" \
	grep -qE '^\| role \| `linux` \| `linux-nomit` \| `[a-z]+` \(linux-' "$run/report.md"
expect "report.md: linux's total is its path" grep -qF "| **total** | **$total** |" "$run/report.md"
expect "report.md: what the preset does not model" grep -q '^What the preset .* does not model' "$run/report.md"
for s in linux linux-nomit; do
	src=$(source_of $s)
	expect "$s: its breakdown traced in the row's boot and kept ($src)" \
		like "$src" "traced in this run's boot of the row; kept in $C/*"
	expect "$s: one stored file of this key" test "$(files $s | wc -l)" = 1
done
expect "linux: the kernel's symbols crossed the record protocol" \
	grep -q '^@K ksyms count=' "$run/raw/linux.console"
live_linux=$total
live_nomit=$(total_of linux-nomit)

# ------------------------------------------------------------ stored breakdowns: cut, contradicted
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
	grep -qF "linux: the stored breakdown's getpid path ($((live_linux - 1)) instructions, $fl) is not this run's loop - empty ($live_linux): tracing again" "$TMP/err"
src=$(source_of linux-nomit)
expect "linux-nomit: traced in its row's boot ($src)" like "$src" "traced in this run's boot*"
src=$(source_of linux)
expect "linux: traced again in a boot of its own, and says why ($src)" \
	like "$src" "traced again in this run: the stored path ($((live_linux - 1))) was not this run's loop - empty ($live_linux)*"
expect "linux: the real path in raw/ and report.md ($live_linux)" \
	sh -c "[ '$(total_of linux)' = '$live_linux' ] && grep -qF '| **total** | **$live_linux** | **$live_nomit** |' '$R/latest/report.md'"
expect "the trace boot's scratch directory is gone" test ! -e "$R/latest/raw/linux.retrace"
expect "both files whole again" sh -c "tail -1 '$fl' | grep -qx '# end' && tail -1 '$fn' | grep -qx '# end'"

# ------------------------------------------------------------ stored and checked; hidden symbols
# linux-nomit's /init hides the kernel's addresses (kptr_restrict=2, a real
# kernel path; another command line, so another key): its row runs, and its
# breakdown says why it has no symbols
expect_status 0 "third run (linux stored, linux-nomit with kptr_restrict=2)" \
	mx --append-for linux-nomit=el.kptr_restrict=2
run=$R/latest
src=$(source_of linux)
expect "linux: the stored breakdown, checked against this run ($src)" \
	like "$src" "stored by an earlier run ($fl: *); checked: this run's median loop - empty $live_linux = the stored path's $live_linux"
expect "linux: report.md says where it came from" grep -qF -- "- \`linux\`: stored by an earlier run" "$run/report.md"
expect "linux: no kernel symbols crossed the record protocol" sh -c "! grep -q '^@K s ' '$run/raw/linux.console'"
expect "linux: report.md's total is its path" grep -qF "| **total** | **$live_linux** |" "$run/report.md"
expect "linux-nomit (kptr_restrict=2): the row ran" grep -qx status=pass "$run/raw/linux-nomit.result"
expect "linux-nomit: its breakdown says why it has no symbols" \
	grep -q 'every address reads 0 (kptr_restrict=2)' "$run/raw/linux-nomit.breakdown.csv"
expect "linux-nomit: report.md says it" grep -q 'linux-nomit`: no kernel symbols: every address reads 0' "$run/report.md"
expect "linux-nomit: nothing stored for a breakdown without symbols" \
	test -z "$(grep -l 'el.kptr_restrict=2' $C/*.csv 2>/dev/null)"

# ------------------------------------------------------------ unknown CPU model
expect_status 2 "matrix --linux-cpu with a model QEMU does not have is a usage error" \
	"$EL" matrix --variants floor --linux-cpu NoSuchCPU --results-dir "$TMP/none" --no-plots
expect "the error is one line" test "$(wc -l <"$TMP/err")" = 1
expect "it names the model" grep -q "unknown CPU model 'NoSuchCPU'" "$TMP/err"
expect "it lists QEMU's models (EPYC-Milan and max among them)" \
	sh -c "grep -q ' EPYC-Milan ' '$TMP/err' && grep -q ' max' '$TMP/err'"
expect "nothing was written for it" test ! -e "$TMP/none"
expect "no 'not a combination of the axes' warning for them" \
	sh -c "! grep -q 'linux is not a combination' '$run/report.md'"
finish
