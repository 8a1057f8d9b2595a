#!/usr/bin/env bash
# selection.sh — what `./run.sh variant-matrix` runs without --variants:
# the default selection of variants/default.conf is the list the README
# gives (section "What ./run.sh variant-matrix runs by default"), it covers
# every axis with a pair of variants differing in that axis only, `all` is
# every valid variant and floor, and one matrix run without --variants
# (no Linux rows, one benchmark, two samples) runs exactly the default and
# reports the coverage it has.  Eighteen short boots.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

readme=$(sed -n '/^<!-- default selection: -->$/{n;p}' README.md | tr -d '`')
"$EL" resolve default >"$TMP/default" 2>"$TMP/err"
got=$(tr '\n' ' ' <"$TMP/default" | sed 's/ $//')
expect "the README gives the default selection" test -n "$readme"
expect "resolve default is the README's list ($got)" test "$got" = "$readme"
nvalid=$("$EL" list | sed -n 's/^\([0-9]*\) of [0-9]* combinations are variants.*/\1/p')
nall=$("$EL" resolve all | grep -vc '^floor$')
expect "resolve all: every valid variant ($nall of $nvalid listed) and floor" \
	sh -c "[ '$nall' = '$nvalid' ] && '$EL' resolve all | tail -1 | grep -qx floor"
expect "the README's count of valid variants is the loader's ($nvalid)" \
	grep -q "Of the [0-9]* combinations $nvalid are variants" README.md
expect "every preset is in the default selection" \
	sh -c "'$EL' resolve presets | while read -r s; do grep -qx \"\$s\" '$TMP/default' || exit 1; done"
# every axis: two variants of the default differing in that axis only
"$EL" list >"$TMP/list"
expect "every axis is covered by a pair of the default selection" python3 - "$TMP/default" "$TMP/list" <<'PY'
import sys
sel = set(open(sys.argv[1]).read().split())
lines = [l.split() for l in open(sys.argv[2]) if l.strip()]
axes = lines[0][2:-1]   # short canonical AXIS... presets
vals = {r[0]: tuple(r[2:2 + len(axes)]) for r in lines[1:] if r[0] in sel and r[0] != "floor"}
n = len(axes)
uncovered = [axes[k] for k in range(n) if not any(
    sum(a != b for a, b in zip(vals[x], vals[y])) == 1 and vals[x][k] != vals[y][k]
    for x in vals for y in vals)]
assert not uncovered, uncovered
PY
expect_status 2 "flips: of a name that is no variant is a usage error" "$EL" resolve flips:nothing
expect "it names the selector" grep -q "in 'flips:nothing'" "$TMP/err"

# ------------------------------------------------------------ one run, no --variants
R=$TMP/results
expect_status 0 "matrix without --variants (--no-linux, getpid, 2 samples)" \
	"$EL" matrix --no-linux --bench getpid --samples 2 --no-plots --results-dir "$R"
ran=$(python3 -c 'import json,sys; print(" ".join(v["short"] for v in json.load(open(sys.argv[1]))["variants"]))' "$R/latest/meta.json")
expect "it ran the default selection, in its order ($ran)" test "$ran" = "$readme"
expect "report.md: every axis covered" grep -qx -- '- axes not covered: none' "$R/latest/report.md"
expect "report.md: the pairs of axes it covers (pti x spec among them)" \
	grep -qE -- '^- pairs of axes covered \([0-9]+\): .*pti x spec \(1 of [0-9]+ squares\)' "$R/latest/report.md"
expect "report.md: the pairs it does not, and those no run can" \
	sh -c "grep -q -- '^- pairs not covered by this run' '$R/latest/report.md' && grep -q -- '^- pairs no run can cover.*path x clear' '$R/latest/report.md'"
expect "report.md: a pair interaction table" grep -q '^| pti x spec | ' "$R/latest/report.md"
expect "summary.json: interactions over squares" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert any(i["axes"] == ["pti", "spec"] and i["pairs"] >= 1 for i in s["interactions"])' "$R/latest/summary.json"
finish
