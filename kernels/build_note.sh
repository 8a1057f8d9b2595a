#!/bin/sh
# build_note.sh IMAGE — write the build note of a kernel image, IMAGE with
# .elf replaced by .rev: its GNU build-id and the git revision of the tree
# it was linked from (dirty=1: that tree had uncommitted changes), so that
# the matrix can tell figures of an image built elsewhere from those of
# the tree it runs in (harness/meta.c).  Run by kernels.mk after each link.
set -e
img=$1
note=${img%.elf}.rev
id=$(readelf -n "$img" | sed -n 's/.*Build ID: //p')
rev=$(git rev-parse HEAD 2>/dev/null || true)
dirty=0
[ -z "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] || dirty=1
printf 'build_id=%s\nrevision=%s\ndirty=%s\n' "$id" "$rev" "$dirty" >"$note.tmp.$$"
mv "$note.tmp.$$" "$note"
