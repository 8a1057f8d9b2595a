#!/usr/bin/env bash
# outer.sh — boot the first-level guest of the nested-KVM test and wait
# for it (README "KVM mode tested under nested KVM").
#
#   tests/nested/outer.sh OUT SET [TIMEOUT_S]
#
# Builds an initramfs of its own under build/nested/ (removed at the end;
# concurrent runs do not share it): tests/nested/init.c as /init, the
# modules for 9p over virtio and for kvm_amd, from this machine's
# linux-image-amd64; boots Debian's kernel under TCG with emulated SVM
# (-accel tcg,thread=single -cpu max -smp 2), shares the host's root
# read-only and OUT read-write over virtio-9p, and runs
# tests/nested/inside.sh SET in this checkout inside the guest.  OUT
# receives what inside.sh writes (files, never scraped from the console)
# and console.log.
#
# Exit status: 0 the guest ran inside.sh to its end (its own verdict is in
# OUT/init.status and OUT/steps.tsv); 77 cannot be done on this host (one
# line "SKIP: reason": no kernel image or modules, TCG offers no SVM);
# 2 usage or build error; 4 the guest hit TIMEOUT_S and was killed (the
# step it was in is named); 5 the guest stopped before inside.sh ended
# (the step is named from OUT/init.status or the console).
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd -P)
OUT=${1:?usage: outer.sh OUT SET [TIMEOUT_S]}
SET=${2:?usage: outer.sh OUT SET [TIMEOUT_S]}
LIMIT=${3:-600}
NB=build/nested
QEMU=${QEMU:-qemu-system-x86_64}
# Test hooks (kvm-nested.sh's bad-input checks): the guest CPU model and
# where the kernel package's files are.
CPU_MODEL=${NESTED_CPU:-max}
BOOT=${NESTED_BOOT:-/boot}
MODROOT=${NESTED_MODULES:-/lib/modules}

say() { echo "nested: $*" >&2; }
skip() { echo "SKIP: $*"; exit 77; }

# ------------------------------------------------------------ the kernel
vmlinuz=$(ls -1 "$BOOT"/vmlinuz-* 2>/dev/null | sort -V | tail -1)
[ -n "$vmlinuz" ] || skip "no kernel image ($BOOT/vmlinuz-*): install linux-image-amd64"
rel=${vmlinuz#"$BOOT"/vmlinuz-}
mods=$MODROOT/$rel
[ -f "$mods/modules.dep" ] || skip "no modules for $rel ($mods/modules.dep): reinstall linux-image-$rel"
command -v "$QEMU" >/dev/null || { say "qemu-system-x86_64 not found: ./run.sh deps"; exit 2; }
command -v cpio >/dev/null || { say "cpio not found: ./run.sh deps"; exit 2; }
# SVM under TCG: QEMU's max CPU model must offer it
if ! "$QEMU" -accel tcg -cpu help 2>/dev/null | grep -qw svm; then
	skip "this QEMU's TCG offers no SVM flag (qemu-system-x86_64 -cpu help): nested KVM needs it"
fi

# ------------------------------------------------------------ initramfs
# Modules in load order: each one's dependencies from modules.dep (the
# last listed loads first), then the module itself.
order() {
	local m=$1 line deps d
	line=$(grep -E "(^|/)$m\.ko(\.[a-z]+)?:" "$mods/modules.dep" | head -1)
	[ -n "$line" ] || { say "module $m not in $mods/modules.dep (the kernel must build it as a module)"; return 1; }
	deps=${line#*:}
	for d in $(echo $deps | tr ' ' '\n' | tac); do echo "$d"; done
	echo "${line%%:*}"
}
mkdir -p "$NB" || exit 2
stage=$(mktemp -d "$NB/initramfs.XXXXXX") || exit 2
trap 'rm -rf "$stage" "$stage.cpio"' EXIT
mkdir -p "$stage"/{dev,proc,sys,host} || exit 2
gcc -static -O2 -Wall -Wextra -Werror -o "$stage/init" tests/nested/init.c || {
	say "building tests/nested/init.c failed (see above): needs libc6-dev's static libc"; exit 2; }
# stage LIST MODULE...: the modules and their dependencies, in load order
stage_modules() {
	local listfile=$stage/$1 m ko list=""; shift
	: >"$listfile"
	for m in "$@"; do list="$list $(order "$m")" || exit 2; done
	for ko in $list; do
		grep -qx "/mod/$ko" "$stage"/modules.* && continue
		case "$ko" in
		*.ko) ;;
		*) say "$ko: compressed modules are not handled (this kernel's modules.dep)"; exit 2 ;;
		esac
		mkdir -p "$stage/mod/$(dirname "$ko")" && cp "$mods/$ko" "$stage/mod/$ko" || exit 2
		echo "/mod/$ko" >>"$listfile"
	done
}
stage_modules modules.9p virtio_pci 9pnet_virtio 9p
stage_modules modules.kvm kvm-amd
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) \
	>"$stage.cpio" || { say "writing $stage.cpio failed"; exit 2; }

