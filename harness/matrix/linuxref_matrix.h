/*
 * linuxref_matrix — the Linux reference rows inside a matrix run
 * (matrix/linuxref_matrix.c): whether they are planned, their `entrylab
 * run` arguments, the kvm host row and their part of meta.json, on top of
 * linuxref/ (the kernel, the initramfs, the host row).
 */
#ifndef ENTRYLAB_LINUXREF_MATRIX_H
#define ENTRYLAB_LINUXREF_MATRIX_H

#include <stddef.h>
#include <stdint.h>

#include "linuxref/linuxref.h"
#include "matrix/meta.h"

enum lr_want { LR_WANT_AUTO, LR_WANT_ON, LR_WANT_OFF };   /* --linux, --no-linux */

/* One Linux row of the run: a kind (lr_rows[]: linux, linux-nomit) on
 * one CPU model. */
enum lr_cache_state { LR_CACHE_OFF, LR_CACHE_MISS, LR_CACHE_HIT };

struct lr_matrix_row {
	char short_name[64];        /* linux, linux-nomit; linux.<model>, ... for several models */
	const struct lr_row *kind;
	int model;                  /* index into lr_matrix.models */
	/* the stored breakdown (linuxref_cache.c) */
	enum lr_cache_state cache;  /* OFF: not traced; MISS: traced this boot; HIT: stored */
	char cache_path[LR_PATH];
	char cache_key[4096];       /* the key lines the file must begin with */
	char cache_body[8192];      /* HIT: the stored breakdown CSV */
	long cache_total;           /* HIT: its path's length */
};

struct lr_matrix {
	int wanted;                 /* asked for, or the default (default selection or all) */
	int rows;                   /* the Linux rows are in the plan */
	int cpu_given;              /* --linux-cpu */
	int kvm;                    /* the run is under kvm (set by lr_matrix_args) */
	size_t nmodels;
	char models[LR_MAX_MODELS][64];      /* QEMU CPU models, one row pair each */
	char model_why[LR_MAX_MODELS][512];  /* how the model was chosen */
	size_t nrow;
	struct lr_matrix_row row[2 * LR_MAX_MODELS];
	char skipped[LR_PATH];      /* why they are not ("" when they are, or not wanted) */
	struct lr_kernel k;
	char nearest[64];           /* the preset nearest to the kernel (report.md's breakdown) */
	char nearest_short[64];     /* its variant, traced into raw/<short>.breakdown.csv */
	char nearest_note[512];     /* why that one, or why it has no breakdown */
	int host_ran;               /* kvm: the host row ran */
	char host_skipped[LR_PATH]; /* kvm: why it did not */
	struct lr_host host;
	/* the breakdown cache of this run (linuxref_cache.c) */
	int cache_on;
	char cache_off[512];        /* why it is off */
	char cache_dir[LR_PATH];
	char cache_hashes[512];     /* "# key NAME=SHA256" lines */
	char cache_common[2048];    /* the key lines every row shares */
	char cache_bench[32];       /* the benchmark traced */
};

/* Add the Linux rows to the variants v[0..*nv) (code LR_CODE, image the
 * unpacked kernel), when wanted: LR_WANT_ON, or LR_WANT_AUTO and the whole
 * matrix was selected (whole_matrix: no --variants, default or all).  A kernel that cannot be had is an
 * error under LR_WANT_ON (-1 after one line on stderr), else one line on
 * stderr and no rows.  Returns 0 or -1. */
/* linux_cpu: --linux-cpu MODEL[,MODEL...] (NULL: the model matching the
 * host, variants/linux-cpus.conf; under kvm `-cpu host`).  An unknown
 * model is an error (-1 after one line listing QEMU's models). */
/* linux_kernel: --linux-kernel PATH, the kernel to boot (NULL: the newest
 * /boot/vmlinuz-*); given, it implies the rows like --linux-cpu. */
int lr_matrix_plan(struct lr_matrix *lm, enum lr_want want, int whole_matrix, const char *root,
		   const char *linux_cpu, const char *linux_kernel, struct mx_variant **v,
		   size_t *nv);

/* The `entrylab run` arguments of a Linux row: args (NULL-terminated,
 * room for max entries, holding "--append", append) gain "--initrd", the
 * row's CPU model (none under kvm unless --linux-cpu named one),
 * "--linux-trace <trace>" when trace is not NULL, and the row's kernel
 * command line in front of what append holds. */
void lr_matrix_args(struct lr_matrix *lm, struct mx_variant *v, int kvm, const char *trace,
		    const char **args, size_t max, char *append, size_t n);

/* ------------------------------------------------------------ breakdown cache (linuxref_cache.c) */

/* Before the rows start, when their getpid breakdown is wanted (traced:
 * the benchmark, NULL: none): the inputs' sha256 (sha256sum of the kernel
 * image, initramfs, variants/roles.conf, the harness binary) and the key
 * lines every row shares.  Never fails: a fault is one warning and the
 * rows are traced as without a cache. */
void lr_cache_begin(struct lr_matrix *lm, const char *root, const char *qemu_version,
		    const char *bench_list, uint64_t samples, const char *traced);
/* The benchmark row short_name's boot must trace: trace, or NULL when a
 * whole stored breakdown of trace with this row's key exists (it is
 * checked after the run; lr_cache_begin not called or off: trace).
 * model: the row's QEMU CPU model (NULL: -cpu host); append: its whole
 * kernel command line.  A corrupt stored file is one warning line. */
const char *lr_cache_lookup(struct lr_matrix *lm, const char *short_name, const char *model,
			    const char *append, const char *trace);
/* After the runs: each passed row traced in this run gets its breakdown
 * stored; each row given a stored breakdown gets it in raw_dir/<short>
 * .breakdown.csv when this run's loop - empty equals the stored path's
 * length, else one warning line and a trace boot of the row (the job's
 * arguments with --linux-trace) whose breakdown replaces the stored one.
 * Each file says where its breakdown came from (kind "source"). */
struct mx_job;
void lr_cache_finish(struct lr_matrix *lm, const char *raw_dir, const char *run_id,
		     const struct mx_variant *v, const struct mx_job *jobs, size_t nv);

/* The lab preset nearest to the kernel (the newest linux-X.Y preset not
 * newer than its release) traced for bench into raw_dir/<short>.breakdown.csv
 * by a child `entrylab trace`, next to the rows' own breakdowns.  A trace
 * that fails is a note in meta.json, never a failed matrix. */
struct el_variants;
void lr_matrix_nearest(struct lr_matrix *lm, const struct el_variants *vs, const char *root,
		       const char *bench, const char *raw_dir);

/* kvm mode only, when the rows were wanted: the host row into raw_dir (one
 * line on stderr if it cannot run; never fails the matrix). */
void lr_matrix_host(struct lr_matrix *lm, const char *root, int cpu, uint64_t samples,
		    const char *raw_dir);

/* The "linuxref" and "host_row" objects of dir/meta.json; each row with
 * its CPU model, how it was chosen, and the kernel's own verdicts from
 * /sys/devices/system/cpu/vulnerabilities (its @K lines in raw/).  0, or -1 after
 * a one-line error (they could not be written: nothing may be published). */
int lr_matrix_meta(const struct lr_matrix *lm, const char *dir);

#endif
