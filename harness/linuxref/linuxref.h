/*
 * linuxref — Debian's own Linux kernel as reference rows of the matrix
 * (linuxref/README.md has the why and the figures).
 *
 * The guest side is linuxref/init.c: a static program, /init of a small
 * initramfs, that runs bench/loops.S and speaks the record protocol on the
 * debug console like our kernels.  This side:
 *   - finds the kernel (/boot/vmlinuz-*, newest version) and unpacks its
 *     compressed payload once into build/linuxref/vmlinux-<release>, an ELF
 *     that QEMU boots through its PVH note like our images (no in-guest
 *     decompression: that alone took 5.8 s of the boot under icount);
 *   - writes the initramfs (cpio "newc": /init, /dev/console, /proc, /sys);
 *   - gives `entrylab run --initrd` the extra QEMU arguments a Linux guest
 *     needs, and the matrix the kernel command line of each row;
 *   - in kvm mode, the host row: the same loop run natively, pinned, next
 *     to `perf bench syscall basic` (linuxref_host.c).
 *
 * Rows: "linux" (default mitigations) and "linux-nomit" (mitigations=off);
 * "host" (kvm only).  They are references: shown in the tables, report and
 * plots, never part of the axis effects or the delta heat map.
 */
#ifndef ENTRYLAB_LINUXREF_H
#define ENTRYLAB_LINUXREF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/util.h"
#include "host/qmp.h"

#include "core/opts.h"

#define LR_CODE          (-3)     /* variant code of a reference row (analyze, meta) */
#define LR_PATH          1024
#define LR_MEMORY        "256M"   /* the 6.1 kernel and its page tables; 64M does not boot */
#define LR_TIMEOUT_MIN_S 120.0    /* a row's time limit is at least this */
#define LR_BOOT_DIR      "/boot"
#define LR_INIT          "build/linuxref/init"
#define LR_INITRD        "build/linuxref/initramfs.cpio"
#define LR_IMAGE_DIR     "build/linuxref"

/* The kernel command line common to every Linux row, and why each word is
 * there (each was measured under -icount shift=0, see linuxref/README.md):
 *   quiet              no console output (there is no console device)
 *   panic=-1           a panic (e.g. /init died) reboots, and -no-reboot
 *                      ends QEMU at once instead of waiting for the limit
 *   cryptomgr.notests  skips the crypto self-tests: 0.74 s of guest time
 *   nokaslr            the kernel at its link address, so that the addresses
 *                      of /proc/kallsyms name the code of every boot (the
 *                      trace of a Linux row; linuxref/README.md) */
#define LR_CMDLINE "quiet panic=-1 cryptomgr.notests nokaslr"

struct lr_row {
	const char *short_name;
	const char *what;           /* for people */
	const char *cmdline;        /* added to LR_CMDLINE, "" for none */
};

/* The Linux rows of the matrix, in report order. */
extern const struct lr_row lr_rows[];
extern const size_t lr_nrows;

/* A reference row's label for the preset column ("reference"), or NULL
 * when short_name is not a reference row. */
const char *lr_reference(const char *short_name);

/* The kernel to boot and the files made from it. */
struct lr_kernel {
	char bzimage[LR_PATH];      /* /boot/vmlinuz-<release> */
	char release[128];          /* <release> */
	char image[LR_PATH];        /* <root>/build/linuxref/vmlinux-<release> */
	char initrd[LR_PATH];       /* <root>/build/linuxref/initramfs.cpio */
	char build_id[96];          /* GNU build-id of the image, hex */
	int unpacked;               /* 1: unpacked by this call, 0: cached */
};

/* Find the kernel (path given, or the newest /boot/vmlinuz-*), unpack it
 * unless the cached image is newer and valid, and check the initramfs is
 * there.  root: the repository (build/ lives there).  Returns 0, or -1 with
 * one line in err ("<what>: <where>: <what to do>"). */
int lr_prepare(const char *root, const char *kernel, struct lr_kernel *k, char *err, size_t n);

/* The bzImage at path: its compressed payload, decompressed with xz, gzip
 * or zstd (the tool named by the payload's magic) into out, atomically.
 * Checks the result is an ELF with a PVH entry note.  0, or -1 with err. */
int lr_unpack(const char *bzimage, const char *out, char *err, size_t n);

/* The GNU build-id (hex) and whether the ELF at path has a PVH entry note
 * (Xen note type 18).  0, or -1 if path is not an ELF64 file. */
int lr_elf_notes(const char *path, char *build_id, size_t n, int *has_pvh);

/* Write the initramfs: /init (the file at init, mode 0755), /dev/console
 * (char 5:1), /proc and /sys, as a cpio "newc" archive with every time
 * stamp 0 (the same input gives the same bytes).  0, or -1 with err. */
