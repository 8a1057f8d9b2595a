#!/usr/bin/env bash
# reliability.sh — entrylab under hostile conditions, with real kernels and
# real QEMU (assumes `make` has been run; builds nothing):
#   guest faults  a matrix where variants triple-fault, hang, flood the
#                 console, send impossible values or take a kernel #UD:
#                 each is contained within its limits and reported with its
#                 last console lines; the others complete
#   sandbox       QEMU's argv, seccomp state and open files
#   interrupts    SIGINT/SIGTERM during a matrix's runs and its analysis
#                 (exit 130, no QEMU or run child left, no temporary file
#                 under a final name, results/latest not moved), and during
#                 a gate's build and its runs
#   concurrency   two matrices at once; an image relinked by make while
#                 runs boot it
#   resources     a full disk and a read-only results directory
# Guest faults are real (el.selftest=N, include/entrylab/abi.h), injected
# per variant with `matrix --append-for`.  Every QEMU started here carries
# el.tag=<this test's tag> on its command line, so the checks for leftover
# processes see only this test's.  Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/integration/lib.sh

TAG=rel$$
R=$TMP/results
trap 'umount "$TMP/small" 2>/dev/null; rm -rf "$TMP"' EXIT
for f in "$EL" build/kernels/pcsa.elf build/kernels/floor.elf; do
	[ -f "$f" ] || { fail "$f exists (run 'make' first)"; finish; exit 1; }
done

# Processes of this test still alive: QEMU (by tag) and run children (by
# their --out under $TMP).
leftovers() { pgrep -f -- "el.tag=$TAG" ; pgrep -f -- "--out $TMP/"; }
published() { ls -1 "$1" 2>/dev/null | grep -v '^latest$'; }
tmp_files() { find "$1" -name '*.tmp*' 2>/dev/null; }
tags() {  # --append-for for every short name given: the tag, plus extra args
	local s
	for s in "$@"; do printf -- '--append-for\n%s=el.tag=%s\n' "$s" "$TAG"; done
}
# the seconds since the epoch, with milliseconds
now() { date +%s.%N | cut -c1-14; }
elapsed() { echo "$(now) - $1" | bc; }
less_than() { [ "$(echo "$1 < $2" | bc)" = 1 ]; }

# ------------------------------------------------------------ guest faults
# pssa floods, pssc hangs, psac triple-faults, fsac sends ticks < empty,
# fcac takes a #UD in the kernel; pcsa and floor are healthy.
mapfile -t T < <(tags pcsa floor)
t0=$(now)
"$EL" matrix --variants pcsa,pssa,pssc,psac,fsac,fcac,floor --samples 2 --mode tcg \
	--jobs 2 --timeout 4 --no-plots --results-dir "$R" "${T[@]}" \
	--append-for "pssa=el.selftest=3 el.tag=$TAG" --append-for "pssc=el.selftest=2 el.tag=$TAG" \
	--append-for "psac=el.selftest=5 el.tag=$TAG" --append-for "fsac=el.selftest=4 el.tag=$TAG" \
	--append-for "fcac=el.selftest=1 el.tag=$TAG" >"$TMP/faults.out" 2>"$TMP/faults.err"
rc=$? took=$(elapsed "$t0")
expect "faults: matrix exits 1 (a variant failed), got $rc" [ "$rc" = 1 ]
expect "faults: whole matrix within the 4 s limit plus start-up (${took}s)" less_than "$took" 12
run=$(published "$R" | head -1)
D=$R/$run
expect "faults: the run is published and latest points at it" [ -n "$run" -a "$(readlink "$R/latest")" = "$run" ]
status() { sed -n 's/^status=//p' "$D/raw/$1.result" 2>/dev/null; }
error()  { sed -n 's/^error=//p' "$D/raw/$1.result" 2>/dev/null; }
for s in pcsa floor; do
	expect "faults: healthy $s passed ($(status $s))" [ "$(status $s)" = pass ]
done
expect "faults: flood reported as a flood, not a hang ($(error pssa))" \
	grep -q '^error=guest flooded the console: killed at the [0-9]*-byte output cap' "$D/raw/pssa.result"
