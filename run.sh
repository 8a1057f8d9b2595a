#!/usr/bin/env bash
# run.sh — entrylab's front door: installs what is missing, builds, and runs
# the lab.  `./run.sh --help` lists the commands; `./run.sh help COMMAND`
# shows one.  Exit statuses are those of the harness (harness/core/exitcodes.h):
#   0 pass, 1 a check/variant failed or a regression, 2 usage or environment
#   error, 3 inconclusive (gate), 4 guest hang, 5 guest crash,
#   6 malformed record stream, 130 interrupted.
set -u
cd "$(dirname "$0")" || exit 2

EL=build/host/entrylab

# Debian packages the lab needs, one per line: package, then a command or
# file (or a glob matching one) that proves it is installed.
DEPS="
gcc                 /usr/bin/gcc
make                /usr/bin/make
binutils            /usr/bin/objdump
git                 /usr/bin/git
python3             /usr/bin/python3
qemu-system-x86     /usr/bin/qemu-system-x86_64
gnuplot-nox         /usr/bin/gnuplot
hwloc               /usr/bin/hwloc-bind
libhwloc-dev        /usr/include/hwloc.h
libpfm4-dev         /usr/include/perfmon/pfmlib.h
linux-perf          /usr/bin/perf
libcmocka-dev       /usr/include/cmocka.h
libgsl-dev          /usr/include/gsl/gsl_statistics.h
libjansson-dev      /usr/include/jansson.h
libelf-dev          /usr/include/gelf.h
linux-libc-dev      /usr/include/x86_64-linux-gnu/asm/unistd_64.h
xz-utils            /usr/bin/xz
cpio                /usr/bin/cpio
bc                  /usr/bin/bc
libc6-dev           /usr/lib/x86_64-linux-gnu/libc.a
procps              /usr/bin/pgrep
linux-image-amd64   /boot/vmlinuz-*
curl                /usr/bin/curl
gpgv                /usr/bin/gpgv
debian-archive-keyring /usr/share/keyrings/debian-archive-keyring.gpg
clang-14            /usr/bin/clang-14
libclang-rt-14-dev  /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a
ccache              /usr/bin/ccache
"

die() { echo "run.sh: $1" >&2; exit "${2:-2}"; }

# ARGS := the arguments with `--linux-kernel debian-5.10` (a Debian kernel
# this machine does not have) replaced by the path of its vmlinuz, fetched,
# checked against the signed archive and cached by linuxref/fetch-kernel.sh
# (which exits 2 with one line when it cannot).  A path stays a path.
linux_kernel_args() {
	ARGS=()
	while [ $# -gt 0 ]; do
		case "$1" in
		--linux-kernel|--linux-kernel=*)
			local v
			if [ "$1" = --linux-kernel ]; then v=${2:-}; shift; else v=${1#*=}; fi
			case "$v" in
			debian-*) v=$(bash linuxref/fetch-kernel.sh "$v") || exit 2 ;;
			esac
			ARGS+=(--linux-kernel "$v") ;;
		*) ARGS+=("$1") ;;
		esac
		shift
	done
}

missing_packages() {
	echo "$DEPS" | while read -r pkg probe; do
		[ -n "$pkg" ] || continue
		compgen -G "$probe" >/dev/null || echo "$pkg"
	done
}

ensure_deps() {
	local missing
	missing=$(missing_packages | tr '\n' ' ' | sed 's/ *$//')
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "run.sh: missing Debian packages: $missing" >&2
		echo "run.sh: install them with: sudo apt-get update && sudo apt-get install -y --no-install-recommends $missing" >&2
		exit 2
	fi
	echo "run.sh: installing missing Debian packages: $missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >&2 || die "apt-get update failed; fix the package sources and retry"
	# shellcheck disable=SC2086
	# only what DEPS names and what it depends on: Recommends would add
	# ImageMagick, GStreamer, Mesa and fonts (README: the set-up's size)
	apt-get install -y -q --no-install-recommends $missing >&2 ||
		die "apt-get install $missing failed"
	missing=$(missing_packages | tr '\n' ' ' | sed 's/ *$//')
	[ -z "$missing" ] || die "still missing after install: $missing"
}

