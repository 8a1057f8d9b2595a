/* Booting a guest under QEMU: see qemu.h.
 *
 * The child is started by proc.c: in its own process group so that a kill
 * reaches QEMU and anything it started, and killed by the kernel if the
 * harness dies first (no QEMU outlives a SIGKILLed runner). */
#include "boot/qemu.h"
#include "core/proc.h"
#include "entrylab/proto.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

volatile sig_atomic_t el_qemu_interrupted;

/* ------------------------------------------------------------ modes */

int el_mode_parse(const char *s, enum el_mode *mode)
{
	if (!strcmp(s, "tcg-icount"))
		*mode = EL_MODE_TCG_ICOUNT;
	else if (!strcmp(s, "kvm"))
		*mode = EL_MODE_KVM;
	else
		return -1;
	return 0;
}

const char *el_mode_name(enum el_mode mode)
{
	return mode == EL_MODE_KVM ? "kvm" : "tcg-icount";
}

const char *el_mode_unit(enum el_mode mode)
{
	return mode == EL_MODE_KVM ? "tsc" : "instructions";
}

/* ------------------------------------------------------------ argv */

static void push(struct el_argv *a, const char *s)
{
	a->v = el_xrealloc(a->v, (a->n + 2) * sizeof(*a->v));
	a->v[a->n++] = el_xstrdup(s);
	a->v[a->n] = NULL;
}

static void push2(struct el_argv *a, const char *opt, const char *val)
{
	push(a, opt);
	push(a, val);
}

/* Every option here was checked against QEMU 7.2 (microvm): no network
 * device (-nodefaults, and -nic none to say so), no disk, no firmware
 * option ROMs, no RTC, no host file but the kernel; the guest's output is
 * the debug console on stdout; isa-debug-exit gives the exit status.
 * kvm: "-arch-capabilities" because QEMU 7.2 aborts at start when the
 * hypervisor refuses that MSR (seen on the dev machines' PVM); the guest
 * does not use it, and without it the probe kernel could not even boot. */
void el_qemu_argv(const struct el_qemu_config *c, struct el_argv *a)
{
	char buf[512];

	a->v = NULL;
	a->n = 0;
	push(a, c->qemu ? c->qemu : EL_QEMU_DEFAULT);
	push2(a, "-M", "microvm,x-option-roms=off,rtc=off");
	if (c->mode == EL_MODE_KVM) {
		push2(a, "-accel", "kvm");
		push2(a, "-cpu", c->pmu ? "host,-arch-capabilities,pmu=on" : "host,-arch-capabilities");
	} else {
		push2(a, "-accel", "tcg");
		push2(a, "-icount", "shift=0");
		push2(a, "-cpu", c->cpu_model ? c->cpu_model : "max");
	}
	push2(a, "-m", "64M");
	push2(a, "-smp", "1");
	push(a, "-nodefaults");
	push2(a, "-nic", "none");
	if (c->sandbox)
		push2(a, "-sandbox", EL_QEMU_SANDBOX);
	push(a, "-no-reboot");
	push2(a, "-display", "none");
	push2(a, "-serial", "none");
	push2(a, "-monitor", "none");
	push2(a, "-debugcon", "stdio");
	el_fmt(buf, sizeof(buf), "isa-debug-exit,iobase=0x%x,iosize=0x04", EL_EXIT_PORT);
	push2(a, "-device", buf);
	push2(a, "-kernel", c->image);
	push2(a, "-append", c->cmdline ? c->cmdline : "");
	for (const char *const *x = c->extra; x && *x; x++)
		push(a, *x);
	el_fmt(buf, sizeof(buf), "entrylab-%s,debug-threads=on", c->name);
	push2(a, "-name", buf);
	if (c->qmp) {
		push(a, "-S");
		el_fmt(buf, sizeof(buf), "unix:%s,server=on,wait=off", c->qmp);
		push2(a, "-qmp", buf);
	}
}

