# lib.sh — shared helpers for the integration tests (sourced).
# Each test script counts its checks and ends with `finish`, which prints
# "N passed, N failed" and exits non-zero on any failure.
EL=${EL:-build/host/entrylab}
PASSED=0
FAILED=0
TMP=$(mktemp -d /tmp/entrylab-it.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
# CCACHE: for `env`, the environment that sends a build's compiler through
# ccache, for the gates whose builds of sources built before only have to
# be done (not interrupted): make, the checkouts and the links run as ever,
# and ccache gives back the object an identical compilation gave (keyed by
# the compiler, its arguments and every file the source includes).  The
# directory is left out of the key: the gates' worktrees differ in path
# only, which only DWARF's comp_dir records and nothing here reads.  The
# cache is this checkout's build/ccache (make clean removes it).  Empty
# without ccache (./run.sh deps installs it): those builds then compile.
CCACHE=()
if command -v ccache >/dev/null; then
	CCACHE=("CC=ccache ${CC:-cc}" "CCACHE_DIR=$(pwd -P)/build/ccache" CCACHE_NOHASHDIR=1)
fi

ok()   { PASSED=$((PASSED + 1)); echo "ok - $1"; }
fail() { FAILED=$((FAILED + 1)); echo "not ok - $1"; }
expect() {  # expect DESCRIPTION COMMAND...: passes when the command succeeds
	local what=$1; shift
	if "$@"; then ok "$what"; else fail "$what"; fi
}
expect_status() {  # expect_status WANT DESCRIPTION COMMAND...
	local want=$1 what=$2 got; shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"; got=$?
	if [ "$got" = "$want" ]; then ok "$what (exit $got)"
	else fail "$what: exit $got, want $want; stderr: $(head -c 300 "$TMP/err")"; fi
}
# per-call figure of BENCH from a samples CSV (first sample); fields are
# counted from the end because the quoted variant name holds commas.
per_call() { awk -F, -v b="$2" 'NR > 1 && $(NF-6) == b { print $(NF-1); exit }' "$1"; }
is_positive_int() { case "$1" in ''|*[!0-9]*) return 1 ;; esac; [ "$1" -gt 0 ]; }
finish() {
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" = 0 ]
}
