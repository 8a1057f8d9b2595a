/*
 * entrylab record protocol, version 1 — the only thing the guest (kernels/,
 * bench/) and the host (harness/) share.  Freestanding: no libc includes.
 *
 * Transport: the guest writes plain text lines to the debug console (port
 * 0xe9); the harness reads them from QEMU's stdout.  Every line the guest
 * sends is a record: "@<tag> key=value key=value ...\n".  Keys are [a-z0-9_],
 * the key ends at the first '='; values contain no space or control
 * characters (a value may contain '=', e.g. the canonical variant name).  A line is at most
 * EL_MAX_LINE bytes including the newline.  TAP records carry free text after
 * the tag (see below).  Anything else on the stream is a protocol error.
 *
 *   @H  header, exactly once, first record:
 *       proto=1 variant=<canonical> short=<short> ptregs=.. rsp=.. regs=.. exit=..
 *       (the first four axes only; every axis is in the canonical name)
 *       build=<hex build-id> cpu=<vendor>/<family>/<model>/<stepping>
 *       hv=<cpuid hypervisor signature or none> mode=<mode the host asked for>
 *       unit=<ticks>   ("instructions" under tcg-icount, "tsc" under kvm)
 *   @B  benchmark announce, before its samples:
 *       bench=<name> iters=<n per sample> samples=<n> warmup=<n> [events=<n>]
 *   @N  also sent with reason=pmu_unavailable for every benchmark when
 *       el.events was given but the guest cannot read the counters
 *   @D  one sample: bench=<name> sample=<index> iters=<n> ticks=<loop ticks>
 *       empty=<empty-loop ticks> [pmu0=<n> epmu0=<n> pmu1=<n> epmu1=<n> ...]
 *       (the host computes per-call = (ticks - empty) / iters; pmuN and
 *       epmuN are counter N's deltas over the loop and over its empty twin,
 *       sent when el.events was given and the counters are readable)
 *   @N  benchmark not available in this kernel: bench=<name> reason=<word>
 *   @T  one TAP line, verbatim after "@T ": "1..N", "ok N - text",
 *       "not ok N - text", "ok N - text # SKIP reason", "# comment"
 *   @P  KVM probe result: ok=<0|1> cpl_at_entry=<n> reason=<word>
 *   @K  kernel log text: "@K <free text>" (informational)
 *   @X  exception: vector=<n> name=<mnemonic> err=<hex> rip=<hex> cs=<hex>
 *       rsp=<hex> cr2=<hex> mode=<user|kernel> fatal=<0|1>
 *   @E  final record, exactly once, last: records=<number of records sent
 *       before this one, @H included> status=<pass|fail|panic>
 *
 * The harness trusts a run only if @E arrives and its count matches.
 */
#ifndef ENTRYLAB_PROTO_H
#define ENTRYLAB_PROTO_H

#define EL_PROTO_VERSION 1
#define EL_MAX_LINE 512          /* bytes, newline included */
#define EL_DEBUGCON_PORT 0xe9
#define EL_EXIT_PORT 0xf4        /* isa-debug-exit, iosize 4 */
#define EL_PAUSE_PORT 0x505      /* pvpanic: the Linux /init asks the host to act while
				  * QEMU is paused (a trace boot, linuxref/README.md) */

/*
 * isa-debug-exit: the guest writes a value v, QEMU exits with (v << 1) | 1.
 *
 *   guest value  QEMU status  meaning
 *   -----------  -----------  -------------------------------------------
 *   (none)       0            guest reset or triple fault (-no-reboot)
 *   0x10         33           run complete, every check passed
 *   0x11         35           run complete, a conformance check failed
 *   0x12         37           kernel panic or fatal exception
 */
#define EL_EXIT_PASS  0x10
#define EL_EXIT_FAIL  0x11
#define EL_EXIT_PANIC 0x12
#define EL_QEMU_STATUS(v) (((v) << 1) | 1)

/* The guest keeps the first EL_CMDLINE_MAX - 1 bytes of its command line
 * (kernels/cpu.c); the harness refuses a longer one before booting. */
#define EL_CMDLINE_MAX 1024

/* Samples per benchmark when el.samples is absent or not a number. */
#define EL_DEFAULT_SAMPLES 10

/*
 * Kernel command line (PVH start_info), space separated, all optional:
 *   el.mode=<tcg-icount|kvm>   recorded in @H
 *   el.run=<conform|bench|probe|trace>[,...]  what to run (default conform,bench)
 *   el.bench=<name>[,<name>...]          benchmarks to run (default all)
 *   el.samples=<n>                       samples per benchmark (default
 *                                        EL_DEFAULT_SAMPLES)
 *   el.budget=<ticks>                    calibration target per sample
 *   el.events=<hex raw>[,<hex raw>...]   PMU raw encodings (kvm only)
 *   el.selftest=<n>                      deliberate failure, host tests only
 *                                        (EL_SELFTEST_* in entrylab/abi.h)
 */

#endif