# A malformed variants/*.conf is said once, by the harness, after the
# build (make keeps quiet about it under EL_CONFIG_QUIET), and stops here.
check_config() {
	"$EL" variants --make >/dev/null || exit 2
}

build() {
	make -s -j"$(nproc)" all EL_CONFIG_QUIET=1 >&2 || die "build failed (see the compiler output above); fix it and rerun" 2
	check_config
}

# The main job builds only what it runs: the selected variants' images
# (the default selection without --variants), the presets' when the Linux
# rows may run (their breakdown traces the nearest preset), and the
# Linux rows' initramfs.  `make` alone builds every variant.
build_selected() {
	local sel=${SELECTED:-default} targets="" s
	case "$LINUX_OFF,$LINUX_ON,$sel" in   # as entrylab matrix plans the Linux rows
	1,*) ;;
	,1,*|,,default|,,all) sel="$sel,presets" ;;
	esac
	for s in $("$EL" resolve "$sel") ; do
		targets="$targets build/kernels/$s.elf build/kernels/$s.rev"
	done
	# shellcheck disable=SC2086
	make -s -j"$(nproc)" host linuxref $targets EL_CONFIG_QUIET=1 >&2 ||
		die "build failed (see the compiler output above); fix it and rerun" 2
}

build_host() {
	make -s -j"$(nproc)" host EL_CONFIG_QUIET=1 >&2 || die "build of the host harness failed (see above); fix it and rerun" 2
	check_config
}

# Reject unknown variants, presets, axis values and benchmarks (and malformed
# variants/*.conf) before any kernel is built or any guest is run.  Leaves
# the --variants selectors in SELECTED (comma-joined; empty: the default
# selection), LINUX_OFF=1 for --no-linux and LINUX_ON=1 for --linux or
# --linux-cpu, for build_selected.
SELECTED="" LINUX_OFF="" LINUX_ON=""
validate_selection() {
	local want="" val
	for a in "$@"; do
		case "$a" in
		--no-linux) LINUX_OFF=1 ;;
		--linux|--linux-cpu|--linux-cpu=*|--linux-kernel|--linux-kernel=*) LINUX_ON=1 ;;
		esac
		if [ -n "$want" ]; then val=$a
		else
			case "$a" in
			--variants|--bench|--baseline) want=$a; continue ;;
			--variants=*|--bench=*|--baseline=*) want=${a%%=*}; val=${a#*=} ;;
			*) continue ;;
			esac
		fi
		case "$want" in
		--variants) "$EL" resolve "$val" >/dev/null || exit 2
			SELECTED=${SELECTED:+$SELECTED,}$val ;;
		--baseline) "$EL" resolve "$val" >/dev/null || exit 2 ;;
		--bench)
			local known b
			known=$("$EL" matrix --list-benches | awk '{ print $1 }')
			for b in $(echo "$val" | tr ',' ' '); do
				echo "$known" | grep -qx -- "$b" ||
					die "unknown benchmark '$b': --bench: use one of $(echo $known | tr ' ' ',')"
			done ;;
		esac
		want=""
	done
	"$EL" resolve all >/dev/null || exit 2
}