cap=$(sed -n 's/.* at the \([0-9]*\)-byte output cap.*/\1/p' "$D/raw/pssa.result")
expect "faults: flood console kept within the cap (${cap:-?} bytes)" \
	[ -n "$cap" ] && [ "$(stat -c %s "$D/raw/pssa.console")" -le "${cap:-0}" ]
expect "faults: flood stopped by the output cap before the time limit" \
	grep -qx 'qemu_status=output-cap' "$D/raw/pssa.result"
expect "faults: hang killed at the time limit ($(error pssc))" \
	[ "$(status pssc)" = hang ] && grep -q '^qemu_status=timeout' "$D/raw/pssc.result"
w=$(sed -n 's/^wall_ms=//p' "$D/raw/pssc.result")
expect "faults: hang wall time near 4 s (${w:-?} ms)" [ "${w:-0}" -ge 4000 -a "${w:-99999}" -lt 6000 ]
expect "faults: triple fault reported as a crash ($(error psac))" \
	[ "$(status psac)" = crash ] && grep -q 'triple fault' "$D/raw/psac.result"
expect "faults: impossible values rejected as a protocol error ($(error fsac))" \
	[ "$(status fsac)" = protocol ] && grep -q 'impossible value: ticks=5 < empty=9' "$D/raw/fsac.result"
expect "faults: kernel #UD reported with its vector ($(error fcac))" \
	[ "$(status fcac)" = crash ] && grep -q '#UD (vector 6)' "$D/raw/fcac.result"
# report.md: a section per failed variant with its last console lines
section() { awk -v h="### $1 " 'index($0, h) == 1 { on = 1; print; next } /^##/ { on = 0 } on' "$D/report.md"; }
for s in pssa pssc psac fsac fcac; do
	expect "faults: report.md has a failure section for $s with console lines" \
		grep -q 'Last console lines' <(section $s)
done
expect "faults: report.md quotes the flood's last lines" grep -q '^@K flood flood' <(section pssa)
expect "faults: report.md lists the healthy variants' figures" grep -q '^| pcsa |  | 2 | [0-9]' "$D/report.md"
expect "faults: no QEMU or run child left" [ -z "$(leftovers)" ]

# ------------------------------------------------------------ sandbox
"$EL" run --image build/kernels/pcsa.elf --name pcsa --out "$TMP/sb" --timeout 3 \
	--append "el.selftest=2 el.tag=$TAG" >/dev/null 2>&1 &
runpid=$!
q=""
for _ in $(seq 50); do
	q=$(pgrep -f -- "el.tag=$TAG" | while read -r p; do
		[ "$(cat /proc/"$p"/comm 2>/dev/null)" = qemu-system-x86 ] && echo "$p"; done | head -1)
	[ -n "$q" ] && break
	sleep 0.05
done
if [ -z "$q" ]; then
	fail "sandbox: found the running QEMU"
