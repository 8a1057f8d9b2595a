#!/usr/bin/env bash
# gate.sh — integration test of the merge gate (`entrylab gate`,
# `entrylab baseline save`) on a throw-away clone of this repository, under
# tcg-icount, restricted to 3 variants x 2 benchmarks with 2 samples.
#
#   (a) a head commit that adds one nop to FIXUP_TOP_OF_STACK (rsp=cached)
#       fails exactly the predicted paths and passes the others, and the
#       verdict says where the extra instruction is;
#   (b) head == base (the working tree, built in place) passes;
#   (c) a base revision that does not exist: exit 2, nothing written;
#   (d) a corrupt baseline file or thresholds file: exit 2, earlier results
#       untouched;
#   (e) baseline save, then gate --baseline-file on the unchanged tree: pass;
#   (f) SIGINT during the build: exit 130, worktrees and temp files gone.
#
# Usage: tests/integration/gate.sh   (from any checkout; needs 'make' first)
# Last line "N passed, N failed"; exit status 0 only if all passed.
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(git rev-parse --show-toplevel) || exit 1
. tests/integration/lib.sh
case "$EL" in /*) ;; *) EL=$ROOT/$EL ;; esac

VARIANTS=pcsa,pssa,fcsa
BENCH=getpid,iopl
# The nop goes into the rsp=cached definition of FIXUP_TOP_OF_STACK, used
# only where a slow path completes the frame.  getpid is the fast path
# (never); iopl completes the frame in its stub under ptregs=partial (pcsa),
# needs nothing under ptregs=full (fcsa), and rsp=stored (pssa) has an empty
# FIXUP_TOP_OF_STACK.  So exactly one path gains one instruction:
PREDICTED="pcsa iopl"
CLONE=$TMP/clone
RES=$TMP/results
export TMPDIR=$TMP/tmp
mkdir -p "$TMPDIR" "$RES"
# Every gate here builds through ccache (lib.sh, CCACHE): they build the
# same sources again and again (HEAD in (a), (b) and the clone's working
# tree; HEAD~1 differs from it in one header).  (f) interrupts a build,
# which starts with make as ever.
[ ${#CCACHE[@]} = 0 ] || export "${CCACHE[@]}"

if [ ! -x "$EL" ]; then
	fail "harness $EL not built: run 'make'"
	finish
	exit
fi
git clone -q "$ROOT" "$CLONE" || { fail "git clone $ROOT"; finish; exit; }
gate() { (cd "$CLONE" && "$EL" gate "$@"); }
snapshot() { (cd "$RES" && find . -type f -o -type l | sort | xargs -r md5sum 2>/dev/null); }
verdict_of() { ls -d "$RES"/gate-* 2>/dev/null | sort | tail -1; }
# "variant bench" of every table row whose verdict matches $2, sorted
rows() { awk -F'|' -v want="$2" 'NF > 8 && $9 ~ want && $2 !~ /variant|---/ {
	gsub(/ /, "", $2); gsub(/ /, "", $3); print $2, $3 }' "$1" | sort; }
worktrees() { git -C "$CLONE" worktree list | wc -l; }

# ---------------------------------------------------------------- (c)
before=$(snapshot)
expect_status 2 "(c) a base revision that does not exist" \
	gate --base no-such-revision-xyz --variants $VARIANTS --bench $BENCH --results-dir "$RES"
expect "(c) the error names the revision" grep -q "no-such-revision-xyz" "$TMP/err"
expect "(c) nothing written under the results" test "$before" = "$(snapshot)"

# vj FILE EXPR: EXPR over verdict.json's document v, printed (python3)
vj() { python3 -c 'import json, sys; v = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }

# ---------------------------------------------------------------- (a)
hdr=$CLONE/kernels/entry_variant.h
first=$(grep -n '^\.macro FIXUP_TOP_OF_STACK' "$hdr" | head -1 | cut -d: -f1)
cached=$(grep -n '^#ifdef RSP_CACHED' "$hdr" | head -1 | cut -d: -f1)
other=$(grep -n '^#else' "$hdr" | awk -F: -v c="${cached:-0}" '$1 > c { print $1; exit }')
if [ -z "$first" ] || [ -z "$cached" ] || [ -z "$other" ] || [ "$first" -lt "$cached" ] ||
   [ "$first" -gt "$other" ]; then
	fail "(a) kernels/entry_variant.h changed shape: the first FIXUP_TOP_OF_STACK is not the rsp=cached one; update this test's prediction"
else
	sed -i "${first}a\\	nop" "$hdr"
	git -C "$CLONE" -c user.name=gate-test -c user.email=gate-test@localhost \
		commit -qam "gate test: one nop in FIXUP_TOP_OF_STACK (rsp=cached)"
	expect_status 1 "(a) one added instruction: regression" \
		gate --base HEAD~1 --head HEAD --variants $VARIANTS --bench $BENCH --samples 2 \
		--results-dir "$RES"
	dir=$(verdict_of)
	if [ -n "$dir" ] && [ -f "$dir/verdict.md" ]; then
		got=$(rows "$dir/verdict.md" regression | tr '\n' ';')
		expect "(a) failing paths = {$PREDICTED} (got {$got})" test "$got" = "$PREDICTED;"
		npass=$(rows "$dir/verdict.md" '^ *pass *$' | wc -l)
		expect "(a) the other 5 paths pass (got $npass)" test "$npass" = 5
		expect "(a) the verdict names the symbol with the extra instruction" \
			grep -Eq '^- `[A-Za-z_0-9.]+`: [0-9]+ -> [0-9]+ \(\+1\)$' "$dir/verdict.md"
		expect "(a) verdict printed on stdout too" grep -q "entrylab gate: FAIL" "$TMP/out"
		jgot=$(vj "$dir/verdict.json" "';'.join(sorted(r['variant'] + ' ' + r['bench'] for r in v['rows'] if r['verdict'] == 'regression'))")
		expect "(a) verdict.json: the same regressions (got {$jgot})" test "$jgot;" = "$got"
		expect "(a) verdict.json: fail, exit status 1, 5 pass" test \
			"$(vj "$dir/verdict.json" "(v['verdict'], v['exit_status'], v['counts']['pass'])")" = "('fail', 1, 5)"
		expect "(a) verdict.json: the regression's delta is +1 instruction and names the symbol" test \
			"$(vj "$dir/verdict.json" "[(r['delta'], '(+1)' in r['explain']) for r in v['rows'] if r['verdict'] == 'regression'][0]")" = "(1.0, True)"
		expect "(a) raw files of both sides kept" \
			test -s "$dir/base/round-1/raw/pcsa.samples.csv" -a -s "$dir/head/round-1/raw/pcsa.result"
	else
		fail "(a) no verdict.md under $RES"
	fi
	expect "(a) worktrees removed" test "$(worktrees)" = 1
fi

# ---------------------------------------------------------------- (b)
expect_status 0 "(b) head (the working tree, built in place) == base HEAD: pass" \
	gate --base HEAD --variants $VARIANTS --bench $BENCH --samples 2 --results-dir "$RES"
expect "(b) every row passes" grep -q "6 rows: 6 pass" "$(verdict_of)/verdict.md"
expect "(b) verdict.json: pass, exit status 0, 6 rows of delta 0" test \
	"$(vj "$(verdict_of)/verdict.json" "(v['verdict'], v['exit_status'], len(v['rows']), set(r['delta'] for r in v['rows']))")" = "('pass', 0, 6, {0.0})"
expect "(b) worktrees removed" test "$(worktrees)" = 1

# ---------------------------------------------------------------- (e)
M=$RES/matrix
matrix() { (cd "$CLONE" && "$EL" matrix --variants $VARIANTS --bench $BENCH --samples 2 \
	--results-dir "$M" --no-plots >/dev/null 2>&1); }
expect "(e) a matrix run to save" matrix
expect_status 0 "(e) baseline save" "$EL" baseline save --run "$M/latest" --out "$M/base.json"
expect "(e) the baseline holds the samples and the summary" \
	grep -q '"format": "entrylab-baseline"' "$M/base.json"
expect "(e) a second matrix run" matrix
expect_status 0 "(e) gate --baseline-file on the unchanged tree: pass" \
	gate --baseline-file "$M/base.json" --results-dir "$M"
expect "(e) it compared all 6 paths" grep -q "6 rows: 6 pass" "$TMP/out"

# ---------------------------------------------------------------- (d)
head -c 300 "$M/base.json" >"$TMP/truncated.json"
printf 'getpid instructions 0 -\nfork tsc 1 -\n' >"$TMP/bad.conf"
before=$(snapshot)
expect_status 2 "(d) a truncated baseline file" gate --baseline-file "$TMP/truncated.json" --results-dir "$M"
expect "(d) the error names the file" grep -q "truncated.json" "$TMP/err"
expect_status 2 "(d) a thresholds file with an unknown benchmark" \
	gate --baseline-file "$M/base.json" --results-dir "$M" --thresholds "$TMP/bad.conf"
expect "(d) the error names file:line" grep -q "bad.conf:2:" "$TMP/err"
expect "(d) earlier results untouched" test "$before" = "$(snapshot)"

# ---------------------------------------------------------------- (f)
(cd "$CLONE" && exec "$EL" gate --base HEAD~1 --head HEAD --variants $VARIANTS --bench $BENCH \
	--samples 2 --results-dir "$RES") >"$TMP/f.out" 2>"$TMP/f.err" &
pid=$!
for _ in $(seq 1 100); do   # until the build of a worktree is under way
	ls "$TMPDIR"/entrylab-gate.*/build-*.log >/dev/null 2>&1 && break
	sleep 0.05
done
kill -INT "$pid"
wait "$pid"
st=$?
expect "(f) SIGINT: exit 130 (got $st)" test "$st" = 130
expect "(f) worktrees removed" test "$(worktrees)" = 1
expect "(f) temporary directory removed" test -z "$(ls -d "$TMPDIR"/entrylab-gate.* 2>/dev/null)"

finish
