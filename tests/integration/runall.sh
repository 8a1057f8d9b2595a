#!/usr/bin/env bash
# runall.sh — tests/integration/run-all.sh itself, on a tree of its own
# (a copy of run-all.sh beside made-up scripts in $TMP): jobs run at once
# (two scripts that each wait for the other's mark both pass), a script
# marked "# run-all: alone" runs with nothing beside it, each job's output
# comes out whole under its name, the totals and the failures (a failed
# check, a script without its summary line, a failing unit test program)
# are counted and named, the times are kept for the next run, and a bad
# EL_TEST_JOBS is status 2 in one line.  Waits are for files, never for
# time, up to 60 s each.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

T=$TMP/tree
mkdir -p "$T/tests/integration" "$T/build" "$T/marks"
cp tests/integration/run-all.sh "$T/tests/integration/"
: >"$T/tests/integration/lib.sh"
# script NAME BODY: a made-up test script; every one marks itself running
script() {
	printf '#!/usr/bin/env bash\n%s\ntouch %s/%s.running\n%s\nrm -f %s/%s.running\n' \
		"${3:-}" "$T/marks" "$1" "$2" "$T/marks" "$1" >"$T/tests/integration/$1.sh"
}
waitfor() { printf 'for _ in $(seq 600); do [ -e %s ] && break; sleep 0.1; done; [ -e %s ]' "$1" "$1"; }
# a and b: each waits for the other's mark, so both pass only side by side;
# their lines come out with a wait between them, which jobs printing as
# they go would interleave
script a "echo 'ok - a1'; touch $T/marks/a; $(waitfor "$T/marks/b") && echo 'ok - a sees b' || echo 'not ok - a sees b'
echo 'a line 2'; sleep 0.3; echo 'a line 3'; echo '2 passed, 0 failed'"
script b "echo 'ok - b1'; touch $T/marks/b; $(waitfor "$T/marks/a") && echo 'ok - b sees a' || echo 'not ok - b sees a'
echo 'b line 2'; sleep 0.3; echo 'b line 3'; echo '2 passed, 0 failed'"
# alone: nothing else running at its start or its end
script solo "others() { ls $T/marks | grep -v '^solo' | grep '\\.running\$'; }
[ -z \"\$(others)\" ] && echo 'ok - alone at start' || echo \"not ok - alone at start: \$(others)\"
sleep 0.5
[ -z \"\$(others)\" ] && echo 'ok - alone at end' || echo \"not ok - alone at end: \$(others)\"
echo '2 passed, 0 failed'" "# run-all: alone"
script bad "echo 'ok - one'; echo 'not ok - two'; echo '1 passed, 1 failed'; exit 1"
script nosummary "echo 'ok - but no summary line'"
printf '#!/bin/sh\necho "unit one ran"\n' >"$T/u1"
printf '#!/bin/sh\necho "unit two ran"\nexit 4\n' >"$T/u2"
chmod +x "$T/u1" "$T/u2"

( cd "$T" && EL_TEST_JOBS=2 bash tests/integration/run-all.sh ./u1 ./u2 ) >"$TMP/run1" 2>&1
st=$?
O=$TMP/run1
expect "a failing run: exit 1 (got $st)" test "$st" = 1
expect "jobs ran at once: a and b each saw the other's mark" \
	sh -c "grep -qx 'not ok - a sees b' '$O' || grep -qx 'not ok - b sees a' '$O' && exit 1; exit 0"
expect "a job marked alone ran with nothing beside it" \
	sh -c "! grep -q '^not ok - alone' '$O'"
block() { awk -v h="== $1" '$0 == h { on = 1; print; next } /^== tests\/|^== unit tests$|^# wall time/ { on = 0 } on' "$O"; }
for j in a b; do
	expect "$j's output whole under its name, in its order" \
		test "$(block "tests/integration/$j.sh" | grep -v '^ok - ' | sed 's/[0-9]* s$/N s/')" = \
		"== tests/integration/$j.sh
# tests/integration/$j.sh: N s
$j line 2
$j line 3
2 passed, 0 failed"
done
expect "the failing script is named with its status" grep -qx 'FAILED: tests/integration/bad.sh (exit 1)' "$O"
expect "a script without its summary line fails, named" \
	grep -qx 'FAILED: tests/integration/nosummary.sh (exit 0)' "$O"
expect "the unit test programs: both ran, the failing one named" \
	sh -c "grep -qx 'unit one ran' '$O' && grep -qx 'unit two ran' '$O' &&
	       grep -qx 'FAILED: ./u2 (exit 4)' '$O' && grep -qx 'FAILED: unit tests (exit 1)' '$O'"
expect "the totals add the scripts' checks" test "$(tail -1 "$O")" = "integration: 7 passed, 1 failed"
expect "the wall time line before it" grep -qE '^# wall time: [0-9]+ s, 2 jobs at once$' <(tail -2 "$O" | head -1)
expect "every job's time kept for the next run" \
	test "$(cut -f1 "$T/build/test-times.tsv" | sort | paste -sd' ')" = \
	"tests/integration/a.sh tests/integration/b.sh tests/integration/bad.sh tests/integration/nosummary.sh tests/integration/solo.sh unit tests"
expect "the job marked alone ran first" test "$(grep -m1 '^== ' "$O")" = "== tests/integration/solo.sh"

rm -f "$T/tests/integration/bad.sh" "$T/tests/integration/nosummary.sh" "$T"/marks/*
( cd "$T" && EL_TEST_JOBS=2 bash tests/integration/run-all.sh ./u1 ) >"$TMP/run2" 2>&1
st=$?
expect "a passing run: exit 0 (got $st), its totals" \
	test "$st" = 0 -a "$(tail -1 "$TMP/run2")" = "integration: 6 passed, 0 failed"
for j in 0 x -1; do
	expect_status 2 "EL_TEST_JOBS=$j: status 2" env -C "$T" EL_TEST_JOBS=$j bash tests/integration/run-all.sh
	expect "... in one line naming it" \
		sh -c "[ \$(wc -l <'$TMP/err') = 1 ] && grep -q \"EL_TEST_JOBS='$j'\" '$TMP/err' && [ ! -s '$TMP/out' ]"
done
finish
