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
for c in run list resolve trace pathlen variants; do
	expect_status 0 "entrylab $c -h" "$EL" "$c" -h
done
expect_status 2 "entrylab list --bogus is still a usage error" "$EL" list --bogus
expect_status 2 "entrylab --bogus is still a usage error" "$EL" --bogus

# ---- run.sh: no install, no build for help and --version
mkdir -p "$TMP/bin"
for tool in make apt-get; do
	printf '#!/bin/sh\necho "%s $*" >>"%s/ran"\nexit 1\n' "$tool" "$TMP" >"$TMP/bin/$tool"
	chmod +x "$TMP/bin/$tool"
done
shim() { PATH="$TMP/bin:$PATH" "$@"; }

expect_status 0 "./run.sh --version" shim ./run.sh --version
expect "./run.sh --version prints '$want_version'" grep -qx "$want_version" "$TMP/out"
for c in variant-matrix test test-kvm list run gate baseline trace pathlen deps; do
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
