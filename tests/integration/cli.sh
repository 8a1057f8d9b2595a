#!/usr/bin/env bash
# cli.sh — the command-line convention of the harness and run.sh: every
# harness command answers --help with its usage on stdout and status 0,
# `entrylab --version` and `./run.sh --version` print the Makefile's
# VERSION, and `./run.sh help X` prints without installing or building
# (make and apt-get are replaced by shims that leave a mark; a copy of
# run.sh beside no harness prints its own text).  A few seconds.
#
# Usage: tests/integration/cli.sh   (needs 'make host' first)
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

if [ ! -x "$EL" ]; then
	fail "harness $EL not built: run 'make host'"
	finish
	exit
fi

want_version="entrylab $(sed -n 's/^VERSION *:= *//p' Makefile)"

# ---- the harness
expect_status 0 "entrylab --version" "$EL" --version
expect "entrylab --version prints '$want_version'" grep -qx "$want_version" "$TMP/out"

"$EL" --help >"$TMP/help"
commands=$(sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' "$TMP/help" | sort -u)
expect "entrylab --help lists the commands" test "$(echo "$commands" | wc -l)" -ge 10
for c in $commands; do
	expect_status 0 "entrylab $c --help" "$EL" "$c" --help
	expect "entrylab $c --help: usage on stdout" grep -q "^usage" "$TMP/out"
done
for c in run list resolve trace pathlen variants matrix gate analyze hostinfo; do
	expect_status 0 "entrylab $c -h" "$EL" "$c" -h
done
expect_status 2 "entrylab list --bogus is still a usage error" "$EL" list --bogus
expect_status 2 "entrylab --bogus is still a usage error" "$EL" --bogus

# ---- one option table per command: its options, did-you-mean, --opt=value
# Every command and subcommand of `entrylab --help` ("linuxref host").
sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\( [a-z][a-z-]*\)\{0,1\}\)  .*/\1/p' "$TMP/help" |
	sed 's/ *$//' >"$TMP/cmds"
expect "entrylab --help lists 14 commands and subcommands" test "$(wc -l <"$TMP/cmds")" -ge 14
# a misspelling of each option: one letter too many
misspell() { echo "${1}x"; }
: >"$TMP/allopts"
while read -r c; do
	# shellcheck disable=SC2086
	"$EL" $c --help >"$TMP/h" 2>&1
	grep -o '^  --[a-z][a-z-]*' "$TMP/h" | sed 's/^  //' | grep -vx -- --help >"$TMP/opts"
	sed "s/^/$c|/" "$TMP/opts" >>"$TMP/allopts"
	n=$(wc -l <"$TMP/opts")
	expect "entrylab $c --help lists its options ($n)" test "$n" -ge 1
	o=$(head -1 "$TMP/opts"); m=$(misspell "$o")
	# shellcheck disable=SC2086
	expect_status 2 "entrylab $c $m: a usage error" "$EL" $c "$m" x
	expect "entrylab $c $m: one line naming $o" \
		sh -c "[ \$(wc -l <'$TMP/err') = 1 ] && grep -q -- 'did you mean $o?' '$TMP/err'"
	# shellcheck disable=SC2086
	expect_status 2 "entrylab $c --rounds: an option of another command" "$EL" $c --rounds 2
	if [ "$c" = gate ]; then
		expect "entrylab gate --rounds: not that error" grep -qv 'not an option' "$TMP/err"
	else
		expect "entrylab $c --rounds: names gate, which takes it" \
			grep -q "is not an option of $c: .*it is one of gate" "$TMP/err"
	fi
done <"$TMP/cmds"
expect "gate --baseline: points to --baseline-file" \
	sh -c "'$EL' gate --baseline f 2>&1 | grep -q 'did you mean --baseline-file?'"
expect_status 2 "entrylab lsit: a usage error" "$EL" lsit
expect "entrylab lsit: did you mean 'list'" grep -q "did you mean 'list'" "$TMP/err"

