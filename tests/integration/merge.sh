#!/usr/bin/env bash
# merge.sh — `entrylab merge` on real runs of this machine: two small
# matrices merged into one report; the same run given twice (or a copy of
# it) refused; units never mixed; a corrupt or missing input refused with
# one line, status 2 and nothing written; an existing --out never touched.
#
# The "other machine in TSC ticks" is a copy of a real run whose unit and
# figures were rewritten (x1000, unit tsc), so that a mixed statistic would
# show; it tests the merge's bookkeeping, not a measurement.
#
# Usage: tests/integration/merge.sh   (needs 'make' first)
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

R=$TMP/results
for id in runA runB; do
	"$EL" matrix --variants pcsa,fsac,floor --bench getpid,yield --samples 3 --no-linux \
		--no-plots --mode tcg --results-dir "$R" --run-id "$id" >"$TMP/$id.log" 2>&1
	expect "matrix run $id for the merge" test -s "$R/$id/summary.json"
done
A=$R/runA B=$R/runB

# ---------------------------------------------------------------- a good merge
expect_status 0 "merge of two runs" "$EL" merge --out "$TMP/m1" "$A" "$B"
expect "merge names its report" grep -q "^report: $TMP/m1/report.md" "$TMP/out"
expect "report has a machines table with both runs" \
	sh -c "grep -c '^| m[12] | ' '$TMP/m1/report.md' | grep -qx 2"
for f in machines.csv medians.csv effects.csv report.md; do
	expect "merge wrote $f" test -s "$TMP/m1/$f"
done
# every median of the merge is the run's own (summary.csv of each run)
for run in runA runB; do
	label=$([ $run = runA ] && echo m1 || echo m2)
	mismatch=$(python3 - "$R/$run/summary.csv" "$TMP/m1/medians.csv" "$label" <<'EOF'
import csv, sys
own = {(r['short'], r['bench']): r['median'] for r in csv.DictReader(open(sys.argv[1]))}
bad = 0
for r in csv.DictReader(open(sys.argv[2])):
    if r['label'] != sys.argv[3]:
        continue
    want = own.get((r['variant'], r['bench']), '')
    if want and float(want) != float(r['median']):
        bad += 1
    if r['status'] == 'pass' and not want:
        bad += 1
print(bad)
EOF
)
	expect "medians.csv of $label equal $run's summary.csv" test "$mismatch" = 0
