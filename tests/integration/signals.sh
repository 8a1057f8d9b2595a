#!/usr/bin/env bash
# signals.sh — every way a run can end cleans up, with real kernels and
# real QEMU (assumes `make` has been run; builds nothing but the gate's
# base worktree):
#   matrix  | true (SIGPIPE), SIGHUP to its process group, SIGKILL of its
#           group while it boots and while it analyses, kill -9 of one
#           `entrylab run` child: no QEMU, run child or gnuplot left, no
#           staging link; the next run removes the staging link a SIGKILL
#           left, names the partial directories dead runs left, and
#           publishes
#   gate    SIGHUP while it builds, SIGKILL while it builds (the next gate
#           removes the dead gate's worktree and temporary directory), and
#           | true after publishing (the verdict's status, one line, no
#           worktree or temporary directory left)
# Each QEMU carries el.tag=<this test's tag>, and every other process of
# this test names $TMP in its arguments, so only this test's are counted.
# The gates run in a clone of this repository of their own, with this
# checkout as the head (--head-tree, built): a gate elsewhere in the
# repository (another test, or someone's work) removes any dead gate's
# worktree it sees, and must not take the one this test leaves to its own
# next gate.
# Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/integration/lib.sh

TAG=sig$$
R=$TMP/results
for f in "$EL" build/kernels/pcsa.elf build/kernels/pssc.elf build/kernels/floor.elf; do
	[ -f "$f" ] || { fail "$f exists (run 'make' first)"; finish; exit 1; }
done
set -m   # each background job leads its own process group, as from a shell

leftovers() { pgrep -f -- "el.tag=$TAG"; pgrep -f -- "$TMP/"; }
# whatever a failed check left: only this test's processes (its worktrees
# are in its clone, under $TMP)
trap 'for p in $(leftovers); do kill -9 "$p"; done 2>/dev/null; rm -rf "$TMP"' EXIT
# leftovers, allowing the kernel a moment to deliver the death signals
none_left() {
	for _ in $(seq 40); do [ -z "$(leftovers)" ] && return 0; sleep 0.05; done
	return 1
}
staging() { find "$R" -maxdepth 1 -type l ! -name latest 2>/dev/null; }
qemu_pids() {
	pgrep -f -- "el.tag=$TAG" | while read -r p; do
		[ "$(cat /proc/"$p"/comm 2>/dev/null)" = qemu-system-x86 ] && echo "$p"; done
}
wait_for() {  # wait_for COMMAND...: up to 10 s for it to print something
	for _ in $(seq 200); do [ -n "$("$@")" ] && return 0; sleep 0.05; done
	return 1
}
# pcsa and floor are healthy; pssc hangs (el.selftest=2) in HANG.  Arrays,
# not functions: the pid of a background job must be entrylab's own.
M=("$EL" matrix --variants pcsa,pssc,floor --samples 2 --mode tcg --jobs 2 --timeout 20
	--no-linux --results-dir "$R" --append-for "pcsa=el.tag=$TAG" --append-for "floor=el.tag=$TAG")
OK=("${M[@]}" --append-for "pssc=el.tag=$TAG")
HANG=("${M[@]}" --append-for "pssc=el.selftest=2 el.tag=$TAG")

# ------------------------------------------------------------ matrix | true
"${OK[@]}" --no-plots 2>"$TMP/pipe.err" | true
rc=${PIPESTATUS[0]}
expect "matrix | true: exit 130 (got $rc)" [ "$rc" = 130 ]
expect "matrix | true: one line naming the broken pipe" \
	[ "$(grep -c 'interrupted by Broken pipe' "$TMP/pipe.err")" = 1 ]
expect "matrix | true: no staging link ($(staging))" [ -z "$(staging)" ]
expect "matrix | true: nothing published" [ ! -e "$R/latest" ]
expect "matrix | true: no process left" none_left

# ------------------------------------------------------------ matrix SIGHUP
"${HANG[@]}" --no-plots >/dev/null 2>"$TMP/hup.err" &
pid=$!
wait_for qemu_pids
kill -HUP -- -"$pid"
wait "$pid"; rc=$?
expect "matrix SIGHUP to its group: exit 130 (got $rc)" [ "$rc" = 130 ]
expect "matrix SIGHUP: one line naming the hangup" [ "$(grep -c 'interrupted by Hangup' "$TMP/hup.err")" = 1 ]
expect "matrix SIGHUP: no staging link" [ -z "$(staging)" ]
expect "matrix SIGHUP: no QEMU or run child left" none_left

# ------------------------------------------------------------ matrix SIGKILL
"${HANG[@]}" --no-plots >/dev/null 2>&1 &
pid=$!
wait_for qemu_pids
q=$(qemu_pids | tr '\n' ' ')
{ kill -KILL -- -"$pid"; wait "$pid"; } 2>/dev/null
expect "matrix SIGKILL of its group while booting: its QEMU ($q) and run children die at once" none_left

# during the analysis (plots make it long enough): the staging link stays
"${OK[@]}" >/dev/null 2>&1 &
pid=$!
seen=""
for _ in $(seq 4000); do
	[ -n "$(staging)" ] && { seen=y; break; }
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.002
done
{ kill -KILL -- -"$pid"; wait "$pid"; } 2>/dev/null
link=$(staging)
expect "matrix SIGKILL during the analysis: it was killed with its staging link in place ($link)" \
	[ -n "$seen" ] && [ -n "$link" ]