usage() {
	cat <<'EOF'
usage: ./run.sh COMMAND [OPTIONS]

commands:
  variant-matrix [OPTIONS]  the main job: build the selected variant kernels
                            (default: variants/default.conf; --variants all:
                            every one), boot each under QEMU, run the
                            conformance suite and every benchmark, write
                            results/<run-id>/ (samples, summary,
                            metadata, report.md, plots) and print a table.
                            --accel auto|kvm|tcg: KVM after a probe boot, else
                            tcg-icount (README: KVM mode); --cpu, --events,
                            --perf.  ./run.sh help variant-matrix for options.
  test                      build and run every test: host unit tests (ASan,
                            UBSan), the conformance suite on all variants under
                            tcg-icount, and the integration tests, among them
                            kvm mode under nested KVM on a reduced set.
  test-kvm                  kvm mode under a real KVM, nested under TCG: Debian's
                            kernel with kvm_amd on emulated SVM runs the matrix
                            on every variant and the gate (head == base, and a
                            head with 50 more instructions) under KVM.
  test-fleet                the lab as a LAVA job, end to end on this machine:
                            a private LAVA server, worker and ssh device
                            (installs lava-server, lava-dispatcher, lavacli,
                            postgresql, openssh-server), the job submitted,
                            its results fetched and merged with a local run.
  lava-job [OPTIONS]        write a LAVA job definition and its test definition
                            (the lab on a device: --device-type, --tags,
                            --variants, --bench, --samples, --mode)
  fetch-lava --uri URL JOB...
                            the results of finished LAVA jobs, merged into one
                            report (with --also RUN: local runs too)
  merge RUN...              results directories of several machines in one
                            report and plots (units never mixed)
  list [--presets]          the variants with their axis values (or the presets)
  run VARIANT [OPTIONS]     boot one variant once and print its figures
  gate --base REV [--head REV] [OPTIONS]
                            merge gate: build both revisions (git worktrees),
                            run them interleaved, compare every path against
                            variants/thresholds.conf, write results/gate-<id>/
                            verdict.md.  Or gate --baseline-file FILE [--run DIR].
  baseline save [--run DIR] [--out FILE]
                            store a run (default results/latest) as a baseline
                            file (default results/baseline.json) for gate
  trace VARIANT BENCH       the exact instructions one call of BENCH executes
                            in VARIANT under TCG (ring, address, symbol+offset,
                            disassembly), checked against the matrix figure
  trace --diff A B BENCH    the two paths side by side, differences marked
  pathlen [VARIANT...]      static length of each fast path (entry to sysretq)
  resolve SELECTOR          the short names a selector or axis pattern means
  hostinfo [--cpu N]        pinning plan, topology, noise, PMU events, /dev/kvm
  analyze DIR               statistics, summary, report.md and plots of a run
  linuxref prepare|initramfs|host
                            the Linux reference rows' parts, one by one
  variants --make           the makefile fragment of every variant
  deps                      install (as root) or list the missing Debian packages
  help [COMMAND]            this text, or one command's options (never
                            installs or builds)
  --version                 the lab's version (VERSION in the Makefile)

Every option takes its value as --opt VALUE or --opt=VALUE.  Bash completion
and a man page are built with the harness: . build/share/entrylab.bash;
man -l build/share/entrylab.1.

exit status:
  0    everything ran and passed
  1    a check failed, a variant failed, or a regression
  2    usage or environment error (bad option, missing tool, image or package)
  3    gate: an interval straddles a threshold (inconclusive)
  4    a guest hit the time limit and was killed
  5    a guest crashed (exception, panic, triple fault)
  6    truncated or malformed record stream
  130  interrupted (SIGINT, SIGTERM, SIGHUP, SIGPIPE): QEMU killed, nothing published
EOF
}

# run.sh's commands, for the completion (build/share/entrylab.bash) and the
# errors below.
COMMANDS="variant-matrix test test-kvm test-fleet lava-job fetch-lava merge list run gate baseline trace pathlen resolve hostinfo analyze linuxref variants deps help"

# The version line of the Makefile; read, not built.
version() {
	local v
	v=$(sed -n 's/^VERSION *:= *//p' Makefile)
	echo "entrylab ${v:-unknown}"
}

# Help never installs or builds: the harness's own text when it is already
# built, run.sh's otherwise.
harness_help() {  # harness_help HARNESS-COMMAND FALLBACK-TEXT
	if [ -x "$EL" ]; then "$EL" "$1" --help
	else
		printf '%s\n' "$2"
		echo "(every option: build/host/entrylab $1 --help, after 'make host')"
	fi
}

help_command() {
	case "${1:-}" in
	variant-matrix)
		harness_help matrix "usage: ./run.sh variant-matrix [--variants SEL,...] [--bench a,b] [--samples N]
                           [--accel auto|tcg|kvm] [--cpu N] [--events LIST] [--perf]
                           [--baseline SEL] [--results-dir DIR] [--no-plots] ...
Build the selected variant kernels (without --variants the default selection
of variants/default.conf: the presets, the steps between them, one-axis flips;
--variants all: every valid variant), boot each under QEMU, run the
conformance suite and every benchmark,
write results/<run-id>/ and print the table (README: What ./run.sh
variant-matrix runs by default, What it prints, KVM mode)." ;;
	run)
		cat <<'EOF'
