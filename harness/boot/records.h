/* Streaming, strict parser for the guest record protocol
 * (include/entrylab/proto.h).  Feed it bytes as they arrive; it keeps the
 * parsed data and the first located error.  Nothing in the stream can make
 * it crash or drop a sample silently. */
#ifndef ENTRYLAB_RECORDS_H
#define ENTRYLAB_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "entrylab/proto.h"

#define EL_REC_WORD   64   /* longest value kept for a word field */
#define EL_REC_PMU    8    /* pmu0 .. pmu7 */
#define EL_REC_TAIL   20   /* raw lines kept for failure reports */
#define EL_REC_PMU_ZERO_ITERS 1000   /* el_stream_zero_counters: loop iterations */
#define EL_REC_PMU_ZERO_REASON "counter_reads_zero"

struct el_header {
	uint64_t proto;
	char variant[EL_MAX_LINE], short_name[EL_REC_WORD];
	char ptregs[EL_REC_WORD], rsp[EL_REC_WORD], regs[EL_REC_WORD], exit[EL_REC_WORD];
	char pti[EL_REC_WORD], spec[EL_REC_WORD];   /* "" where the image has no such axis */
	char build[EL_REC_WORD], cpu[EL_REC_WORD], hv[EL_REC_WORD];
	char mode[EL_REC_WORD], unit[EL_REC_WORD];
};

struct el_sample {
	uint64_t index, iters, ticks, empty;
	uint64_t pmu[EL_REC_PMU];   /* pmuN: counter N's delta over the timed loop */
	unsigned pmu_mask;    /* bit i set: pmu[i] was sent */
	uint64_t epmu[EL_REC_PMU];  /* epmuN: the same over the empty loop */
	unsigned epmu_mask;   /* bit i set: epmu[i] was sent */
	double per_call;      /* (ticks - empty) / iters; negative only under unit=tsc */
	bool exact;           /* ticks >= empty and (ticks - empty) % iters == 0 */
};

struct el_bench {
	char name[EL_REC_WORD];
	uint64_t iters, samples, warmup, events;
	bool has_events;
	unsigned pmu_zero;    /* bit i: counter i read 0 throughout (el_stream_zero_counters) */
	struct el_sample *sample;
	size_t nsample, cap;
};

struct el_unavail {
	char name[EL_REC_WORD], reason[EL_REC_WORD];
};

enum el_tap_kind { EL_TAP_PLAN, EL_TAP_OK, EL_TAP_NOT_OK, EL_TAP_SKIP, EL_TAP_COMMENT };

struct el_tap_line {
	enum el_tap_kind kind;
	uint64_t number;      /* test number, or the plan count */
	char *text;           /* description (or comment, or skip reason) */
	char *raw;            /* the line after "@T " */
};

struct el_exception {
	uint64_t vector, err, rip, cs, rsp, cr2;
	char name[EL_REC_WORD];
	bool user_mode, fatal;
};

struct el_probe {
	bool seen, ok;
	uint64_t cpl_at_entry;
	char reason[EL_REC_WORD];
};

/* @M: page-table isolation and speculation mitigations (protocol 2). */
struct el_mitig {
	bool seen;
	char pti[EL_REC_WORD];
	uint64_t pcid, invpcid, spec_ctrl, stibp, md_clear, arch_capabilities;
	uint64_t arch_cap_msr;
	uint64_t meltdown, mds, retbleed;
	char spectre_v2[EL_REC_WORD], live[EL_REC_WORD * 2];
};

struct el_final {
	bool seen;
	uint64_t records;
	char status[EL_REC_WORD];   /* pass | fail | panic */
};

struct el_stream {
	/* parsed data */
	bool header_seen;
	struct el_header header;
	struct el_bench *bench;        size_t nbench;
	struct el_unavail *unavail;    size_t nunavail;
	struct el_tap_line *tap;       size_t ntap;
	struct el_exception *exc;      size_t nexc;
	char **klog;                   size_t nklog;
	struct el_probe probe;
	struct el_mitig mitig;
	struct el_final final;
	/* TAP totals */
	bool tap_plan_seen;
	uint64_t tap_planned, tap_run, tap_pass, tap_fail, tap_skip;

	/* bookkeeping */
	uint64_t line_no;              /* lines seen, including bad ones */
	uint64_t nrecords;             /* records before @E */
	uint64_t bytes;
	char error[EL_MAX_LINE + 128]; /* first error, "" if none */
	bool finished;

	/* partial line from the last chunk */
	char part[EL_MAX_LINE + 1];
	size_t part_len;

	/* last raw lines, a ring */
	char tail[EL_REC_TAIL][EL_MAX_LINE + 1];
	unsigned tail_next, tail_count;
};

void el_stream_init(struct el_stream *s);
void el_stream_free(struct el_stream *s);

/* Feed a chunk of raw bytes (any split).  Returns 0 while no error has been
 * found, -1 once one has (later input is still counted and kept in the
 * tail, and parsed best-effort so that exceptions are not lost). */
int el_stream_feed(struct el_stream *s, const char *buf, size_t len);

/* Feed one complete line, without its newline. */
int el_stream_line(struct el_stream *s, const char *line, size_t len);

/* End of stream: checks truncation, the final record, the record count,
 * per-benchmark sample counts and the TAP plan.  0 if the stream is valid. */
int el_stream_finish(struct el_stream *s);

/* Counters that do not count.  For each benchmark that announced events,
 * counter i is marked in pmu_zero, and its pmuN/epmuN values are dropped
 * from every sample (as if never sent), when every sample that sent it
 * read 0 over the loop and over the empty twin, and either the benchmark
 * counted two or more events and every one did so (the PMU counts nothing:
 * a KVM without a vPMU),
 * or the benchmark's samples ran at least EL_REC_PMU_ZERO_ITERS loop
 * iterations together (a loop of thousands of system calls that counts
 * nothing is a counter that does not work, not a measurement; over a
 * shorter loop one silent counter among counting ones may be a rare event
 * that truly did not happen).  Returns the number of (benchmark, counter)
 * pairs marked. */
unsigned el_stream_zero_counters(struct el_stream *s);

/* The first error ("line N: what" or a stream-level message), or NULL. */
const char *el_stream_error(const struct el_stream *s);

/* Benchmark by name, or NULL. */
const struct el_bench *el_stream_bench(const struct el_stream *s, const char *name);

/* The i-th most recent raw line, oldest first: i in [0, el_stream_tail_count). */
unsigned el_stream_tail_count(const struct el_stream *s);
const char *el_stream_tail_line(const struct el_stream *s, unsigned i);

struct el_csv;
/* One sample as the leading fields of a samples.csv row: variant, short,
 * bench, sample, iters, ticks, empty, per_call (exact: an integer), unit.
 * The caller adds any further fields and ends the row. */
void el_sample_csv_fields(struct el_csv *c, const char *variant, const char *short_name,
			  const char *bench, const struct el_sample *d, const char *unit);

#endif
