/* `entrylab trace`: the exact instruction path of one syscall of a
 * benchmark in one variant, from QEMU's own execution log.
 *
 * The guest, booted with "el.run=trace el.bench=NAME", runs the benchmark's
 * timed loop once (one iteration) and then its empty twin once, each
 * between calls of the marker functions el_trace_begin and el_trace_end
 * (bench/bench.c run_trace).  QEMU 7.2 logs every executed instruction with
 * "-d exec,nochain -singlestep" (one instruction per translation block,
 * each block logged as it is entered).  The harness cuts the two marker
 * windows out of the log: instructions in the loop window minus those in
 * the empty window is exactly the matrix figure (loop - empty) / iterations
 * under -icount shift=0.  The path of the call is the part of the loop
 * window from the loop's syscall instruction up to the last return to the
 * instruction after it (for clone the child also returns there first); it
 * must have exactly that many instructions. */
#ifndef ENTRYLAB_TRACE_H
#define ENTRYLAB_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "boot/qemu.h"
#include "image/symbols.h"

/* ------------------------------------------------------------ the log */

enum el_log_kind {
	EL_LOG_OTHER,     /* anything else QEMU writes: ignored */
	EL_LOG_EXEC,      /* "Trace N: HOST [CS_BASE/PC/FLAGS/CFLAGS] SYM" */
	EL_LOG_STOPPED,   /* "Stopped execution of TB chain before HOST [PC] SYM":
			   * the block logged just before was entered but not run */
	EL_LOG_BAD,       /* starts like one of those but does not parse */
};

/* Classify one log line (without its newline) and give its guest pc. */
enum el_log_kind el_log_line(const char *line, uint64_t *pc);

#define EL_TRACE_WINDOW_MAX (16u << 20)   /* instructions per window */

/* The two marker windows: [el_trace_begin, el_trace_end) as executed,
 * the begin marker's own instruction included, the end marker's not. */
struct el_trace_log {
	uint64_t begin, end;      /* marker addresses */
	uint64_t *pc[2];
	size_t n[2], cap[2];
	int nwin;                 /* windows closed so far (0..2) */
	bool open;                /* window nwin is open */
	bool closed_last;         /* the previous exec line closed a window */
	bool overflow;            /* a window exceeded EL_TRACE_WINDOW_MAX */
	uint64_t exec_lines, stopped_lines, bad_lines;
};

void el_trace_log_init(struct el_trace_log *t, uint64_t begin, uint64_t end);
void el_trace_log_feed(struct el_trace_log *t, const char *line);
/* Feed every line of f.  Returns 0, or -1 on a read error. */
int el_trace_log_read(struct el_trace_log *t, FILE *f);
void el_trace_log_free(struct el_trace_log *t);

/* ------------------------------------------------------------ the path */

struct el_path {
	size_t start, len;        /* indices into the loop window */
	uint64_t syscall_pc, return_pc;
};

/* Find the path of the call in the loop window pc[0..n).  Returns 0, or -1
 * with err set. */
int el_trace_find_path(const struct el_image *im, const uint64_t *pc, size_t n,
		       struct el_path *p, char *err, size_t errlen);

/* ------------------------------------------------------------ capture */

/* Build the QEMU argument vector for a trace boot of image: the harness's
 * tcg-icount argv (harness/boot/qemu.c) plus the exec log into logpath.  With
 * one_insn_per_tb, the QEMU >= 8.1 spelling replaces -singlestep; with
 * sandbox, QEMU's seccomp filter is on as for every other boot. */
void el_trace_qemu_argv(const char *qemu, const char *image, const char *short_name,
			const char *bench, const char *logpath, bool one_insn_per_tb,
			bool sandbox, struct el_argv *a);

#endif
