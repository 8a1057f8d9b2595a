/*
 * kvmrun — kvm mode in the runner and the matrix.  Contract in kvmrun.h.
 */
#include "kvmrun.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exitcodes.h"

static const char *const metrics[2] = { "instructions", "cycles" };

static void nap_ms(int ms)
{
	struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&t, NULL);
}

/* A whole small file, NUL-terminated; NULL when unreadable. */
static char *slurp(const char *path, size_t max)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = el_xrealloc(NULL, max + 1);
	n = fread(buf, 1, max, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The value of key=... in a key=value file text (copied into dst), or -1. */
static int kv_get(const char *text, const char *key, char *dst, size_t n)
{
	size_t k = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, k) && p[k] == '=') {
			size_t len = strcspn(p + k + 1, "\n");
			el_fmt(dst, n, "%.*s", (int)len, p + k + 1);
			return 0;
		}
	dst[0] = '\0';
	return -1;
}

/* ------------------------------------------------------------ events */

int kvm_events_resolve(const char *names, struct pmu_events *ev, char *hex, size_t n,
		       char *err, size_t errn)
{
	char line[KVM_EVENTS_HEX + 16];
	int rc = pmu_resolve(names, ev, err, errn);

	if (rc)
		return rc;
	if (pmu_format_cmdline(ev, line, sizeof(line)) || strlen(line) - 10 >= n) {
		el_fmt(err, errn, "event list too long: --events: name fewer events");
		return EL_EX_USAGE;
	}
	el_strlcpy(hex, line + strlen("el.events="), n);
	return 0;
}

static bool raw_token(const char *t, size_t len)
{
	if (len > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
		t += 2;
		len -= 2;
	}
	if (!len || len > 16)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!strchr("0123456789abcdefABCDEF", t[i]))
			return false;
	return true;
}

int kvm_events_arg(const char *arg, char *hex, size_t n, char *err, size_t errn)
{
	struct pmu_events ev;
	bool raw = arg[0] != '\0';

	for (const char *p = arg; raw && p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		raw = raw_token(p, strcspn(p, ","));
	if (!raw)
		return kvm_events_resolve(arg, &ev, hex, n, err, errn);
	if (strlen(arg) >= n) {
		el_fmt(err, errn, "event list too long: --events: name fewer events");
		return EL_EX_USAGE;
	}
	el_strlcpy(hex, arg, n);
	return 0;
}

/* Index in the raw list hex of the event that encodes like the generic
 * name, or -1 (not there, or no PMU to encode it). */
static int event_index(const char *hex, const char *generic)
{
	struct pmu_events ev;
	char err[512], tok[24];
	int i = 0;

	if (!hex || pmu_resolve(generic, &ev, err, sizeof(err)))
		return -1;
	for (const char *p = hex; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL, i++) {
		uint64_t raw;
		el_fmt(tok, sizeof(tok), "%.*s", (int)strcspn(p, ","), p);
		if (el_parse_hex64(tok, &raw) == 0 && raw == ev.ev[0].raw)
			return i;
	}
	return -1;
}

/* ------------------------------------------------------------ probe */

void kvm_probe_load(const char *dir, const char *short_name, struct probe_result *p)
{
	char path[MX_PATH_MAX + 96], status[32], error[160];
	char *text, *result;
	struct el_stream s;

	el_fmt(path, sizeof(path), "%s/%s.console", dir, short_name);
	el_stream_init(&s);
	if ((text = slurp(path, 1u << 20))) {
		el_stream_feed(&s, text, strlen(text));
		free(text);
	}
	el_stream_finish(&s);
	accel_probe_from_stream(&s, 0, p);
	el_stream_free(&s);
	el_fmt(path, sizeof(path), "%s/%s.result", dir, short_name);
	result = slurp(path, 1u << 16);
	kv_get(result, "status", status, sizeof(status));
	kv_get(result, "error", error, sizeof(error));
	if (!strcmp(status, "hang"))
		p->timed_out = true;
	else if (!result) {     /* run stopped before writing: its log says why */
		char line[512] = "";
		FILE *f;
		el_fmt(path, sizeof(path), "%s/%s.log", dir, short_name);
		for (f = fopen(path, "r"); f && fgets(line, sizeof(line), f);)
			if (!strncmp(line, "entrylab: ", 10))
				el_fmt(p->run_error, sizeof(p->run_error), "%.*s",
				       (int)strcspn(line + 10, "\n"), line + 10);
		if (f)
			fclose(f);
		if (!p->run_error[0])
			el_fmt(p->run_error, sizeof(p->run_error), "the probe run wrote no "
			       "result: see %s", path);
	} else if (strcmp(status, "pass") && strcmp(status, "fail"))
		el_strlcpy(p->run_error, error[0] ? error : status, sizeof(p->run_error));
	free(result);
}

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
	if (!(stat = slurp(path, 512)))
		return false;
	alive = strrchr(stat, ')') && strrchr(stat, ')')[1] == ' ' && strrchr(stat, ')')[2] != 'Z';
	free(stat);
	return alive;
}

