#!/usr/bin/env bash
# kvm.sh — kvm mode end to end with the real binary, QEMU, hwloc, libpfm4
# and perf: the accelerator decision from the probe boot (tcg-icount with
# its reason on a host whose KVM cannot run the probe, kvm where it can),
# `--accel kvm` refused where the probe fails, QEMU's vCPU thread bound to
# the chosen cpu (a tcg run with --pin), the perf cross-check recorded
# without failing, PMU events by name or refused, and what meta.json keeps.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

R=$TMP/results
last_cpu=$(($(nproc) - 1))
# The latest meta.json flattened once (python3 starts slowly) into
# "a.b.c=value" lines; meta a.b.c prints one value.
flatten() {
	python3 - "$R/latest/meta.json" >"$TMP/meta.flat" <<'PY'
import json, sys
def walk(prefix, v):
    if isinstance(v, dict):
        for k, x in v.items():
            walk(prefix + k + ".", x)
    elif isinstance(v, list):
        print("%s=%d" % (prefix[:-1], len(v)))
        for i, x in enumerate(v):
            walk("%s%d." % (prefix, i), x)
    else:
        print("%s=%s" % (prefix[:-1], json.dumps(v) if not isinstance(v, str) else v))
walk("", json.load(open(sys.argv[1])))
PY
}
meta() { sed -n "s/^$1=//p" "$TMP/meta.flat"; }

# ------------------------------------------------------------ the decision
expect_status 0 "matrix --accel auto --cpu $last_cpu --pin --perf runs" \
	"$EL" matrix --variants pcsa --bench getpid --samples 2 --results-dir "$R" --no-plots \
	--accel auto --cpu "$last_cpu" --pin --perf
cp "$TMP/err" "$TMP/auto.err"
flatten
mode=$(meta accel.mode)
expect "meta.json: accel decision and reason recorded ($mode)" \
	test -n "$(meta accel.reason)" -a "$(meta mode.mode)" = "$mode" -a "$(meta accel.requested)" = auto
if [ "$mode" = tcg-icount ]; then
	expect "the fallback is one line on stderr" grep -q '^falling back to tcg-icount: ' "$TMP/auto.err"
	expect "meta.json: fell_back, with the probe's findings" \
		test "$(meta accel.fell_back)" = true -a -n "$(meta accel.probe.ran)"
	if [ -e /dev/kvm ] && [ "$(meta accel.probe.record_seen)" = true ]; then
		# this lab's software hypervisor: SYSCALL arrives at LSTAR in CPL 3
		expect "the reason names the probe's finding" \
			test "$(meta accel.probe.cpl_at_entry)" = 3 -a -n "$(meta accel.reason | grep 'CPL 3')"
	elif [ -e /dev/kvm ]; then
		# no record: the guest died before its first syscall (this lab's
		# software hypervisor cannot emulate the FPU set-up's SSE move and
		# QEMU stops the guest with "KVM internal error"); the probe says
		# so as soon as QEMU does, not at its time limit
		expect "the reason names what stopped the probe, not a time-out ($(meta accel.reason))" \
			sh -c "[ -n \"\$1\" ] && ! echo \"\$1\" | grep -q 'timed out'" _ "$(meta accel.reason)"
	fi
	expect_status 2 "--accel kvm is refused where the probe fails" \
		"$EL" matrix --variants pcsa --bench getpid --samples 2 --results-dir "$R" --no-plots --accel kvm
	expect "... with the reason in one line" grep -q '^entrylab: kvm mode unavailable: .*: ' "$TMP/err"
	expect "... and nothing published" test "$(ls "$R" | grep -vc latest)" = 1
else
	expect "kvm: the runs went one at a time" test "$(meta options.jobs)" = 1
	expect "kvm: noise warnings printed before measuring" test "$(meta runner.noise_printed)" = true
fi

