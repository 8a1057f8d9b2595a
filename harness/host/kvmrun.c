/*
 * kvmrun — one boot with pinning or perf: QEMU starts paused; its vCPU
 * thread (QMP query-cpus-fast's thread-id, qmp.h) is bound with QEMU's
 * other threads, perf stat
 * is started on it and acknowledges its counters, then QMP "cont"; after
 * QEMU, perf's counts are read and compared (kvmrun_meta.c).  Contract in
 * kvmrun.h.
 */
#include "host/kvmrun.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/exitcodes.h"
#include "core/proc.h"
#include "host/qmp.h"

/* ------------------------------------------------------------ /proc */

int kvm_thread_cpus(pid_t pid, pid_t tid, char *dst, size_t n)
{
	char path[96], line[512];
	FILE *f;
	int rc = -1;

	el_fmt(path, sizeof(path), "/proc/%d/task/%d/status", (int)pid, (int)tid);
	dst[0] = '\0';
	if (!(f = fopen(path, "r")))
		return -1;
	while (rc && fgets(line, sizeof(line), f))
		if (!strncmp(line, "Cpus_allowed_list:", 18)) {
			const char *v = line + 18 + strspn(line + 18, " \t");
			el_fmt(dst, n, "%.*s", (int)strcspn(v, "\n"), v);
			rc = 0;
		}
	fclose(f);
	return rc;
}

static bool qemu_alive(pid_t pid)
{
	char path[64], *stat;
	bool alive;

	el_fmt(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(stat = el_read_text(path, 512)))
		return false;
	alive = strrchr(stat, ')') && strrchr(stat, ')')[1] == ' ' && strrchr(stat, ')')[2] != 'Z';
	free(stat);
	return alive;
}

/* ------------------------------------------------------------ QMP (qmp.h) */

static bool qemu_lives(void *ctx)
{
	return !el_qemu_interrupted && qemu_alive(((struct kvm_run *)ctx)->qemu_pid);
}

/* The vCPU thread QMP's query-cpus-fast names, and its name for meta.json
 * ("CPU 0/KVM", "ALL CPUs/TCG"). */
static int find_vcpu(struct kvm_run *k, struct el_qmp *q)
{
	char path[96], *comm;

	if (el_qmp_vcpu_thread(q, &k->vcpu_tid, k->error, sizeof(k->error)))
		return -1;
	el_fmt(path, sizeof(path), "/proc/%d/task/%d/comm", (int)k->qemu_pid, (int)k->vcpu_tid);
	if (!(comm = el_read_text(path, 64))) {
		el_fmt(k->error, sizeof(k->error), "QMP names thread %d as the vCPU, but %s cannot "
		       "be read: QEMU ended early?", (int)k->vcpu_tid, path);
		return -1;
	}
	el_fmt(k->vcpu_comm, sizeof(k->vcpu_comm), "%.*s", (int)strcspn(comm, "\n"), comm);
	free(comm);
	return 0;
}

/* ------------------------------------------------------------ pinning */

static int pin_all(struct kvm_run *k, char *err, size_t n)
{
	char want[128], path[64], cpus[128];
	struct dirent *de;
	DIR *d;
	int rc;

	if ((rc = pin_thread(k->plan.topo, k->vcpu_tid, k->plan.vcpu_set, err, n)))
		return rc;
	el_fmt(path, sizeof(path), "/proc/%d/task", (int)k->qemu_pid);
	if (!hwloc_bitmap_iszero(k->plan.other_set) && (d = opendir(path))) {
		while (!rc && (de = readdir(d))) {
			pid_t tid = atoi(de->d_name);
			if (tid <= 0 || tid == k->vcpu_tid)
				continue;
			rc = pin_thread(k->plan.topo, tid, k->plan.other_set, err, n);
			if (rc && kvm_thread_cpus(k->qemu_pid, tid, cpus, sizeof(cpus)))
				rc = 0;         /* the thread ended meanwhile */
			else if (!rc)
				k->other_threads++;
		}
		closedir(d);
		if (rc)
			return rc;
	}
	hwloc_bitmap_list_snprintf(want, sizeof(want), k->plan.vcpu_set);
	kvm_thread_cpus(k->qemu_pid, k->qemu_pid, k->other_cpus, sizeof(k->other_cpus));
	if (kvm_thread_cpus(k->qemu_pid, k->vcpu_tid, k->vcpu_cpus, sizeof(k->vcpu_cpus)) ||
	    strcmp(k->vcpu_cpus, want)) {
		el_fmt(err, n, "vCPU thread %d bound to cpu %s but /proc shows '%s': "
		       "/proc/%d/task/%d/status: check cgroup cpuset limits", (int)k->vcpu_tid,
		       want, k->vcpu_cpus, (int)k->qemu_pid, (int)k->vcpu_tid);
		return EL_EX_USAGE;
	}
	k->pinned = true;
	return 0;
}

/* ------------------------------------------------------------ perf */

