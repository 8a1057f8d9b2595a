/*
 * entrylab matrix: the main job.  Boot every selected variant kernel with
 * `entrylab run` (child processes, --jobs at once), write meta.json, analyse
 * the run and publish it as results/<run-id>/ (resultsdir.h has the
 * directory lifecycle).
 *
 *   entrylab matrix [--variants SEL[,SEL...]] [--bench a,b] [--samples N]
 *                   [--jobs N] [--accel auto|tcg|kvm] [--baseline SEL]
 *                   [--results-dir DIR] [--run-id ID] [--timeout SEC]
 *                   [--cpu N] [--pin] [--events LIST] [--perf]
 *                   [--no-plots] [--list-benches]
 *                   [--append-for SHORT=ARGS]   (tests only: guest faults on purpose)
 *
 * Everything is validated before anything runs or is created.  Layout of a
 * run directory: raw/<short>.{console,samples.csv,tap,result} (entrylab
 * run), logs/<short>.log (each child's own stdout and stderr), probe/ (the
 * KVM probe boot, when one was made), meta.json, and what the analysis
 * writes (summary.csv, summary.json, report.md, plots/).
 *
 * Exit status: 0 every variant passed; 1 a variant failed (the run is still
 * complete and published); 2 usage or environment error; 130 SIGINT or
 * SIGTERM (children killed and reaped, nothing published).
 */
#ifndef ENTRYLAB_MATRIX_H
#define ENTRYLAB_MATRIX_H

#include <stddef.h>
#include <stdint.h>

#include "core/opts.h"
#include "matrix/linuxref_matrix.h"
#include "matrix/meta.h"
#include "variants/variants.h"

#define MX_DEFAULT_SAMPLES   10
#define MX_DEFAULT_TIMEOUT_S 60.0
#define MX_BENCH_LIST        512
#define MX_APPEND_FOR_MAX    8

enum mx_mode_req { MX_MODE_AUTO, MX_MODE_TCG, MX_MODE_KVM };

struct mx_opts {
	char *variants;             /* selectors joined by ','; NULL: "default" */
	const char *bench;          /* NULL: every benchmark */
	uint64_t samples;
	unsigned jobs;              /* 0: the default */
	enum mx_mode_req mode;
	const char *baseline;       /* NULL: analyze's default (preset linux-5.x) */
	const char *results_dir;    /* NULL: <repository>/results */
	const char *run_id;         /* NULL: generated */
	double timeout_s;           /* per variant boot */
	int no_plots, list_benches, help;
	int cpu;                    /* --cpu N: measurement cpu; -1: pin.h's default */
	int pin, perf;              /* --pin (bind QEMU under tcg-icount too), --perf */
	int tap;                    /* --tap: every variant's TAP on stdout (progress.c) */
	const char *events;         /* --events names (kvmrun.h), NULL: none */
	const char *cpu_model;      /* --cpu-model: QEMU -cpu under tcg-icount; NULL: max */
	int linux_req;              /* enum lr_want: --linux, --no-linux (linuxref_matrix.h) */
	const char *linux_cpu;      /* --linux-cpu MODEL[,MODEL...] */
	const char *linux_kernel;   /* --linux-kernel PATH (NULL: the newest /boot/vmlinuz-*) */
	/* tests only (--append-for SHORT=ARGS): extra guest arguments for one
	 * variant, e.g. el.selftest=N to make it fail on purpose */
	const char *append_for[MX_APPEND_FOR_MAX];
	unsigned nappend_for;
};

/* What will run, after every check. */
struct mx_plan {
	char root[MX_PATH_MAX];     /* repository: variants/, build/kernels/ */
	struct el_variants vs;
	struct mx_variant *v;       /* in selection order */
	size_t nv;
	char bench[MX_BENCH_LIST];  /* comma list in benches.def order */
	char results[MX_PATH_MAX];
	struct lr_matrix lr;        /* the Linux reference rows (linuxref_matrix.h) */
};

/* EL_EX_OK, or EL_EX_USAGE after one line on stderr.  mx_opts_free after
 * either. */
int mx_parse_opts(int argc, char **argv, struct mx_opts *o);
void mx_opts_free(struct mx_opts *o);

/* A --bench list checked against include/entrylab/benches.def, deduplicated,
 * in the order of that file; NULL means all.  Returns 0, or -1 with one
 * line in err listing the accepted names. */
int mx_bench_list(const char *sel, char *dst, size_t n, char *err, size_t errn);

/* Resolve and check the selection against the repository at root (NULL:
 * the current directory if it holds variants/axes.conf, else the one above
 * the running executable): variants, benchmarks, baseline, images.  Returns
 * EL_EX_OK (mx_plan_free later) or EL_EX_USAGE after one line on stderr. */
int mx_plan_build(const struct mx_opts *o, const char *root, struct mx_plan *p);
void mx_plan_free(struct mx_plan *p);

int el_cmd_matrix(int argc, char **argv);
extern const struct el_optcmd mx_optcmd;   /* its options (core/opts.h) */

#endif
