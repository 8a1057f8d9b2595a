#!/usr/bin/env bash
# linuxref/fetch-kernel.sh — a Debian kernel that is not installed here, for a
# reference row (`./run.sh trace --linux-kernel debian-5.10 linux getpid`).
#
#   bash linuxref/fetch-kernel.sh debian-5.10
#
# prints the path of its vmlinuz on stdout.  Debian 11 (bullseye) ships 5.10:
# the newest linux-image-5.10.0-N-amd64-unsigned of bullseye-security and
# bullseye is taken.  Nothing is trusted that the archive's signature does
# not cover: InRelease is checked with gpgv against debian-archive-keyring,
# Packages.xz against the SHA256 InRelease gives, the .deb against the
# SHA256 and size Packages gives.  Only boot/vmlinuz-* is kept (the lab's
# initramfs needs no modules), in the cache:
#   ${ENTRYLAB_CACHE:-$HOME/.cache/entrylab}/debian-bullseye/vmlinuz-<abi>
# with <abi>.sha256, the .deb's verified checksum, beside it.  When the
# archive cannot be reached a cached kernel is used (stderr says so).
# Exit status: 0 the path printed, 2 unavailable (one line on stderr: what,
# where, what to do).
set -u

case "${1:-}" in
debian-5.10) suite=bullseye; pkgre='^linux-image-5[.]10[.]0-[0-9]+-amd64-unsigned$' ;;
*) echo "fetch-kernel: unknown kernel '${1:-}': give debian-5.10" >&2; exit 2 ;;
esac
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
cache="${ENTRYLAB_CACHE:-${HOME:-/root}/.cache/entrylab}/debian-$suite"
archives="http://security.debian.org/debian-security $suite-security
http://deb.debian.org/debian $suite"

fail() { echo "fetch-kernel: $1" >&2; rm -rf "$tmp"; exit 2; }
get() { curl -fsL --retry 2 --connect-timeout 20 --max-time "${3:-120}" -o "$2" "$1"; }

# The newest cached kernel, for use without the network.
cached() {
	local f
	for f in $(ls "$cache"/vmlinuz-* 2>/dev/null | sort -rV); do
		[ -s "$f" ] && [ -s "$cache/${f##*/vmlinuz-}.sha256" ] && { echo "$f"; return 0; }
	done
	return 1
}

for t in curl gpgv dpkg-deb xz; do
	command -v "$t" >/dev/null || { echo "fetch-kernel: $t not found: run ./run.sh deps" >&2; exit 2; }
done
[ -r "$keyring" ] || { echo "fetch-kernel: no keyring $keyring: apt-get install debian-archive-keyring" >&2; exit 2; }
mkdir -p "$cache" || { echo "fetch-kernel: cannot create $cache: set ENTRYLAB_CACHE to a writable directory" >&2; exit 2; }
tmp=$(mktemp -d "$cache/.fetch.XXXXXX") || { echo "fetch-kernel: cannot write $cache: set ENTRYLAB_CACHE" >&2; exit 2; }
trap 'rm -rf "$tmp"' EXIT

# best: version, URL, sha256, size of the newest package over the archives
best_v="" best=""
n=0
while read -r base dist; do
	n=$((n + 1))
	d="$tmp/$n"
	mkdir -p "$d"
	get "$base/dists/$dist/InRelease" "$d/InRelease" 60 || continue
	gpgv --quiet --keyring "$keyring" --output "$d/Release" "$d/InRelease" 2>"$d/gpgv.err" ||
		fail "bad signature on $base/dists/$dist/InRelease ($(tail -n 1 "$d/gpgv.err")): update debian-archive-keyring or retry later"
	until=$(sed -n 's/^Valid-Until: //p' "$d/Release")
	if [ -n "$until" ] && [ "$(date -d "$until" +%s 2>/dev/null || echo 0)" -lt "$(date +%s)" ]; then
		fail "$base/dists/$dist/InRelease expired on $until (a stale mirror): retry later"
	fi
	want=$(awk '/^SHA256:/ { s = 1; next } /^[^ ]/ { s = 0 }
		    s && $3 == "main/binary-amd64/Packages.xz" { print $1, $2; exit }' "$d/Release")
	[ -n "$want" ] || fail "$base/dists/$dist/Release lists no main/binary-amd64/Packages.xz: retry later"
	get "$base/dists/$dist/main/binary-amd64/Packages.xz" "$d/Packages.xz" 120 || continue
	[ "$(sha256sum <"$d/Packages.xz" | cut -d' ' -f1) $(stat -c %s "$d/Packages.xz")" = "$want" ] ||
		fail "$base/dists/$dist/main/binary-amd64/Packages.xz does not match its signed SHA256: retry later"
	xz -dc "$d/Packages.xz" | awk -v re="$pkgre" -v base="$base" '
		/^Package: / { p = $2 } /^Version: / { v = $2 } /^Filename: / { f = $2 }
		/^SHA256: / { h = $2 } /^Size: / { z = $2 }
		/^$/ { if (p ~ re) print v, base "/" f, h, z; p = "" }
		END { if (p ~ re) print v, base "/" f, h, z }' >"$d/candidates"
	while read -r v url h z; do
		if [ -z "$best_v" ] || dpkg --compare-versions "$v" gt "$best_v"; then
			best_v=$v best="$url $h $z"
		fi
	done <"$d/candidates"
done <<<"$archives"

if [ -z "$best" ]; then
	f=$(cached) && { echo "fetch-kernel: the Debian archive is unreachable; using the cached $f" >&2; echo "$f"; exit 0; }
	fail "no linux-image-5.10 package from security.debian.org or deb.debian.org (offline?): check the network and retry"
fi
read -r url sha size <<<"$best"
abi=$(basename "$url" | sed -n 's/^linux-image-\(5\.10\.0-[0-9]*-amd64\)-unsigned_.*/\1/p')
[ -n "$abi" ] || fail "unexpected package name $(basename "$url"): report it"
out="$cache/vmlinuz-$abi"
if [ -s "$out" ] && [ "$(cat "$cache/$abi.sha256" 2>/dev/null)" = "$sha" ]; then
	echo "$out"
	exit 0
fi
echo "fetch-kernel: downloading $(basename "$url") ($((size / 1048576)) MB)" >&2
get "$url" "$tmp/k.deb" 900 || fail "cannot download $url: check the network and retry"
[ "$(sha256sum <"$tmp/k.deb" | cut -d' ' -f1) $(stat -c %s "$tmp/k.deb")" = "$sha $size" ] ||
	fail "$url does not match the SHA256 and size of the signed Packages index: retry later"
dpkg-deb --fsys-tarfile "$tmp/k.deb" | tar -xOf - "./boot/vmlinuz-$abi" >"$tmp/vmlinuz" &&
	[ -s "$tmp/vmlinuz" ] || fail "no ./boot/vmlinuz-$abi in $(basename "$url"): report it"
mv "$tmp/vmlinuz" "$out" && echo "$sha" >"$cache/$abi.sha256" || fail "cannot write $out: check $cache"
echo "$out"
