#!/usr/bin/env bash
# matrix-timing.sh — measures the main job's speed (not a test: nothing is
# asserted about time).  From a fresh clone of HEAD in a temporary
# directory: `./run.sh variant-matrix --no-linux` (the default selection of
# variants/default.conf: the issue's target) once from clean (build
# included), then N
# warm runs (nothing to rebuild), then one warm default run (which adds the
# Debian-kernel reference rows when that kernel is installed), and checks
# that the instruction tables (summary.csv medians) of two runs are
# identical.
#   usage: tests/perf/matrix-timing.sh [WARM_RUNS]   (default 3)
set -eu
top=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
warm_runs=${1:-3}
tmp=$(mktemp -d /tmp/entrylab-timing.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
git clone -q "$top" "$tmp/src"
cd "$tmp/src"

now() { date +%s%N; }
run() {  # run LABEL [OPTIONS]: one matrix run, prints its wall time
	local t0 t1 label=$1
	shift
	t0=$(now)
	./run.sh variant-matrix --results-dir "$tmp/results" "$@" >"$tmp/$label.log" 2>&1 ||
		{ echo "variant-matrix failed ($label):"; tail -20 "$tmp/$label.log"; exit 1; }
	t1=$(now)
	local ms=$(( (t1 - t0) / 1000000 ))
	printf '%-22s %d.%03d s\n' "$label" $((ms / 1000)) $((ms % 1000))
}

echo "entrylab variant-matrix timing on $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
echo "the default selection (variants/default.conf), every benchmark, default samples"
run clean --no-linux
for i in $(seq 1 "$warm_runs"); do run "warm$i" --no-linux; done

runs=$(ls -d "$tmp"/results/2* | sort)
run "warm, with linux rows"
first=$(echo "$runs" | head -1); last=$(echo "$runs" | tail -1)
cut_cols() { python3 -c '
import csv, sys
rows = csv.DictReader(open(sys.argv[1]))
for r in rows:
    print(r.get("short"), r.get("bench"), r.get("median"), r.get("status"))' "$1"; }
if diff <(cut_cols "$first/summary.csv") <(cut_cols "$last/summary.csv") >/dev/null; then
	echo "instruction tables of the first and last run: identical ($(cut_cols "$first/summary.csv" | wc -l) rows)"
else
	echo "instruction tables differ between runs:"; diff <(cut_cols "$first/summary.csv") <(cut_cols "$last/summary.csv") | head
	exit 1
fi
