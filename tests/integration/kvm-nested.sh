#!/usr/bin/env bash
# kvm-nested.sh — kvm mode under a real KVM: Debian's kernel booted under
# TCG with emulated SVM (tests/nested/outer.sh) loads kvm_amd, and inside
# it this checkout's harness runs the matrix with --accel auto and the gate
# under kvm (tests/nested/inside.sh).  The results come back as files over
# virtio-9p and are checked here:
#   - the accelerator decision: auto chose kvm after a passing probe, with
#     the probe's reason in meta.json;
#   - every variant of the set passes conformance under KVM (59 TAP checks,
#     the floor 11), samples in TSC ticks, the vCPU thread pinned and read
#     back; report.md says these are not performance figures;
#   - the gate with head == base never fails (exit 0 or 3), and (set full)
#     the gate against a head with 50 more instructions on the fast path
#     fails (exit 1) on every variant but the floor.
#
# NESTED_SET=reduced (default; part of ./run.sh test): pcsa, fsac and the
# floor.  NESTED_SET=full (./run.sh test-kvm): every variant and the floor,
# and the +50 head.  A host that cannot do it (no kernel package, TCG
# without SVM, kvm_amd refusing to load) prints "SKIP: reason" and counts
# nothing as passed.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

SET=${NESTED_SET:-reduced}
OUT=$TMP/nested
REDUCED=pcsa,fsacdzi,floor
# the outer guest's limit: the reduced set takes 1-2 min; the full set
# about 11 min quiet, and its matrix alone 13 min at load 4-6 (then 900 s
# left no time for the Linux rows and the gates)
case "$SET" in
reduced) want=$REDUCED; LIMIT=${NESTED_TIMEOUT:-900} ;;
full) want=$("$EL" resolve all | paste -sd,)   # every variant and the floor
	LIMIT=${NESTED_TIMEOUT:-2400} ;;
*) fail "NESTED_SET=$SET: use reduced or full"; finish; exit ;;
esac

# ------------------------------------------------------------ bad input
expect_status 77 "no kernel image: a documented skip" env NESTED_BOOT="$TMP/noboot" \
	tests/nested/outer.sh "$TMP/o1" "$SET" 60
expect "... in one SKIP line naming the package" \
	test "$(grep -c '^SKIP: no kernel image .*linux-image-amd64' "$TMP/out")" = 1
mkdir -p "$TMP/nomod" && touch "$TMP/nomod/vmlinuz-9.9.9"
expect_status 77 "a kernel without its modules: a documented skip" env NESTED_BOOT="$TMP/nomod" \
	tests/nested/outer.sh "$TMP/o2" "$SET" 60
expect "... naming the missing modules" grep -q '^SKIP: no modules for 9.9.9' "$TMP/out"
expect_status 77 "a guest CPU without SVM: kvm_amd refuses to load, a documented skip" \
	env NESTED_CPU=max,-svm tests/nested/outer.sh "$TMP/o3" "$SET" 300
expect "... naming the step and the module" \
	grep -q '^SKIP: nested KVM: modules: kvm-amd.ko refused to load' "$TMP/out"
expect "... and nothing ran inside" test ! -e "$TMP/o3/steps.tsv"

if [ "$SET" = full ]; then
	tests/nested/head50.sh "$REDUCED" || { fail "building the +50 head (tests/nested/head50.sh)"; finish; exit; }
	# the Linux rows' kernel, unpacked here: the outer guest sees this tree read-only
	"$EL" linuxref prepare >"$TMP/prepare.out" 2>&1 ||
		{ fail "unpacking Debian's kernel for the Linux rows: $(tail -1 "$TMP/prepare.out")"; finish; exit; }
fi
tests/nested/outer.sh "$OUT" "$SET" "$LIMIT" >"$TMP/outer.out" 2>"$TMP/outer.err"
st=$?
cat "$TMP/outer.err"
if [ "$st" = 77 ]; then
	cat "$TMP/outer.out"      # the SKIP line, visible in the summary
	finish
	exit
fi
expect "the outer guest ran inside.sh to its end (outer.sh exit $st; init: $(cat "$OUT/init.status" 2>/dev/null))" \
	test "$st" = 0 -a "$(cat "$OUT/init.status" 2>/dev/null)" = "exit 0"
expect "no QEMU of this test is left running" \
	test -z "$(pgrep -f "$OUT" 2>/dev/null)"
