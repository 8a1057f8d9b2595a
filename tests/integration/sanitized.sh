#!/usr/bin/env bash
# sanitized.sh — every command of the harness once through the ASan+UBSan
# build (build/host/entrylab-san, the Makefile's SAN_FLAGS: the first
# finding aborts): the matrix (with plots), analyze, baseline save, the gate
# in both forms (against a baseline; between two built trees, which runs
# the interleaved rounds), trace, pathlen and merge.  The unit tests run under the
# sanitizers too, but never reach these paths end to end (the gate called
# memcpy(NULL, NULL, 0) on every run for an unavailable benchmark).
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

SAN=build/host/entrylab-san
if [ ! -x "$SAN" ]; then
	fail "$SAN not built: make build/host/entrylab-san"
	finish
	exit
fi
export ASAN_OPTIONS=abort_on_error=0:detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1
R=$TMP/results
clean() {   # clean WHAT: the command's stderr holds no sanitizer report
	if grep -Eq 'runtime error:|ERROR: (Address|Leak)Sanitizer' "$TMP/err"; then
		fail "$1: sanitizer report: $(grep -Em1 'runtime error:|ERROR: (Address|Leak)Sanitizer' "$TMP/err")"
	else
		ok "$1: no sanitizer report"
	fi
}

expect_status 0 "matrix (pcsa, fsac, floor; plots)" \
	"$SAN" matrix --variants pcsa,fsac,floor --no-linux --samples 3 --results-dir "$R"
clean matrix
run=$(readlink -f "$R/latest")
expect_status 0 "analyze the run again" "$SAN" analyze "$run"
clean analyze
expect_status 0 "baseline save" "$SAN" baseline save --run "$run" --out "$TMP/base.json"
clean "baseline save"
expect_status 0 "gate --baseline-file (the run against itself)" \
	"$SAN" gate --baseline-file "$TMP/base.json" --run "$run" --results-dir "$R"
clean "gate --baseline-file"
expect_status 0 "gate between two built trees (head == base)" \
	"$SAN" gate --base-tree . --head-tree . --variants pcsa,floor --bench getpid,iopl \
	--samples 2 --results-dir "$R"
clean "gate --base-tree/--head-tree"
expect_status 0 "trace pcsa getpid" "$SAN" trace pcsa getpid
clean trace
expect_status 0 "trace --diff pcsa fsac getpid" "$SAN" trace --diff pcsa fsac getpid
clean "trace --diff"
expect_status 0 "pathlen" "$SAN" pathlen
clean pathlen
"$SAN" matrix --variants pcsa,floor --bench getpid --no-linux --samples 2 --no-plots \
	--results-dir "$R" --run-id second >/dev/null 2>&1
expect_status 0 "merge of two runs (plots)" "$SAN" merge --out "$TMP/merged" "$run" "$R/second"
clean merge
expect_status 2 "merge of one run twice (refused)" "$SAN" merge --out "$TMP/m2" "$run" "$run"
clean "merge refused"
finish