usage: ./run.sh run VARIANT [--bench a,b] [--samples N] [--run conform,bench]
                            [--timeout SEC] [--out DIR] [--accel tcg|kvm]
                            [--cpu N] [--pin] [--events LIST] [--perf]
Boot one variant (short name such as pcsa, canonical name, preset such as
linux-4.3, or floor) once under tcg-icount and print its per-call figures and
its conformance result.  Raw files go to DIR (default: a new temporary dir).
--accel kvm (--mode is the same): under KVM (no probe: see variant-matrix
--accel), QEMU's vCPU
thread bound to cpu N (--cpu; --pin binds under tcg-icount too), PMU events
by name or raw hex (--events), perf stat cross-check of the vCPU thread
(--perf).
EOF
		;;
	list) echo "usage: ./run.sh list [--presets]   (variants/axes.conf, variants/presets.conf)" ;;
	gate) harness_help gate "usage: ./run.sh gate --base REV [--head REV] [OPTIONS]
       ./run.sh gate --baseline-file FILE [--run DIR] [OPTIONS]
Merge gate: build both revisions in git worktrees, run them interleaved and
compare every path against variants/thresholds.conf; results/gate-<id>/
verdict.md.  Exit 0 pass, 1 regression, 2 usage or environment error,
3 inconclusive (README: Merge gate)." ;;
	baseline) harness_help baseline "usage: ./run.sh baseline save [--run DIR] [--out FILE]
Store a run (default results/latest) as a baseline file for gate --baseline-file
(default results/baseline.json)." ;;
	trace|pathlen)
		cat <<'EOF'
usage: ./run.sh trace VARIANT BENCH
       ./run.sh trace --diff VARIANT_A VARIANT_B BENCH
       ./run.sh pathlen [VARIANT...] [--csv]
trace boots VARIANT once under TCG with QEMU's per-instruction execution log
and prints the instructions one call of BENCH executes, from the loop's
syscall to its return (ring3/ring0, address, symbol+offset, disassembly),
then checks the count against (loop - empty) from the same boot (exit 1 if
they differ).  --diff aligns two variants' paths and marks the differences.
VARIANT may also be a Linux row (linux, linux-nomit, linux.MODEL): Debian's
kernel booted as the matrix boots it, its symbols read from /proc/kallsyms
by the traced boot; a diff with a Linux row aligns the paths role by role
(variants/roles.conf: entry assembler, dispatch, entry work, body, exit work,
exit assembler), then by symbol, and lists the symbols whose counts differ;
it also counts each side's ring-0 instructions outside the body, and how
many of them are NOPs (alternatives, static keys and call sites patched out).
--linux-cpu MODEL: the Linux row's QEMU CPU model (default: the one standing
for this host, variants/linux-cpus.conf).  --linux-kernel PATH|debian-5.10:
the vmlinuz the Linux row boots (default: the newest /boot/vmlinuz-*);
debian-5.10 is Debian 11's kernel, downloaded once from the Debian archive,
checked against its signed index and cached (exit 2 with one line when it
cannot be had).  --breakdown FILE: the path by role and symbol as CSV.
pathlen reads each image and counts the fast path from the entry symbol to
its sysretq.  VARIANT: short name, canonical name, preset or floor; BENCH:
one of include/entrylab/benches.def.  Exit: 0 ok, 1 count mismatch,
2 unknown variant/benchmark/CPU model, missing image, trace never reached
the call.
EOF
		;;
	test)
		cat <<'EOF'
