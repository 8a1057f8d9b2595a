#!/usr/bin/env bash
# inside.sh — what the first-level guest of the nested-KVM test runs (as
# root, in this checkout, shared read-only from the host; see outer.sh).
#
#   tests/nested/inside.sh OUT SET
#
# OUT is the host's result directory (virtio-9p, read-write).  Each step
# appends "step START" to OUT/steps.log before it starts and "step STATUS
# SECONDS" to OUT/steps.tsv when it ends; its stdout and stderr go to
# OUT/STEP.log and its results under OUT/STEP/.  The host checks them
# (tests/integration/kvm-nested.sh); nothing here decides pass or fail.
#
# SET:
#   reduced   the matrix under --accel auto on pcsa, fsac and the floor;
#             the gate with head == base under kvm on pcsa and the floor,
#             3 rounds (part of ./run.sh test: 12 boots, not the default 20)
#   full      the matrix on every variant and the floor; the gate with
#             head == base and with the +50-instruction head
#             (build/nested/head50, built by the host); the Linux rows
#             (Debian's kernel under kvm) and the host row beside the floor
#   repeat:N:M[:VARIANTS]  N head == base gates and M +50 gates on pcsa
#             and the floor (or VARIANTS, short names), default rounds (the
#             statistics measurement of the README)
#   matrix:N:VARIANTS  the matrix on VARIANTS (short names), N times: for
#             chasing a fault that shows only under KVM (NESTED_KEEP)
set -u
OUT=${1:?}
SET=${2:?}
LAB=$(pwd -P)
EL=$LAB/build/host/entrylab
HEAD50=$LAB/build/nested/head50
CPU=$(( $(nproc) - 1 ))
REDUCED=pcsa,fsacdzi,floor
GATE_REDUCED=pcsa,floor       # ./run.sh test's time: 12 boots instead of 18

{
	echo "kernel $(uname -r)"
	echo "cpus $(nproc)"
	grep -m1 '^flags' /proc/cpuinfo
	echo "kvm_amd nested=$(cat /sys/module/kvm_amd/parameters/nested 2>/dev/null)" \
		"npt=$(cat /sys/module/kvm_amd/parameters/npt 2>/dev/null)"
} >"$OUT/guest.txt"

# Each step writes to the guest's own tmpfs (RES) and its files are copied
# to OUT afterwards: 9p traffic during a measurement is work for the guest's
# other cpu, which under single-threaded TCG takes time from the vCPU's.
RES=/tmp/res
mkdir -p "$RES"
step() {
	local name=$1 t0 st; shift
	echo "$name START" >>"$OUT/steps.log"
	t0=$(date +%s.%N)
	"$@" >"$RES/$name.log" 2>&1
	st=$?
	cp -a "$RES/$name.log" "$OUT/" 2>/dev/null
	[ -e "$RES/$name" ] && cp -a "$RES/$name" "$OUT/"
	printf '%s %d %.1f\n' "$name" "$st" "$(echo "$(date +%s.%N) - $t0" | bc 2>/dev/null ||
		echo 0)" >>"$OUT/steps.tsv"
	sync
}

matrix() {   # matrix NAME VARIANTS
	step "$1" "$EL" matrix --accel auto --variants "$2" --no-linux --no-plots --cpu "$CPU" \
		--samples 10 --results-dir "$RES/$1"
}

# Debian's kernel as the Linux rows under kvm (-cpu host: here the first
# guest's TCG max), beside the floor, and the native host row
linuxrows() {
	step matrix-linux "$EL" matrix --accel auto --variants floor --linux --no-plots --timeout 90 \
		--cpu "$CPU" --samples 10 --results-dir "$RES/matrix-linux"
}

gate() {     # gate NAME HEAD_TREE VARIANTS [OPTION...]: default rounds (5 under kvm)
	local name=$1 head=$2 sel=$3; shift 3
	step "$name" "$EL" gate --base-tree "$LAB" --head-tree "$head" --variants "$sel" \
		--bench getpid --mode kvm --samples 10 --results-dir "$RES/$name" "$@"
}

# PMU events under a KVM without a vPMU (nested SVM: "PMU virtualization
# is disabled"): the counters must come out unavailable, never as values
pmu() {
	step pmu "$EL" run --image build/kernels/pcsa.elf --name pcsa --out "$RES/pmu" --mode kvm \
		--cpu "$CPU" --events 43003c,4300c0 --bench getpid --samples 10 --run bench
}

case "$SET" in
reduced)
	pmu
	matrix matrix "$REDUCED"
	gate gate-same "$LAB" "$GATE_REDUCED" --rounds 3
	;;
full)
	pmu
	matrix matrix all
	linuxrows
	gate gate-same "$LAB" "$REDUCED"
	gate gate-plus50 "$HEAD50" "$REDUCED"
	;;
repeat:*)
	n=$(echo "$SET" | cut -d: -f2); m=$(echo "$SET" | cut -d: -f3)
	sel=$(echo "$SET" | cut -d: -f4); sel=${sel:-$GATE_REDUCED}
	for i in $(seq 1 "$n"); do gate "gate-same-$i" "$LAB" "$sel"; done
	for i in $(seq 1 "$m"); do gate "gate-plus50-$i" "$HEAD50" "$sel"; done
	;;
matrix:*)
	n=$(echo "$SET" | cut -d: -f2); sel=$(echo "$SET" | cut -d: -f3)
	for i in $(seq 1 "$n"); do matrix "matrix-$i" "$sel"; done
	;;
*)
	echo "inside.sh: unknown set '$SET'" >"$OUT/steps.log"
	exit 2 ;;
esac
dmesg >"$OUT/dmesg.txt" 2>&1
exit 0
