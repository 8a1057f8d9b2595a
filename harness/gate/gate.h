/*
 * entrylab gate and baseline: the merge gate.
 *
 *   entrylab gate --base REV [--head REV] [--variants SEL] [--bench LIST]
 *                 [--samples N] [--rounds N] [--mode auto|tcg|kvm]
 *                 [--timeout SEC] [--thresholds FILE] [--results-dir DIR]
 *   entrylab gate --baseline-file FILE [--run DIR] [--variants SEL] [--bench LIST]
 *                 [--thresholds FILE] [--results-dir DIR]
 *   entrylab baseline save [--run DIR] [--out FILE]
 *
 * Revision mode (gate.c): each revision is checked out with `git worktree
 * add --detach` under a temporary directory (the head too when --head is
 * given; without it the head is the working tree, built in place) and
 * built with its own Makefile (`make host` and the selected images).  This
 * harness boots both sides' images with `entrylab run`, interleaved: in
 * round 1 for each variant base then head, in round 2 head then base, and
 * so on, so that drift reaches both sides alike.  Each round is one boot
 * per side and variant, and the boot is the statistical unit: with more
 * than one round the intervals come from a hierarchical bootstrap over
 * boots (stats.h, gate_logic.h).  The worktrees are removed afterwards, also after a
 * failure or SIGINT/SIGTERM.
 *
 * Baseline mode (gate_side.c): the head is an analysed run directory
 * (default RESULTS/latest), the base a file written by `baseline save`.
 *
 * Output: RESULTS/gate-<id>/verdict.md (printed too; gate_logic.h has its
 * rules) and, in revision mode, base/round-<k>/raw/ and head/round-<k>/raw/
 * (the raw files of each `entrylab run`) and logs/.  The directory is
 * written as RESULTS/.gate-<id>.partial and renamed when complete;
 * results/latest is not moved (it names the latest matrix run).
 *
 * Baseline file (JSON, version 1):
 *   { "format": "entrylab-baseline", "version": 1, "created": UTC time,
 *     "run": the run directory, "mode": "tcg-icount"|"kvm",
 *     "unit": "instructions"|"tsc",
 *     "variants": [ { "short", "variant", "status", "error",
 *                     "samples": { BENCH: [per-call values...] },
 *                     "unavailable": { BENCH: reason } } ],
 *     "summary": the run's summary.json, "meta": its meta.json or null }
 *
 * Exit status: 0 pass, 1 regression (or a path missing or failing in the
 * head), 2 usage or environment error (nothing published, no earlier
 * result touched), 3 inconclusive, 130 interrupted.
 */
#ifndef ENTRYLAB_GATE_H
#define ENTRYLAB_GATE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "core/opts.h"
#include "gate/gate_logic.h"
#include "matrix/matrix.h"
#include "boot/qemu.h"
#include "gate/thresholds.h"

#define GATE_PATH 4096

int el_cmd_gate(int argc, char **argv);
int el_cmd_baseline(int argc, char **argv);
extern const struct el_optcmd gate_optcmd, baseline_optcmd;   /* core/opts.h */

/* ---------------------------------------------- gate_side.c, for gate.c */

/* The repository: the current directory if it holds variants/axes.conf,
 * else the one above the running executable; an absolute path.  0, or -1
 * after a one-line error. */
int gate_find_root(char *dst, size_t n);

/* Add the raw files of a run directory (DIR/raw/<short>.result and
 * .samples.csv) to side, as one boot per variant and benchmark.  bench_seen (may be NULL) collects
 * benchmark names measured or reported unavailable, as a comma list.
 * 0, or -1 after a one-line error. */
int gate_load_run(const char *dir, struct gl_side *side, struct el_buf *bench_seen);

/* The verdict of a comparison: RESULTS/gate-<id>/verdict.md (written in
 * .gate-<id>.partial, which may already hold files, then renamed), and
 * stdout.  partial NULL: create it here.  Returns the gate's exit status,
 * or EL_EX_USAGE after a one-line error. */
int gate_publish(const char *results, const char *partial, const struct gl_result *r,
		 const struct gl_report_info *info);
/* The directory gate_publish made final in this process, "" before: what
 * an interrupt after publishing must not deny. */