int kvm_find_vcpu(pid_t pid, int timeout_ms, pid_t *tid, char *comm, size_t comm_n,
		  char *err, size_t n)
{
	for (int waited = 0;; waited += 5) {
		int r = qemu_alive(pid) ? pin_scan_vcpu(pid, tid, comm, comm_n) : -1;
		if (r == 1)
			return 0;
		if (r < 0 || el_qemu_interrupted || waited >= timeout_ms) {
			el_fmt(err, n, r < 0 ? "QEMU (pid %d) ended before its vCPU thread could be "
			       "bound: /proc/%d: see QEMU's error output" : "no vCPU thread "
			       "(\"CPU 0/...\" or \"ALL CPUs/...\") in QEMU (pid %d) within %d ms: "
			       "/proc/%d/task: start QEMU with -name <x>,debug-threads=on",
			       (int)pid, r < 0 ? (int)pid : timeout_ms, (int)pid);
			return -1;
		}
		nap_ms(5);
	}
}

/* ------------------------------------------------------------ QMP */

/* Read one line (without the newline) from fd before the deadline. */
static int qmp_line(int fd, char *buf, size_t n, int64_t deadline)
{
	size_t len = 0;

	while (len + 1 < n) {
		struct pollfd p = { fd, POLLIN, 0 };
		int64_t left = deadline - el_now_ms();
		if (left <= 0 || poll(&p, 1, (int)left) <= 0 || read(fd, buf + len, 1) != 1)
			return -1;
		if (buf[len] == '\n')
			break;
		len++;
	}
	buf[len] = '\0';
	return 0;
}

/* Send one command and wait for its "return" (events in between are
 * skipped).  0, or -1 with err. */
static int qmp_exec(int fd, const char *cmd, char *err, size_t n)
{
	char line[4096], msg[96];
	int64_t deadline = el_now_ms() + KVM_FIND_MS;

	el_fmt(msg, sizeof(msg), "{\"execute\":\"%s\"}\n", cmd);
	if (write(fd, msg, strlen(msg)) != (ssize_t)strlen(msg)) {
		el_fmt(err, n, "QMP %s: write: %s: QEMU ended early?", cmd, strerror(errno));
		return -1;
	}
	while (qmp_line(fd, line, sizeof(line), deadline) == 0) {
		if (strstr(line, "\"return\""))
			return 0;
		if (strstr(line, "\"error\"")) {
			el_fmt(err, n, "QMP %s refused: %.200s: check the QEMU version", cmd, line);
			return -1;
		}
	}
	el_fmt(err, n, "QMP %s: no answer within %d ms: QEMU ended or hangs", cmd, KVM_FIND_MS);
	return -1;
}

/* Connect to QEMU's QMP socket (created while QEMU starts) and leave
 * capabilities negotiation.  Returns the socket, or -1 with err. */