done
# pcsa's getpid median of runA as the report writes it (a whole number here)
pm=$(python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print('%g' % [v for v in s['variants'] if v['short'] == 'pcsa'][0]['stats']['getpid']['median'])" "$A/summary.json")
pk=$(python3 -c "print('%g' % ($pm * 1000))")
expect "getpid row of pcsa shows both machines and their range ($pm)" \
	grep -Eq "^\| pcsa \| [^|]* \| $pm \| $pm \| $pm–$pm \|" "$TMP/m1/report.md"
if command -v gnuplot >/dev/null; then
	expect "plot per benchmark and unit" test -s "$TMP/m1/plots/fleet_getpid_instructions.png"
else
	echo "SKIP: gnuplot not installed: no plot check"
fi
expect "no partial directory left beside the merge" \
	sh -c "! ls -a '$TMP' | grep -q 'partial'"

# ---------------------------------------------------------------- same run
expect_status 2 "the same directory twice is refused" "$EL" merge --out "$TMP/m2" "$A" "$A"
expect "the refusal names the same run in one line" \
	sh -c "grep -q 'same run' '$TMP/err' && [ \$(wc -l <'$TMP/err') = 1 ]"
cp -a "$A" "$TMP/copyA"
expect_status 2 "a copy of a run is the same run" "$EL" merge --out "$TMP/m2" "$A" "$TMP/copyA"
expect "nothing written for a refused merge" test ! -e "$TMP/m2"

# ---------------------------------------------------------------- units
cp -a "$B" "$TMP/tscB"
python3 - "$TMP/tscB" <<'EOF'
import json, sys
d = sys.argv[1]
m = json.load(open(d + '/meta.json'))
m['run_id'] = 'tscB'; m['mode']['mode'] = 'kvm'; m['mode']['unit'] = 'tsc'
m['host']['cpu_model'] = 'Other CPU'
json.dump(m, open(d + '/meta.json', 'w'))
s = json.load(open(d + '/summary.json'))
s['unit'] = 'tsc'; s['mode'] = 'kvm'
for v in s['variants']:
    for st in v.get('stats', {}).values():
        st['median'] *= 1000
json.dump(s, open(d + '/summary.json', 'w'))
EOF
expect_status 0 "merge of instructions and TSC ticks" "$EL" merge --no-plots --out "$TMP/m3" "$A" "$B" "$TMP/tscB"
expect "TSC machine has its own column beside the instruction ones" \
	grep -q '^| variant | preset | m1 (instructions) | m2 (instructions) | range, instructions | m3 (TSC ticks) |$' "$TMP/m3/report.md"
expect "the range over machines covers one unit only ($pm, not $pk)" \
	grep -Eq "^\| pcsa \| [^|]* \| $pm \| $pm \| $pm–$pm \| $pk \|\$" "$TMP/m3/report.md"
expect "no range column for a unit with one machine" \
	sh -c "! grep -q 'range, TSC' '$TMP/m3/report.md'"
if command -v gnuplot >/dev/null; then
	expect_status 0 "merge with plots, two units" "$EL" merge --out "$TMP/m4" "$A" "$TMP/tscB"
	expect "one plot per unit: instructions" test -s "$TMP/m4/plots/fleet_getpid_instructions.png"
	expect "one plot per unit: tsc" test -s "$TMP/m4/plots/fleet_getpid_tsc.png"
	expect "no plot puts both units on one axis" \
		sh -c "! grep -l 'tsc\\|TSC' '$TMP/m4/plots/fleet_getpid_instructions.dat'"
fi

# ---------------------------------------------------------------- corrupt input
corrupt_case() {  # corrupt_case DESCRIPTION WORDS-IN-LINE SETUP-COMMAND
	local what=$1 words=$2; shift 2
	rm -rf "$TMP/bad"; cp -a "$B" "$TMP/bad"
	"$@"
	expect_status 2 "$what: refused" "$EL" merge --out "$TMP/m5" "$A" "$TMP/bad"
	expect "$what: one line naming it ($words)" \
		sh -c "grep -q '$words' '$TMP/err' && [ \$(wc -l <'$TMP/err') = 1 ]"
	expect "$what: nothing written" \
		sh -c "test ! -e '$TMP/m5' && ! ls -a '$TMP' | grep -q partial"
}
corrupt_case "truncated summary.json" "summary.json: line" \
	sh -c "head -c 200 '$B/summary.json' >'$TMP/bad/summary.json'"
corrupt_case "missing meta.json" "meta.json: missing" rm "$TMP/bad/meta.json"
corrupt_case "a median that is not a number" "is not a number" \
	sed -i '0,/"median": [0-9.]*/s//"median": "x"/' "$TMP/bad/summary.json"
corrupt_case "meta.json without a CPU model" "host.cpu_model" \
	python3 -c "import json,sys; p='$TMP/bad/meta.json'; m=json.load(open(p)); del m['host']['cpu_model']; json.dump(m,open(p,'w'))"
corrupt_case "units that disagree inside one run" "disagrees" \
	sed -i 's/"unit": "instructions"/"unit": "tsc"/' "$TMP/bad/summary.json"
expect_status 2 "a file given as a run is refused" "$EL" merge --out "$TMP/m5" "$A" "$A/meta.json"
expect_status 2 "a missing directory is refused" "$EL" merge --out "$TMP/m5" "$A" "$TMP/none"

# ---------------------------------------------------------------- usage
mkdir "$TMP/exists"; echo keep >"$TMP/exists/file"
expect_status 2 "an existing --out is refused" "$EL" merge --out "$TMP/exists" "$A" "$B"
expect "the existing --out is untouched" \
	sh -c "[ \"\$(ls '$TMP/exists')\" = file ] && grep -qx keep '$TMP/exists/file'"
expect_status 2 "too few labels" "$EL" merge --labels one --out "$TMP/m6" "$A" "$B"
expect_status 2 "a label twice" "$EL" merge --labels x,x --out "$TMP/m6" "$A" "$B"
expect_status 0 "labels name the machines" "$EL" merge --no-plots --labels old,new --out "$TMP/m6" "$A" "$B"
expect "labels in the report" grep -q '^| new | ' "$TMP/m6/report.md"
expect_status 2 "no run given" "$EL" merge --out "$TMP/m7"
expect_status 0 "merge --help" "$EL" merge --help

finish