# --opt=value is the same as --opt value, in every command that parses one
expect_status 0 "list --variants-dir=variants" "$EL" list --variants-dir=variants
expect_status 0 "resolve --variants-dir=variants pcsa" "$EL" resolve --variants-dir=variants pcsa
expect_status 0 "matrix --samples=3 --list-benches" "$EL" matrix --samples=3 --list-benches
expect_status 0 "hostinfo --cpu=0" "$EL" hostinfo --cpu=0
expect "hostinfo --cpu=0 measures cpu 0" grep -qx "pin_cpu=0" "$TMP/out"
for c in "matrix --samples=0" "gate --base=HEAD --samples=0" "run --samples=0" \
	 "trace --timeout=0 pcsa getpid" "linuxref host --samples=0" "hostinfo --cpu=x"; do
	# shellcheck disable=SC2086
	expect_status 2 "$c: the value is read and refused" "$EL" $c
	expect "$c: bad value named" grep -q "bad.*value\|value.*bad" "$TMP/err"
done
expect_status 2 "list --presets=1: a flag takes no value" "$EL" list --presets=1
expect "list --presets=1: says so" grep -q "takes no value" "$TMP/err"
expect_status 2 "run --accel=fast: refused" "$EL" run --image x --name x --out x --accel=fast
expect "run --accel=fast: names tcg and kvm" grep -q "use tcg (tcg-icount) or kvm" "$TMP/err"

# ---- --variants patterns over variants/axes.conf
"$EL" resolve ptregs=full >"$TMP/full"
"$EL" list | awk 'NR > 1 && $3 == "full" { print $1 }' >"$TMP/list-full"
"$EL" list | awk 'NR > 1 && $3 == "full" && $6 == "c" { print $1 }' >"$TMP/list-both"
expect "resolve ptregs=full: some but not every variant ($(wc -l <"$TMP/full") of $("$EL" resolve all | grep -vc floor))" \
	test -s "$TMP/full" -a "$(wc -l <"$TMP/full")" -lt "$("$EL" resolve all | grep -vc floor)"
expect "resolve ptregs=full: exactly the listed variants with a full frame" \
	diff -q "$TMP/list-full" "$TMP/full"
"$EL" resolve ptregs=full+exit=c >"$TMP/both"
expect "resolve ptregs=full+exit=c: exactly the listed ones with both, all of them in ptregs=full" \
	sh -c "diff -q '$TMP/list-both' '$TMP/both' && ! grep -vxFf '$TMP/full' '$TMP/both'"
expect_status 2 "resolve ptregs=sideways: a usage error" "$EL" resolve ptregs=sideways
expect "resolve ptregs=sideways: names the values" grep -q "use one of partial, full" "$TMP/err"
# a combination an 'invalid' rule of axes.conf forbids, asked for by name
expect_status 2 "resolve pcsaz (clear=yes on the assembler path): a usage error" "$EL" resolve pcsaz
expect "resolve pcsaz: one line naming the rule and its line in axes.conf" \
	sh -c "[ \$(wc -l <'$TMP/err') = 1 ] && grep -q \"forbidden by variants/axes.conf:[0-9]*: 'invalid path=asm clear=yes'\" '$TMP/err'"
expect_status 2 "resolve fsacdzikmgx (the switch with the 5.10 entry): a usage error" "$EL" resolve fsacdzikmgx
expect "resolve fsacdzikmgx: one line naming the dispatch rule" \
	sh -c "[ \$(wc -l <'$TMP/err') = 1 ] && grep -q \"forbidden by variants/axes.conf:[0-9]*: 'invalid dispatch=switch entry=generic'\" '$TMP/err'"