int lr_initramfs(const char *init, const char *out, char *err, size_t n);

/* QEMU arguments appended for a Linux guest with initramfs initrd: the
 * archive, the CMOS clock (rtc=on: without it 6.1 waits 1 s of guest time
 * twice for a clock that never answers) and LR_MEMORY.  Later -M and -m
 * options merge with and override the earlier ones (QEMU 7.2). */
struct lr_qemu_extra {
	const char *argv[16];
};
/* cpu: a QEMU CPU model for -cpu (it follows, and so overrides, the
 * runner's own -cpu), or NULL to keep the runner's (max under tcg, host
 * under kvm).  trace_log: a trace boot (lr_trace.c) — a pvpanic device
 * whose write pauses QEMU, and the exec log's file — or NULL. */
const char *const *lr_qemu_extra(struct lr_qemu_extra *x, const char *initrd, const char *cpu,
				 const char *trace_log);

/* ------------------------------------------------------------ CPU model (lr_cpu.c) */

#define LR_CPU_CONF      "variants/linux-cpus.conf"
#define LR_MAX_MODELS    8        /* --linux-cpu models of one run */
#define LR_MODELS_ERR    8192     /* an error listing every model QEMU offers */

struct lr_host_cpu {
	char vendor[13];            /* CPUID leaf 0, e.g. "GenuineIntel" */
	unsigned family, model, stepping;   /* displayed values (extended fields added) */
};

/* This host's CPUID vendor, family and model. */
void lr_host_cpu(struct lr_host_cpu *c);

/* The x86 CPU models `qemu -cpu help` lists, one name a line into names.
 * 0, or -1 with err. */
int lr_cpu_models(const char *qemu, struct el_buf *names, char *err, size_t n);
/* 1 if model is one of names. */
int lr_cpu_offered(const struct el_buf *names, const char *model);

/* The QEMU model standing for c: the first line of the table conf
 * (variants/linux-cpus.conf) matching c whose model is offered (offered
 * NULL: any).  Writes the model ("max" when nothing matches) and why, in
 * one sentence.  0 matched, 1 no match (max), -1 unreadable or malformed
 * table (max, why says so). */
int lr_cpu_match(const char *conf, const struct lr_host_cpu *c, const struct el_buf *offered,
		 char *model, size_t mn, char *why, size_t wn);

/* Every model of the comma-separated list is offered: 0, or -1 with err
 * naming the first unknown model and listing the offered ones (size
 * LR_MODELS_ERR). */
int lr_cpu_check(const struct el_buf *offered, const char *list, char *err, size_t n);

/* The kernel's own verdicts, {"meltdown": "Not affected", ...}, from the
 * "@K vulnerability NAME: TEXT" lines of a Linux row's console. */
struct json_t *lr_vulnerabilities(const char *console);
/* The same verdicts of the kernel running this harness (empty when it has
 * no such directory). */
#define LR_VULN_DIR "/sys/devices/system/cpu/vulnerabilities"
struct json_t *lr_host_vulnerabilities(void);

/* LR_CMDLINE, "el.short=<row>" (the guest names itself in @H with it)
 * and the row's own words. */
void lr_row_append(const struct lr_row *r, const char *short_name, char *dst, size_t n);

/* ------------------------------------------------------------ trace boot (lr_trace.c) */

#define LR_TRACE_MAX_CONSOLE (16u << 20)   /* the records and ~50,000 symbols (1.5 MB) */

struct lr_trace_req {
	const char *qemu;           /* NULL: EL_QEMU_DEFAULT */
	const char *image, *initrd; /* lr_prepare's */
	const char *cpu;            /* QEMU CPU model, NULL: the runner's (max) */
	const char *short_name;     /* the row, for -name */
	const char *row_words;      /* the row's kernel command line (lr_row_append) */
	const char *append;         /* more guest words (el.kptr_restrict=2 in a test), or NULL */
	const char *bench;
	const char *logpath;        /* QEMU's exec log (-D) */
	int64_t timeout_ms;
	int sandbox;
};

/* The pauses of a trace boot, for any runner: open (a private directory
 * for the QMP socket and the exec log, s->sock and s->log), pass s->sock
 * as the QEMU config's qmp and s->log to lr_qemu_extra, lr_session_started
 * as the start hook, every byte of the guest's output to lr_session_feed
 * (it answers "@K pause trace-on|off" over QMP); afterwards check (0, or
 * -1 with err: QMP failed, QEMU was killed, or fewer than two pauses) and
 * close (the directory and the log removed). */
