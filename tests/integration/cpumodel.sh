#!/usr/bin/env bash
# cpumodel.sh — --cpu-model picks the guest's CPU (QEMU -cpu under
# tcg-icount) and the guest reports what it saw (the @M record; real
# kernels, real QEMU; assumes `make` has been run).  An unknown model is
# status 2 with one line naming where the list is, before anything boots;
# an Intel model makes the kernel call the CPU Meltdown- and MDS-affected,
# EPYC (family 0x17) retbleed-affected, the default max (AMD family 0xf)
# none of them; the matrix records the model in meta.json.
# Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/integration/lib.sh

for f in "$EL" build/kernels/pcsa.elf; do
	[ -f "$f" ] || { fail "$f exists (run 'make' first)"; finish; exit 1; }
done
field() { sed -n "s/^$2=//p" "$TMP/$1/pcsa.result"; }
boot() {  # boot DIR [--cpu-model M]
	local d=$1; shift
	"$EL" run --image build/kernels/pcsa.elf --name pcsa --out "$TMP/$d" --bench getpid \
		--samples 2 "$@" >"$TMP/$d.out" 2>"$TMP/$d.err"
}

boot bad --cpu-model No-Such-Cpu
rc=$?
expect "unknown model: status 2 (got $rc)" [ "$rc" = 2 ]
expect "unknown model: one line naming the model and 'qemu-system-x86_64 -cpu help'" \
	sh -c "[ \$(wc -l <'$TMP/bad.err') = 1 ] && grep -q 'No-Such-Cpu.*-cpu help' '$TMP/bad.err'"
expect "unknown model: nothing booted" [ ! -e "$TMP/bad/pcsa.result" ]

boot max
expect "default: status 0" [ "$(field max status)" = pass ]
expect "default: cpu_model=max, no Meltdown, no MDS" \
	[ "$(field max cpu_model)/$(field max bug_meltdown)/$(field max bug_mds)" = max/0/0 ]
expect "default: pti and spec off, nothing live" \
	[ "$(field max mitig_pti)/$(field max mitig_live)" = off/none ]

boot sky --cpu-model Skylake-Client-IBRS
expect "Skylake-Client-IBRS: passes" [ "$(field sky status)" = pass ]
expect "Skylake-Client-IBRS: GenuineIntel in @H" grep -q '^cpu=GenuineIntel/6/94/' "$TMP/sky/pcsa.result"
expect "Skylake-Client-IBRS: Meltdown, MDS and retbleed affected" \
	[ "$(field sky bug_meltdown)$(field sky bug_mds)$(field sky bug_retbleed)" = 111 ]

boot epyc --cpu-model EPYC
expect "EPYC: retbleed affected, no Meltdown or MDS" \
	[ "$(field epyc bug_retbleed)$(field epyc bug_meltdown)$(field epyc bug_mds)" = 100 ]

R=$TMP/results
"$EL" matrix --variants pcsa --bench getpid --samples 2 --mode tcg --no-plots --no-linux \
	--results-dir "$R" --cpu-model Bogus >"$TMP/m.out" 2>"$TMP/m.err"
rc=$?
expect "matrix, unknown model: status 2 (got $rc)" [ "$rc" = 2 ]
expect "matrix, unknown model: no results directory" [ ! -e "$R" ]
"$EL" matrix --variants pcsa --bench getpid --samples 2 --mode tcg --no-plots --no-linux \
	--results-dir "$R" --cpu-model EPYC >"$TMP/m.out" 2>"$TMP/m.err"
rc=$?
expect "matrix --cpu-model EPYC: status 0 (got $rc)" [ "$rc" = 0 ]
expect "meta.json guest_cpu: model EPYC and the run's CPUID facts" python3 -c "
import json, sys
g = json.load(open('$R/latest/meta.json'))['guest_cpu']
sys.exit(not (g['model'] == 'EPYC' and g['runs']['pcsa']['bug_retbleed'] == '1'))"
expect "report.md: the guest CPU section names EPYC" grep -q 'QEMU CPU model \*\*EPYC\*\*' "$R/latest/report.md"
finish
