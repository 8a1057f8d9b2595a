/* Child processes: start (death signal, own group, exec report), wait with
 * a time limit, kill.  Contract in proc.h. */
#include "core/proc.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The signals the harness catches or blocks: the child gets them back. */
static const int caught[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT, SIGCHLD };

static void child_fd(int fd, int target, int devnull)
{
	int from = fd >= 0 ? fd : devnull;

	if (from >= 0 && from != target)
		dup2(from, target);
}

/* In the child: never returns. */
static void child(struct el_spawn *sp, pid_t parent, int report)
{
	struct sigaction dfl;
	sigset_t none;
	int e, devnull;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (size_t i = 0; i < sizeof(caught) / sizeof(caught[0]); i++)
		sigaction(caught[i], &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (sp->own_group)
		setpgid(0, 0);
	/* If the parent died before this prctl, the signal will never come:
	 * we have been reparented, so go now. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(127);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	child_fd(sp->in, 0, devnull);
	child_fd(sp->out, 1, devnull);
	child_fd(sp->err, 2, devnull);
	if (sp->no_make_env) {
		unsetenv("MAKEFLAGS");
		unsetenv("MFLAGS");
		unsetenv("MAKELEVEL");
	}
	execvp(sp->path ? sp->path : sp->argv[0], sp->argv);
	e = errno;
	if (write(report, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

pid_t el_spawn(struct el_spawn *sp)
{
	pid_t parent = getpid(), pid;
	int rep[2], e = 0, st;
	ssize_t n;

	sp->exec_errno = 0;
	if (syscall(SYS_gettid) != parent) {   /* see proc.h: the death signal */
		errno = EDEADLK;
		return -1;
	}
	if (pipe2(rep, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0)
		child(sp, parent, rep[1]);
	e = errno;
	close(rep[1]);
	if (pid < 0) {
		close(rep[0]);
		errno = e;
		return -1;
	}
	if (sp->own_group)
		setpgid(pid, pid);   /* both sides: no window where a kill misses it */
	e = 0;
	do
		n = read(rep[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(rep[0]);
	if (n != (ssize_t)sizeof(e))
		return pid;          /* EOF: exec succeeded */
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	sp->exec_errno = e;
	errno = e;
	return -1;
}

void el_proc_kill(pid_t pid, bool group, int sig)
{
	if (pid <= 0)
		return;
	if (group)
		kill(-pid, sig);
	kill(pid, sig);
}

int el_proc_pidfd(pid_t pid)
{
	return pid > 0 ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
}

int el_proc_poll_exit(int pidfd, int ms)
{
	struct pollfd p = { pidfd, POLLIN, 0 };

	if (pidfd < 0) {   /* no pidfd (Linux < 5.3): a short tick */
		poll(NULL, 0, ms < 0 || ms > 5 ? 5 : ms);
		return 0;
	}
	return poll(&p, 1, ms) == 1;
}

/* Milliseconds until deadline, at most cap (-1: no deadline: cap). */
static int until(int64_t deadline, int64_t now, int cap)
{
	if (deadline < 0)
		return cap;
	return deadline <= now ? 0 : deadline - now < cap ? (int)(deadline - now) : cap;
}

int el_proc_wait(pid_t pid, bool group, int64_t timeout_ms, int64_t grace_ms,
		 volatile sig_atomic_t *stop, bool *stopped)
{
	int64_t start = el_now_ms(), term = 0;
	int st = 0, fd = el_proc_pidfd(pid);

	if (stopped)
		*stopped = false;
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid || (w < 0 && errno != EINTR))
			break;
		int64_t now = el_now_ms();
		if (!term && ((stop && *stop) || (timeout_ms >= 0 && now - start > timeout_ms))) {
			el_proc_kill(pid, group, grace_ms ? SIGTERM : SIGKILL);
			term = now;
			if (stopped)
				*stopped = true;
		} else if (term && now - term > grace_ms) {
			el_proc_kill(pid, group, SIGKILL);
		}
		/* the exit wakes the poll; a signal setting *stop interrupts it,
		 * and the 100 ms cap covers one that came just before it */
		el_proc_poll_exit(fd, until(term ? term + grace_ms + 1 : timeout_ms >= 0 ?
					    start + timeout_ms + 1 : -1, now, stop ? 100 : 1000));
	}
	if (fd >= 0)
		close(fd);
	return st;
}
