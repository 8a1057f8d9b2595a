/*
 * meta — meta.json of `entrylab matrix`: facts about the host, the tools,
 * the source tree and every variant, written with jansson to a temporary
 * name and renamed.  The analysis adds an "analysis" object to it later
 * (analyze.h).  The run directory it goes in: resultsdir.h.
 */
#ifndef ENTRYLAB_META_H
#define ENTRYLAB_META_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <jansson.h>

#include "host/noise.h"
#include "host/pin.h"
#include "matrix/resultsdir.h"
#include "variants/variants.h"

#define MX_LINE     256     /* one-line facts: versions, models, errors */

/* ------------------------------------------------------------ facts */

struct mx_host {
	char cpu_model[MX_LINE], microcode[64];
	char sysname[64], release[MX_LINE], version[MX_LINE], machine[64];
	long online_cpus;
	char qemu[MX_LINE];          /* first line of `qemu-system-x86_64 --version` */
	char compiler[MX_LINE];      /* first line of `cc --version` */
	char git_rev[64];            /* "" when unknown */
	int git_dirty;               /* 1, 0, -1 unknown */
	char cpu_class[16];          /* mx_cpu_class: bare-metal, virtual, emulated */
	char cpu_class_note[MX_LINE];
};

/* "model name" and "microcode" of the first cpu in a /proc/cpuinfo-style
 * file; "unknown" for what is missing.  Returns 0, -1 if unreadable. */
int mx_cpuinfo(const char *path, char *model, size_t model_n, char *micro, size_t micro_n);
/* What kind of CPU a /proc/cpuinfo-style file describes, for labelling
 * kvm-mode figures.  "emulated": QEMU's TCG (model name "QEMU TCG CPU ...";
 * kvm mode then runs nested under an emulated CPU, and its ticks are
 * evidence that kvm mode works, never performance figures); "virtual": the
 * CPUID hypervisor bit is set (nested virtualization: the ticks include
 * the outer hypervisor's work); "bare-metal" otherwise.  note gets one
 * sentence for reports ("" for bare metal).  Returns the class. */
const char *mx_cpu_class(const char *path, char *note, size_t n);

/* Run argv (searched on PATH) with a time limit; the first line of its
 * stdout in dst.  Returns 0, or -1 (not found, failed, no output) with a
 * reason in dst. */
int mx_tool_line(char *const argv[], int64_t timeout_ms, char *dst, size_t n);
/* Everything in struct mx_host; root is the git work tree; qemu_version
 * the QEMU line when already known (NULL: ask QEMU).  Never fails. */
void mx_host_collect(struct mx_host *h, const char *root, const char *qemu_version);

/* ------------------------------------------------------------ meta.json */

struct mx_variant {
	int code;                         /* variants.h code */
	char short_name[EL_NAME_MAX];
	char canonical[MX_LINE];
	char flags[MX_LINE * 2];          /* the -D flags it is built with */
	char image[MX_PATH_MAX];
	char build_id[96];                /* "" when unknown */
	char built_rev[64];               /* the revision its build note names, "" unknown */
	int built_dirty;                  /* 1 built from uncommitted changes, 0, -1 unknown */
	char built_sources[48];           /* the digest of its guest inputs, "" unknown */
	char status[16];                  /* pass fail hang crash protocol usage, "" not run */
	int exit;                         /* the run's el_exit status, -1 not run */
	char error[MX_LINE * 2];
	double elapsed_s;
};

/* Read the build note of v->image (<image>.rev, kernels/build_note.sh) into
 * v->built_rev and v->built_dirty; unknown when there is none or it names
 * another build-id (the image was relinked without it). */
void mx_image_note(struct mx_variant *v);
/* One warning line on stderr when images were built from a revision whose
 * guest sources (kernels, bench, lib, include, variants, linuxref,
 * Makefile in the git work tree root) differ from tree_rev's, and one when
 * images have no build note: the figures are those of the images.
 * Returns how many such images there are. */
size_t mx_images_check_revision(const struct mx_variant *v, size_t nv, const char *root,
				const char *tree_rev);

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
