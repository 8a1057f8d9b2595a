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
 *   cryptomgr.notests  skips the crypto self-tests: 0.74 s of guest time */
#define LR_CMDLINE "quiet panic=-1 cryptomgr.notests"

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
	const char *argv[8];
};
const char *const *lr_qemu_extra(struct lr_qemu_extra *x, const char *initrd);

/* LR_CMDLINE, "el.short=<row>" (the guest names itself in @H with it)
 * and the row's own words. */
void lr_row_append(const struct lr_row *r, char *dst, size_t n);

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

/* Add "linuxref" (the kernel, the rows, their command lines; or why they
 * were skipped) and "host_row" (host, or why it was skipped; nothing when
 * both are NULL) to dir/meta.json.  0, or -1 with err. */
int lr_meta_add(const char *dir, const struct lr_kernel *k, const char *skipped,
		const struct lr_host *host, const char *host_skipped, char *err, size_t n);

#endif
