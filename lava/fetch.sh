#!/usr/bin/env bash
# fetch.sh — `./run.sh fetch-lava`: the results of finished LAVA jobs of
# `./run.sh lava-job`, read back through lavacli (XML-RPC), and merged with
# `entrylab merge` (and with local runs given by --also).
#
# Usage: lava/fetch.sh (--uri URL | --identity NAME) [--keep DIR] [--out DIR]
#                      [--also RUN]... [--no-plots] JOB...
#   --uri URL       the server's XML-RPC endpoint with a token:
#                   http://USER:TOKEN@HOST/RPC2 (lavacli --uri)
#   --identity N    a lavacli identity of ~/.config/lavacli.yaml (lavacli -i)
#   --keep DIR      where each job's results directory goes, as DIR/lava-<JOB>
#                   (default results/lava); one fetched before is used as it is
#   --out DIR       the merged report's new directory (entrylab merge --out)
#   --also RUN      a local results directory to merge too (repeatable)
# Per job: `lavacli jobs show` must say Finished and Complete; the results
# directory comes from the job log (`lavacli jobs logs --raw`, between the
# lines entrylab-results-begin/-end of lava/device.sh, its sha256 checked).
# A job that failed, timed out, was cancelled or has no intact results is
# named in one line and left out; the rest are merged.
# Exit: the merge's status (0, or 1 when a run had failed variants); 1 when
# a job was left out; 2 usage error, a server that cannot be reached (one
# line naming the URL, its token hidden), or nothing left to merge.
set -u
cd "$(dirname "$0")/.." || exit 2
EL=build/host/entrylab

die() { echo "fetch-lava: $1" >&2; exit 2; }

conn=() shown="" keep=results/lava out="" also=() jobs=() noplots=()
while [ $# -gt 0 ]; do
	case "$1" in
	--uri) [ $# -ge 2 ] || die "--uri needs a URL"; conn=(--uri "$2")
		shown=$(echo "$2" | sed -E 's#(://[^:/@]+):[^@]*@#\1:<token>@#'); shift 2 ;;
	--identity) [ $# -ge 2 ] || die "--identity needs a name"; conn=(-i "$2"); shown="identity $2"; shift 2 ;;
	--keep) [ $# -ge 2 ] || die "--keep needs a directory"; keep=$2; shift 2 ;;
	--out) [ $# -ge 2 ] || die "--out needs a directory"; out=$2; shift 2 ;;
	--also) [ $# -ge 2 ] || die "--also needs a results directory"; also+=("$2"); shift 2 ;;
	--no-plots) noplots=(--no-plots); shift ;;
	-*) die "unknown option '$1': ./run.sh help fetch-lava" ;;
	*) [[ $1 =~ ^[0-9]+$ ]] || die "'$1' is not a LAVA job id (a number)"; jobs+=("$1"); shift ;;
	esac
