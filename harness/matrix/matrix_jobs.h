/*
 * matrix_jobs — the child processes of `entrylab matrix` (matrix_jobs.c).
 * Each job is one `entrylab run` (or the probe boot) started from
 * /proc/self/exe by proc.h (its own process group, killed by the kernel if
 * the matrix dies first), stdin from /dev/null, stdout and stderr to its
 * log.  SIGINT, SIGTERM, SIGHUP, SIGPIPE and SIGCHLD are read from a signalfd
 * between mx_signals_begin and mx_signals_end, so that an interrupt stops
 * every child (SIGTERM to its group, SIGKILL after a grace period) and
 * reaps it before the caller sees EL_EX_INTERRUPTED.  A child still running
 * at start + limit_ms is stopped the same way and marked guard_killed.
 */
#ifndef ENTRYLAB_MATRIX_JOBS_H
#define ENTRYLAB_MATRIX_JOBS_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "boot/qemu.h"
#include "matrix/resultsdir.h"

#define MX_GUARD_EXTRA_MS  10000  /* a run child past its own time limit plus this is hung */

/* One `entrylab run` child.  Its stdout and stderr go to log. */
struct mx_job {
	struct el_argv argv;
	char log[MX_PATH_MAX];
	pid_t pid;                 /* 0 not started, -1 finished */
	int64_t start_ms, end_ms, limit_ms, term_ms;
	int wstatus;
	int guard_killed;          /* killed here for running too long */
	int early;                 /* started before the others (a long boot: a Linux row) */
};

struct mx_children {
	int sfd;                   /* signalfd for SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGCHLD */
	sigset_t old_mask;
	int interrupted;           /* the signal number */
	int stop;                  /* a run failed for its environment: stop the rest */
	void (*done)(void *ctx, struct mx_job *j);
	void *ctx;
};

/* Block SIGINT, SIGTERM, SIGHUP, SIGPIPE and SIGCHLD and read them from c->sfd.  0, or -1
 * after a one-line error. */
int mx_signals_begin(struct mx_children *c);
/* Read pending signals: note the first that is not SIGCHLD (which only
 * wakes the loop). */
void mx_signals_drain(struct mx_children *c);
/* Drain, close the signalfd and restore the signal mask. */
void mx_signals_end(struct mx_children *c);

/* j->argv as a copy of the NULL-terminated args. */
void mx_job_argv(struct mx_job *j, const char *const *args);
/* Run jobs, at most par at once, those marked early first (each group in
 * array order); c->done(c->ctx, job) as each ends (also
 * for one that could not start).  Returns 0, EL_EX_USAGE when c->stop was
 * set (by done) and every child is reaped, or EL_EX_INTERRUPTED once every
 * child has been stopped and reaped after one of those signals. */
int mx_run_jobs(struct mx_children *c, struct mx_job *jobs, size_t n, unsigned par);
/* Free the argument vectors and the array. */
void mx_jobs_free(struct mx_job *jobs, size_t n);

#endif