# ------------------------------------------------------------ pinning
vcpu=$(meta runs.pcsa.pin_vcpu_thread)
expect "the vCPU thread ($vcpu) was bound to cpu $last_cpu, read back from /proc" \
	test "$(meta runs.pcsa.pin_vcpu_cpus)" = "$last_cpu" -a "$(meta runs.pcsa.pin_applied)" = yes
case "$vcpu" in "ALL CPUs/TCG"|"CPU 0/KVM"|"CPU 0/TCG") ok "the vCPU thread is QEMU's ($vcpu)" ;;
*) fail "the vCPU thread is QEMU's ($vcpu)" ;; esac
other=$(meta pinning.pin_other)
[ "$other" = none ] || expect "QEMU's other threads on $other" \
	test "$(meta runs.pcsa.pin_other_cpus)" = "$other"
expect "meta.json: topology, chosen cpu and how it was applied" \
	test "$(meta pinning.pin_cpu)" = "$last_cpu" -a -n "$(meta pinning.topo_pus)" -a \
	-n "$(meta pinning.applied | grep '^yes: ')"
"$EL" run --image build/kernels/pcsa.elf --name pcsa --out "$TMP/plain" --bench getpid --samples 2 >/dev/null 2>&1
expect "pinning leaves the instruction count alone" \
	test "$(per_call "$TMP/plain/pcsa.samples.csv" getpid)" = \
	"$(per_call "$R/latest/raw/pcsa.samples.csv" getpid)"

# ------------------------------------------------------------ perf, noise
if [ "$mode" = tcg-icount ]; then
	expect "perf under tcg-icount: recorded as unavailable, the run still passes" \
		test "$(meta runs.pcsa.perf_check_instructions)" = unavailable -a \
		"$(meta variants.0.status)" = pass
fi
expect "perf's own CSV kept with the raw files" test -s "$R/latest/raw/pcsa.perf.csv"
expect "one perf summary line on stderr" grep -q '^perf cross-check (instructions and cycles' "$TMP/auto.err"
expect "meta.json: noise fields for the measurement cpu" \
	test -n "$(meta noise.noise_governor)" -a -n "$(meta noise.warnings)" -a \
	"$(meta noise.noise_cpu)" = "$last_cpu"

# ------------------------------------------------------------ events
# a known PMU model for libpfm4 (LIBPFM_FORCE_PMU): the host's may be none
expect_status 2 "an unknown event name is refused before anything runs" env LIBPFM_FORCE_PMU=skl \
	"$EL" matrix --variants pcsa --results-dir "$TMP/none" --events cycles,no_such_event
expect "... naming it and what the PMU has" grep -q 'unknown PMU event "no_such_event".*e\.g\. ' "$TMP/err"
expect "... in one line, nothing created" test "$(wc -l < "$TMP/err")" = 1 -a ! -e "$TMP/none"
expect_status 2 "more events than counters are refused" env LIBPFM_FORCE_PMU=skl \
	"$EL" matrix --variants pcsa --results-dir "$TMP/none" \
	--events cycles,instructions,branches,branch-misses,cycles:u,cycles:k,instructions:u,instructions:k,branches:u
expect "... saying how many there are" grep -q 'has 8 general-purpose counters' "$TMP/err"
if [ -r /dev/kvm ]; then
	LIBPFM_FORCE_PMU=skl "$EL" run --image build/kernels/pcsa.elf --name pcsa --out "$TMP/ev" \
		--mode kvm --run probe --events cycles,instructions >/dev/null 2>&1
	expect "events by name reach the guest command line encoded" \
		grep -q '^cmdline=.* el.events=43003c,4300c0' "$TMP/ev/pcsa.result"
fi
expect_status 2 "a cpu that does not exist is refused" \
	"$EL" matrix --variants pcsa --results-dir "$TMP/none" --cpu 4095
expect_status 2 "an unknown accelerator is refused" \
	"$EL" matrix --variants pcsa --results-dir "$TMP/none" --accel xen
finish
