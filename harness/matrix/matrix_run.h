/*
 * matrix_run — one run of `entrylab matrix`, after the options and the plan
 * (matrix.h) are checked: its state, shared by matrix_run.c (prepare, boot
 * every variant, meta.json, analyse, publish), matrix_probe.c (the host
 * checks and the tcg-icount or kvm decision) and matrix_outcome.c (what
 * each finished child's run came to).  Private to those files.
 */
#ifndef ENTRYLAB_MATRIX_RUN_H
#define ENTRYLAB_MATRIX_RUN_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <time.h>

#include "host/accel.h"
#include "host/kvmrun.h"
#include "matrix/matrix.h"
#include "matrix/kvm_meta.h"
#include "matrix/matrix_jobs.h"
#include "host/noise.h"
#include "host/pin.h"

struct matrix {
	const struct mx_opts *o;
	struct mx_plan *p;
	int argc;
	char **argv;
	struct mx_rundir d;
	struct mx_children ch;
	struct mx_job *jobs;
	enum el_mode mode;
	char reason[MX_LINE * 2];
	struct probe_result probe;      /* accel.h: /dev/kvm and the probe boot */
	struct accel_decision accel;
	struct pmu_events ev;           /* --events, resolved (kvmrun.h) */
	char events_hex[KVM_EVENTS_HEX], cpu_arg[16];
	int pinning;                    /* the runs bind QEMU's threads */
	unsigned njobs;
	size_t finished, failed;
	struct pin_plan pin;
	int have_pin;
	char pin_err[MX_LINE];
	struct noise_report noise;
	struct mx_host host;
	char qemu_version[MX_LINE];
	time_t start, end;
	int64_t t0;
	char env_error[MX_LINE * 4];    /* why the runs were stopped (ch.stop) */
	int tty;                        /* stderr is a terminal: the progress line */
	FILE *tap;                      /* --tap: the TAP stream (the real stdout) */
};

/* The whole run of el_cmd_matrix: prepare, boot, meta.json, analyse,
 * publish (matrix_run.c).  Returns the exit status of matrix.h. */
int mx_matrix_run(const struct mx_opts *o, struct mx_plan *p, int argc, char **argv);

/* matrix_probe.c.  Before anything is created: the measurement cpu (--cpu
 * must exist) and the --events names; 0 or EL_EX_USAGE after one line. */
int mx_host_check(struct matrix *m);
/* tcg-icount or kvm, and why, with the KVM probe boot when one is needed:
 * 0, or the exit status after one line (EL_EX_INTERRUPTED: interrupted). */
int mx_decide_mode(struct matrix *m);
/* Pinning and the host noise report for the decided mode. */
void mx_host_plan(struct matrix *m);

/* matrix_outcome.c: the children's done callback of the variant runs (ctx
 * is the struct matrix): reads raw/<short>.result into the variant, or
 * says why there is none, and prints the progress line. */
void mx_variant_done(void *ctx, struct mx_job *j);

/* progress.c: the progress lines on stderr (with the time left on a
 * terminal) and the --tap stream on stdout.  begin before the first
 * variant runs, variant when one is done (it counts m->finished), end
 * with the matrix's status (a stream cut short says "Bail out!"). */
void mx_progress_begin(struct matrix *m);
void mx_progress_variant(struct matrix *m, const struct mx_variant *v);
void mx_progress_end(struct matrix *m, int rc);

#endif