usage: ./run.sh test
Installs what is missing, builds everything (make -j), then runs the unit
test programs and every tests/integration/*.sh, EL_TEST_JOBS jobs at once
(default: the number of processors; EL_TEST_JOBS=1 one after another).
Each job's output is printed whole when it ends; the last line is
"integration: N passed, N failed".  Exit 0 when every job passed, 1 when
one failed, 2 for a bad EL_TEST_JOBS or a failed build.
EOF
		;;
	test-kvm)
		cat <<'EOF'
usage: ./run.sh test-kvm
Boots Debian's kernel (linux-image-amd64) under TCG with emulated SVM
(-accel tcg,thread=single -cpu max -smp 2), loads kvm_amd there and runs, in
this checkout shared read-only over virtio-9p, the matrix on every variant
and the floor with --accel auto (which must choose kvm) and the gate under
kvm with head == base and with a head of 50 more fast-path instructions.
Results come back as files and are checked on this host
(tests/integration/kvm-nested.sh; ./run.sh test runs a reduced set).  The
ticks are those of an emulated CPU: evidence that kvm mode works, never
performance figures.  NESTED_TIMEOUT=SEC bounds the outer guest (default
2400 here, 900 in ./run.sh test).
Exit: 0 all checks passed, 1 a check failed; a host that cannot do it (no
kernel package, no SVM under TCG, kvm_amd refused) prints SKIP and exits 0.
EOF
		;;
	deps) echo "usage: ./run.sh deps   (installs missing Debian packages as root; otherwise prints the command)" ;;
	merge) harness_help merge "usage: ./run.sh merge [--out DIR] [--labels L1,...] [--no-plots] RUN...
Merge results directories (of several machines) into one report and plots
in a new directory (default results/merge-<time>-<pid>).  Exit 0 merged,
1 a run had failed variants, 2 a corrupt RUN, the same run twice or an
existing --out (nothing written) (README: The lab on a fleet with LAVA)." ;;
	lava-job)
		cat <<'EOF'
usage: ./run.sh lava-job [--device-type TYPE] [--tags T1,T2] [--variants SEL]
                         [--bench LIST] [--samples N] [--mode auto|tcg|kvm]
                         [--repo URL] [--revision REV] [--workdir DIR]
                         [--timeout MIN] [--name NAME] [--out DIR]
Write DIR/job.yaml (a LAVA job: deploy to ssh, boot ssh, test) and
DIR/entrylab-test.yaml (its test definition, inlined in the job) into a new
directory (default results/lava-job-<time>-<pid>).  On the device the test
clones --repo (default: origin, else this checkout) at --revision (default
HEAD's commit) under --workdir (default /var/tmp/entrylab-lava) and runs
lava/device.sh: the variant matrix, each variant x benchmark median as a test
case with measurement and units, conformance pass/fail per variant, the
accelerator decision and CPU model, and the results directory in the job log.
--device-type defaults to ssh; --timeout in minutes (default 60).
Exit: 0 written, 2 usage error (nothing written).
EOF
		;;
	fetch-lava)
		cat <<'EOF'
usage: ./run.sh fetch-lava (--uri http://USER:TOKEN@HOST/RPC2 | --identity NAME)
                           [--keep DIR] [--out DIR] [--also RUN]... [--no-plots] JOB...
Read the results of finished LAVA jobs of ./run.sh lava-job through lavacli
(state, health, the results directory from the job log) into DIR/lava-<JOB>
(--keep, default results/lava) and merge them, with the local runs of
--also, into one report (./run.sh merge; --out).  A job that failed or timed
out is named in one line and left out.  Exit: 0 merged; 1 a job left out or
a run with failed variants; 2 usage error, server unreachable (the URL named,
its token hidden) or nothing to merge.
EOF
		;;
	test-fleet)
		cat <<'EOF'
usage: ./run.sh test-fleet
As root: installs lava-server, lava-dispatcher, lavacli, postgresql and
openssh-server when missing (--no-install-recommends), starts a private LAVA
instance (its own PostgreSQL cluster, gunicorn, publisher, scheduler, one
worker, one ssh device that is this machine through an sshd on a private
port with a temporary key), submits the job of ./run.sh lava-job with
lavacli, waits for it, checks the test cases LAVA stored (REST API), fetches
and merges the results with a second, local run and checks the merged
report.  Everything it started is stopped and removed when it ends, also on
failure, SIGINT or SIGTERM.  FLEET_TIMEOUT=SEC bounds it (default 900).
Exit: 0 all checks passed, 1 a check failed, 2 environment error, 4 time limit, 130
interrupted; without root: SKIP and 0.
EOF
		;;
	resolve) harness_help resolve "usage: ./run.sh resolve SELECTOR[,...]
The short names a selector means: short or canonical name, preset, floor,
all, presets, or an axis pattern (ptregs=full, ptregs=full+exit=c)." ;;
	hostinfo) harness_help hostinfo "usage: ./run.sh hostinfo [--cpu N] [--events LIST]
Pinning plan, topology, noise, PMU events and /dev/kvm as key=value lines." ;;
	analyze) harness_help analyze "usage: ./run.sh analyze DIR [--baseline SEL] [--no-plots]
Statistics, summary.csv/.json, report.md and plots of the run in DIR." ;;
	variants) harness_help variants "usage: ./run.sh variants --make
The makefile fragment of every variant (the build's build/variants.mk)." ;;
	linuxref) harness_help linuxref "usage: ./run.sh linuxref prepare|initramfs|host [OPTIONS]
The Linux reference rows: unpack Debian's kernel, write the initramfs, or
run the getpid loop natively next to perf bench (linuxref/README.md)." ;;
	""|help) usage ;;
	*) die "unknown command '$1'; commands: $COMMANDS" ;;
	esac
}

cmd_run() {
	[ $# -ge 1 ] || die "run: which variant? e.g. ./run.sh run pcsa (./run.sh list shows them)"
	local sel=$1 out=""; shift
	local args=()
	while [ $# -gt 0 ]; do
		case "$1" in
		--out) [ $# -ge 2 ] || die "missing value for '--out': run.sh run: give --out DIR"
			out=$2; shift 2 ;;
		--out=*) out=${1#--out=}; shift ;;
		*) args+=("$1"); shift ;;
		esac
	done
	local shorts
	shorts=$("$EL" resolve "$sel") || exit 2
	[ "$(echo "$shorts" | wc -l)" = 1 ] || die "run: '$sel' names several variants; name one"
	[ -n "$out" ] || out=$(mktemp -d /tmp/entrylab-run.XXXXXX)
	"$EL" run --image "build/kernels/$shorts.elf" --name "$shorts" --out "$out" "${args[@]}"
}

main() {
	[ $# -ge 1 ] || { usage; exit 2; }
	local cmd=$1; shift
	case "$cmd" in
	-h|--help|help) help_command "${1:-}"; exit 0 ;;
	-V|--version|version) version; exit 0 ;;
	--commands) echo "$COMMANDS"; exit 0 ;;
	esac
	for a in "$@"; do
		if [ "$a" = --help ] || [ "$a" = -h ]; then help_command "$cmd"; exit 0; fi
	done
	case "$cmd" in
	deps) ensure_deps; echo "run.sh: all dependencies installed" ;;
	test)
		# one make for everything (test-build includes all): no idle core
		# between two builds
		ensure_deps
		make -s -j"$(nproc)" test-build EL_CONFIG_QUIET=1 >&2 ||
			die "build failed (see the compiler output above); fix it and rerun" 2
		check_config
		# shellcheck disable=SC2046
		exec tests/integration/run-all.sh $(make -s --no-print-directory unit-test-list) ;;
	test-kvm) ensure_deps; build; NESTED_SET=full exec bash tests/integration/kvm-nested.sh ;;
	variant-matrix) ensure_deps; build_host; validate_selection "$@"; build_selected
		linux_kernel_args "$@"; exec "$EL" matrix "${ARGS[@]}" ;;
	list) ensure_deps; build_host; exec "$EL" list "$@" ;;
	run) ensure_deps; build; cmd_run "$@" ;;
	gate|baseline) ensure_deps; build; exec "$EL" "$cmd" "$@" ;;
	trace) ensure_deps; build; linux_kernel_args "$@"; exec "$EL" trace "${ARGS[@]}" ;;
	pathlen) ensure_deps; build; exec "$EL" "$cmd" "$@" ;;
	merge) ensure_deps; build_host; exec "$EL" merge "$@" ;;
	lava-job) ensure_deps; build_host; validate_selection "$@"; exec bash lava/job.sh "$@" ;;
	fetch-lava) ensure_deps; build_host; exec bash lava/fetch.sh "$@" ;;
	test-fleet) ensure_deps; build; exec bash tests/fleet/lava-local.sh ;;
	resolve|hostinfo|analyze|linuxref|variants) ensure_deps; build_host; exec "$EL" "$cmd" "$@" ;;
	*) die "unknown command '$cmd'; commands: $COMMANDS (./run.sh --help)" ;;
	esac
}

main "$@"