step_status() { awk -v s="$1" '$1 == s { print $2 }' "$OUT/steps.tsv" 2>/dev/null; }

# ------------------------------------------------------------ PMU events
# nested SVM has no vPMU: the counters must be reported unavailable (the
# guest's @N pmu_unavailable, or the harness's counter_reads_zero), never
# as values
P=$OUT/pmu/pcsa
expect "run --mode kvm --events under a KVM without a vPMU: exit 0 (got $(step_status pmu))" \
	test "$(step_status pmu)" = 0
unav=$(sed -n 's/^unavailable=//p' "$P.result" 2>/dev/null)
dead=$(sed -n 's/^pmu_unavailable=//p' "$P.result" 2>/dev/null)
expect "... both counters reported unavailable (unavailable='$unav' pmu_unavailable='$dead')" \
	eval '[ -n "$(echo "$unav" | grep pmu_unavailable)" ] ||
	      [ "$dead" = "getpid/pmu0:counter_reads_zero,getpid/pmu1:counter_reads_zero" ]'
expect "... and no counter value in the samples CSV" \
	test -z "$(awk -F, 'NR == 1 { k = NF - 9; next }   # pmu columns after the 9 fixed ones,
		{ for (i = NF - k + 1; i <= NF; i++) if ($i != "") print }' "$P.samples.csv")" -a \
	-s "$P.samples.csv"

# ------------------------------------------------------------ the matrix
M=$OUT/matrix/latest
expect "matrix under --accel auto exited 0 (got $(step_status matrix))" test "$(step_status matrix)" = 0
flat=$TMP/meta.flat
python3 - "$M/meta.json" >"$flat" 2>/dev/null <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
a = m.get("accel", {})
print("mode", a.get("mode")); print("requested", a.get("requested"))
print("probe_ok", a.get("probe", {}).get("ok")); print("reason", a.get("reason"))
print("cpu_class", m.get("host", {}).get("cpu_class"))
for k, r in m.get("runs", {}).items():
    print("run", k, r.get("status"), r.get("pin_applied"), r.get("pin_vcpu_thread", "").replace(" ", "_"), r.get("pin_vcpu_cpus"), r.get("pin_cpu"))
PY
val() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$flat"; }
expect "auto chose kvm (got '$(val mode)', requested '$(val requested)')" \
	test "$(val mode)" = kvm -a "$(val requested)" = auto
expect "the probe passed and its reason is recorded ($(val reason))" \
	test "$(val probe_ok)" = True -a -n "$(val reason)"
expect "meta.json calls this host's CPU emulated (got '$(val cpu_class)')" test "$(val cpu_class)" = emulated
expect "report.md says these are not performance figures" \
	grep -q '^\*\*Not performance figures:\*\* .*emulated' "$M/report.md"
n=0
for v in $(echo "$want" | tr ',' ' '); do
	n=$((n + 1))
	r=$M/raw/$v.result
	planned=72; [ "$v" = floor ] && planned=13
	expect "$v: status pass under kvm" grep -qx 'status=pass' "$r"
	expect "$v: conformance $planned/$planned under KVM" \
		test "$(sed -n 's/^tap_pass=//p' "$r")" = "$planned" -a \
		"$(sed -n 's/^tap_fail=//p' "$r")" = 0 -a "$(sed -n 's/^mode=//p' "$r")" = kvm
	expect "$v: samples in TSC ticks" \
		test "$(awk -F, 'NR > 1 { print $NF }' "$M/raw/$v.samples.csv" | sort -u)" = tsc
	line=$(grep "^run $v " "$flat")
	set -- $line
	# run SHORT STATUS PIN_APPLIED VCPU_THREAD VCPU_CPUS PIN_CPU
	expect "$v: the vCPU thread (${5:-none}) bound to cpu ${7:-?} and read back (${6:-none})" \
		test "${5:-}" = "CPU_0/KVM" -a "${4:-}" = yes -a "${6:-x}" = "${7:-y}"
