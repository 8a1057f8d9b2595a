#!/usr/bin/env bash
# run-all.sh — every integration test script in this directory (each ends
# with "N passed, N failed"), and the unit test programs given as
# arguments; totals the scripts' checks and fails if anything failed.
#
#   tests/integration/run-all.sh [UNIT_TEST_PROGRAM...]
#
# EL_TEST_JOBS jobs run at once (default: the number of processors): each
# script is one job, the unit test programs together are one more.  A
# job's output goes to a file of its own and is printed whole when the job
# ends, headed "== NAME" and followed by "# NAME: N s" (that job's own wall
# time; with several jobs at once these overlap) and, on a failure,
# "FAILED: NAME (exit N)".  Jobs start longest first, by the times the last
# run in this checkout recorded in build/test-times.tsv (a job never timed
# there first: the unit tests, then the scripts by name); that file only
# orders the jobs, it decides nothing.  A script whose checks depend on
# the machine's load (boots with a fixed limit that take a large part of
# it on a busy machine) says "# run-all: alone" on a line of its own: it
# runs before the others, with nothing beside it.
# The last lines: "# wall time: N s, J jobs at once" and
# "integration: N passed, N failed" (the scripts' checks; CI reads it).
set -u
cd "$(dirname "$0")/../.."
JOBS=${EL_TEST_JOBS:-$(nproc)}
case "$JOBS" in
''|*[!0-9]*|0) echo "run-all.sh: EL_TEST_JOBS='$JOBS': give a positive number of jobs" >&2; exit 2 ;;
esac
export EL_TEST_JOBS=$JOBS   # a script may size its own parallelism by it (fuzz.sh)
W=$(mktemp -d /tmp/entrylab-runall.XXXXXX) || exit 2
trap 'rm -rf "$W"' EXIT
TIMES=build/test-times.tsv
UNIT=("$@")

# one job: its output into $W/N.out, then "STATUS SECONDS" into $W/N.done
# (N: the job's number in NAMES)
unit_tests() {
	local t st bad=0
	for t in "${UNIT[@]}"; do
		echo "== $t"
		"$t"; st=$?
		[ "$st" = 0 ] || { bad=1; echo "FAILED: $t (exit $st)"; }
	done
	return "$bad"
}
start() {
	local i=$1 name=${NAMES[$1]}
	(
		t0=$(date +%s)
		if [ "$name" = "unit tests" ]; then unit_tests; else bash "$name"; fi >"$W/$i.out" 2>&1
		st=$?
		echo "$st $(( $(date +%s) - t0 ))" >"$W/$i.done.tmp" && mv "$W/$i.done.tmp" "$W/$i.done"
	) &
}

# the jobs: those that run alone first, then the longest recorded time
# first (never timed: first, the unit tests, then the scripts by name)
alone() { [ "$1" != "unit tests" ] && grep -q '^# run-all: alone' "$1"; }
NAMES=()
[ ${#UNIT[@]} -gt 0 ] && NAMES+=("unit tests")
for t in tests/integration/*.sh; do
	case "$t" in */lib.sh|*/run-all.sh) continue ;; esac
	NAMES+=("$t")
done
mapfile -t NAMES < <(for n in "${NAMES[@]}"; do
	s=$(awk -F'\t' -v n="$n" '$1 == n { s = $2 } END { print s == "" ? 999999 : s }' "$TIMES" 2>/dev/null)
	a=1; alone "$n" && a=0
	printf '%s\t%s\t%s\n' "$a" "${s:-999999}" "$n"
done | sort -s -t "$(printf '\t')" -k1,1n -k2,2nr | cut -f3-)

total_pass=0 total_fail=0 bad=0 next=0 running=0 reported=0
t_all=$(date +%s)
: >"$W/times"
report() {  # report I: job I's output, whole, and its verdict
	local i=$1 name=${NAMES[$1]} st secs line p f
	read -r st secs <"$W/$i.done"
	echo "== $name"
	echo "# $name: $secs s"
	printf '%s\t%s\n' "$name" "$secs" >>"$W/times"
	if [ "$name" = "unit tests" ]; then
		cat "$W/$i.out"
		[ "$st" = 0 ] || { bad=$((bad + 1)); echo "FAILED: unit tests (exit $st)"; }
		return
	fi
	grep -v '^ok - ' "$W/$i.out"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$W/$i.out" | tail -1)
	p=$(echo "$line" | awk '{ print $1 }'); f=$(echo "$line" | awk '{ print $3 }')
	total_pass=$((total_pass + ${p:-0})); total_fail=$((total_fail + ${f:-0}))
	if [ "$st" != 0 ] || [ -z "$line" ]; then bad=$((bad + 1)); echo "FAILED: $name (exit $st)"; fi
}
declare -A done_=()
solo=0   # 1 while a job that runs alone runs
while [ "$reported" -lt ${#NAMES[@]} ]; do
	while [ "$solo" = 0 ] && [ "$running" -lt "$JOBS" ] && [ "$next" -lt ${#NAMES[@]} ]; do
		if alone "${NAMES[$next]}"; then
			[ "$running" = 0 ] || break
			solo=1
		fi
		start "$next"; next=$((next + 1)); running=$((running + 1))
	done
	wait -n 2>/dev/null
	if [ $? = 127 ]; then   # no job left alive: one that died before its verdict failed
		for ((i = 0; i < next; i++)); do
			[ -e "$W/$i.done" ] || echo "137 ?" >"$W/$i.done"
		done
	fi
	for ((i = 0; i < next; i++)); do
		if [ -z "${done_[$i]:-}" ] && [ -e "$W/$i.done" ]; then
			done_[$i]=1; report "$i"; running=$((running - 1)); reported=$((reported + 1))
			[ "$running" = 0 ] && solo=0
		fi
	done
done
wait
# the times of this run, for the next one's order (written whole, then renamed)
if [ -d build ]; then
	cp "$W/times" "$TIMES.tmp.$$" 2>/dev/null && mv "$TIMES.tmp.$$" "$TIMES" 2>/dev/null
fi
echo "# wall time: $(( $(date +%s) - t_all )) s, $JOBS jobs at once"
echo "integration: $total_pass passed, $total_fail failed"
[ "$bad" = 0 ]