extern char gate_published[GATE_PATH];
/* Create RESULTS/.gate-<id>.partial (and RESULTS), flock'ed for the life
 * of the process (resultsdir.h: what dead runs left is reported first);
 * dst gets its path.  0, or -1 after a one-line error. */
int gate_partial_create(const char *results, char *dst, size_t n);

/* Short names a selector means in root/variants (NULL-terminated list),
 * or NULL after a one-line error. */
char **gate_select_variants(const char *root, const char *sel);
/* "a,b,c" as a NULL-terminated list; gate_free_list frees it. */
char **gate_split_list(const char *s);
void gate_free_list(char **list);

/* The baseline-mode command body (options already parsed by gate.c). */
struct gate_baseline_opts {
	const char *baseline, *run_dir, *variants, *bench, *thresholds, *results_dir;
};
int gate_against_baseline(const struct gate_baseline_opts *o);

/* ---------------------------------------------- gate.c and gate_run.c */

#define GATE_SELF     "/proc/self/exe"   /* this harness, for run and trace children */
#define GATE_GUARD_MS 10000              /* a run child past its own limit plus this is killed */

enum { GATE_BASE, GATE_HEAD };
extern const char *const gate_role[2];   /* "base", "head" */

struct gate_opts {
	const char *base, *head, *baseline, *run_dir, *variants, *bench, *thresholds, *results_dir;
	const char *tree[2];         /* --base-tree, --head-tree: built trees, used as they are */
	uint64_t samples, rounds;
	int rounds_set, mode;        /* mode: 0 auto, 1 tcg, 2 kvm */
	double timeout_s;
	int help, rev_only;          /* rev_only: an option of revision mode was given */
};

struct gate_tree {
	const char *rev;             /* as given; NULL: the working tree (or a built tree) */
	int prebuilt;                /* --base-tree/--head-tree: no checkout, no build */
	char commit[64];
	char dir[GATE_PATH];
	int worktree;                /* added here: remove it */
	char label[GATE_PATH];
	char **known;                /* selected variants this tree can build */
};

struct gate {
	const struct gate_opts *o;
	char root[GATE_PATH], tmp[GATE_PATH], results[GATE_PATH], partial[GATE_PATH];
	char th_path[GATE_PATH + 32], bench[MX_BENCH_LIST], git_log[GATE_PATH + 16];
	struct th_table t;
	struct gate_tree tree[2];
	char **shorts;               /* the selection, head order */
	enum el_mode mode;
	uint64_t rounds;
	struct gl_side side[2];
	size_t runs[2];
};


/* Set by SIGINT, SIGTERM, SIGHUP or SIGPIPE during a gate. */
extern volatile sig_atomic_t gate_signal;

/* Run path with argv, stdout and stderr appended to log, in its own
 * process group, without make's jobserver variables.  Returns its exit
 * status, 128 + signal, 127 if it could not be executed, -1 if it could
 * not start, or EL_EX_INTERRUPTED after gate_signal when interruptible (the
 * child's group is killed).  The child dies with the gate (proc.h). */
int gate_child(const char *path, char *const argv[], const char *log, int64_t timeout_ms,
	       int interruptible);
/* gate_tmp.c: mkdtemp TMPDIR/entrylab-gate.XXXXXX (tmpdir NULL or "":
 * /tmp) with a file "owner" holding this pid, flock'ed until the process
 * ends.  0, or -1 after a one-line error (dst is then ""). */
int gate_tmp_create(const char *tmpdir, char *dst, size_t n);
/* What gates that died (SIGKILL, a crash, power loss) left: their git
 * worktrees of root's repository, their directories in tmpdir (owner lock
 * free), then `git worktree prune`; one line each on stderr. */
void gate_recover(const char *root, const char *tmpdir);
/* The last "entrylab: " line of a log (without the prefix), else its last
 * non-empty line. */
void gate_log_last_error(const char *log, char *dst, size_t n);
/* Its last lines to stderr, indented. */
void gate_log_tail(const char *log, int lines);

/* gate_run.c: the accelerator, the interleaved boots, the sides and the
 * per-symbol explanations.  Each returns 0 or an el_exit status after a
 * one-line error. */
int gate_decide_mode(struct gate *g);
int gate_run_rounds(struct gate *g);
int gate_load_sides(struct gate *g);
void gate_explain_regressions(struct gate *g, struct gl_result *r);

#endif
