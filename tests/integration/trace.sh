#!/bin/bash
# Integration test of `entrylab trace` and `entrylab pathlen` against the
# built images under tcg-icount.  For each variant and benchmark the path
# count that trace prints must equal the matrix figure measured
# independently by `entrylab run --samples 1`: (ticks - empty) / iters from
# its samples CSV.  Also: --diff shows the difference of two such figures,
# pathlen follows kernels/entry_variant.h, and bad input exits 2.
#
# Usage: tests/integration/trace.sh   (from anywhere; needs 'make' first)
# Environment: ENTRYLAB (default build/host/entrylab).
# Exit status 0 if every check passed, 1 otherwise; the last line is
# "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1

EL=${ENTRYLAB:-build/host/entrylab}
KDIR=build/kernels
TMP=$(mktemp -d /tmp/entrylab-trace-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
# trace writes its raw log under TMPDIR: this test's own, so that the check
# for leftovers below sees only this test's traces (others may run at once)
export TMPDIR=$TMP/tmp
mkdir -p "$TMPDIR"
pass=0
fail=0

ok()  { pass=$((pass + 1)); echo "ok - $*"; }
bad() { fail=$((fail + 1)); echo "FAIL - $*"; }
check() { # check "what" command... : passes if the command succeeds
	local what=$1; shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}

finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}

if [ ! -x "$EL" ]; then
	bad "harness $EL not built: run 'make'"
	finish
fi

# matrix VARIANT BENCH: the per-call figure from one `entrylab run` sample.
matrix() {
	local v=$1 b=$2 out=$TMP/run-$1-$2
	if ! "$EL" run --image "$KDIR/$v.elf" --name "$v" --out "$out" --samples 1 \
		--bench "$b" --run bench >"$out.log" 2>&1; then
		echo "run-failed"
		return
	fi
	# variant,short,bench,sample,iters,ticks,empty,per_call,unit (variant quoted)
	sed -E 's/^("[^"]*"|[^,]*),//' "$out/$v.samples.csv" | awk -F, -v b="$b" '
		$2 == b { if (($5 - $6) % $4) print "inexact"; else print ($5 - $6) / $4; n++ }
		END { if (!n) print "missing" }'
}

# trace_count VARIANT BENCH: "N M" from trace's verification line.
trace_count() {
	"$EL" trace "$1" "$2" >"$TMP/trace-$1-$2.out" 2>"$TMP/trace-$1-$2.err" || {
		echo "exit-$?"
		return
	}
	sed -n 's/^count = \([0-9]*\) instructions; matrix figure (loop - empty) = \(-\?[0-9]*\)$/\1 \2/p' \
		"$TMP/trace-$1-$2.out"
}

