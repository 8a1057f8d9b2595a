#!/usr/bin/env bash
# device.sh — the lab's run on one LAVA device (run by the test definition
# that `./run.sh lava-job` writes, in a checkout of the lab on the device;
# also runs by hand, outside LAVA, where it prints what it would report).
#
#   lava/device.sh [--variants SEL] [--bench LIST] [--samples N] [--mode auto|tcg|kvm]
#                  [--results-dir DIR]
#
# 1. ./run.sh variant-matrix with those options (it installs the Debian
#    packages it needs and builds the lab);
# 2. reports to LAVA (lava-test-set, lava-test-case):
#    set "metadata":    accel.<decision> and cpu.<CPU model> (the test shell
#                       of LAVA 2023.01 cannot add job metadata: the decision
#                       and the model are test cases of their own, pass);
#    set "conformance": <short> pass/fail per variant (its TAP suite);
#    set "bench":       <short>.<bench> with the median per call as
#                       measurement and the unit (instructions, tsc) as units;
#                       skip when unavailable, fail when the variant failed;
#    case "matrix":     pass when the matrix exited 0;
# 3. keeps the results directory: it stays on the device (DIR/<run-id>) and
#    its text files (meta.json, summary.*, report.md, raw/, no plots or
#    consoles) go into the job log as an xz tar in base64 between the lines
#    "entrylab-results-begin <run-id>" and "entrylab-results-end <run-id>
#    <sha256 of the archive>", which `./run.sh fetch-lava` reads back (LAVA
#    2023.01 has no attachments; lava-test-reference only links a URL).
# Exit status: that of the matrix (0 pass, 1 a variant failed, 2 usage or
# environment error, ...); 2 when the run left no results directory.
set -u
cd "$(dirname "$0")/.." || exit 2

variants="" bench="" samples="" mode=auto results=results
while [ $# -gt 0 ]; do
	case "$1" in
	--variants) variants=${2:?--variants needs a value}; shift 2 ;;
	--bench) bench=${2:?--bench needs a value}; shift 2 ;;
	--samples) samples=${2:?--samples needs a value}; shift 2 ;;
	--mode) mode=${2:?--mode needs a value}; shift 2 ;;
	--results-dir) results=${2:?--results-dir needs a value}; shift 2 ;;
	*) echo "device.sh: unknown option '$1': see the top of lava/device.sh" >&2; exit 2 ;;
	esac
done

# Outside LAVA the helpers are not on PATH: print what they would send.
lava_case() {
	if command -v lava-test-case >/dev/null; then lava-test-case "$@"
	else echo "lava-test-case $*"; fi
}
lava_set() {
	if command -v lava-test-set >/dev/null; then lava-test-set "$@"
	else echo "lava-test-set $*"; fi
}

args=(variant-matrix --accel "$mode" --results-dir "$results")
[ -n "$variants" ] && args+=(--variants "$variants")
[ -n "$bench" ] && args+=(--bench "$bench")
[ -n "$samples" ] && args+=(--samples "$samples")
./run.sh "${args[@]}" >"$results.matrix.log" 2>&1
status=$?
cat "$results.matrix.log"
rm -f "$results.matrix.log"
run=$(readlink -f "$results/latest" 2>/dev/null)
if [ -z "$run" ] || [ ! -s "$run/summary.json" ]; then
	lava_case matrix --result fail
	echo "device.sh: the matrix (exit $status) left no results directory under $results" >&2
	exit 2
fi

# The test cases, from summary.json and meta.json.
python3 - "$run" >"$run/lava-cases.txt" <<'EOF' || { echo "device.sh: cannot read $run" >&2; exit 2; }
import json, re, sys
run = sys.argv[1]
meta = json.load(open(run + '/meta.json'))
summ = json.load(open(run + '/summary.json'))
name = lambda s: re.sub(r'[^A-Za-z0-9._-]+', '_', s).strip('_') or 'unknown'
print('set metadata')
print('case accel.%s pass' % name(meta['accel']['mode']))
print('case cpu.%s pass' % name(meta['host']['cpu_model']))
print('set conformance')
for v in summ['variants']:
    print('case %s %s' % (v['short'], 'pass' if v['status'] == 'pass' else 'fail'))
print('set bench')
for v in summ['variants']:
    for b in summ['benches']:
        st = v.get('stats', {}).get(b)
        if v['status'] != 'pass':
            print('case %s.%s fail' % (v['short'], b))
        elif st:
            print('case %s.%s pass %.10g %s' % (v['short'], b, st['median'], summ['unit']))
        else:
            print('case %s.%s skip' % (v['short'], b))
EOF
open=""
while read -r kind id result measurement units; do
	if [ "$kind" = set ]; then
		[ -n "$open" ] && lava_set stop
		lava_set start "$id"; open=$id
	elif [ -n "$measurement" ]; then
		lava_case "$id" --result "$result" --measurement "$measurement" --units "$units"
	else
		lava_case "$id" --result "$result"
	fi
done <"$run/lava-cases.txt"
[ -n "$open" ] && lava_set stop
lava_case matrix --result "$([ "$status" = 0 ] && echo pass || echo fail)"

# The results directory into the log.
id=$(basename "$run")
archive=$(mktemp /tmp/entrylab-results.XXXXXX)
tar -C "$(dirname "$run")" -cJf "$archive" --exclude="$id/plots" --exclude="$id/logs" \
	--exclude="$id/probe" --exclude="*.console" "$id"
sum=$(sha256sum "$archive" | cut -d' ' -f1)
echo "entrylab-results-begin $id"
base64 -w 76 "$archive"
echo "entrylab-results-end $id $sum"
rm -f "$archive"
echo "device.sh: results kept in $run"
exit "$status"
