#!/bin/sh
# run-one.sh NAME SECONDS — one libFuzzer target (fuzz/fuzz.mk calls it).
#
# 1. Replays every seed in tests/fuzz/corpus/NAME/ and every reproducer in
#    tests/fuzz/crashes/NAME/ (regression cases: each must run clean).
# 2. Fuzzes for SECONDS, starting from the seeds and from what earlier runs
#    found (build/fuzz/work/NAME/); a crash leaves its input in
#    build/fuzz/artifacts/NAME/.
# Prints one line "fuzz NAME: ..." with the executions and the outcome;
# exit status 0 only when nothing crashed.  Environment: FUZZ_DIR (build
# directory of the targets), FUZZ_RUN_FLAGS (libFuzzer flags).
set -u
name=$1 secs=$2
dir=${FUZZ_DIR:-build/fuzz}
bin=$dir/fuzz_$name
corpus=tests/fuzz/corpus/$name
crashes=tests/fuzz/crashes/$name
work=$dir/work/$name
art=$dir/artifacts/$name
log=$dir/$name.log.$$      # several test runs may share the build tree
# shellcheck disable=SC2086
flags=${FUZZ_RUN_FLAGS:--close_fd_mask=3 -timeout=10}

mkdir -p "$work" "$art" || exit 2
[ -x "$bin" ] || { echo "fuzz $name: FAILED: $bin not built (make fuzz-build)"; exit 2; }

# 1. regression: seeds and reproducers, each file run once
nseed=0 ncrash=0
set --
for f in "$corpus"/* "$crashes"/*; do
	[ -f "$f" ] || continue
	case "$f" in "$crashes"/*) ncrash=$((ncrash + 1)) ;; *) nseed=$((nseed + 1)) ;; esac
	set -- "$@" "$f"
done
if [ $# -gt 0 ]; then
	# shellcheck disable=SC2086
	if ! "$bin" $flags "$@" >"$log" 2>&1; then
		echo "fuzz $name: FAILED replaying the seeds and reproducers:"
		grep -E 'ERROR|runtime error|Running:' "$log" | tail -5 | sed 's/^/  /'
		exit 1
	fi
fi

# 2. fuzz
# shellcheck disable=SC2086
"$bin" $flags -max_total_time="$secs" -artifact_prefix="$art/" "$work" "$corpus" >"$log" 2>&1
rc=$?
runs=$(sed -n 's/^Done \([0-9]*\) runs in .*/\1/p' "$log" | tail -1)
if [ "$rc" != 0 ] || [ -z "$runs" ]; then
	echo "fuzz $name: FAILED (libFuzzer status $rc) after replaying $nseed seeds and $ncrash reproducers:"
	grep -E 'ERROR|runtime error|SUMMARY|Test unit written' "$log" | head -6 | sed 's/^/  /'
	echo "  full log: $log; fix the parser, then add the input to $crashes/"
	exit 1
fi
rm -f "$log"
echo "fuzz $name: ok, $nseed seeds and $ncrash reproducers replayed, $runs executions in $secs s, no crash"