# ---------------------------------------------------------------- counts
declare -A fig
for vb in pcsa:getpid pcsa:iopl fssc:getpid fssc:iopl fcac:getpid fcac:iopl floor:getpid fcsa:getpid; do
	v=${vb%%:*} b=${vb#*:}
	if [ ! -f "$KDIR/$v.elf" ]; then
		bad "$v $b: $KDIR/$v.elf not built (run 'make')"
		continue
	fi
	m=$(matrix "$v" "$b")
	fig[$vb]=$m
	read -r n tm <<<"$(trace_count "$v" "$b")"
	if [ "${n:-}" = "$m" ] && [ "${tm:-}" = "$m" ]; then
		ok "trace $v $b: path $n instructions = matrix figure $m (entrylab run)"
	else
		bad "trace $v $b: path '${n:-}' trace-window figure '${tm:-}' matrix figure '$m'"
		sed 's/^/    /' "$TMP/trace-$v-$b.err"
	fi
done

# the path starts at the loop's syscall (ring 3) and ends at the sysretq
# (getpid: SYSRET return)
out=$TMP/trace-pcsa-getpid.out
check "trace pcsa getpid: first instruction is the ring-3 syscall" \
	grep -qE '^ring3 +0x[0-9a-f]+ +el_loop_syscall\+0x[0-9a-f]+ +syscall$' <(sed -n 4p "$out")
check "trace pcsa getpid: last instruction is sysretq at syscall_sysret_insn" \
	grep -qE '^ring0 .*syscall_sysret_insn\+0x0 +sysretq$' <(grep -E '^ring' "$out" | tail -1)

# ---------------------------------------------------------------- --diff
if "$EL" trace --diff pcsa fcsa getpid >"$TMP/diff.out" 2>"$TMP/diff.err"; then
	d=$(sed -n 's/^difference B - A = \([-+][0-9]*\) instructions.*/\1/p' "$TMP/diff.out")
	want=$(( ${fig[fcsa:getpid]:-0} - ${fig[pcsa:getpid]:-0} ))
	if [ -n "$d" ] && [ "$((d))" -eq "$want" ] && [ "$want" -ne 0 ]; then
		ok "trace --diff pcsa fcsa getpid: difference $d = fcsa - pcsa matrix figures"
	else
		bad "trace --diff pcsa fcsa getpid: difference '$d', matrix figures say $want"
	fi
	# ptregs=full pushes rbx..r15 where partial only reserves the slots
	check "trace --diff: the six pushes of the extra registers are only in fcsa" \
		test "$(grep -cE '^\+ ring0 .*push %(rbx|rbp|r12|r13|r14|r15)$' "$TMP/diff.out")" -eq 6
else
	bad "trace --diff pcsa fcsa getpid exited $?: $(cat "$TMP/diff.err")"
fi

# ---------------------------------------------------------------- pathlen
if "$EL" pathlen --csv pcsa fcsa pssa floor >"$TMP/pathlen.csv" 2>"$TMP/pathlen.err"; then
	# short,"variant",instructions,bytes,jcc: count fields from the end
	pl() { awk -F, -v v="$1" -v c="$2" '$1 == v { print c == "insns" ? $(NF-2) : $(NF-1) }' \
		"$TMP/pathlen.csv"; }
	check "pathlen --csv header" test "$(head -1 "$TMP/pathlen.csv")" = "short,variant,instructions,bytes,jcc"
	check "pathlen: full - partial = 10 instructions, 12 bytes (6 push + 6 pop vs sub + add)" \
		test "$(( $(pl fcsa insns) - $(pl pcsa insns) )):$(( $(pl fcsa bytes) - $(pl pcsa bytes) ))" = "10:12"
	check "pathlen: stored - cached = 4 instructions" test "$(( $(pl pssa insns) - $(pl pcsa insns) ))" = 4
	check "pathlen: floor is shorter than pcsa" test "$(pl floor insns)" -lt "$(pl pcsa insns)"
	# static vs dynamic: getpid's traced path = syscall + fast path + sys_getpid
	h=$(grep -c '^ring0 .* sys_getpid+' "$TMP/trace-pcsa-getpid.out")
	check "pathlen pcsa + syscall + sys_getpid ($h) = traced getpid path" \
		test "$(( $(pl pcsa insns) + 1 + h ))" = "${fig[pcsa:getpid]:-x}"
else
	bad "pathlen --csv exited $?: $(cat "$TMP/pathlen.err")"
fi

# ---------------------------------------------------------------- bad input
expect2() { # expect2 "what" args... : exit 2 and one line on stderr
	local what=$1; shift
	"$EL" "$@" >"$TMP/bad.out" 2>"$TMP/bad.err"
	local rc=$? lines
	lines=$(wc -l <"$TMP/bad.err")
	if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && grep -q '^entrylab: ' "$TMP/bad.err"; then
		ok "$what: exit 2, one line"
	else
		bad "$what: exit $rc, $lines lines: $(head -c 300 "$TMP/bad.err")"
	fi
}
expect2 "unknown variant" trace nosuch getpid
expect2 "unknown benchmark" trace pcsa nosuch
expect2 "two variants from one selector" trace all getpid
expect2 "missing image" trace pcsa getpid --kernels "$TMP/none"
expect2 "missing arguments" trace pcsa
expect2 "--diff with two arguments" trace --diff pcsa getpid
expect2 "benchmark the variant lacks" trace floor iopl
expect2 "unknown option" trace pcsa getpid --frobnicate
expect2 "pathlen unknown variant" pathlen nosuch
expect2 "pathlen missing image" pathlen pcsa --kernels "$TMP/none"

# a QEMU whose log never reaches the markers (and one that is not there)
cat >"$TMP/fakeqemu" <<'EOF'
#!/bin/sh
while [ $# -gt 0 ]; do [ "$1" = -D ] && log=$2; shift; done
printf 'Trace 0: 0x7f0000 [0000000000000000/0000000000100000/00000040/ff020201] \n' >"$log"
printf '@H proto=2\n'
exit 33
EOF
chmod +x "$TMP/fakeqemu"
expect2 "trace that never reaches the markers" trace pcsa getpid --qemu "$TMP/fakeqemu"
grep -q 'never reached the markers' "$TMP/bad.err" || bad "markers message: $(cat "$TMP/bad.err")"
expect2 "QEMU not found" trace pcsa getpid --qemu "$TMP/no-such-qemu"
left=$(find "$TMPDIR" -maxdepth 1 -name 'entrylab-trace-??????' 2>/dev/null | wc -l)
check "no raw trace left in TMPDIR by any trace of this test" test "$left" -eq 0

finish