done
[ ${#conn[@]} -gt 0 ] || die "which server? give --uri http://USER:TOKEN@HOST/RPC2 or --identity NAME"
[ ${#jobs[@]} -gt 0 ] || die "no job given: ./run.sh fetch-lava --uri URL JOB..."
command -v lavacli >/dev/null || die "lavacli not installed: apt-get install lavacli"

if ! err=$(timeout 60 lavacli "${conn[@]}" system version 2>&1 >/dev/null); then
	die "cannot reach the LAVA server at $shown: $(echo "$err" | tail -1 | cut -c1-200): check the URL, the token and the network"
fi
mkdir -p "$keep" || die "cannot create $keep: give a writable --keep"

dirs=() labels=() left_out=0
for job in "${jobs[@]}"; do
	dest=$keep/lava-$job
	if [ -s "$dest/meta.json" ]; then
		echo "fetch-lava: job $job: fetched before, using $dest"
		dirs+=("$dest"); labels+=("lava-$job"); continue
	fi
	show=$(timeout 60 lavacli "${conn[@]}" jobs show "$job" 2>&1) ||
		{ echo "fetch-lava: job $job: not found on $shown: left out ($(echo "$show" | tail -1 | cut -c1-120))" >&2
		  left_out=1; continue; }
	state=$(echo "$show" | sed -n 's/^state *: //p')
	health=$(echo "$show" | sed -n 's/^Health *: //p')
	if [ "$state" != Finished ] || [ "$health" != Complete ]; then
		echo "fetch-lava: job $job: $state, health $health (not a completed job): left out" >&2
		left_out=1; continue
	fi
	tmp=$(mktemp -d "$keep/.lava-$job.XXXXXX")
	if ! timeout 300 lavacli "${conn[@]}" jobs logs --raw "$job" >"$tmp/log.yaml" 2>"$tmp/err"; then
		echo "fetch-lava: job $job: cannot read its log: $(tail -1 "$tmp/err" | cut -c1-120): left out" >&2
		rm -rf "$tmp"; left_out=1; continue
	fi
	if ! why=$(python3 - "$tmp/log.yaml" "$tmp/results.tar.xz" <<'EOF'
import base64, hashlib, sys, yaml
try:
    log = yaml.load(open(sys.argv[1]), Loader=getattr(yaml, 'CSafeLoader', yaml.SafeLoader)) or []
except yaml.YAMLError as e:
    sys.exit('the job log is not YAML (%s)' % str(e).splitlines()[0])
lines, inside, run, end = [], False, None, None
for entry in log:
    msg = entry.get('msg') if isinstance(entry, dict) else None
    if entry.get('lvl') != 'target' or not isinstance(msg, str):
        continue
    msg = msg.strip()
    if msg.startswith('entrylab-results-begin '):
        lines, inside, run = [], True, msg.split()[1]
    elif inside and msg.startswith('entrylab-results-end '):
        end, inside = msg.split(), False
    elif inside:
        lines.append(msg)
if run is None or end is None:
    sys.exit('no results archive in the job log (lava/device.sh did not get that far)')
data = base64.b64decode(''.join(lines))
if len(end) < 3 or hashlib.sha256(data).hexdigest() != end[2]:
    sys.exit('the results archive in the job log is damaged (sha256 differs)')
open(sys.argv[2], 'wb').write(data)
print(run)
EOF
	); then
		echo "fetch-lava: job $job: $why: left out" >&2
		rm -rf "$tmp"; left_out=1; continue
	fi
	run=$why
	if ! tar -C "$tmp" -xJf "$tmp/results.tar.xz" 2>"$tmp/err" || [ ! -s "$tmp/$run/meta.json" ]; then
		echo "fetch-lava: job $job: the results archive does not unpack to $run/: left out" >&2
		rm -rf "$tmp"; left_out=1; continue
	fi
	printf 'job=%s\nserver=%s\nhealth=%s\nrun_id=%s\nfetched_utc=%s\n' "$job" "$shown" "$health" \
		"$run" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$tmp/$run/lava-job.txt"
	if ! mv -T --no-clobber "$tmp/$run" "$dest" 2>/dev/null || [ ! -s "$dest/lava-job.txt" ]; then
		echo "fetch-lava: job $job: cannot move the results to $dest: left out" >&2
		rm -rf "$tmp"; left_out=1; continue
	fi
	rm -rf "$tmp"
	echo "fetch-lava: job $job: $dest (run $run)"
	dirs+=("$dest"); labels+=("lava-$job")
done
for d in "${also[@]}"; do
	dirs+=("$d")
	labels+=("$(basename "$(readlink -f "$d")" | tr -c 'A-Za-z0-9._\n-' '_' | cut -c1-31)")
done
[ ${#dirs[@]} -gt 0 ] || die "nothing to merge: no job gave results"

label_list=$(IFS=,; echo "${labels[*]}")
args=(merge --labels "$label_list" "${noplots[@]}")
[ -n "$out" ] && args+=(--out "$out")
"$EL" "${args[@]}" "${dirs[@]}"
st=$?
[ "$st" = 0 ] && [ "$left_out" = 1 ] && st=1
exit "$st"
