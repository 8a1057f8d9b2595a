/*
 * meta — the run directory of `entrylab matrix` and its meta.json.
 *
 * Lifecycle of a run directory under RESULTS (results/ by default):
 *   1. mx_rundir_create: reserve a run id by mkdir of RESULTS/.<id>.partial
 *      (mkdir is the lock: EEXIST means the id is taken).  Every file of
 *      the run is written in there.
 *   2. mx_rundir_stage: just before the analysis, RESULTS/<id> becomes a
 *      symlink to .<id>.partial, so that the report and summary name the
 *      final path.  Nothing else ever creates RESULTS/<id>.
 *   3. mx_rundir_publish: the directory takes the name RESULTS/<id>
 *      (renameat2 RENAME_EXCHANGE with the symlink, then the symlink is
 *      removed; without staging, RENAME_NOREPLACE), then RESULTS/latest is
 *      repointed atomically: symlink latest.tmp.<pid> -> <id>, renamed over
 *      latest.
 *   An interrupted or failed run calls mx_rundir_abandon: the staging
 *   symlink goes, .<id>.partial stays for inspection, latest is not moved.
 *
 * meta.json: facts about the host, the tools, the source tree and every
 * variant, written with jansson to a temporary name and renamed.  The
 * analysis adds an "analysis" object to it later (analyze.h).
 */
#ifndef ENTRYLAB_META_H
#define ENTRYLAB_META_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <jansson.h>

#include "noise.h"
#include "pin.h"
#include "variants.h"

#define MX_ID_MAX   64
#define MX_PATH_MAX 1024
#define MX_LINE     256     /* one-line facts: versions, models, errors */

/* ------------------------------------------------------------ run id */

/* "YYYYmmdd-HHMMSS-<pid>" in UTC. */
void mx_run_id_default(time_t t, pid_t pid, char *dst, size_t n);
/* 1 if id may name a run: 1..63 of [A-Za-z0-9_.-], not starting with '.'
 * or '-', not "latest" nor "latest.*". */
int mx_run_id_valid(const char *id);

/* ------------------------------------------------------------ run directory */

struct mx_rundir {
	char results[MX_PATH_MAX];   /* as given, e.g. "results" */
	char id[MX_ID_MAX];
	char partial[MX_PATH_MAX];   /* results/.<id>.partial */
	char final[MX_PATH_MAX];     /* results/<id> */
	int staged;                  /* final is our symlink to the partial dir */
};

/* Create results (and its parents) if missing, then the partial directory.
 * id NULL: the default id for now, with "-2", "-3", ... appended while one
 * is taken; id given: taken is an error.  Returns 0, or EL_EX_USAGE with one
 * line in err ("<what>: <where>: <what to do>"); on error nothing new is
 * left behind except missing parents of results. */
int mx_rundir_create(struct mx_rundir *d, const char *results, const char *id,
		     char *err, size_t n);
int mx_rundir_stage(struct mx_rundir *d, char *err, size_t n);
/* 0, or EL_EX_USAGE with err (the directory may then already be final:
 * err says which step failed). */
int mx_rundir_publish(struct mx_rundir *d, char *err, size_t n);
void mx_rundir_abandon(struct mx_rundir *d);
/* Remove the partial directory and everything in it (environment errors
 * found after it was created: nothing worth keeping). */
void mx_rundir_remove(struct mx_rundir *d);

/* ------------------------------------------------------------ facts */

struct mx_host {
	char cpu_model[MX_LINE], microcode[64];
	char sysname[64], release[MX_LINE], version[MX_LINE], machine[64];
	long online_cpus;
	char qemu[MX_LINE];          /* first line of `qemu-system-x86_64 --version` */
	char compiler[MX_LINE];      /* first line of `cc --version` */
	char git_rev[64];            /* "" when unknown */
	int git_dirty;               /* 1, 0, -1 unknown */
};

/* "model name" and "microcode" of the first cpu in a /proc/cpuinfo-style
 * file; "unknown" for what is missing.  Returns 0, -1 if unreadable. */
int mx_cpuinfo(const char *path, char *model, size_t model_n, char *micro, size_t micro_n);
/* Run argv (searched on PATH) with a time limit; the first line of its
 * stdout in dst.  Returns 0, or -1 (not found, failed, no output) with a
 * reason in dst. */
int mx_tool_line(char *const argv[], int64_t timeout_ms, char *dst, size_t n);
/* Everything in struct mx_host; root is the git work tree; qemu_version
 * the QEMU line when already known (NULL: ask QEMU).  Never fails. */
void mx_host_collect(struct mx_host *h, const char *root, const char *qemu_version);

/* The GNU build-id of an ELF file as lowercase hex.  Returns 0, or -1 (not
 * readable, not ELF64, no build-id note) with dst "". */
int mx_elf_build_id(const char *path, char *dst, size_t n);

/* ------------------------------------------------------------ meta.json */

struct mx_variant {
	int code;                         /* variants.h code */
	char short_name[EL_NAME_MAX];
	char canonical[MX_LINE];
	char flags[MX_LINE * 2];          /* the -D flags it is built with */
	char image[MX_PATH_MAX];
	char build_id[96];                /* "" when unknown */
	char status[16];                  /* pass fail hang crash protocol usage, "" not run */
	int exit;                         /* the run's el_exit status, -1 not run */
	char error[MX_LINE * 2];
	double elapsed_s;
};

struct mx_meta {
	const char *run_id;
	time_t start, end;                /* wall clock, for the UTC stamps */
	double elapsed_s;
	int argc;
	char **argv;                      /* the matrix command line, from "entrylab" */
	const char *mode_requested;       /* auto | tcg | kvm */
	const char *mode, *unit;          /* tcg-icount | kvm; instructions | tsc */
	const char *mode_reason;
	unsigned jobs;
	uint64_t samples;
	const char *bench;                /* comma list */
	double timeout_s;
	const char *baseline;             /* NULL: none in this run */
	const struct mx_host *host;
	const struct pin_plan *pin;       /* NULL: none (pin_error says why) */
	const char *pin_error;
	const char *pin_applied;          /* how the plan was used */
	const struct noise_report *noise; /* NULL: not checked */
	const struct mx_variant *v;
	size_t nv;
	json_t *extra;                    /* members added at the top level (kvmrun.h's
					   * accel, events, perf, runner, runs); NULL: none */
};

json_t *mx_meta_json(const struct mx_meta *m);
/* dir/meta.json, atomically.  Returns 0, or EL_EX_USAGE with err. */
int mx_meta_write(const char *dir, const struct mx_meta *m, char *err, size_t n);

#endif