done
expect "the matrix ran the $n variants of the set" test "$(ls "$M"/raw/*.result 2>/dev/null | wc -l)" = "$n"
# reported, not asserted: timer deliveries the nested KVM made twice, which
# the stub dropped (kernels/idt.S; the conformance check is asserted above)
dups=$(grep -ho 'ticks, [0-9]* duplicates dropped' "$M"/raw/*.console 2>/dev/null |
	awk '{ s += $2; n += ($2 > 0) } END { printf "%d, in %d of %d boots", s, n, NR }')
echo "# timer: duplicate deliveries dropped: ${dups:-none}"

# ------------------------------------------------------------ the gate
gs=$(step_status gate-same)
expect "gate head == base under kvm: pass or inconclusive, never a regression (exit $gs)" \
	test "$gs" = 0 -o "$gs" = 3
vd=$(ls -d "$OUT"/gate-same/gate-* 2>/dev/null | head -1)
expect "gate head == base: verdict.md published, mode kvm, labelled not performance figures" \
	grep -q 'not performance figures' "$vd/verdict.md"
if [ "$SET" = full ]; then
	gp=$(step_status gate-plus50)
	expect "gate against +50 instructions on the fast path: regression (exit $gp)" test "$gp" = 1
	vd=$(ls -d "$OUT"/gate-plus50/gate-* 2>/dev/null | head -1)
	regs=$(grep -Eo "^\| *(pcsa|fsacdzi|fsac|floor) *\| *getpid *\|.*\| *\*\*regression\*\* *\|" \
		"$vd/verdict.md" 2>/dev/null | awk -F'|' '{ gsub(/ /, "", $2); print $2 }' | sort | paste -sd,)
	expect "gate +50: a regression on a variant whose entry has the 50 loads (rows: ${regs:-none})" \
		test -n "$(echo ",$regs," | grep -E ',(pcsa|fsacdzi|fsac),')"
	# the floor's entry has not the 50 loads: its row is a head == base row, reported, not asserted
	echo "# gate +50: regression rows {${regs:-none}} (pcsa and fsacdzi carry the 50 loads, the floor does not)"
fi
# ------------------------------------------------------------ Linux rows
# Debian's kernel under the nested KVM hangs in early boot in about half
# its boots on a loaded machine (6 of 12 here, at arbitrary points, with a
# serial console: README "Linux rows under the nested KVM"), the same
# test bed's duplicate timer interrupts the lab's kernels drop and count.
# A row that hung is a SKIP naming that; one that ran is checked in full;
# any other failure fails.
if [ "$SET" = full ]; then
	L=$OUT/matrix-linux/latest
	ls=$(step_status matrix-linux)
	expect "matrix --linux under kvm: exit 0, or 1 with hung rows only (got $ls)" \
		test "$ls" = 0 -o "$ls" = 1
	expect "the matrix screen names the Linux rows' CPU host, not the TCG model" \
		test "$(grep -c 'linux-debian-.*,cpu=host ' "$OUT/matrix-linux.log")" = 2
	expect "the floor beside them: status pass under kvm" grep -qx 'status=pass' "$L/raw/floor.result"
	for r in linux linux-nomit; do
		st=$(sed -n 's/^status=//p' "$L/raw/$r.result" 2>/dev/null)
		if [ "$st" = hang ]; then
			echo "SKIP: $r hung under the nested KVM (the test bed's duplicate interrupts): not checked"
			continue
		fi
		expect "$r: status pass under kvm (got '${st:-none}'), samples in TSC ticks" \
			eval '[ "$st" = pass ] && grep -qx mode=kvm "$L/raw/$r.result" &&
			      [ "$(awk -F, "NR > 1 { print \$NF }" "$L/raw/$r.samples.csv" | sort -u)" = tsc ]'
		expect "$r: run on -cpu host, and meta.json says so with the kernel's verdicts" \
			python3 -c 'import json, sys
m = json.load(open(sys.argv[1]))
r = [x for x in m["linuxref"]["rows"] if x["short"] == sys.argv[2]][0]
sys.exit(not (r["cpu_model"] == "host" and r["vulnerabilities"]))' "$L/meta.json" "$r"
		expect "$r: in report.md, which says not performance figures" \
			eval 'grep -q "^| *$r " "$L/report.md" &&
			      grep -q "^\*\*Not performance figures:\*\*" "$L/report.md"'
	done
	expect "the native host row ran, perf bench beside it" \
		grep -q '^host row: getpid .* ns per call' "$OUT/matrix-linux.log"
fi
echo "nested: outer guest $(cat "$OUT/outer.seconds" 2>/dev/null)s; steps: $(tr '\n' ';' <"$OUT/steps.tsv")"
if [ "$FAILED" != 0 ] && [ -n "${NESTED_KEEP:-}" ]; then
	rm -rf "$NESTED_KEEP" && cp -a "$OUT" "$NESTED_KEEP" && echo "nested: files kept in $NESTED_KEEP"
fi
finish