void el_argv_free(struct el_argv *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

/* ------------------------------------------------------------ signals */

static void on_signal(int sig)
{
	(void)sig;
	el_qemu_interrupted = 1;
}

void el_qemu_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);    /* a closed terminal or dropped ssh */
	sigaction(SIGPIPE, &sa, NULL);   /* our stdout's reader went away */
}

/* ------------------------------------------------------------ the child */

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void kill_group(pid_t pid)
{
	el_proc_kill(pid, true, SIGKILL);
}

struct watch {
	pid_t pid;
	int fd[2];             /* stdout, stderr; -1 when closed */
	int64_t deadline;
	const struct el_qemu_limits *lim;
	el_qemu_sink sink;
	void *ctx;
	struct el_qemu_result *res;
	bool killed;
	int64_t hv_error_ms;   /* when QEMU reported a KVM internal error, or 0 */
};

static void stop(struct watch *w, enum el_qemu_end why)
{
	if (!w->killed) {
		kill_group(w->pid);
		w->killed = true;
		w->res->end = why;
	}
}

static void read_stdout(struct watch *w)
{
	char buf[65536];
	ssize_t n = read(w->fd[0], buf, sizeof(buf));
	size_t room = w->lim->max_output - w->res->out_bytes;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close_fd(&w->fd[0]);
		return;
	}
	if ((size_t)n > room) {
		if (room)
			w->sink(w->ctx, buf, room);
		w->res->out_bytes += room;
		stop(w, EL_QEMU_FLOOD);
		return;
	}
	w->sink(w->ctx, buf, (size_t)n);
	w->res->out_bytes += (size_t)n;
}

static void read_stderr(struct watch *w)
{
	char buf[4096];
	ssize_t n = read(w->fd[1], buf, sizeof(buf));
	struct el_buf *e = &w->res->err;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close_fd(&w->fd[1]);
		return;
	}
	if (e->len < EL_QEMU_STDERR_MAX) {
		size_t keep = EL_QEMU_STDERR_MAX - e->len;
		el_buf_append(e, buf, (size_t)n < keep ? (size_t)n : keep);
	}
	/* QEMU pauses the guest after this and waits: its register dump
	 * follows within the same few writes, so give it a moment */
	if (!w->hv_error_ms && e->data && strstr(e->data, "KVM internal error"))
		w->hv_error_ms = el_now_ms();
}

/* Read both pipes until they close, the deadline passes, the output cap is
 * hit or the harness is interrupted. */
static void pump(struct watch *w)
{
	while ((w->fd[0] >= 0 || w->fd[1] >= 0) && !w->killed) {
		struct pollfd p[2] = { { w->fd[0], POLLIN, 0 }, { w->fd[1], POLLIN, 0 } };
		int64_t left = w->deadline - el_now_ms();

		if (el_qemu_interrupted) {
			stop(w, EL_QEMU_INTERRUPTED);
			break;
		}
		if (left <= 0) {
			stop(w, EL_QEMU_TIMEOUT);
			break;
		}
		if (w->hv_error_ms && el_now_ms() - w->hv_error_ms >= 200) {
			stop(w, EL_QEMU_HV_ERROR);
			break;
		}
		if (w->hv_error_ms && left > 200)
			left = 200;
		if (poll(p, 2, left > 1000 ? 1000 : (int)left) < 0)
			continue;
		if (p[0].revents)
			read_stdout(w);
		if (p[1].revents && !w->killed)
			read_stderr(w);
	}
	if (w->killed && w->res->end != EL_QEMU_FLOOD && w->fd[0] >= 0) {
		/* keep what the guest wrote before it was killed */
		fcntl(w->fd[0], F_SETFL, O_NONBLOCK);
		while (w->fd[0] >= 0 && w->res->out_bytes < w->lim->max_output) {
			size_t before = w->res->out_bytes;
			read_stdout(w);
			if (w->res->out_bytes == before)
				break;
		}
	}
}