else
	tr '\0' '\n' <"/proc/$q/cmdline" >"$TMP/argv"
	# QEMU installs its filter early in its start-up, a little after exec
	for _ in $(seq 40); do
		grep -q '^Seccomp:[[:space:]]*2' "/proc/$q/status" && break
		sleep 0.05
	done
	expect "sandbox: seccomp filter active in QEMU (Seccomp: 2)" grep -q '^Seccomp:[[:space:]]*2' "/proc/$q/status"
	expect "sandbox: -sandbox on with obsolete, elevateprivileges, spawn, resourcecontrol denied" \
		grep -qx 'on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny' "$TMP/argv"
	expect "sandbox: -nodefaults and -nic none" grep -qx -- -nodefaults "$TMP/argv" && \
		grep -A1 -x -- -nic "$TMP/argv" | grep -qx none
	expect "sandbox: no network, disk, chardev, file or monitor option" \
		[ -z "$(grep -x -e -netdev -e -net -e -drive -e -hda -e -cdrom -e -chardev -e -fsdev \
			-e -virtfs -e -D -e -pidfile -e -qmp -e -incoming -e -loadvm "$TMP/argv")" ]
	expect "sandbox: -serial and -monitor none, output on stdio" \
		[ "$(grep -A1 -x -e -serial -e -monitor "$TMP/argv" | grep -vx -e -serial -e -monitor)" = "none
none" ] && grep -A1 -x -- -debugcon "$TMP/argv" | grep -qx stdio
	paths=$(grep '/' "$TMP/argv" | while read -r a; do [ -e "$a" ] && echo "$a"; done)
	expect "sandbox: the kernel image is the only host path in the argv ($paths)" \
		[ "$paths" = build/kernels/pcsa.elf ]
	# while the guest runs (the kernel image is read at start-up, then closed)
	for _ in $(seq 40); do
		files=$(for fd in /proc/"$q"/fd/*; do readlink "$fd"; done | grep -v -e '^pipe:' \
			-e '^anon_inode:' -e '^/dev/null$')
		[ -z "$files" ] && break
		sleep 0.05
	done
	expect "sandbox: QEMU holds no file, socket or device but pipes and /dev/null (${files:-none})" \
		[ -z "$files" ]
fi
wait $runpid
expect "sandbox: the run records sandbox=on" grep -qx 'sandbox=on' "$TMP/sb/pcsa.result"
expect "sandbox: nothing left" [ -z "$(leftovers)" ]

# ------------------------------------------------------------ interrupts
# During the runs pssc hangs, so that QEMU runs when the signal comes; for
# the analysis every variant is healthy and plots are made (a longer step).
latest_before=$(readlink "$R/latest")
published_before=$(published "$R" | tr '\n' ' ')
interrupt() {  # interrupt SIGNAL WHEN: WHEN is seconds, or "analyze"
	local sig=$1 when=$2 what="$1 at $2" pid rc seen=""
	local hang="el.selftest=2 el.tag=$TAG"
	[ "$when" = analyze ] && hang="el.tag=$TAG"
	mapfile -t T < <(tags pcsa floor)
	"$EL" matrix --variants pcsa,pssc,floor --samples 2 --mode tcg --jobs 2 --timeout 20 \
		--results-dir "$R" "${T[@]}" --append-for "pssc=$hang" \
		>"$TMP/int.out" 2>"$TMP/int.err" &
	pid=$!
	if [ "$when" = analyze ]; then
		# the staging symlink results/<id> appears just before the analysis
		for _ in $(seq 1000); do
			[ -n "$(find "$R" -maxdepth 1 -type l ! -name latest)" ] && { seen=y; break; }
			sleep 0.005
		done
	else
		sleep "$when"
		[ -n "$(pgrep -f -- "el.tag=$TAG")" ] && seen=y
	fi
	kill -"$sig" $pid
	wait $pid
	rc=$?
	# at 0.1 s QEMU may not have started yet: that case tests an early signal
	[ "$when" = 0.1 ] || expect "interrupt $what: QEMU was running / analysis under way" [ -n "$seen" ]
	expect "interrupt $what: exit 130 (got $rc)" [ "$rc" = 130 ]
	expect "interrupt $what: one 'interrupted' line on stderr" \
		[ "$(grep -c 'entrylab: interrupted by' "$TMP/int.err")" = 1 ]
	expect "interrupt $what: no QEMU, run child or zombie left" [ -z "$(leftovers)" ]
	expect "interrupt $what: results/latest not moved" [ "$(readlink "$R/latest")" = "$latest_before" ]
	expect "interrupt $what: nothing published" [ "$(published "$R" | tr '\n' ' ')" = "$published_before" ]
	expect "interrupt $what: no staging symlink left" [ -z "$(find "$R" -maxdepth 1 -type l ! -name latest)" ]
	expect "interrupt $what: no temporary file left ($(tmp_files "$R" | head -3))" [ -z "$(tmp_files "$R")" ]
}
interrupt INT 0.1
interrupt INT 0.3
interrupt TERM 0.3
interrupt INT analyze
interrupt TERM analyze

# ------------------------------------------------------------ gate interrupted
# The gate checks out the base in a git worktree under TMPDIR and builds it,
# then boots both sides.  Interrupted while building and while booting
# (RELIABILITY_GATE_RUNS=0 skips the latter, which waits for the base build,
# ~7 s here): exit 130, the worktree gone, no process of the gate left,
# nothing published.
descendants() {  # every process below PID
	ps -eo pid=,ppid= | awk -v root="$1" '{ parent[$1] = $2 }
		END { for (p in parent) for (q = p; q in parent; q = parent[q])
			if (parent[q] == root) { print p; break } }'
}
gate_interrupt() {  # gate_interrupt SIGNAL PHASE: builds | runs
	local sig=$1 phase=$2 what="gate $1 while it $2" pid rc kids="" left="" st
	local RG=$TMP/gate pat="gate: building base" cc=()   # PHASE builds
	# for the runs, the base's build only has to be done: through ccache
	[ "$phase" = runs ] && pat="gate: round" cc=("${CCACHE[@]}")
	mkdir -p "$TMP/gt"
	env "${cc[@]}" TMPDIR="$TMP/gt" "$EL" gate --base HEAD --variants pcsa --samples 2 --rounds 20 --mode tcg \
		--results-dir "$RG" >"$TMP/gate.out" 2>"$TMP/gate.err" &
	pid=$!
	for _ in $(seq 1200); do
		grep -q "$pat" "$TMP/gate.err" && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.05
	done
	sleep 0.5
	kids=$(descendants $pid)
	kill -"$sig" $pid
	wait $pid
	rc=$?
	# a child killed with its own children leaves them as zombies that init
	# reaps: only a process still running counts
	for k in $kids; do
		st=$(ps -o stat= -p "$k" 2>/dev/null)
		[ -n "$st" ] && [ "${st#Z}" = "$st" ] && left="$left $k"
	done
	[ -z "$(leftovers)" ] || left="$left $(leftovers | tr '\n' ' ')"
	expect "$what: reached that phase (${kids:+children running})" grep -q "$pat" "$TMP/gate.err"
	expect "$what: exit 130 (got $rc)" [ "$rc" = 130 ]
	expect "$what: every child it had (build or QEMU) is gone${left:+ (left:$left)}" [ -z "$left" ]
	# its worktrees live under its TMPDIR; the repository's others belong to
	# whoever else works in it meanwhile, so they are not counted
	expect "$what: its worktree removed" \
		[ -z "$(git worktree list --porcelain | grep "^worktree $TMP/gt/")" ]
	expect "$what: its temporary directory removed" [ -z "$(ls -A "$TMP/gt")" ]
	expect "$what: nothing published" [ -z "$(ls "$RG" 2>/dev/null | grep '^gate-')" ]
	expect "$what: no temporary file left" [ -z "$(tmp_files "$RG")" ]
}
gate_interrupt INT builds
[ "${RELIABILITY_GATE_RUNS:-1}" = 1 ] && gate_interrupt TERM runs

# ------------------------------------------------------------ concurrency
R2=$TMP/results2
for i in 1 2; do
	"$EL" matrix --variants pcsa,floor --samples 2 --mode tcg --jobs 1 --no-plots \
		--results-dir "$R2" $(tags pcsa floor) >"$TMP/c$i.out" 2>"$TMP/c$i.err" &
	eval "cpid$i=\$!"
done
wait "$cpid1"; rc1=$?
wait "$cpid2"; rc2=$?
expect "concurrent matrices: both exit 0 ($rc1, $rc2)" [ "$rc1" = 0 -a "$rc2" = 0 ]
runs=$(published "$R2")
expect "concurrent matrices: two distinct run directories ($(echo $runs))" [ "$(echo "$runs" | wc -w)" = 2 ]
complete=0
for d in $runs; do
	[ -s "$R2/$d/report.md" ] && [ -s "$R2/$d/raw/pcsa.samples.csv" ] && [ -s "$R2/$d/raw/floor.result" ] &&
		complete=$((complete + 1))
done
expect "concurrent matrices: both runs complete" [ "$complete" = 2 ]
expect "concurrent matrices: latest names one of them" echo "$runs" | grep -qx "$(readlink "$R2/latest")"
expect "concurrent matrices: no partial or temporary left" \
	[ -z "$(ls -A "$R2" | grep -e '\.partial$' -e '\.tmp')" ]

# make relinks pcsa.elf (temporary name, then rename) again and again while
# runs boot it: every run must see a whole image.  -W on one of its objects
# makes make run just the link (nothing else is written, so tests running
# at the same time are not disturbed); -o keeps make from rebuilding the
# harness, which other work may be editing.
img=build/kernels/pcsa.elf
stamp0=$(stat -c '%i %y' "$img")
( for _ in $(seq 12); do
	make -s -W build/kernels/pcsa/entry.o -o build/host/entrylab -o build/host/systbl -o build/variants.mk \
		"$img" >>"$TMP/make.log" 2>&1 || echo "make failed" >>"$TMP/make.log"
done ) &
mpid=$!
bad=0 runs=0
while kill -0 $mpid 2>/dev/null || [ $runs -lt 4 ]; do
	"$EL" run --image "$img" --name pcsa --out "$TMP/img" --samples 1 --bench getpid \
		--append "el.tag=$TAG" >"$TMP/img.out" 2>&1 || { bad=$((bad + 1)); sed 's/^/# /' "$TMP/img.out" | head -3; }
	runs=$((runs + 1))
done
wait $mpid
expect "image relinked under runs: make succeeded every time" [ -z "$(grep 'make failed' "$TMP/make.log")" ]
expect "image relinked under runs: the image was replaced" [ "$(stat -c '%i %y' "$img")" != "$stamp0" ]
expect "image relinked under runs: all $runs runs passed ($bad failed)" [ "$bad" = 0 ]
expect "image relinked under runs: no temporary image left" [ -z "$(ls build/kernels | grep '^pcsa\.elf\.tmp')" ]

# ------------------------------------------------------------ resources
M=$TMP/small
mkdir -p "$M"
if mount -t tmpfs -o size=64k tmpfs "$M" 2>/dev/null; then
	R3=$M/results
	"$EL" matrix --variants floor --bench getpid --samples 1 --mode tcg --no-plots \
		--results-dir "$R3" $(tags floor) >/dev/null 2>"$TMP/full0.err"
	first=$(readlink "$R3/latest")
	expect "full disk: an earlier run fits and is published" [ -n "$first" ]
	(cd "$R3" && find . -type f -exec md5sum {} +) | sort >"$TMP/sums.before"
	dd if=/dev/zero of="$M/filler" bs=4k 2>/dev/null
	"$EL" matrix --variants floor,pcsa --bench getpid --samples 1 --mode tcg --no-plots \
		--results-dir "$R3" $(tags floor pcsa) >/dev/null 2>"$TMP/full.err"
	rc=$?
	expect "full disk: exit 2 (got $rc)" [ "$rc" = 2 ]
	expect "full disk: one error line ($(head -c 200 "$TMP/full.err"))" \
		[ "$(wc -l <"$TMP/full.err")" = 1 ] && grep -q '^entrylab: .*[Nn]o space left on device' "$TMP/full.err"
	(cd "$R3" && find . -path ./.\*.partial -prune -o -type f -exec md5sum {} +) | sort >"$TMP/sums.after"
	expect "full disk: every earlier result intact" cmp -s "$TMP/sums.before" "$TMP/sums.after"
	expect "full disk: latest not moved" [ "$(readlink "$R3/latest")" = "$first" ]
	expect "full disk: nothing new published" [ "$(published "$R3")" = "$first" ]
	rm -f "$M/filler"
	mount -o remount,ro "$M"
	"$EL" matrix --variants floor --bench getpid --samples 1 --mode tcg --no-plots \
		--results-dir "$R3" $(tags floor) >/dev/null 2>"$TMP/ro.err"
	rc=$?
	expect "read-only results dir: exit 2 (got $rc)" [ "$rc" = 2 ]
	# (plus one line naming the partial directory the full disk left)
	expect "read-only results dir: one error line ($(head -c 200 "$TMP/ro.err"))" \
		[ "$(grep -vc '^results: .*\.partial: left by a run' "$TMP/ro.err")" = 1 ] && \
		grep -q '^entrylab: .*Read-only file system' "$TMP/ro.err"
	(cd "$R3" && find . -path ./.\*.partial -prune -o -type f -exec md5sum {} +) | sort >"$TMP/sums.ro"
	expect "read-only results dir: every earlier result intact" cmp -s "$TMP/sums.before" "$TMP/sums.ro"
	umount "$M"
else
	ok "# skip full disk and read-only results dir: mounting a tmpfs is not permitted here"
fi
expect "resources: nothing left" [ -z "$(leftovers)" ]

finish
