#!/usr/bin/env bash
# run-all.sh — every integration test script in this directory (each ends
# with "N passed, N failed"); totals them and fails if any failed.
set -u
cd "$(dirname "$0")/../.."
total_pass=0 total_fail=0 bad=0
for t in tests/integration/*.sh; do
	case "$t" in */lib.sh|*/run-all.sh) continue ;; esac
	echo "== $t"
	t0=$(date +%s)
	out=$(bash "$t" 2>&1); st=$?
	echo "# $t: $(( $(date +%s) - t0 )) s"
	echo "$out" | grep -v '^ok - ' || true
	line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -1)
	p=$(echo "$line" | awk '{ print $1 }'); f=$(echo "$line" | awk '{ print $3 }')
	total_pass=$((total_pass + ${p:-0})); total_fail=$((total_fail + ${f:-0}))
	if [ "$st" != 0 ] || [ -z "$line" ]; then bad=$((bad + 1)); echo "FAILED: $t (exit $st)"; fi
done
echo "integration: $total_pass passed, $total_fail failed"
[ "$bad" = 0 ]
