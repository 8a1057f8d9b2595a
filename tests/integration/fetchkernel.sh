#!/usr/bin/env bash
# fetchkernel.sh — linuxref/fetch-kernel.sh (the Debian 5.10 kernel of
# `trace --linux-kernel debian-5.10`) without the network: the archive is
# made unreachable (a proxy on a closed port), so no download happens here.
# Unknown names and an unreachable archive with nothing cached are status 2
# with one line; a cached kernel (with the checksum file a verified download
# leaves beside it) is used, and stderr says so.  The signed download itself
# is exercised by `./run.sh trace --linux-kernel debian-5.10 linux getpid`
# (README "Faithfulness"), not here: it takes 57 MB and the network.
cd "$(dirname "$0")/../.." || exit 2
. tests/integration/lib.sh

F=linuxref/fetch-kernel.sh
offline() { ENTRYLAB_CACHE="$TMP/cache" http_proxy=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 "$@"; }
one_line() { [ "$(wc -l <"$TMP/err")" = 1 ] && grep -q "$1" "$TMP/err"; }

expect_status 2 "an unknown kernel name is a usage error" bash "$F" debian-9
expect "  ...said in one line naming the known one" one_line "give debian-5.10"

if command -v curl >/dev/null && command -v gpgv >/dev/null &&
   [ -r /usr/share/keyrings/debian-archive-keyring.gpg ]; then
	expect_status 2 "unreachable archive, empty cache: status 2" offline bash "$F" debian-5.10
	expect "  ...in one line that says what to do" one_line "check the network and retry"
	mkdir -p "$TMP/cache/debian-bullseye"
	echo fake >"$TMP/cache/debian-bullseye/vmlinuz-5.10.0-9-amd64"
	expect_status 2 "a cached kernel without its verified checksum is not used" offline bash "$F" debian-5.10
	echo 0123 >"$TMP/cache/debian-bullseye/5.10.0-9-amd64.sha256"
	expect_status 0 "unreachable archive, verified kernel cached: used" offline bash "$F" debian-5.10
	expect "  ...its path printed" grep -qx "$TMP/cache/debian-bullseye/vmlinuz-5.10.0-9-amd64" "$TMP/out"
	expect "  ...and stderr says it is the cached one" grep -q "using the cached" "$TMP/err"
else
	echo "SKIP: curl, gpgv or debian-archive-keyring missing (./run.sh deps installs them)"
fi
expect_status 2 "run.sh trace --linux-kernel with an unknown kernel name: status 2" \
	./run.sh trace --linux-kernel debian-9 linux getpid
finish
