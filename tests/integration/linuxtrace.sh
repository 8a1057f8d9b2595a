#!/usr/bin/env bash
# linuxtrace.sh — `entrylab trace` on a Linux reference row: the executed
# path of one getpid in Debian's kernel with the kernel's symbols from
# /proc/kallsyms of the traced boot, checked against loop - empty; a diff of
# a lab preset against a Linux row aligned by role; the CPU model options'
# bad input.  Two Linux boots with QEMU's exec log (about 10-40 s each on
# two busy cores).  Skipped, with the reason, without /boot/vmlinuz-*.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

if ! compgen -G "/boot/vmlinuz-*" >/dev/null; then
	ok "Linux trace # SKIP no /boot/vmlinuz-* (install linux-image-amd64)"
	finish
	exit
fi

# ------------------------------------------------------------ one trace
expect_status 0 "trace linux getpid" "$EL" trace linux getpid
cp "$TMP/out" "$TMP/trace"
expect "the kernel's symbols come from /proc/kallsyms" \
	grep -qx 'kernel symbols: from /proc/kallsyms of the traced boot (nokaslr)' "$TMP/trace"
first=$(grep -m1 '^ring0 ' "$TMP/trace" | awk '{ print $3 }')
expect "the kernel path starts at entry_SYSCALL_64 ($first)" test "$first" = "entry_SYSCALL_64+0x0"
expect "the ring-3 syscall comes first" grep -qE '^ring3 +0x[0-9a-f]+ +el_loop_syscall\+0x[0-9a-f]+ +syscall$' \
	<(grep -m1 -E '^ring[03] ' "$TMP/trace")
expect "getpid's body is on the path" grep -qE '^ring0 .* (__x64_sys_getpid|__do_sys_getpid)\+0x' "$TMP/trace"
expect "the path leaves by sysretq" grep -qE '^ring0 .* sysretq$' <(grep -E '^ring[03] ' "$TMP/trace" | tail -1)
nsym=$(grep '^ring0 ' "$TMP/trace" | awk '{ sub(/\+0x.*/, "", $3); print $3 }' | sort -u | wc -l)
expect "every kernel instruction has a symbol, $nsym functions in all" \
	sh -c "[ $nsym -ge 5 ] && ! grep -qE '^ring0 +0x[0-9a-f]+ +0x' '$TMP/trace'"
expect "every kernel instruction has its text" sh -c "! grep -q 'not in the disassembly' '$TMP/trace'"
read -r n m <<<"$(sed -n 's/^count = \([0-9]*\) instructions; matrix figure (loop - empty) = \([0-9]*\)$/\1 \2/p' "$TMP/trace")"
expect "the path ($n) is loop - empty of the same boot ($m)" sh -c "[ -n '$n' ] && [ '$n' = '$m' ] && [ '$n' -gt 100 ]"

# ------------------------------------------------------------ a preset against a Linux row
expect_status 0 "trace --diff linux-5.x linux-nomit getpid" "$EL" trace --diff linux-5.x linux-nomit getpid
cp "$TMP/out" "$TMP/diff"
expect "aligned by role" grep -q '^(.*aligned by role (variants/roles.conf)' "$TMP/diff"
for r in entry-asm body exit-asm; do
	expect "a section for the role $r" grep -qE "^-- $r: A [0-9]+, B [0-9]+" "$TMP/diff"
done
a=$(sed -n 's/^A: count = \([0-9]*\) .*/\1/p' "$TMP/diff"); b=$(sed -n 's/^B: count = \([0-9]*\) .*/\1/p' "$TMP/diff")
d=$(sed -n 's/^difference B - A = \([-+][0-9]*\) .*/\1/p' "$TMP/diff")
expect "difference $d = B $b - A $a" sh -c "[ -n '$d' ] && [ \$(( $d )) = \$(( ${b:-0} - ${a:-0} )) ]"
expect "the by-role table adds up to both paths" \
	awk -v a="$a" -v b="$b" '/^by role/ { on = 1; next } /^by symbol/ { on = 0 }
		on && NF == 4 && $1 != "role" { sa += $2; sb += $3 } END { exit !(sa == a && sb == b) }' "$TMP/diff"
# the NOPs outside the body, counted again from the listing itself
read -r wa wb na nb xa xb <<<"$(sed -n 's/^ring 0 outside the body: A \([0-9]*\), B \([0-9]*\) .* NOPs (patched-out sites): A \([0-9]*\), B \([0-9]*\); without the NOPs: A \([0-9]*\), B \([0-9]*\) .*/\1 \2 \3 \4 \5 \6/p' "$TMP/diff")"
read -r la lb lna lnb <<<"$(awk '/^-- [a-z-]+: A / { role = $2; sub(":", "", role); next }
	/^by role/ { exit }
	role != "" && role != "body" && role != "user" && / ring0 / {
		m = substr($0, 1, 1); f = (m == " ") ? 4 : 5; nop = ($f ~ /^nop/ || ($f == "xchg" && $(f + 1) ~ /^%ax,/))
		if (m != "+") { a++; na += nop }
		if (m != "-") { b++; nb += nop } }
	END { print a + 0, b + 0, na + 0, nb + 0 }' "$TMP/diff")"
expect "ring 0 outside the body and its NOPs ($wa/$wb, NOPs $na/$nb) as the listing counts them ($la/$lb, $lna/$lnb)" \
	sh -c "[ -n '$wa' ] && [ '$wa $wb $na $nb' = '$la $lb $lna $lnb' ] && [ $((wa - na)) = '$xa' ] && [ $((wb - nb)) = '$xb' ] && [ '$nb' -gt 0 ]"
expect "Linux's dispatcher is named as code only B runs" grep -qE '^ +0 +[0-9]+ +\+[0-9]+  do_syscall_64  \(only in B\)$' "$TMP/diff"
expect "both sides' syscall instruction is aligned" grep -qE '^  ring3  el_loop_syscall\+0x[0-9a-f]+ +el_loop_syscall\+0x[0-9a-f]+ +syscall$' "$TMP/diff"

# ------------------------------------------------------------ bad input
expect_status 2 "trace --linux-cpu with a model QEMU lacks" "$EL" trace linux getpid --linux-cpu NoSuchCPU
expect "one line naming it and listing QEMU's models" \
	sh -c "[ \$(wc -l <'$TMP/err') = 1 ] && grep -q \"unknown CPU model 'NoSuchCPU'\" '$TMP/err' && grep -q ' Icelake-Server ' '$TMP/err'"
expect_status 2 "trace linux.nosuchcpu" "$EL" trace linux.nosuchcpu getpid
finish
