/*
 * proc — the one place the harness starts, waits for and kills a child
 * process (proc.c).  Every child:
 *   - dies with the harness: PR_SET_PDEATHSIG(SIGKILL) is set in the child
 *     before exec, and a child whose parent already died before that (the
 *     race the signal cannot cover) exits at once.  The death signal follows
 *     the *thread* that forked, so el_spawn refuses to run outside the main
 *     thread (the harness has no other; a helper thread that forked and
 *     ended would kill the child with it).
 *   - starts with the default disposition of the signals the harness
 *     catches and an empty signal mask (the matrix blocks them for its
 *     signalfd; exec keeps a mask);
 *   - optionally leads its own process group, so that one kill reaches it
 *     and everything it starts (QEMU, make's compilers).
 * An exec failure is reported back through a close-on-exec pipe: el_spawn
 * returns only once the child has exec'd or failed to.
 */
#ifndef ENTRYLAB_PROC_H
#define ENTRYLAB_PROC_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct el_spawn {
	char *const *argv;          /* NULL-terminated */
	const char *path;           /* file to execute (searched on PATH unless it holds a
				     * '/'); NULL: argv[0] */
	int in, out, err;           /* the child's 0, 1, 2; -1: /dev/null */
	bool own_group;             /* setpgid(0, 0) in the child (and in the parent) */
	bool no_make_env;           /* drop MAKEFLAGS, MFLAGS, MAKELEVEL (a nested make) */
	int exec_errno;             /* out: exec's errno when exec failed, else 0 */
};

/* Start sp->argv.  Returns the pid; -1 with errno when fork failed, or when
 * exec failed (sp->exec_errno set, the child already reaped). */
pid_t el_spawn(struct el_spawn *sp);

/* SIGNAL to pid, and to its process group when group is set. */
void el_proc_kill(pid_t pid, bool group, int sig);

/* A pidfd for pid (pidfd_open: readable once pid has ended), or -1 where
 * the kernel has none (before 5.3).  The caller closes it. */
int el_proc_pidfd(pid_t pid);
/* Wait up to ms (< 0: no limit) for the process of pidfd to end, or for a
 * signal: 1 when it has ended (it is not reaped), else 0.  pidfd -1 waits
 * a 5 ms tick instead, for kernels without pidfds. */
int el_proc_poll_exit(int pidfd, int ms);

/* Wait for pid, on its pidfd (no sleeping tick).  Once timeout_ms has passed (< 0: never) or *stop becomes
 * non-zero (stop may be NULL), SIGTERM goes to it (and its group when
 * group is set), SIGKILL grace_ms later (grace_ms 0: SIGKILL at once).
 * Returns the wait status; *stopped (may be NULL) says whether it was
 * stopped here. */
int el_proc_wait(pid_t pid, bool group, int64_t timeout_ms, int64_t grace_ms,
		 volatile sig_atomic_t *stop, bool *stopped);

#endif