static void perf_failed(struct kvm_run *k, const char *what)
{
	char *log = el_read_text(k->perf_log, 4096);
	const char *line = log ? log + strspn(log, " \n") : "";

	el_fmt(k->perf_error, sizeof(k->perf_error), "%s%s%.*s", what, line[0] ? ": " : "",
	       (int)strcspn(line, "\n"), line);
	free(log);
}

/* perf stat -t <vCPU> with its counters disabled (-D -1) until "enable" on
 * the control fifo is acknowledged: counting starts before the guest runs. */
static void perf_start(struct kvm_run *k)
{
	struct perfx_cmd pc;
	char control[620];
	char *argv[PERFX_MAX_ARGS + 6];
	int ctl, ack, a = 0, st;
	int64_t deadline;

	k->perf_exits = k->cfg.mode == EL_MODE_KVM && perfx_kvm_exit_available("/");
	if (perfx_build(&pc, k->vcpu_tid, k->perf_csv, k->perf_exits)) {
		el_fmt(k->perf_error, sizeof(k->perf_error), "perf output path too long: %s",
		       k->perf_csv);
		return;
	}
	el_fmt(control, sizeof(control), "fifo:%s,%s", k->ctl, k->ack);
	argv[a++] = pc.argv[0];
	argv[a++] = pc.argv[1];
	argv[a++] = "-D";
	argv[a++] = "-1";
	argv[a++] = "--control";
	argv[a++] = control;
	for (int i = 2; pc.argv[i]; i++)
		argv[a++] = pc.argv[i];
	argv[a] = NULL;
	ctl = open(k->ctl, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	ack = open(k->ack, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	unlink(k->perf_csv);
	if (ctl >= 0 && ack >= 0) {
		int log = open(k->perf_log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		struct el_spawn sp = { .argv = (char *const *)argv, .in = -1, .out = log, .err = log };
		k->perf_pid = el_spawn(&sp);
		if (k->perf_pid < 0 && sp.exec_errno && log >= 0)
			dprintf(log, "cannot execute perf: %s (install linux-perf)\n",
				strerror(sp.exec_errno));
		if (log >= 0)
			close(log);
	}
	if (ctl < 0 || ack < 0 || k->perf_pid < 0) {
		el_fmt(k->perf_error, sizeof(k->perf_error), "cannot start perf: %s",
		       strerror(errno));
		k->perf_pid = 0;
	} else if (write(ctl, "enable\n", 7) != 7) {
		el_fmt(k->perf_error, sizeof(k->perf_error), "perf control fifo: %s",
		       strerror(errno));
	}
	for (deadline = el_now_ms() + KVM_PERF_MS; k->perf_pid > 0 && !k->perf_error[0];) {
		struct pollfd p = { ack, POLLIN, 0 };
		char buf[64] = "";
		if (poll(&p, 1, 20) == 1 && read(ack, buf, sizeof(buf) - 1) > 0 && strstr(buf, "ack"))
			break;
		if (waitpid(k->perf_pid, &st, WNOHANG) == k->perf_pid) {
			k->perf_pid = 0;
			perf_failed(k, WIFEXITED(st) ? "perf ended at start" : "perf was killed");
		} else if (el_now_ms() > deadline || el_qemu_interrupted) {
			perf_failed(k, "perf did not acknowledge enabling its counters");
		}
	}
	if (k->perf_error[0] && k->perf_pid > 0) {
		kill(k->perf_pid, SIGKILL);
		waitpid(k->perf_pid, &st, 0);
		k->perf_pid = 0;
	}
	if (ctl >= 0)
		close(ctl);
	if (ack >= 0)
		close(ack);
}

/* QEMU has been reaped, so the vCPU thread's counts are final.  perf stat
 * -t notices a vanished thread only at its next one-second check: SIGINT
 * makes it print at once (as on Ctrl-C); SIGKILL if it still hangs. */
static void perf_wait(struct kvm_run *k)
{
	int64_t t0 = el_now_ms();
	bool killed = false;

	int fd = el_proc_pidfd(k->perf_pid);

	kill(k->perf_pid, SIGINT);
	while (waitpid(k->perf_pid, NULL, WNOHANG) == 0) {
		if (!killed && el_now_ms() - t0 > KVM_PERF_MS)
			killed = kill(k->perf_pid, SIGKILL) == 0;
		el_proc_poll_exit(fd, killed ? -1 : 100);
	}
	if (fd >= 0)
		close(fd);
	k->perf_pid = 0;
}

/* Drop perf's "Events enabled/disabled" notes (it writes them into -o). */
static void perf_read(struct kvm_run *k)
{
	char *text = el_read_text(k->perf_csv, 64 * 1024), err[256];
	struct el_buf csv = { 0 };

	if (!text) {
		perf_failed(k, "perf wrote no counts");
		return;
	}
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (strcmp(l, "Events enabled") && strcmp(l, "Events disabled"))
			el_buf_printf(&csv, "%s\n", l);
	if (perfx_parse(csv.data ? csv.data : "", &k->perf, err, sizeof(err)))
		el_fmt(k->perf_error, sizeof(k->perf_error), "%s (%s)", err, k->perf_csv);
	free(text);
	el_buf_free(&csv);
}

/* ------------------------------------------------------------ one boot */

int kvm_run_prepare(struct kvm_run *k, const struct kvm_run_cfg *cfg, char *err, size_t n)
{
	const char *tmp = getenv("TMPDIR");
	int rc;

	memset(k, 0, sizeof(*k));
	k->cfg = *cfg;
	k->pinning = cfg->mode == EL_MODE_KVM || cfg->pin;
	k->active = k->pinning || cfg->perf;
	if (!k->active)
		return 0;
	if (k->pinning) {
		if ((rc = pin_choose(&k->plan, cfg->cpu, err, n)))
			return rc;
		k->have_plan = true;
	}
	/* the QMP socket path must fit sockaddr_un */
	el_fmt(k->tmp, sizeof(k->tmp), "%s/entrylab-kvm.XXXXXX",
	       tmp && tmp[0] && strlen(tmp) < 60 ? tmp : "/tmp");
	if (!mkdtemp(k->tmp)) {
		el_fmt(err, n, "cannot create a temporary directory: %s: %s: set TMPDIR to a "
		       "writable directory", k->tmp, strerror(errno));
		k->tmp[0] = '\0';
		return EL_EX_USAGE;
	}
	el_fmt(k->qmp, sizeof(k->qmp), "%s/qmp.sock", k->tmp);
	el_fmt(k->ctl, sizeof(k->ctl), "%s/perf.ctl", k->tmp);
	el_fmt(k->ack, sizeof(k->ack), "%s/perf.ack", k->tmp);
	el_fmt(k->perf_log, sizeof(k->perf_log), "%s/perf.log", k->tmp);
	el_fmt(k->perf_csv, sizeof(k->perf_csv), "%s/%s.perf.csv", cfg->out_dir, cfg->name);
	if (cfg->perf && (mkfifo(k->ctl, 0600) || mkfifo(k->ack, 0600))) {
		el_fmt(err, n, "cannot create perf's control fifos in %s: %s: set TMPDIR to a "
		       "writable directory", k->tmp, strerror(errno));
		return EL_EX_USAGE;
	}
	return 0;
}

void kvm_run_qemu(const struct kvm_run *k, struct el_qemu_config *qc)
{
	if (k->active)
		qc->qmp = k->qmp;
}

el_qemu_started kvm_run_hook(const struct kvm_run *k)
{
	return k->active ? kvm_run_started : NULL;
}

void kvm_run_started(void *ctx, pid_t qemu_pid)
{
	struct kvm_run *k = ctx;
	struct el_qmp q;

	k->qemu_pid = qemu_pid;
	k->vcpu_tid = 0;
	k->pinned = false;
	k->other_threads = 0;
	k->vcpu_comm[0] = k->vcpu_cpus[0] = k->other_cpus[0] = '\0';
	k->error[0] = k->perf_error[0] = '\0';
	unlink(k->qmp);
	if (el_qmp_open(&q, k->qmp, KVM_FIND_MS, qemu_lives, k, k->error, sizeof(k->error)))
		goto fail;
	if (find_vcpu(k, &q) || (k->pinning && pin_all(k, k->error, sizeof(k->error))))
		goto fail;
	if (k->cfg.perf)
		perf_start(k);
	if (el_qmp_exec(&q, "cont", NULL, k->error, sizeof(k->error)) == 0) {
		el_qmp_close(&q);
		return;
	}
fail:
	el_qmp_close(&q);
	el_proc_kill(qemu_pid, true, SIGKILL);
	if (k->perf_pid > 0) {
		kill(k->perf_pid, SIGKILL);
		waitpid(k->perf_pid, NULL, 0);
		k->perf_pid = 0;
	}
}

void kvm_run_finish(struct kvm_run *k, const struct el_stream *s)
{
	if (!k->cfg.perf)
		return;
	if (k->perf_pid > 0) {
		perf_wait(k);
		perf_read(k);
	} else if (!k->perf_error[0]) {
		el_strlcpy(k->perf_error, k->error[0] ? "QEMU was stopped before perf started" :
			   "perf was not started", sizeof(k->perf_error));
	}
	kvm_run_compare(k, s);
}

void kvm_run_free(struct kvm_run *k)
{
	if (k->perf_pid > 0) {
		kill(k->perf_pid, SIGKILL);
		waitpid(k->perf_pid, NULL, 0);
	}
	if (k->tmp[0]) {
		unlink(k->qmp);
		unlink(k->ctl);
		unlink(k->ack);
		unlink(k->perf_log);
		rmdir(k->tmp);
	}
	if (k->have_plan)
		pin_free(&k->plan);
	memset(k, 0, sizeof(*k));
}