expect "matrix SIGKILL during the analysis: no gnuplot, QEMU or run child left" none_left

# the next run cleans up after the dead ones
"${OK[@]}" --no-plots >"$TMP/next.out" 2>"$TMP/next.err"
rc=$?
expect "next matrix: exit 0 (got $rc)" [ "$rc" = 0 ]
expect "next matrix: one line for the removed staging link" \
	[ "$(grep -c "^results: removed ${link:-none} -> " "$TMP/next.err")" = 1 ]
expect "next matrix: no staging link left" [ -z "$(staging)" ]
npart=$(find "$R" -maxdepth 1 -name '.*.partial' | wc -l)
expect "next matrix: one line for each of the $npart partial directories left" \
	[ "$(grep -c '^results: .*\.partial: left by a run that ended without publishing' "$TMP/next.err")" = "$npart" ]
expect "next matrix: published" [ -d "$R/$(readlink "$R/latest")" ]

# ------------------------------------------------------------ kill -9 of one run child
"${HANG[@]}" --no-plots >/dev/null 2>"$TMP/child.err" &
pid=$!
run_of_pssc() { pgrep -f -- "--name pssc --out $R/"; }
wait_for run_of_pssc
child=$(run_of_pssc | head -1)
qemu_of_child() { pgrep -P "${child:-0}"; }
wait_for qemu_of_child
q=$(qemu_of_child)
t0=$(date +%s)
kill -KILL "${child:-0}"
gone=""
for _ in $(seq 40); do
	[ -n "$q" ] && ! kill -0 "$q" 2>/dev/null && { gone=y; break; }
	sleep 0.05
done
expect "kill -9 of the run child of pssc: its QEMU (${q:-not found}) dies at once" [ -n "$gone" ]
wait "$pid"; rc=$?
expect "kill -9 of one run child: the matrix reports a failed variant (exit $rc) within the time limit" \
	[ "$rc" = 1 ] && [ $(($(date +%s) - t0)) -lt 15 ]
expect "kill -9 of one run child: nothing left" none_left

# ------------------------------------------------------------ gate
G=$TMP/gate GT=$TMP/gt CLONE=$TMP/clone
mkdir -p "$GT"
ROOT=$(pwd -P) ELA=$EL
case "$EL" in /*) ;; *) ELA=$ROOT/$EL ;; esac
git clone -q "$ROOT" "$CLONE" || fail "git clone of $ROOT for the gates"
worktrees() { git -C "$CLONE" worktree list --porcelain | grep "^worktree $GT/"; }
GATE=(env -C "$CLONE" TMPDIR="$GT" "$ELA" gate --head-tree "$ROOT" --variants pcsa --samples 2
	--mode tcg --results-dir "$G")
building() { grep -l 'gate: building base' "$TMP/gate.err" 2>/dev/null; }
makes() { pgrep -f -- "make -C $GT/"; }

"${GATE[@]}" --base HEAD >/dev/null 2>"$TMP/gate.err" &
pid=$!
wait_for building && wait_for makes
kill -HUP -- -"$pid"
wait "$pid"; rc=$?
expect "gate SIGHUP while building: exit 130 (got $rc)" [ "$rc" = 130 ]
expect "gate SIGHUP: one line naming the hangup" [ "$(grep -c 'interrupted by Hangup' "$TMP/gate.err")" = 1 ]
expect "gate SIGHUP: no make or other child left" none_left
expect "gate SIGHUP: worktree and temporary directory removed" [ -z "$(worktrees)" ] && [ -z "$(ls -A "$GT")" ]

"${GATE[@]}" --base HEAD >/dev/null 2>"$TMP/gate.err" &
pid=$!
wait_for building && wait_for makes
{ kill -KILL -- -"$pid"; wait "$pid"; } 2>/dev/null
expect "gate SIGKILL while building: make dies with it" none_left
wt=$(worktrees)
expect "gate SIGKILL: it left its worktree (a SIGKILL cannot be caught)" [ -n "$wt" ]
"${GATE[@]}" --base no-such-revision-$$ >/dev/null 2>"$TMP/gate2.err"
rc=$?
expect "next gate: removes the dead gate's worktree, one line" \
	[ "$(grep -c '^gate: removed worktree .* which died' "$TMP/gate2.err")" = 1 ] && [ -z "$(worktrees)" ]
expect "next gate: removes the dead gate's temporary directory, one line" \
	[ "$(grep -c '^gate: removed .*, the temporary directory of gate' "$TMP/gate2.err")" = 1 ] && \
	[ -z "$(ls -A "$GT")" ]
expect "next gate: then fails on its own bad revision (exit $rc)" [ "$rc" = 2 ]

# (its build only has to be done: through ccache, lib.sh)
env "${CCACHE[@]}" "${GATE[@]}" --base HEAD 2>"$TMP/gate.err" | true
rc=${PIPESTATUS[0]}
v=$(ls -d "$G"/gate-* 2>/dev/null | head -1)
expect "gate | true: the verdict is published ($v)" [ -s "$v/verdict.md" ]
expect "gate | true: exit status is the verdict's, 0 (got $rc)" [ "$rc" = 0 ]
expect "gate | true: one line saying it was published" \
	[ "$(grep -c 'interrupted by Broken pipe after publishing: .*verdict.md is complete' "$TMP/gate.err")" = 1 ]
expect "gate | true: worktree and temporary directory removed" [ -z "$(worktrees)" ] && [ -z "$(ls -A "$GT")" ]
expect "gate | true: nothing left" none_left

finish
