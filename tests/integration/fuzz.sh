#!/usr/bin/env bash
# fuzz.sh — `make fuzz-smoke`: every libFuzzer target of fuzz/ (one per
# parser of the harness, under ASan and UBSan) replays its seeds
# (tests/fuzz/corpus/) and every crash reproducer kept as a regression case
# (tests/fuzz/crashes/), then fuzzes for FUZZ_SMOKE_SECONDS (default 2
# here).  One check per target; ends with "N passed, N failed".
# Targets fuzz side by side, one a processor: nproc of them, or
# nproc / EL_TEST_JOBS when run-all.sh runs that many jobs at once (the
# others' jobs take the other processors), so that each target's seconds
# are about one processor's, as when this script runs alone.
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/integration/lib.sh

secs=${FUZZ_SMOKE_SECONDS:-2}
cc=${FUZZ_CC:-clang-14}   # fuzz/fuzz.mk's default
if ! command -v "$cc" >/dev/null; then
	fail "$cc is installed (./run.sh deps installs clang-14 and libclang-rt-14-dev)"
	finish
	exit 1
fi
make -s -j"$(nproc)" fuzz-build >"$TMP/build.log" 2>&1
expect "fuzz targets build" [ $? = 0 ]
[ "$FAILED" = 0 ] || { sed 's/^/# /' "$TMP/build.log" | tail -20; finish; exit 1; }
names=$(ls build/fuzz/ | sed -n 's/^fuzz_\([a-z_]*\)$/\1/p')
jobs=$(( $(nproc) / ${EL_TEST_JOBS:-1} ))
[ "$jobs" -ge 1 ] || jobs=1
make -s -k -j"$jobs" fuzz-smoke FUZZ_SMOKE_SECONDS="$secs" >"$TMP/smoke.log" 2>&1
for n in $names; do
	line=$(grep "^fuzz $n: " "$TMP/smoke.log")
	if echo "$line" | grep -q ': ok, '; then
		ok "$line"
	else
		fail "fuzz $n: ${line:-no result line}"
		grep -A6 "^fuzz $n: " "$TMP/smoke.log" | tail -n +2 | sed 's/^/# /'
	fi
done
expect "every reproducer in tests/fuzz/crashes has a target" \
	[ -z "$(for d in tests/fuzz/crashes/*/; do [ -d "$d" ] && n=$(basename "$d") &&
		[ ! -x "build/fuzz/fuzz_$n" ] && echo "$n"; done)" ]
finish
