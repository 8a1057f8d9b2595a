#!/usr/bin/env bash
# skipped.sh — a guest that skips the work it was asked for never passes
# (real kernels, real QEMU; assumes `make` has been run).  Each el.run=
# override through --append-for makes pcsa deliver less than the matrix
# asked: no TAP plan, or no benchmark.  The matrix must fail that variant
# and exit 1, and a gate against a baseline must not pass it.
# Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/integration/lib.sh

TAG=skip$$
R=$TMP/results
for f in "$EL" build/kernels/pcsa.elf build/kernels/floor.elf; do
	[ -f "$f" ] || { fail "$f exists (run 'make' first)"; finish; exit 1; }
done
matrix() {  # matrix PCSA_APPEND: pcsa and floor, 2 samples, getpid and iopl
	"$EL" matrix --variants pcsa,floor --bench getpid,iopl --samples 2 --mode tcg --no-plots \
		--no-linux --results-dir "$R" --append-for "floor=el.tag=$TAG" \
		--append-for "pcsa=$1 el.tag=$TAG" >"$TMP/m.out" 2>"$TMP/m.err"
}
field() { sed -n "s/^$2=//p" "$R/latest/raw/$1.result"; }

matrix ""
rc=$?
expect "healthy matrix: exit 0 (got $rc)" [ "$rc" = 0 ]
expect "healthy matrix: pcsa passes" [ "$(field pcsa status)" = pass ]
expect_status 0 "baseline save of the healthy run" "$EL" baseline save --run "$R/latest" --out "$TMP/base.json"

for run in none probe trace conform bench; do
	matrix "el.run=$run"
	rc=$?
	expect "el.run=$run: the matrix exits 1 (got $rc)" [ "$rc" = 1 ]
	expect "el.run=$run: pcsa is not a pass ($(field pcsa status): $(field pcsa error | cut -c1-90))" \
		[ "$(field pcsa status)" = protocol ]
	expect "el.run=$run: floor still passes" [ "$(field floor status)" = pass ]
done
expect "el.run=bench: the error says conformance was skipped" \
	grep -q '^error=no conformance run: the guest sent no TAP plan' "$R/latest/raw/pcsa.result"
expect_status 1 "gate --baseline-file against the el.run=bench run: not a pass" \
	"$EL" gate --baseline-file "$TMP/base.json" --run "$R/latest" --results-dir "$TMP/g"
matrix "el.run=conform"
expect "el.run=conform: the error names the missing benchmark" \
	grep -q '^error=benchmark getpid was asked for but neither measured' "$R/latest/raw/pcsa.result"
finish
