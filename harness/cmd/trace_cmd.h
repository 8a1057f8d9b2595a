/* `entrylab trace`, shared between its files: trace_cmd.c (the command,
 * one trace of our kernels, --diff) and trace_linux.c (the trace boot of a
 * Linux row, linuxref/lr_trace.c). */
#ifndef ENTRYLAB_TRACE_CMD_H
#define ENTRYLAB_TRACE_CMD_H

#include "boot/qemu.h"
#include "image/pathlen.h"
#include "image/trace.h"

struct trace_opts {
	const char *variants_dir, *kernels_dir, *qemu;
	int64_t timeout_ms;
	const char *linux_cpu;  /* --linux-cpu: the Linux rows' QEMU CPU model */
	const char *linux_kernel; /* --linux-kernel: a Linux row's vmlinuz (NULL: newest /boot) */
	const char *append;     /* --append: more guest words of a Linux row */
	const char *breakdown;  /* --breakdown FILE: the path by role and symbol, CSV */
	bool diff;
	char *pos[3];
	int npos;
};

struct trace_run {
	struct el_kimage k;
	struct el_image im;
	struct el_trace_log log;
	struct el_path path;
	long long matrix;       /* loop window - empty window */
	bool linux_row;         /* a Linux reference row (trace_linux.c) */
	char nosyms[256];       /* Linux: why the kernel has no symbols, "" when it has */
};

/* Why the guest did not end with a pass; an el_exit status. */
int tr_boot_verdict(const struct trace_opts *o, const struct trace_run *r, const char *bench,
		    const struct el_qemu_result *q, const char *console);
/* Read QEMU's exec log into r->log and check both windows are there; an
 * el_exit status. */
/* The log window and an empty raw log file under $TMPDIR: 0, or -1 after one line. */
int tr_log_open(struct trace_run *r, uint64_t begin, uint64_t end, char *logpath, size_t size);
int tr_read_log(struct trace_run *r, const char *bench, const char *logpath);

/* "ring0", "ring3" or "ring?" for an address of im. */
const char *tr_ring_name(const struct el_image *im, uint64_t pc);
/* The instruction text at pc, or a note that the disassembly lacks it. */
const char *tr_insn_text(const struct el_image *im, uint64_t pc);
/* Print the count against the matrix figure; false if they disagree. */
bool tr_verify(const struct trace_run *r, const char *bench, const char *label);
/* --diff (trace_diff.c): the two paths aligned, then by role and symbol. */
int tr_print_diff(const struct trace_opts *o, const struct trace_run *ra,
		  const struct trace_run *rb, const char *bench);

/* A Linux row (linux, linux-nomit, linux.model, ...): the selector names one. */
bool tr_is_linux(const char *sel);
/* Trace one call of bench in a Linux row; an el_exit status. */
int tr_trace_linux(const struct trace_opts *o, const char *sel, const char *bench,
		   struct trace_run *r);

#endif
