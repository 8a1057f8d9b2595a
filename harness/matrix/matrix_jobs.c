/* The child-process runner of `entrylab matrix`: starting `entrylab run`
 * children at most --jobs at once, their time limits, and stopping and
 * reaping them all on SIGINT, SIGTERM, SIGHUP or SIGPIPE (contract in
 * matrix_jobs.h). */
#include "matrix/matrix_jobs.h"
#include "core/exitcodes.h"
#include "core/proc.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#define KILL_GRACE_MS   2000   /* SIGTERM to a child, then SIGKILL */

int mx_signals_begin(struct mx_children *c)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);      /* a closed terminal or dropped ssh */
	sigaddset(&set, SIGPIPE);     /* the reader of our output went away */
	sigaddset(&set, SIGCHLD);
	c->interrupted = 0;
	if (sigprocmask(SIG_BLOCK, &set, &c->old_mask) < 0 ||
	    (c->sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
		el_err("cannot set up signal handling: signalfd: %s: check the system",
		       strerror(errno));
		return -1;
	}
	return 0;
}

/* Read pending signals: note SIGINT, SIGTERM, SIGHUP or SIGPIPE (SIGCHLD
 * only wakes the loop). */
void mx_signals_drain(struct mx_children *c)
{
	struct signalfd_siginfo si;

	while (read(c->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		if (si.ssi_signo != SIGCHLD && !c->interrupted)
			c->interrupted = (int)si.ssi_signo;
}

void mx_signals_end(struct mx_children *c)
{
	mx_signals_drain(c);
	close(c->sfd);
	sigprocmask(SIG_SETMASK, &c->old_mask, NULL);
}

void mx_job_argv(struct mx_job *j, const char *const *args)
{
	j->argv.v = NULL;
	j->argv.n = 0;
	for (; *args; args++) {
		j->argv.v = el_xrealloc(j->argv.v, (j->argv.n + 2) * sizeof(char *));
		j->argv.v[j->argv.n++] = el_xstrdup(*args);
		j->argv.v[j->argv.n] = NULL;
	}
}

static void spawn(struct mx_children *c, struct mx_job *j)
{
	int log = open(j->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	struct el_spawn sp = { .argv = j->argv.v, .path = "/proc/self/exe", .in = -1,
			       .out = log, .err = log, .own_group = true };

	j->start_ms = el_now_ms();
	j->pid = log >= 0 ? el_spawn(&sp) : -1;
	if (j->pid < 0) {             /* reported like a child that could not start */
		if (log >= 0)
			dprintf(log, "entrylab: cannot execute /proc/self/exe: %s: check the "
				"installation\n", strerror(errno));
		j->pid = -1;
		j->wstatus = EL_EX_USAGE << 8;
		j->end_ms = el_now_ms();
		c->done(c->ctx, j);
	}
	if (log >= 0)
		close(log);
}

static void reap(struct mx_children *c, struct mx_job *jobs, size_t n)
{
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		for (size_t i = 0; i < n; i++)
			if (jobs[i].pid == pid) {
				jobs[i].pid = -1;
				jobs[i].wstatus = st;
				jobs[i].end_ms = el_now_ms();
				c->done(c->ctx, &jobs[i]);
			}
}

/* Time limits, and the stop after an interrupt: SIGTERM to the child's
 * group (`run` then kills its QEMU), SIGKILL after the grace period.
 * Returns the poll timeout until the next deadline. */
static int police(struct mx_children *c, struct mx_job *jobs, size_t n)
{
	int64_t now = el_now_ms(), next = now + 1000;

	for (size_t i = 0; i < n; i++) {
		struct mx_job *j = &jobs[i];
		if (j->pid <= 0)
			continue;
		if (!j->term_ms && (c->interrupted || c->stop || now >= j->start_ms + j->limit_ms)) {
			j->guard_killed = !c->interrupted && !c->stop;
			j->term_ms = now;
			el_proc_kill(j->pid, true, SIGTERM);
		} else if (j->term_ms && now >= j->term_ms + KILL_GRACE_MS) {
			el_proc_kill(j->pid, true, SIGKILL);
		}
		int64_t due = j->term_ms ? j->term_ms + KILL_GRACE_MS : j->start_ms + j->limit_ms;
		if (due < next)
			next = due;
	}
	return next > now ? (int)(next - now) : 0;
}

/* Run jobs, at most par at once.  Returns 0, or EL_EX_INTERRUPTED once every
 * child has been stopped and reaped after SIGINT/SIGTERM. */
int mx_run_jobs(struct mx_children *c, struct mx_job *jobs, size_t n, unsigned par)
{
	size_t next = 0, running, *order = el_xrealloc(NULL, (n ? n : 1) * sizeof(*order)), k = 0;

	for (size_t i = 0; i < n; i++)   /* the long ones first, each group in given order */
		if (jobs[i].early)
			order[k++] = i;
	for (size_t i = 0; i < n; i++)
		if (!jobs[i].early)
			order[k++] = i;
	for (;;) {
		mx_signals_drain(c);
		reap(c, jobs, n);
		running = 0;
		for (size_t i = 0; i < n; i++)
			running += jobs[i].pid > 0;
		while (!c->interrupted && !c->stop && next < n && running < par) {
			struct mx_job *j = &jobs[order[next++]];
			spawn(c, j);
			running += j->pid > 0;
		}
		if (!running && (c->interrupted || c->stop || next == n))
			break;
		struct pollfd pfd = { .fd = c->sfd, .events = POLLIN };
		poll(&pfd, 1, police(c, jobs, n));
	}
	free(order);
	return c->interrupted ? EL_EX_INTERRUPTED : c->stop ? EL_EX_USAGE : 0;
}

void mx_jobs_free(struct mx_job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		el_argv_free(&jobs[i].argv);
	free(jobs);
}
