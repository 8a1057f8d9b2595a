#!/usr/bin/env bash
# revision.sh — figures are attributed to the revision the images were
# built from (real build, real QEMU; assumes `make` has been run).  In a
# clone of this repository with a copy of the floor image's objects, make
# relinks the image (writing its build note), then the clone's HEAD moves
# without a rebuild: past a harness-only commit nothing is said, past one
# that changes the kernel the matrix must warn that the image is from
# another revision and record it in meta.json; a missing note is warned
# about too.
# Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/integration/lib.sh

EL=$(realpath "$EL")
C=$TMP/clone
TAG=rev$$
for f in "$EL" build/kernels/floor.elf build/kernels/floor/entry.o build/variants.mk; do
	[ -f "$f" ] || { fail "$f exists (run 'make' first)"; finish; exit 1; }
done
git clone -q "$PWD" "$C" || { fail "git clone"; finish; exit 1; }
mkdir -p "$C/build/kernels"
cp -a build/gen build/variants.mk "$C/build/"
cp -a build/kernels/common build/kernels/floor build/kernels/user.o "$C/build/kernels/"
find "$C/build" -exec touch {} +   # newer than the fresh checkout: only the link runs
relink() {
	make -s -C "$C" -W build/kernels/floor/entry.o -o build/host/entrylab -o build/host/systbl \
		-o build/variants.mk build/kernels/floor.elf >"$TMP/make.log" 2>&1
}
matrix() {
	(cd "$C" && "$EL" matrix --variants floor --bench getpid --samples 1 --mode tcg --no-plots \
		--results-dir "$TMP/R" --append-for "floor=el.tag=$TAG" >/dev/null 2>"$TMP/err")
}
meta() { sed -n "s/^ *\"$1\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" "$TMP/R/latest/meta.json" | head -1; }
rev0=$(git -C "$C" rev-parse HEAD)

expect "relink floor in the clone" relink
expect "the build note names the image's build-id and the clone's revision" \
	grep -qx "revision=$rev0" "$C/build/kernels/floor.rev"
matrix
expect "same revision: no warning ($(head -c 200 "$TMP/err"))" [ -z "$(grep -i 'revision\|build note' "$TMP/err")" ]
expect "same revision: meta.json records built_revision $rev0" [ "$(meta built_revision)" = "$rev0" ]

git -C "$C" -c user.name=t -c user.email=t@t commit -q --allow-empty -m "harness only"
matrix
expect "HEAD moved, guest sources unchanged: no warning" [ -z "$(grep -i 'revision\|build note' "$TMP/err")" ]
echo "/* moved on */" >>"$C/kernels/main.c"
git -C "$C" -c user.name=t -c user.email=t@t commit -q -am "kernel changed"
rev1=$(git -C "$C" rev-parse HEAD)
matrix
expect "HEAD moved without a rebuild: one warning naming both revisions" \
	[ "$(grep -c "warning: build/kernels/floor.elf was built from other guest sources (revision ${rev0:0:12}), the tree is at ${rev1:0:12}" "$TMP/err")" = 1 ]
expect "HEAD moved: meta.json still attributes the figures to $rev0" [ "$(meta built_revision)" = "$rev0" ]
expect "HEAD moved: meta.json's git revision is the tree's" [ "$(meta revision)" = "$rev1" ]

rm "$C/build/kernels/floor.rev"
matrix
expect "no build note: one warning" [ "$(grep -c 'floor.elf has no build note naming its build-id' "$TMP/err")" = 1 ]
expect "relink after the move" relink
matrix
expect "rebuilt: no warning" [ -z "$(grep -i 'revision\|build note' "$TMP/err")" ]

# built from uncommitted changes, then committed: the same sources, no warning
echo "/* edited, built, then committed */" >>"$C/kernels/main.c"
expect "relink a dirty tree" relink
expect "the note of a dirty build says so" grep -qx "dirty=1" "$C/build/kernels/floor.rev"
git -C "$C" -c user.name=t -c user.email=t@t commit -q -am "the edit the image was built with"
matrix
expect "built dirty, then committed: no warning ($(head -c 200 "$TMP/err"))" \
	[ -z "$(grep -i 'revision\|build note' "$TMP/err")" ]
echo "/* edited, not rebuilt */" >>"$C/kernels/main.c"
matrix
expect "an uncommitted edit without a rebuild: one warning" \
	[ "$(grep -c 'floor.elf was built from other guest sources' "$TMP/err")" = 1 ]
finish