/* Reap the child; if it outlives its pipes, the deadline still applies. */
static int reap(struct watch *w)
{
	int status = 0, fd = el_proc_pidfd(w->pid);

	for (;;) {
		pid_t r = waitpid(w->pid, &status, w->killed ? 0 : WNOHANG);
		if (r == w->pid || (r < 0 && errno != EINTR))
			break;
		if (r == 0) {
			int64_t left = w->deadline - el_now_ms();
			if (el_qemu_interrupted)
				stop(w, EL_QEMU_INTERRUPTED);
			else if (left <= 0)
				stop(w, EL_QEMU_TIMEOUT);
			else   /* its exit wakes the poll; a signal interrupts it */
				el_proc_poll_exit(fd, left < 100 ? (int)left : 100);
		}
	}
	if (fd >= 0)
		close(fd);
	return status;
}

static void spawn_failed(struct el_qemu_result *res, enum el_qemu_end end, int e)
{
	res->end = end;
	res->code = e;
}

void el_qemu_run(char *const argv[], const struct el_qemu_limits *lim,
		 el_qemu_sink sink, void *ctx, struct el_qemu_result *res)
{
	el_qemu_run_hooked(argv, lim, sink, ctx, NULL, NULL, res);
}

void el_qemu_run_hooked(char *const argv[], const struct el_qemu_limits *lim,
			el_qemu_sink sink, void *ctx, el_qemu_started started,
			void *started_ctx, struct el_qemu_result *res)
{
	int out[2], err[2], status, e;
	struct watch w = { .lim = lim, .sink = sink, .ctx = ctx, .res = res };
	struct el_spawn sp = { .argv = argv, .in = -1, .own_group = true };
	int64_t start = el_now_ms();

	memset(res, 0, sizeof(*res));
	out[0] = out[1] = err[0] = err[1] = -1;
	if (pipe2(out, O_CLOEXEC) == 0 && pipe2(err, O_CLOEXEC) == 0) {
		sp.out = out[1];
		sp.err = err[1];
		w.pid = el_spawn(&sp);
	} else {
		w.pid = -1;
	}
	e = errno;
	close_fd(&out[1]);
	close_fd(&err[1]);
	if (w.pid < 0) {
		close_fd(&out[0]);
		close_fd(&err[0]);
		res->wall_ms = el_now_ms() - start;
		spawn_failed(res, !sp.exec_errno ? EL_QEMU_SPAWN_ERROR :
			     e == ENOENT ? EL_QEMU_NOT_FOUND : EL_QEMU_EXEC_ERROR, e);
		return;
	}
	w.fd[0] = out[0];
	w.fd[1] = err[0];
	w.deadline = start + lim->timeout_ms;
	if (started)
		started(started_ctx, w.pid);
	pump(&w);
	close_fd(&w.fd[0]);
	close_fd(&w.fd[1]);
	status = reap(&w);
	res->wall_ms = el_now_ms() - start;
	if (w.killed)
		return;
	if (WIFEXITED(status)) {
		res->end = EL_QEMU_EXITED;
		res->code = WEXITSTATUS(status);
	} else {
		res->end = EL_QEMU_SIGNALED;
		res->code = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	}
}

void el_qemu_result_free(struct el_qemu_result *res)
{
	el_buf_free(&res->err);
}

/* ------------------------------------------------------------ decoding */

double el_timeout_scale(uint64_t samples)
{
	return samples > EL_TIMEOUT_SAMPLES ? (double)samples / EL_TIMEOUT_SAMPLES : 1.0;
}