# ------------------------------------------------------------ boot
mkdir -p "$OUT" || exit 2
OUT=$(cd "$OUT" && pwd -P)
rm -f "$OUT/init.status"
qpid=""
cleanup() {
	[ -n "$qpid" ] && kill -KILL "$qpid" 2>/dev/null && wait "$qpid" 2>/dev/null
	rm -rf "$stage" "$stage.cpio"
}
trap cleanup EXIT
trap 'cleanup; say "interrupted: the outer QEMU was killed"; exit 130' INT TERM HUP
say "booting $vmlinuz under TCG (set $SET, limit ${LIMIT}s)"
start=$(date +%s)
"$QEMU" -accel tcg,thread=single -cpu "$CPU_MODEL" -m 2G -smp 2 -display none -no-reboot \
	-serial "file:$OUT/console.log" -monitor none -nodefaults \
	-kernel "$vmlinuz" -initrd "$stage.cpio" \
	-append "console=ttyS0 nokaslr panic=-1 quiet ELN_LAB=$ROOT ELN_SCRIPT=tests/nested/inside.sh ELN_ARG=$SET" \
	-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
	-virtfs "local,path=$OUT,mount_tag=out,security_model=none,multidevs=remap" \
	</dev/null >"$OUT/qemu.log" 2>&1 &
qpid=$!
# a PDEATHSIG-like guard: if this script dies by SIGKILL, QEMU must not
# outlive it; a watcher kills QEMU when our pid is gone
( while kill -0 $$ 2>/dev/null; do sleep 1; done; kill -KILL "$qpid" 2>/dev/null ) &
watcher=$!
timed_out=0
while kill -0 "$qpid" 2>/dev/null; do
	if [ $(( $(date +%s) - start )) -ge "$LIMIT" ]; then
		timed_out=1
		kill -KILL "$qpid" 2>/dev/null
		break
	fi
	sleep 1
done
wait "$qpid" 2>/dev/null
qst=$?
qpid=""
kill "$watcher" 2>/dev/null; wait "$watcher" 2>/dev/null
secs=$(( $(date +%s) - start ))
echo "$secs" >"$OUT/outer.seconds"
laststep=$(tail -1 "$OUT/steps.log" 2>/dev/null)
if [ "$timed_out" = 1 ]; then
	say "the outer guest hit the ${LIMIT}s limit and was killed; last step: ${laststep:-none (inside.sh never started; see $OUT/console.log)}"
	exit 4
fi
st=$(cat "$OUT/init.status" 2>/dev/null)
case "$st" in
"exit "*) say "outer guest done in ${secs}s: inside.sh $st"; exit 0 ;;
"skip "*) echo "SKIP: nested KVM: ${st#skip }"; exit 77 ;;
"fail "*) say "the outer guest stopped: $st"; exit 5 ;;
*) say "the outer guest stopped (QEMU status $qst) without a result; console: $(grep -E 'Kernel panic|init: ' "$OUT/console.log" | tail -1)"; exit 5 ;;
esac
