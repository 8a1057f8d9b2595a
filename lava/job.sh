#!/usr/bin/env bash
# job.sh — `./run.sh lava-job`: write a LAVA job definition (job.yaml) and
# the test definition it uses (entrylab-test.yaml, also inlined in the
# job, so the job needs no test repository of its own) into a new
# directory.  The test definition clones the lab at one revision on the
# device and runs lava/device.sh there (what it reports: lava/device.sh).
#
# Usage: lava/job.sh [--device-type TYPE] [--tags T1,T2] [--variants SEL]
#                    [--bench LIST] [--samples N] [--mode auto|tcg|kvm]
#                    [--repo URL] [--revision REV] [--workdir DIR]
#                    [--timeout MIN] [--name NAME] [--out DIR]
# Exit: 0 written, 2 usage error (nothing written).
set -u
cd "$(dirname "$0")/.." || exit 2

die() { echo "lava-job: $1" >&2; exit 2; }

device_type=ssh tags="" variants="" bench="" samples="" mode=auto repo="" rev=HEAD
workdir=/var/tmp/entrylab-lava timeout=60 name="" out=""
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || die "$1 needs a value: ./run.sh help lava-job"
	case "$1" in
	--device-type) device_type=$2 ;;
	--tags) tags=$2 ;;
	--variants) variants=$2 ;;
	--bench) bench=$2 ;;
	--samples) samples=$2 ;;
	--mode) mode=$2 ;;
	--repo) repo=$2 ;;
	--revision) rev=$2 ;;
	--workdir) workdir=$2 ;;
	--timeout) timeout=$2 ;;
	--name) name=$2 ;;
	--out) out=$2 ;;
	*) die "unknown option '$1': ./run.sh help lava-job" ;;
	esac
	shift 2
done

word='^[A-Za-z0-9][A-Za-z0-9._-]*$'
[[ $device_type =~ $word ]] || die "--device-type '$device_type': a device type name of [A-Za-z0-9._-]"
for t in ${tags//,/ }; do
	[[ $t =~ $word ]] || die "--tags: '$t' is not a tag name of [A-Za-z0-9._-]"
done
case "$mode" in auto|tcg|kvm) ;; *) die "--mode '$mode': use auto, tcg or kvm" ;; esac
[ -z "$samples" ] || [[ $samples =~ ^[1-9][0-9]*$ ]] || die "--samples '$samples': a positive whole number"
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die "--timeout '$timeout': whole minutes, at least 1"
[[ $workdir = /* ]] || die "--workdir '$workdir': an absolute path on the device"
if [ -z "$repo" ]; then
	repo=$(git remote get-url origin 2>/dev/null) || repo=$(git rev-parse --show-toplevel 2>/dev/null) ||
		die "not in a git checkout: give --repo URL (where the devices clone the lab from)"
fi
sha=$(git rev-parse --verify --quiet "$rev^{commit}") ||
	die "--revision '$rev' is not a commit of this checkout: give one the devices can check out"
if [ "$rev" = HEAD ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
	echo "lava-job: warning: the working tree has uncommitted changes; the job runs commit ${sha:0:12} without them" >&2
fi
[ -n "$name" ] || name="entrylab ${variants:-all} mode=$mode ${sha:0:12}"
[ -n "$out" ] || out=results/lava-job-$(date -u +%Y%m%d-%H%M%S)-$$
[ ! -e "$out" ] || die "$out exists: give another --out (nothing is overwritten)"

# YAML single-quoted scalar.
q() { printf "'%s'" "${1//\'/\'\'}"; }

params() {  # the test's parameters, indented by $1 spaces
	local pad
	pad=$(printf '%*s' "$1" '')
	sed "s/^/$pad/" <<EOF
REPO: $(q "$repo")
REVISION: $(q "$sha")
WORKDIR: $(q "$workdir")
VARIANTS: $(q "$variants")
BENCH: $(q "$bench")
SAMPLES: $(q "$samples")
MODE: $(q "$mode")
EOF
}

# The test definition, indented by $1 spaces; with $2 = params its
# parameters' values as defaults inside (the standalone file: LAVA's inline
# form takes them as the job's `parameters` instead).
testdef() {
	local pad
	pad=$(printf '%*s' "$1" '')
	{
		cat <<EOF
metadata:
  format: Lava-Test Test Definition 1.0
  name: entrylab
  description: 'entrylab: the variant matrix of system-call entry strategies on this device'
  os: [debian]
  scope: [performance]
EOF
		if [ "${2:-}" = params ]; then echo "params:"; params 2; fi
		cat <<EOF
run:
  steps:
  - mkdir -p "\$WORKDIR" && LAB=\$(mktemp -d "\$WORKDIR/lab.XXXXXX")
  - git clone -q "\$REPO" "\$LAB" && git -C "\$LAB" checkout -q "\$REVISION" && lava-test-case checkout --result pass || lava-test-case checkout --result fail
  - set -- --mode "\$MODE"; [ -z "\$VARIANTS" ] || set -- "\$@" --variants "\$VARIANTS"; [ -z "\$BENCH" ] || set -- "\$@" --bench "\$BENCH"; [ -z "\$SAMPLES" ] || set -- "\$@" --samples "\$SAMPLES"
  - if [ -x "\$LAB/lava/device.sh" ]; then "\$LAB/lava/device.sh" "\$@" --results-dir "\$LAB/results"; echo "entrylab-device-exit \$?"; fi
EOF
	} | sed "s/^/$pad/"
}

job() {
	cat <<EOF
# LAVA job written by ./run.sh lava-job: the entrylab variant matrix on one
# device.  Test cases: lava/device.sh; results: ./run.sh fetch-lava JOB.
device_type: $(q "$device_type")
job_name: $(q "$name")
timeouts:
  job: {minutes: $timeout}
  action: {minutes: $timeout}
  connection: {minutes: 2}
priority: medium
visibility: public
EOF
	if [ -n "$tags" ]; then
		echo "tags:"
		for t in ${tags//,/ }; do echo "- $(q "$t")"; done
	fi
	cat <<EOF
metadata:
  entrylab.repository: $(q "$repo")
  entrylab.revision: $(q "$sha")
  entrylab.variants: $(q "${variants:-all}")
  entrylab.bench: $(q "${bench:-all}")
  entrylab.samples: $(q "${samples:-default}")
  entrylab.mode: $(q "$mode")
actions:
- deploy:
    to: ssh
    os: debian
    timeout: {minutes: 5}
- boot:
    method: ssh
    connection: ssh
    prompts: ['root@', '# ']
    timeout: {minutes: 5}
- test:
    timeout: {minutes: $timeout}
    definitions:
    - from: inline
      name: entrylab
      path: inline/entrylab.yaml
      parameters:
EOF
	params 8
	echo "      repository:"
	testdef 8
}

mkdir -p "$(dirname "$out")" && mkdir "$out" || die "cannot create $out: give a writable --out"
if ! { job >"$out/job.yaml" && testdef 0 params >"$out/entrylab-test.yaml"; }; then
	rm -rf "$out"
	die "cannot write into $out: free space or give another --out"
fi
echo "lava-job: $out/job.yaml (device type $device_type${tags:+, tags $tags}, mode $mode, revision ${sha:0:12})"
echo "lava-job: $out/entrylab-test.yaml (the test definition, inlined in the job)"
echo "lava-job: submit with: lavacli -i IDENTITY jobs submit $out/job.yaml"