expect "resolve linux-6.1: the switch (fsacdzikmrx)" test "$("$EL" resolve linux-6.1)" = fsacdzikmrx
expect "resolve path=c: a pattern leaves the forbidden combinations out" \
	test "$("$EL" resolve path=c | paste -sd,)" = "$("$EL" list | awk 'NR > 1 && $7 == "c" { print $1 }' | paste -sd,)"

# ---- the matrix's --tap stream and progress line (a few boots)
if [ -f build/kernels/pcsa.elf ] && [ -f build/kernels/floor.elf ] && command -v qemu-system-x86_64 >/dev/null; then
	mx=("$EL" matrix --variants pcsa,floor,pssc --bench getpid --samples 2 --no-linux --no-plots
	    --accel tcg --out "$TMP/r")
	expect_status 1 "matrix --tap with one variant failing on purpose: status 1" \
		"${mx[@]}" --tap --append-for pssc=el.selftest=1
	expect "--tap: stdout is TAP only" sh -c "! grep -Ev '^(TAP version 13|1\.\.3|(not )?ok [1-3] - .*|# Subtest: [a-z]+|    .*)$' '$TMP/out'"
	expect "--tap: the plan and three test points, one not ok" test \
		"$(grep -c '^ok [1-3] - ' "$TMP/out") $(grep -c '^not ok [1-3] - pssc .*# crash' "$TMP/out")" = "2 1"
	expect "--tap: pcsa's whole suite as its subtest" \
		sh -c "sed -n '/^# Subtest: pcsa/,/^ok/p' '$TMP/out' | grep -c '^    ok ' | grep -qx \"\$(grep -c '^ok ' '$TMP/r/latest/raw/pcsa.tap')\""
	expect "--tap: the table went to stderr" grep -q '^pcsa ' "$TMP/err"
	if command -v perl >/dev/null && perl -MTAP::Parser -e 1 2>/dev/null; then
		expect "--tap: Perl's TAP::Parser reads it without errors: 3 tests, 1 failed" test \
			"$(perl -MTAP::Parser -e 'local $/; my $p = TAP::Parser->new({ tap => <STDIN> }); 1 while $p->next; print $p->tests_run, " ", scalar($p->failed), " ", scalar($p->parse_errors)' <"$TMP/out")" = "3 1 0"
	else
		echo "SKIP: perl's TAP::Parser missing: the TAP stream is checked by pattern only"
	fi
	# stderr a terminal (script's pty): the time elapsed and left; a pipe: plain lines
	script -qec "$(printf '%q ' "${mx[@]}") 2>&1 >/dev/null" /dev/null >"$TMP/tty" 2>&1
	expect "on a terminal: the progress line gives the time elapsed and left" \
		grep -Eq '\[[12]/3\] [0-9.]+ s elapsed, about [0-9.]+ s left' "$TMP/tty"
	expect_status 0 "matrix with stderr a pipe" "${mx[@]}"
	expect "with stderr a pipe: plain lines, no estimate" \
		sh -c "[ \$(grep -c '^\[[1-3]/3\] [a-z]* .* pass [0-9.]*s$' '$TMP/err') = 3 ] && ! grep -q 'left' '$TMP/err'"
else
	echo "SKIP: kernels or QEMU missing: --tap and the progress line are not checked"
fi

# ---- completion and man page, generated from the same tables
for f in build/share/entrylab.bash build/share/entrylab.1; do
	expect "$f built with the harness" test -s "$f"