struct lr_session {
	char dir[256], sock[300], log[300];
	struct el_qmp qmp;          /* fd -1 before the start hook */
	pid_t pid;
	int pauses;                 /* pauses answered */
	char line[128];             /* the guest's current output line */
	size_t len;
	char err[512];
};
int lr_session_open(struct lr_session *s, char *err, size_t n);
void lr_session_started(void *ctx, pid_t pid);
void lr_session_feed(struct lr_session *s, const char *data, size_t len);
int lr_session_check(const struct lr_session *s, char *err, size_t n);
void lr_session_close(struct lr_session *s);

/* Boot the row with el.run=trace el.bench=<bench>, the exec log switched
 * on and off at the guest's two pauses (pvpanic, QMP).  The guest's output
 * goes to console; q is QEMU's ending.  0, or -1 with err (QMP failed or
 * the guest did not pause twice; QEMU is killed then). */
struct el_qemu_result;
int lr_trace_boot(const struct lr_trace_req *r, struct el_buf *console,
		  struct el_qemu_result *q, char *err, size_t n);

/* Complete the image of a Linux trace (the user program, el_image_linux)
 * with the kernel's text symbols the guest sent (its @K ksyms lines in
 * console) and the kernel instructions of QEMU's in_asm log at logpath.
 * nosyms gets why the kernel has no symbols ("" when it has). */
struct el_image;
void lr_trace_kernel(struct el_image *im, const char *console, const char *logpath,
		     char *nosyms, size_t nn);

/* One traced call of bench (the exec log at logpath, the console with the
 * kernel's symbols), counted by role (the table at roles_path) and by
 * symbol into csv: "bench,kind,name,role,instructions" with kinds total,
 * check (loop - empty), symbols (their source, or why there are none),
 * role and symbol.  0, or -1 with err (csv then incomplete). */
int lr_breakdown(const char *init, const char *roles_path, const char *console,
		 const char *logpath, const char *bench, struct el_buf *csv, char *err, size_t n);

/* `entrylab run --linux-trace`: after a traced boot (the session ls, the
 * console), the breakdown into out_dir/<name>.breakdown.csv, or the reason
 * it could not be had there (and one warning line: the row's own figures
 * stand). */
void lr_breakdown_file(const char *out_dir, const char *name, const char *bench,
		       const struct lr_session *ls, const char *console);

/* `entrylab linuxref`: prepare, initramfs, host (see its --help). */
extern const struct el_optcmd lr_optcmds[3];   /* prepare, initramfs, host (core/opts.h) */
int el_cmd_linuxref(int argc, char **argv);

/* ------------------------------------------------------------ host row (linuxref_host.c) */

struct lr_perf {
	uint64_t calls;             /* "# Executed N getppid() calls" (0 if absent) */
	char syscall[32];           /* the call perf timed, e.g. "getppid" */
	double usecs_per_op;        /* NaN if absent */
	double ops_per_sec;
	double ns_per_call;         /* 1e9 / ops_per_sec */
};

/* Parse the default output of `perf bench syscall basic`.  0, or -1 when
 * the ops/sec line is missing or not a positive number. */
int lr_perf_parse(const char *text, struct lr_perf *p);

struct lr_host {
	int cpu;                    /* the PU both ran on (pin.h plan) */
	char program[LR_PATH];
	uint64_t samples, iters;
	double ticks_per_call;      /* median of (ticks - empty) / iters, TSC ticks */
	double ticks_min, ticks_max;
	double tsc_hz;              /* measured against CLOCK_MONOTONIC_RAW */
	double ns_per_call;         /* ticks_per_call / tsc_hz */
	int perf_ok;
	char perf_error[256];
	char perf_cmd[128];
	struct lr_perf perf;        /* the fastest run */
	int perf_runs;
	double perf_ns_median;      /* median over the runs */
	double ratio;               /* ns_per_call / perf.ns_per_call */
	int64_t wall_ms;
};

/* Run program natively on cpu (-1: the pin.h default), with el.bench=getpid
 * and samples, parse its records, time `perf bench syscall basic` on the
 * same cpu and compare.  When out_dir is given, write
 * out_dir/host.{console,samples.csv,result} (a row like `entrylab run`
 * writes; mode is the run's mode).  0, or -1 with err. */
int lr_host_row(const char *program, int cpu, uint64_t samples, const char *mode,
		const char *out_dir, struct lr_host *h, char *err, size_t n);

/* Add "linuxref" (the kernel and the members of the object extra, stolen:
 * rows, host_cpu; or why they were skipped) and "host_row" (host, or why it was skipped; nothing when
 * both are NULL) to dir/meta.json.  0, or -1 with err. */
struct json_t;
int lr_meta_add(const char *dir, const struct lr_kernel *k, struct json_t *extra, const char *skipped,
		const struct lr_host *host, const char *host_skipped, char *err, size_t n);

#endif
