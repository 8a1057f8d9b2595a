#!/usr/bin/env bash
# head50.sh — build/nested/head50: this checkout (its tracked files as they
# are now) with 50 instructions added at the top of entry_SYSCALL_64, built
# with its own Makefile (make host and the images of VARIANTS).  The nested
# gate compares it with this tree: every variant whose entry is entry.S
# must come out as a regression of 50 instructions on getpid (the floor has
# its own entry, entry_floor.S, and must not).
#
# The 50 are loads, `cmpb $0, entry_SYSCALL_64(%rip)` (a byte of the entry
# text, mapped in both page tables of pti=on; only the flags change, which
# SYSCALL saved in r11): QEMU's TCG, which runs the nested guest, emits no
# host code at all for a nop, so 50 nops cost the nested guest nothing (the
# kept +50 gates of the 88-variant runs: pcsa 188-194 ticks on both sides),
# while it must do a load's TLB lookup.  On a real CPU 50 loads of one
# cached line cost about 25 cycles.
#
#   tests/nested/head50.sh VARIANTS      (comma list of short names)
# Exit: 0 built, 2 failed (one line).
set -u
cd "$(dirname "$0")/../.." || exit 2
VARIANTS=${1:?usage: head50.sh VARIANTS}
D=build/nested/head50
die() { echo "head50: $*" >&2; exit 2; }

rm -rf "$D.tmp" && mkdir -p "$D.tmp" || die "cannot create $D.tmp"
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$D.tmp" || die "copying the tracked files failed"
# the build tree as it is (make then rebuilds only what entry.S feeds)
[ -d build/host ] && { cp -a build/host build/gen build/kernels "$D.tmp/build/" 2>/dev/null ||
	mkdir -p "$D.tmp/build"; }
f=$D.tmp/kernels/entry.S
line=$(grep -n '^entry_SYSCALL_64:$' "$f" | cut -d: -f1)
[ -n "$line" ] || die "kernels/entry.S has no 'entry_SYSCALL_64:' line: update this script"
sed -i "${line}a\\	.rept 50\\n\\tcmpb \$0, entry_SYSCALL_64(%rip)\\n\\t.endr\\t\\t/* the nested gate's regression */" "$f" ||
	die "patching $f failed"
imgs=$(echo "$VARIANTS" | tr ',' '\n' | sed 's|^|build/kernels/|; s|$|.elf|')
# shellcheck disable=SC2086
make -C "$D.tmp" -s -j"$(nproc)" host $imgs >"$D.log" 2>&1 || die "build failed: $D.log"
rm -rf "$D" && mv "$D.tmp" "$D" || die "cannot move $D.tmp to $D"
