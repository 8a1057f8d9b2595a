#!/bin/sh
# build_note.sh IMAGE — write the build note of a kernel image, IMAGE with
# .elf replaced by .rev: its GNU build-id, the git revision of the tree it
# was linked from (dirty=1: that tree had uncommitted changes) and
# sources=, a digest of the guest build's inputs as they were on disk, so
# that the matrix can tell figures of an image built from other sources
# from those of the tree it runs in (harness/matrix/meta.c).  Run by kernels.mk
# after each link.
# build_note.sh --sources — print that digest for the tree as it is now
# (the matrix compares it with the note's).
#
# The inputs: the tracked files under kernels, bench, lib, include,
# variants, linuxref and the Makefile; the digest is the sha1 of their
# names and sha1s, so an uncommitted edit changes it and a commit that
# touches only the harness does not.
set -e
cd "$(dirname "$0")/.."
sources() {
	git ls-files -z -- kernels bench lib include variants linuxref Makefile 2>/dev/null |
		xargs -0 -r sha1sum | sha1sum | cut -d' ' -f1
}
if [ "${1:-}" = --sources ]; then
	sources
	exit
fi
img=$1
note=${img%.elf}.rev
id=$(readelf -n "$img" | sed -n 's/.*Build ID: //p')
rev=$(git rev-parse HEAD 2>/dev/null || true)
dirty=0
[ -z "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] || dirty=1
printf 'build_id=%s\nrevision=%s\ndirty=%s\nsources=%s\n' "$id" "$rev" "$dirty" "$(sources)" \
	>"$note.tmp.$$"
mv "$note.tmp.$$" "$note"