done
if [ -s build/share/entrylab.bash ]; then
	# shellcheck disable=SC2016
	comp() {  # comp WORD...: what bash completes for the last word
		bash -c '. build/share/entrylab.bash; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
			 _entrylab; printf "%s\n" "${COMPREPLY[@]}"' comp "$@"
	}
	missing=$(while IFS='|' read -r c o; do
		# shellcheck disable=SC2086
		comp "$EL" $c "$o" | grep -qx -- "$o" || echo "$c $o"
	done <"$TMP/allopts")
	expect "completion offers every option of every command${missing:+ (missing: $missing)}" \
		test -z "$missing"
	expect "completion: matrix --accel completes auto tcg kvm" \
		test "$(comp "$EL" matrix --accel '' | tr '\n' ' ')" = "auto tcg kvm "
	expect "completion: --accel=k completes --accel=kvm" \
		test "$(comp "$EL" matrix --accel=k)" = "--accel=kvm"
	want=$("$EL" resolve all | grep '^fs' | sed 's/^/pcsa,/' | tr '\n' ' ')
	expect "completion: matrix --variants pcsa,fs completes the list's last short name" \
		test "$(comp "$EL" matrix --variants pcsa,fs | tr '\n' ' ')" = "$want"
	expect "completion: matrix --variants=ptregs=f completes an axis pattern" \
		test "$(comp "$EL" matrix --variants=ptregs=f)" = "--variants=ptregs=full"
	expect "completion: the commands" sh -c "bash -c '. build/share/entrylab.bash; COMP_WORDS=(entrylab ga); COMP_CWORD=1; _entrylab; echo \${COMPREPLY[*]}' | grep -qx gate"
fi
if [ -s build/share/entrylab.1 ]; then
	if command -v man >/dev/null; then
		MANWIDTH=200 man --warnings -l build/share/entrylab.1 >"$TMP/man" 2>"$TMP/manerr"
		expect "man -l renders the page without warnings" test ! -s "$TMP/manerr"
	else
		echo "SKIP: man not installed: the page is checked as roff text only"
		sed 's/\\-/-/g' build/share/entrylab.1 >"$TMP/man"
	fi
	missing=$(while IFS='|' read -r c o; do
		sed -n "/^   $c /,/^   [a-z]/p" "$TMP/man" | grep -q -- "^       $o" || echo "$c $o"
	done <"$TMP/allopts")
	expect "the man page lists every option${missing:+ (missing: $missing)}" test -z "$missing"
	missing=$(while read -r c; do grep -q "^   $c " "$TMP/man" || echo "$c"; done <"$TMP/cmds")
	expect "the man page has every command${missing:+ (missing: $missing)}" test -z "$missing"
fi

# ---- run.sh: no install, no build for help and --version
mkdir -p "$TMP/bin"
for tool in make apt-get; do
	printf '#!/bin/sh\necho "%s $*" >>"%s/ran"\nexit 1\n' "$tool" "$TMP" >"$TMP/bin/$tool"
	chmod +x "$TMP/bin/$tool"
done
shim() { PATH="$TMP/bin:$PATH" "$@"; }

expect_status 0 "./run.sh --version" shim ./run.sh --version
expect "./run.sh --version prints '$want_version'" grep -qx "$want_version" "$TMP/out"
for c in $(./run.sh --commands); do
	expect_status 0 "./run.sh help $c" shim ./run.sh help "$c"
	expect "./run.sh help $c prints a usage" grep -q "usage" "$TMP/out"
done
expect_status 0 "./run.sh variant-matrix --help" shim ./run.sh variant-matrix --help
expect "help ran neither make nor apt-get" test ! -e "$TMP/ran"

# beside no built harness: run.sh's own text
mkdir -p "$TMP/tree"
cp run.sh Makefile "$TMP/tree/"
for c in variant-matrix gate baseline; do
	expect_status 0 "./run.sh help $c without a harness" shim "$TMP/tree/run.sh" help "$c"
	expect "./run.sh help $c without a harness: run.sh's text" grep -q "^usage: ./run.sh $c" "$TMP/out"
done
expect_status 0 "./run.sh --version without a harness" shim "$TMP/tree/run.sh" --version
expect "./run.sh --version without a harness prints '$want_version'" grep -qx "$want_version" "$TMP/out"
expect "still neither make nor apt-get" test ! -e "$TMP/ran"
expect_status 2 "./run.sh bogus is a usage error" shim ./run.sh bogus

finish
