#!/usr/bin/env bash
# conform.sh — the one conformance suite on every variant under tcg-icount:
# every valid matrix variant (variants/axes.conf) must pass every check; the floor reference must
# pass what it runs and skip (not fail) the rest.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

variants=$(sed -n 's/^VARIANTS := //p' build/variants.mk)
for v in $variants; do
	echo "$v"
done | xargs -P "$(nproc)" -I{} sh -c \
	"$EL run --image build/kernels/{}.elf --name {} --out $TMP/raw --run conform >/dev/null 2>$TMP/{}.err; echo \$? > $TMP/{}.status"
planned=""
for v in $variants; do
	st=$(cat "$TMP/$v.status")
	fails=$(sed -n 's/^tap_fail=//p' "$TMP/raw/$v.result")
	skips=$(sed -n 's/^tap_skip=//p' "$TMP/raw/$v.result")
	total=$(sed -n 's/^tap_planned=//p' "$TMP/raw/$v.result")
	if [ "$v" = floor ]; then
		expect "floor passes what it runs, skips $skips of $total" \
			test "$st" = 0 -a "$fails" = 0 -a "${skips:-0}" -gt 0
		continue
	fi
	expect "$v passes all $total checks" test "$st" = 0 -a "$fails" = 0 -a "$skips" = 0
	[ -z "$planned" ] && planned=$total
	expect "$v runs the same suite ($total == $planned checks)" [ "$total" = "$planned" ]
done
finish
