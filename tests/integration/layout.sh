#!/usr/bin/env bash
# layout.sh — the folders of harness/ use one another one way only: every
# include of a harness header and every call or data reference between
# the objects (nm of build/host/obj/<folder>/*.o) runs from a folder to
# one listed below it in README.md's Layout table, so no cycle can form
# between folders.  Every folder has its row and every row its folder.
#
# Usage: tests/integration/layout.sh   (needs 'make host' first)
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

if ! compgen -G "build/host/obj/*/*.o" >/dev/null; then
	fail "no harness objects under build/host/obj: run 'make host'"
	finish
	exit
fi

python3 - >"$TMP/layout" <<'EOF'
import glob, os, re, subprocess

order = re.findall(r'^\| `harness/([a-z]+)/` \|', open('README.md').read(), re.M)
folders = sorted(d for d in os.listdir('harness') if os.path.isdir('harness/' + d))
print(f'rows {" ".join(sorted(order))}')
print(f'dirs {" ".join(folders)}')
rank = {f: i for i, f in enumerate(order)}


def folder(path):
    return path.split('/')[-2]


arrows = set()
for src in glob.glob('harness/*/*.[ch]'):
    for name in re.findall(r'^#include "([a-z]+)/[^"]+"', open(src).read(), re.M):
        if name in rank:
            arrows.add((folder(src), name, f'{src} includes {name}/'))
defined, wanted = {}, []
for obj in glob.glob('build/host/obj/*/*.o'):
    for line in subprocess.run(['nm', obj], capture_output=True, text=True).stdout.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in 'TDBR':
            defined[f[2]] = obj
        elif len(f) == 2 and f[0] == 'U':
            wanted.append((obj, f[1]))
for obj, sym in wanted:
    if sym in defined:
        arrows.add((folder(obj), folder(defined[sym]), f'{obj} uses {sym}'))
for a, b, why in sorted(arrows):
    if a != b and (a not in rank or b not in rank or rank[a] >= rank[b]):
        print(f'up {a} -> {b}: {why}')
EOF
expect "the layout check ran" test -s "$TMP/layout"
rows=$(sed -n 's/^rows //p' "$TMP/layout")
dirs=$(sed -n 's/^dirs //p' "$TMP/layout")
expect "README's Layout table has one row per harness folder ($dirs)" test "$rows" = "$dirs"
if grep -q '^up ' "$TMP/layout"; then
	fail "arrows against the Layout table's order:"
	grep '^up ' "$TMP/layout" | head -20
else
	ok "every include and call between harness folders runs down the Layout table"
fi

finish
