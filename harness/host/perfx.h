/*
 * perfx — cross-check the guest's own counts with the host's `perf stat`.
 *
 * Under kvm mode the guest reads its vPMU (or the TSC) around each loop.
 * perf on the host can count the same vCPU thread in guest mode only
 * (modifier :G), which catches a vPMU that counts something else and shows
 * VM exits (tracepoint kvm:kvm_exit) that inflate TSC-based figures:
 *
 *   perf stat -x, -o <file> -e cycles:G,instructions:G[,kvm:kvm_exit] -t <tid>
 *
 * perf stat -t ends by itself when the thread exits.  perf counts the whole
 * life of the thread (boot included); the guest reports only its loops, so
 * guest <= perf is the expected relation.
 *
 * CSV lines (-x,):  value,unit,event,run-time,pct-running[,metric,unit]
 * where value may be "<not supported>" or "<not counted>"; lines starting
 * with '#' (the "-o" header) and blank lines are skipped.
 */
#ifndef ENTRYLAB_PERFX_H
#define ENTRYLAB_PERFX_H

#include <stddef.h>
#include <sys/types.h>

#define PERFX_MAX_COUNTS 16
#define PERFX_MAX_ARGS 12
#define PERFX_TOLERANCE 0.02     /* guest may exceed perf by 2% (counter set-up) */

enum perfx_state {
	PERFX_COUNTED,
	PERFX_NOT_SUPPORTED,     /* "<not supported>": no such counter here */
	PERFX_NOT_COUNTED,       /* "<not counted>": never scheduled */
};

struct perfx_count {
	char event[64];          /* as perf prints it, e.g. "cycles:G" */
	enum perfx_state state;
	double value;            /* when PERFX_COUNTED */
	char unit[16];           /* "msec" for task-clock, usually "" */
	double running_pct;      /* % of the time the counter ran; -1 unknown */
};

struct perfx_result {
	int n;
	struct perfx_count c[PERFX_MAX_COUNTS];
};

struct perfx_cmd {
	char *argv[PERFX_MAX_ARGS];   /* NULL-terminated, for execvp */
	char tid[24];
	char events[96];
	char out[256];
};

/* Whether the kvm:kvm_exit tracepoint exists under root ("/" or a fake
 * tree): sys/kernel/tracing/... or sys/kernel/debug/tracing/... */
int perfx_kvm_exit_available(const char *root);

/* Fill cmd->argv for the command above; outfile NULL leaves perf's output
 * on stderr.  Returns 0, or -1 when tid <= 0 or outfile is too long. */
int perfx_build(struct perfx_cmd *cmd, pid_t tid, const char *outfile,
		int with_kvm_exit);

/* Parse perf's CSV output (NUL-terminated).  Returns 0, or -1 with
 * "perf output line <n>: <what is wrong>: <what was expected>" in err. */
int perfx_parse(const char *text, struct perfx_result *r, char *err, size_t n);

/* The count for event (exact match, e.g. "instructions:G"), or NULL. */
const struct perfx_count *perfx_find(const struct perfx_result *r, const char *event);

enum perfx_verdict {
	PERFX_AGREE,             /* 0 < guest <= perf * (1 + tolerance) */
	PERFX_UNAVAILABLE,       /* perf could not count: nothing to compare */
	PERFX_DISAGREE,          /* guest claims more than perf saw, or perf saw none */
};

struct perfx_check {
	enum perfx_verdict verdict;
	double ratio;            /* guest / perf, when perf counted > 0 */
	char note[256];          /* one line; "" when AGREE */
	char exits_warning[256]; /* one line when VM exits were counted, else "" */
};

/* Compare the guest's total for metric (sum over its measured loops) with
 * perf's count of the same metric (may be NULL: not measured) and warn
 * about VM exits (exits may be NULL: tracepoint not available). */
void perfx_compare(const char *metric, double guest, const struct perfx_count *perf,
		   const struct perfx_count *exits, struct perfx_check *out);

#endif