static int qmp_open(const char *path, pid_t pid, char *err, size_t n)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char line[4096];
	int fd = -1;

	el_strlcpy(a.sun_path, path, sizeof(a.sun_path));
	for (int waited = 0; fd < 0; waited += 5) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
			break;
		close(fd);
		fd = -1;
		if (!qemu_alive(pid) || el_qemu_interrupted || waited >= KVM_FIND_MS) {
			el_fmt(err, n, "cannot reach QEMU's QMP socket %s: %s: QEMU ended at start "
			       "(see its error output)", path, strerror(errno));
			return -1;
		}
		nap_ms(5);
	}
	if (qmp_line(fd, line, sizeof(line), el_now_ms() + KVM_FIND_MS) || !strstr(line, "QMP")) {
		el_fmt(err, n, "no QMP greeting on %s: QEMU ended at start", path);
		close(fd);
		return -1;
	}
	if (qmp_exec(fd, "qmp_capabilities", err, n)) {
		close(fd);
		return -1;
	}
	return fd;
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
	char *log = slurp(k->perf_log, 4096);
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
	if (ctl >= 0 && ack >= 0 && (k->perf_pid = fork()) == 0) {
		int log = open(k->perf_log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		dup2(nul, 0);
		dup2(log, 1);
		dup2(log, 2);
		execvp(argv[0], argv);
		dprintf(2, "cannot execute perf: %s (install linux-perf)\n", strerror(errno));
		_exit(127);
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

	kill(k->perf_pid, SIGINT);
	while (waitpid(k->perf_pid, NULL, WNOHANG) == 0) {
		if (!killed && el_now_ms() - t0 > KVM_PERF_MS)
			killed = kill(k->perf_pid, SIGKILL) == 0;
		nap_ms(5);
	}
	k->perf_pid = 0;
}

/* Drop perf's "Events enabled/disabled" notes (it writes them into -o). */
static void perf_read(struct kvm_run *k)
{
	char *text = slurp(k->perf_csv, 64 * 1024), err[256];
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
	int fd;

	k->qemu_pid = qemu_pid;
	k->vcpu_tid = 0;
	k->pinned = false;
	k->other_threads = 0;
	k->vcpu_comm[0] = k->vcpu_cpus[0] = k->other_cpus[0] = '\0';
	k->error[0] = k->perf_error[0] = '\0';
	unlink(k->qmp);
	if ((fd = qmp_open(k->qmp, qemu_pid, k->error, sizeof(k->error))) < 0)
		goto fail;
	if (kvm_find_vcpu(qemu_pid, KVM_FIND_MS, &k->vcpu_tid, k->vcpu_comm,
			  sizeof(k->vcpu_comm), k->error, sizeof(k->error)) ||
	    (k->pinning && pin_all(k, k->error, sizeof(k->error))))
		goto fail;
	if (k->cfg.perf)
		perf_start(k);
	if (qmp_exec(fd, "cont", k->error, sizeof(k->error)) == 0) {
		close(fd);
		return;
	}
fail:
	if (fd >= 0)
		close(fd);
	kill(-qemu_pid, SIGKILL);
	kill(qemu_pid, SIGKILL);
	if (k->perf_pid > 0) {
		kill(k->perf_pid, SIGKILL);
		waitpid(k->perf_pid, NULL, 0);
		k->perf_pid = 0;
	}
}

/* The guest's own total of a metric over every measured loop. */
static bool guest_total(const struct kvm_run *k, const struct el_stream *s, const char *metric,
			double *total, char *why, size_t n)
{
	int idx = event_index(k->cfg.events_hex, metric);
	bool seen = false;

	*total = 0;
	for (size_t b = 0; b < s->nbench; b++)
		for (size_t i = 0; i < s->bench[b].nsample; i++) {
			const struct el_sample *d = &s->bench[b].sample[i];
			if (idx >= 0 && (d->pmu_mask & (1u << idx))) {
				*total += (double)d->pmu[idx];
				*total += d->epmu_mask & (1u << idx) ? (double)d->epmu[idx] : 0;
				seen = true;
			} else if (idx < 0 && k->cfg.mode == EL_MODE_TCG_ICOUNT &&
				   !strcmp(metric, "instructions")) {
				*total += (double)d->ticks + (double)d->empty;
				seen = true;
			}
		}
	if (seen)
		return true;
	if (idx >= 0)
		el_fmt(why, n, "the guest sent no pmu%d values for %s (see its @N records)", idx,
		       metric);
	else if (k->cfg.mode == EL_MODE_TCG_ICOUNT && strcmp(metric, "instructions"))
		el_fmt(why, n, "the guest counts no %s under tcg-icount (its ticks are "
		       "instructions)", metric);
	else if (k->cfg.mode == EL_MODE_KVM)
		el_fmt(why, n, "the guest counted no %s: add %s to --events", metric, metric);
	else
		el_fmt(why, n, "the guest sent no samples");
	return false;
}

void kvm_run_compare(struct kvm_run *k, const struct el_stream *s)
{
	char why[200], event[32];

	for (int m = 0; m < 2; m++) {
		struct kvm_check *c = &k->chk[m];
		const struct perfx_count *p;
		c->metric = metrics[m];
		c->have_guest = guest_total(k, s, c->metric, &c->guest, why, sizeof(why));
		el_fmt(event, sizeof(event), "%s:G", c->metric);
		p = k->perf_error[0] ? NULL : perfx_find(&k->perf, event);
		perfx_compare(c->metric, c->guest, p, perfx_find(&k->perf, "kvm:kvm_exit"), &c->c);
		if (k->perf_error[0])
			el_strlcpy(c->c.note, k->perf_error, sizeof(c->c.note));
		else if (k->cfg.mode != EL_MODE_KVM && p && p->state == PERFX_COUNTED)
			el_fmt(c->c.note, sizeof(c->c.note), "perf counted %.0f but its guest-mode "
			       "(:G) counts see KVM guests only; the TCG vCPU thread runs in host "
			       "mode: no cross-check", p->value);
		if (!c->have_guest && (k->perf_error[0] || c->c.verdict == PERFX_UNAVAILABLE))
			el_fmt(c->c.note + strlen(c->c.note), sizeof(c->c.note) - strlen(c->c.note),
			       "; and %s", why);
		else if (!c->have_guest)
			el_strlcpy(c->c.note, why, sizeof(c->c.note));
		if (k->perf_error[0] || !c->have_guest || k->cfg.mode != EL_MODE_KVM)
			c->c.verdict = PERFX_UNAVAILABLE;
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

/* ------------------------------------------------------------ records */

static void kv(struct el_buf *b, const char *key, const char *val)
{
	el_buf_printf(b, "%s=", key);
	for (; *val; val++)
		el_buf_append(b, (unsigned char)*val < 0x20 ? "?" : val, 1);
	el_buf_puts(b, "\n");
}

static const char *verdict_name(enum perfx_verdict v)
{
	return v == PERFX_AGREE ? "agree" : v == PERFX_DISAGREE ? "disagree" : "unavailable";
}

static const char *count_text(const struct perfx_count *c, char *buf, size_t n)
{
	if (!c)
		return "not measured";
	if (c->state != PERFX_COUNTED)
		return c->state == PERFX_NOT_SUPPORTED ? "<not supported>" : "<not counted>";
	el_fmt(buf, n, "%.0f", c->value);
	return buf;
}

void kvm_run_result(const struct kvm_run *k, struct el_buf *b)
{
	char key[64], buf[64], num[64];

	if (!k->active)
		return;
	el_buf_printf(b, "pin_applied=%s\n", k->pinned ? "yes" : "no");
	if (k->have_plan)
		el_buf_printf(b, "pin_cpu=%d\n", k->plan.cpu);
	kv(b, "pin_vcpu_thread", k->vcpu_comm);
	el_buf_printf(b, "pin_vcpu_tid=%d\n", (int)k->vcpu_tid);
	kv(b, "pin_vcpu_cpus", k->vcpu_cpus);
	kv(b, "pin_other_cpus", k->other_cpus);
	el_buf_printf(b, "pin_other_threads=%d\n", k->other_threads);
	kv(b, "pin_error", k->error);
	el_buf_printf(b, "perf=%s\n", k->cfg.perf ? "on" : "off");
	if (!k->cfg.perf)
		return;
	kv(b, "perf_error", k->perf_error);
	for (int m = 0; m < 2; m++) {
		const struct kvm_check *c = &k->chk[m];
		el_fmt(key, sizeof(key), "%s:G", metrics[m]);
		el_fmt(buf, sizeof(buf), "perf_%s", metrics[m]);
		kv(b, buf, count_text(perfx_find(&k->perf, key), num, sizeof(num)));
		el_buf_printf(b, "perf_guest_%s=", metrics[m]);
		el_buf_printf(b, c->have_guest ? "%.0f\n" : "none\n", c->guest);
		el_buf_printf(b, "perf_check_%s=%s\n", metrics[m], verdict_name(c->c.verdict));
		if (c->c.verdict != PERFX_UNAVAILABLE)
			el_buf_printf(b, "perf_ratio_%s=%.4f\n", metrics[m], c->c.ratio);
		el_fmt(buf, sizeof(buf), "perf_note_%s", metrics[m]);
		kv(b, buf, c->c.note);
	}
	if (k->perf_exits)
		kv(b, "perf_kvm_exits", count_text(perfx_find(&k->perf, "kvm:kvm_exit"), num,
						   sizeof(num)));
	kv(b, "perf_exits_warning", k->chk[0].c.exits_warning);
}

void kvm_run_print(const struct kvm_run *k)
{
	if (k->pinned)
		printf("pinning: vCPU thread \"%s\" (tid %d) on cpu %s; %d other QEMU thread(s) "
		       "on %s\n", k->vcpu_comm, (int)k->vcpu_tid, k->vcpu_cpus, k->other_threads,
		       k->other_cpus);
	for (int i = 0; k->have_plan && i < k->plan.nwarn; i++)
		el_err("warning: %s", k->plan.warn[i]);
	for (int m = 0; k->cfg.perf && m < 2; m++) {
		const struct kvm_check *c = &k->chk[m];
		if (c->c.verdict == PERFX_UNAVAILABLE)
			printf("perf: %s: unavailable: %s\n", c->metric, c->c.note);
		else
			printf("perf: %s: %s (guest %.0f, ratio guest/perf %.4f)%s%s\n", c->metric,
			       verdict_name(c->c.verdict), c->guest, c->c.ratio,
			       c->c.note[0] ? ": " : "", c->c.note);
	}
	if (k->cfg.perf && k->chk[0].c.exits_warning[0])
		el_err("warning: %s", k->chk[0].c.exits_warning);
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

/* ------------------------------------------------------------ matrix */

static json_t *jtext(const char *s)
{
	char *copy = el_xstrdup(s ? s : "");
	json_t *j;

	for (char *c = copy; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
			*c = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

static json_t *accel_json(const struct accel_decision *d, const struct probe_result *p)
{
	json_t *probe = json_pack("{s:b,s:b,s:o,s:b,s:b,s:I,s:o,s:b}", "ran", p->ran,
		"timed_out", p->timed_out, "run_error", jtext(p->run_error), "record_seen", p->have_p,
		"ok", p->p_ok, "cpl_at_entry", (json_int_t)p->p_cpl, "reason", jtext(p->p_reason),
		"gp_at_entry", p->gp_at_entry);
	char rip[32];

	el_fmt(rip, sizeof(rip), "0x%llx", (unsigned long long)p->x_rip);
	json_object_set_new(probe, "exception", p->have_x ? json_pack("{s:I,s:s,s:o}", "vector",
		(json_int_t)p->x_vector, "rip", rip, "name", jtext(p->x_name)) : json_null());
	return json_pack("{s:s,s:s,s:b,s:b,s:o,s:o,s:o,s:o}",
		"requested", accel_request_name(d->requested), "mode", accel_mode_name(d->mode),
		"probed", d->probed, "fell_back", d->fell_back, "reason", jtext(d->reason),
		"line", jtext(d->line), "kvm_dev", !p->kvm_dev_checked ? json_null() :
		jtext(p->kvm_dev_ok ? "ok" : p->kvm_dev_reason), "probe", probe);
}

static json_t *events_json(const struct kvm_meta_in *in)
{
	json_t *enc = json_array();
	char raw[24];

	for (int i = 0; in->ev && i < in->ev->n; i++) {
		el_fmt(raw, sizeof(raw), "%llx", (unsigned long long)in->ev->ev[i].raw);
		json_array_append_new(enc, json_pack("{s:o,s:o,s:s}", "name",
			jtext(in->ev->ev[i].name), "native", jtext(in->ev->ev[i].native), "raw", raw));
	}
	return json_pack("{s:o,s:b,s:o,s:o,s:o}", "requested",
		in->events ? jtext(in->events) : json_null(), "passed_to_guest", in->events_used,
		"pmu", in->ev ? jtext(in->ev->pmu) : json_null(), "encodings", enc,
		"guest_list", in->events_used ? jtext(in->events_hex) : json_null());
}

/* pin_* and perf_* of one .result as an object of strings. */
static json_t *result_facts(const char *path)
{
	char *text = slurp(path, 1u << 16), *save = NULL;
	json_t *o = json_object();

	for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(l, '=');
		if (eq && (!strncmp(l, "pin_", 4) || !strncmp(l, "perf", 4))) {
			*eq = '\0';
			json_object_set_new(o, l, jtext(eq + 1));
		}
	}
	free(text);
	return o;
}

json_t *kvm_meta_json(const struct kvm_meta_in *in)
{
	json_t *runs = json_object();
	char path[MX_PATH_MAX + 96];

	for (size_t i = 0; (in->pinning || in->perf) && i < in->nv; i++) {
		el_fmt(path, sizeof(path), "%s/%s.result", in->raw_dir, in->v[i].short_name);
		json_object_set_new(runs, in->v[i].short_name, result_facts(path));
	}
	return json_pack("{s:o,s:o,s:{s:b,s:s},s:{s:b,s:b},s:o}",
		"accel", accel_json(in->accel, in->probe), "events", events_json(in),
		"perf", "requested", in->perf, "command", "perf stat -x, -D -1 --control "
		"fifo:CTL,ACK -e cycles:G,instructions:G[,kvm:kvm_exit] -t <vCPU thread>",
		"runner", "pinning", in->pinning, "noise_printed", in->noise_printed,
		"runs", runs);
}

void kvm_perf_summary(const char *raw_dir, const struct mx_variant *v, size_t nv)
{
	size_t count[3] = { 0 };
	char path[MX_PATH_MAX + 96], key[40], val[300];

	for (size_t i = 0; i < nv; i++) {
		char *text;
		el_fmt(path, sizeof(path), "%s/%s.result", raw_dir, v[i].short_name);
		if (!(text = slurp(path, 1u << 16)))
			continue;
		for (int m = 0; m < 2; m++) {
			el_fmt(key, sizeof(key), "perf_check_%s", metrics[m]);
			kv_get(text, key, val, sizeof(val));
			count[!strcmp(val, "agree") ? 0 : !strcmp(val, "disagree") ? 1 : 2]++;
			el_fmt(key, sizeof(key), "perf_note_%s", metrics[m]);
			if (!strcmp(val, "disagree") && kv_get(text, key, val, sizeof(val)) == 0)
				el_err("warning: perf cross-check: %s: %s", v[i].short_name, val);
		}
		if (kv_get(text, "perf_exits_warning", val, sizeof(val)) == 0 && val[0])
			el_err("warning: %s: %s", v[i].short_name, val);
		free(text);
	}
	fprintf(stderr, "perf cross-check (instructions and cycles of %zu runs): %zu agree, "
		"%zu disagree, %zu unavailable (meta.json runs.<short>.perf_*)\n", nv,
		count[0], count[1], count[2]);
}