void el_qemu_not_found_hint(char *dst, size_t size)
{
	static const char *const dirs[] = { "/usr/bin", "/usr/local/bin", "/bin", "/usr/sbin",
					     "/usr/local/sbin", "/opt/qemu/bin" };
	char path[64];

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[i], EL_QEMU_DEFAULT);
		if (access(path, X_OK) == 0) {
			snprintf(dst, size, "%s is not on PATH (installed as %s): add %s to PATH",
				 EL_QEMU_DEFAULT, path, dirs[i]);
			return;
		}
	}
	snprintf(dst, size, "%s not found on PATH: install qemu-system-x86", EL_QEMU_DEFAULT);
}

/*
 * QEMU status   meaning (isa-debug-exit, -no-reboot; see proto.h)
 * -----------   ----------------------------------------------
 *  33           guest wrote EL_EXIT_PASS: run complete, all checks passed
 *  35           guest wrote EL_EXIT_FAIL: run complete, a check failed
 *  37           guest wrote EL_EXIT_PANIC: panic or fatal exception
 *   0           no exit write: the guest reset or triple-faulted
 *  other        QEMU failed (1: bad option, kernel not loadable, ...)
 *  signal       QEMU was killed by someone else, or crashed
 */
enum el_guest_end el_qemu_decode(const struct el_qemu_result *r)
{
	switch (r->end) {
	case EL_QEMU_TIMEOUT:     return EL_GUEST_HANG;
	case EL_QEMU_FLOOD:       return EL_GUEST_FLOOD;
	case EL_QEMU_INTERRUPTED: return EL_GUEST_INTERRUPTED;
	case EL_QEMU_SIGNALED:    return EL_GUEST_KILLED;
	case EL_QEMU_NOT_FOUND:
	case EL_QEMU_EXEC_ERROR:
	case EL_QEMU_SPAWN_ERROR: return EL_GUEST_NO_QEMU;
	case EL_QEMU_HV_ERROR:    return EL_GUEST_QEMU_ERROR;
	case EL_QEMU_EXITED:      break;
	}
	if (r->code == EL_QEMU_STATUS(EL_EXIT_PASS))
		return EL_GUEST_PASS;
	if (r->code == EL_QEMU_STATUS(EL_EXIT_FAIL))
		return EL_GUEST_CHECK_FAILED;
	if (r->code == EL_QEMU_STATUS(EL_EXIT_PANIC))
		return EL_GUEST_PANIC;
	if (r->code == 0)
		return EL_GUEST_RESET;
	return EL_GUEST_QEMU_ERROR;
}

/* QEMU 7.2 without seccomp: "There is no option group 'sandbox'"; with it
 * but a kernel without: "failed to install seccomp syscall filter". */
int el_qemu_sandbox_refused(const struct el_qemu_result *r)
{
	return r->end == EL_QEMU_EXITED && r->code == 1 && r->out_bytes == 0 && r->err.data &&
	       (strstr(r->err.data, "sandbox") || strstr(r->err.data, "seccomp"));
}

char *el_qemu_status_text(const struct el_qemu_result *r, char *dst, size_t size)
{
	switch (r->end) {
	case EL_QEMU_EXITED:      el_fmt(dst, size, "exit:%d", r->code); break;
	case EL_QEMU_SIGNALED:    el_fmt(dst, size, "signal:%d", r->code); break;
	case EL_QEMU_TIMEOUT:     el_fmt(dst, size, "timeout"); break;
	case EL_QEMU_FLOOD:       el_fmt(dst, size, "output-cap"); break;
	case EL_QEMU_INTERRUPTED: el_fmt(dst, size, "interrupted"); break;
	case EL_QEMU_NOT_FOUND:   el_fmt(dst, size, "not-found"); break;
	case EL_QEMU_EXEC_ERROR:  el_fmt(dst, size, "exec-error:%d", r->code); break;
	case EL_QEMU_SPAWN_ERROR: el_fmt(dst, size, "spawn-error:%d", r->code); break;
	case EL_QEMU_HV_ERROR:    el_fmt(dst, size, "kvm-internal-error"); break;
	}
	return dst;
}
