#!/usr/bin/env bash
# writes.sh — no failed write is published as a success (real kernels and
# QEMU; assumes `make` has been run; needs root to mount a tmpfs).  A
# matrix runs on tmpfs file systems with room for ever fewer inodes, so
# that each file of the run in turn is the one that cannot be written.
# Whatever fails, the outcome must be one of two: exit 0 with the run
# complete (summary.csv, summary.json, report.md, and meta.json with its
# analysis and failed-variant list) and published, or a non-zero exit with
# nothing published and latest not made.  Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/integration/lib.sh

TAG=wr$$
M=$TMP/small
trap 'umount "$M" 2>/dev/null; rm -rf "$TMP"' EXIT
for f in "$EL" build/kernels/pcsa.elf build/kernels/floor.elf; do
	[ -f "$f" ] || { fail "$f exists (run 'make' first)"; finish; exit 1; }
done
mkdir -p "$M"
mount -t tmpfs -o size=50m tmpfs "$M" 2>/dev/null || {
	ok "# skip: mounting a tmpfs is not permitted here"; finish; exit 0; }
umount "$M"

matrix() {
	"$EL" matrix --variants pcsa,floor --bench getpid --samples 2 --mode tcg --no-plots \
		--no-linux --results-dir "$M/R" --append-for "pcsa=el.tag=$TAG" \
		--append-for "floor=el.tag=$TAG" >"$TMP/out" 2>"$TMP/err"
}
complete() {  # complete DIR: every file of a finished run, meta.json analysed
	[ -s "$1/summary.csv" ] && [ -s "$1/summary.json" ] && [ -s "$1/report.md" ] &&
		grep -q '"analysis"' "$1/meta.json" && grep -q '"failed"' "$1/meta.json"
}
published() { ls -1 "$M/R" 2>/dev/null | grep -v '^latest$'; }

# how many inodes a whole run takes
mount -t tmpfs -o size=50m tmpfs "$M"
matrix
rc=$?
used=$(df --output=iused "$M" | tail -1 | tr -d ' ')
expect "room enough: exit 0 and complete (got $rc, $used inodes)" [ "$rc" = 0 ] && complete "$M/R/latest"
umount "$M"

bad=""
failed_runs=0
for n in $(seq $((used - 10)) $((used + 1))); do
	mount -t tmpfs -o size=50m,nr_inodes=$n tmpfs "$M"
	matrix
	rc=$?
	run=$(published | head -1)
	if [ "$rc" = 0 ]; then
		complete "$M/R/$run" && [ "$(readlink "$M/R/latest")" = "$run" ] ||
			bad="$bad $n(exit 0 but incomplete: $(grep -m1 '^entrylab' "$TMP/err" | cut -c1-120))"
	else
		failed_runs=$((failed_runs + 1))
		[ -z "$run" ] && [ ! -e "$M/R/latest" ] || bad="$bad $n(exit $rc but published $run)"
		grep -qi 'No space left\|out of space\|no space' "$TMP/err" ||
			bad="$bad $n(exit $rc without naming the full disk: $(head -c 150 "$TMP/err"))"
	fi
	umount "$M"
done
expect "with $((used - 10))..$((used + 1)) inodes: complete and published, or failed with nothing published${bad:+:$bad}" [ -z "$bad" ]
expect "some of those runs did fail for lack of inodes ($failed_runs)" [ "$failed_runs" -gt 0 ]
finish
