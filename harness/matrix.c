/* entrylab matrix: see matrix.h. */
#include "matrix.h"
#include "analyze.h"
#include "exitcodes.h"
#include "kvmrun.h"
#include "noise.h"
#include "pin.h"
#include "qemu.h"
#include "util.h"
#include "entrylab/proto.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define KILL_GRACE_MS   2000   /* SIGTERM to a child, then SIGKILL */
#define GUARD_EXTRA_MS  10000  /* a run child past its own time limit plus this is hung */
#define PROBE_TIMEOUT_S 10

static const struct { const char *name, *description; } benches[] = {
#define EL_BENCH(name, features, description) { #name, description },
#include "entrylab/benches.def"
#undef EL_BENCH
};
#define NBENCH (sizeof(benches) / sizeof(benches[0]))

/* ------------------------------------------------------------ options */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: entrylab matrix [--variants SEL[,SEL...]] [--bench a,b] [--samples N]\n"
		"         [--jobs N] [--accel auto|tcg|kvm] [--baseline SEL] [--results-dir DIR]\n"
		"         [--run-id ID] [--timeout SEC] [--cpu N] [--pin] [--events LIST] [--perf]\n"
		"         [--no-plots] [--list-benches] [--linux|--no-linux]\n"
		"  Boots every selected variant (default: all = the 16 matrix variants and floor),\n"
		"  writes results/<run-id>/ (raw/, meta.json, summary, report.md, plots/),\n"
		"  repoints results/latest and prints the table.\n"
		"  --samples N      samples per benchmark (default %d)\n"
		"  --jobs N         boots at once (default: online cpus; 1 under kvm)\n"
		"  --accel          auto boots a probe kernel under KVM and falls back to tcg-icount\n"
		"                   with a one-line reason; kvm fails (status 2) where the probe\n"
		"                   fails; tcg skips the probe (default auto; --mode is the same)\n"
		"  --cpu N          the cpu that runs the vCPU thread (default: pin.h's choice)\n"
		"  --pin            bind QEMU's threads under tcg-icount too (always under kvm)\n"
		"  --events LIST    kvm: PMU events by name (cycles,instructions,... or the PMU's\n"
		"                   own, e.g. INST_RETIRED:ANY_P) counted by the guest\n"
		"  --perf           count the vCPU thread's guest-mode cycles and instructions\n"
		"                   with perf stat and compare with the guest's own figures\n"
		"  --baseline SEL   variant the deltas are against (default: preset linux-5.x)\n"
		"  --timeout SEC    time limit of one boot (default %g)\n"
		"  --linux          add the Linux reference rows (Debian's kernel: linux, linux-nomit;\n"
		"                   under kvm also the native host row); default: with the whole\n"
		"                   matrix (no --variants) when the kernel can be had\n"
		"  --no-linux       leave them out\n"
		"  --append-for SHORT=ARGS  tests only: extra guest arguments for one variant\n"
		"                   (e.g. el.selftest=N to make it fail on purpose); repeatable\n"
		"exit status: 0 all passed, 1 a variant failed, 2 usage or environment, 130 interrupted\n",
		MX_DEFAULT_SAMPLES, MX_DEFAULT_TIMEOUT_S);
}

static int bad(const char *opt, const char *val, const char *todo)
{
	el_err("bad value '%.64s' for %s: entrylab matrix: %s", val, opt, todo);
	return EL_EX_USAGE;
}

static int parse_seconds(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno || end == s || *end || s[0] == ' ' || !(*out > 0) || *out > 86400 ? -1 : 0;
}

static void add_selector(struct mx_opts *o, const char *sel)
{
	size_t old = o->variants ? strlen(o->variants) : 0;

	o->variants = el_xrealloc(o->variants, old + strlen(sel) + 2);
	el_fmt(o->variants + old, strlen(sel) + 2, "%s%s", old ? "," : "", sel);
}

static int one_opt(int c, const char *arg, struct mx_opts *o)
{
	uint64_t v;

	switch (c) {
	case 'v': add_selector(o, arg); return 0;
	case 'b': o->bench = arg; return 0;
	case 'B': o->baseline = arg; return 0;
	case 'r': o->results_dir = arg; return 0;
	case 'p': o->no_plots = 1; return 0;
	case 'l': o->list_benches = 1; return 0;
	case 'h': o->help = 1; return 0;
	case 's':
		return el_parse_u64(arg, &o->samples) || !o->samples || o->samples > 1000000 ?
			bad("--samples", arg, "give a whole number from 1 to 1000000") : 0;
	case 'j':
		return el_parse_u64(arg, &v) || !v || v > 256 ?
			bad("--jobs", arg, "give a whole number from 1 to 256") :
			(o->jobs = (unsigned)v, 0);
	case 't':
		return parse_seconds(arg, &o->timeout_s) ?
			bad("--timeout", arg, "give seconds, more than 0 and at most 86400") : 0;
	case 'i':
		o->run_id = arg;
		return mx_run_id_valid(arg) ? 0 : bad("--run-id", arg,
			"use 1 to 63 of A-Z a-z 0-9 _ . - not starting with . or -, not latest");
	case 'A':
		if (!strchr(arg, '=') || arg[0] == '=' || o->nappend_for == MX_APPEND_FOR_MAX)
			return bad("--append-for", arg, "give SHORT=ARGS, at most 8 times");
		o->append_for[o->nappend_for++] = arg;
		return 0;
	case 'c':
		return el_parse_u64(arg, &v) || v > 65535 ?
			bad("--cpu", arg, "give a cpu number (see 'entrylab hostinfo')") :
			(o->cpu = (int)v, 0);
	case 'P': o->pin = 1; return 0;
	case 'f': o->perf = 1; return 0;
	case 'e': o->events = arg; return 0;
	case 'L': o->linux_req = LR_WANT_ON; return 0;
	case 'X': o->linux_req = LR_WANT_OFF; return 0;
	case 'm':
		if (!strcmp(arg, "auto"))
			o->mode = MX_MODE_AUTO;
		else if (!strcmp(arg, "tcg") || !strcmp(arg, "tcg-icount"))
			o->mode = MX_MODE_TCG;
		else if (!strcmp(arg, "kvm"))
			o->mode = MX_MODE_KVM;
		else
			return bad("--accel", arg, "use auto, tcg or kvm");
		return 0;
	}
	return EL_EX_USAGE;
}

int mx_parse_opts(int argc, char **argv, struct mx_opts *o)
{
	static const struct option longs[] = {
		{ "variants", 1, NULL, 'v' }, { "bench", 1, NULL, 'b' },
		{ "samples", 1, NULL, 's' }, { "jobs", 1, NULL, 'j' }, { "mode", 1, NULL, 'm' },
		{ "baseline", 1, NULL, 'B' }, { "results-dir", 1, NULL, 'r' },
		{ "run-id", 1, NULL, 'i' }, { "timeout", 1, NULL, 't' },
		{ "no-plots", 0, NULL, 'p' }, { "list-benches", 0, NULL, 'l' },
		{ "help", 0, NULL, 'h' }, { "append-for", 1, NULL, 'A' }, { "accel", 1, NULL, 'm' },
		{ "cpu", 1, NULL, 'c' }, { "pin", 0, NULL, 'P' }, { "perf", 0, NULL, 'f' },
		{ "events", 1, NULL, 'e' }, { "linux", 0, NULL, 'L' }, { "no-linux", 0, NULL, 'X' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->cpu = -1;
	o->samples = MX_DEFAULT_SAMPLES;
	o->timeout_s = MX_DEFAULT_TIMEOUT_S;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
		if (c == ':' || c == '?') {
			el_err("%s option '%.64s': entrylab matrix: see 'entrylab matrix --help'",
			       c == ':' ? "missing value for" : "unknown", argv[optind - 1]);
			return EL_EX_USAGE;
		}
		if (one_opt(c, optarg, o))
			return EL_EX_USAGE;
	}
	if (optind < argc) {
		el_err("unexpected argument '%.64s': entrylab matrix: see 'entrylab matrix --help'",
		       argv[optind]);
		return EL_EX_USAGE;
	}
	return EL_EX_OK;
}

void mx_opts_free(struct mx_opts *o)
{
	free(o->variants);
	o->variants = NULL;
}

/* ------------------------------------------------------------ benchmarks */

static void bench_names(char *dst, size_t n)
{
	size_t used = 0;

	dst[0] = '\0';
	for (size_t i = 0; i < NBENCH && used < n; i++)
		used += (size_t)snprintf(dst + used, n - used, "%s%s", i ? ", " : "", benches[i].name);
}

int mx_bench_list(const char *sel, char *dst, size_t n, char *err, size_t errn)
{
	int want[NBENCH] = { 0 };
	char names[MX_BENCH_LIST], *copy, *save = NULL;
	size_t used = 0;
	int rc = 0;

	bench_names(names, sizeof(names));
	if (sel && (!sel[0] || sel[0] == ',' || sel[strlen(sel) - 1] == ',' || strstr(sel, ",,"))) {
		el_fmt(err, errn, "empty benchmark name in '%.64s': --bench: use names from %s, "
		       "separated by single commas", sel, names);
		return -1;
	}
	copy = el_xstrdup(sel ? sel : "");
	for (char *tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
		size_t i = 0;
		while (i < NBENCH && strcmp(tok, benches[i].name))
			i++;
		if (i == NBENCH) {
			el_fmt(err, errn, "unknown benchmark '%.64s': --bench: use one of %s", tok, names);
			rc = -1;
		} else {
			want[i] = 1;
		}
	}
	free(copy);
	dst[0] = '\0';
	for (size_t i = 0; !rc && i < NBENCH; i++)
		if (!sel || want[i])
			used += (size_t)snprintf(dst + used, used < n ? n - used : 0, "%s%s",
						 used ? "," : "", benches[i].name);
	return rc;
}

/* ------------------------------------------------------------ plan */

static int find_root(char *dst, size_t n)
{
	if (access("variants/axes.conf", R_OK) == 0) {
		el_strlcpy(dst, ".", n);
		return 0;
	}
	if (el_root_near_exe(dst, n) == 0)
		return 0;
	el_err("cannot find variants/axes.conf: current directory and the directories above "
	       "the executable: run from the repository root");
	return -1;
}

static void fill_variant(struct mx_plan *p, struct mx_variant *v, int code)
{
	memset(v, 0, sizeof(*v));
	v->code = code;
	v->exit = -1;
	el_variant_short(&p->vs, code, v->short_name, sizeof(v->short_name));
	el_variant_canonical(&p->vs, code, v->canonical, sizeof(v->canonical));
	el_variant_flags(&p->vs, code, v->flags, sizeof(v->flags));
	el_fmt(v->image, sizeof(v->image), "%s%sbuild/kernels/%s.elf",
	       strcmp(p->root, ".") ? p->root : "", strcmp(p->root, ".") ? "/" : "", v->short_name);
	mx_elf_build_id(v->image, v->build_id, sizeof(v->build_id));
}

static int check_images(const struct mx_plan *p)
{
	size_t missing = 0, first = 0;
	struct stat st;

	for (size_t i = 0; i < p->nv; i++)
		if (stat(p->v[i].image, &st) < 0 || !S_ISREG(st.st_mode))
			first = missing++ ? first : i;
	if (!missing)
		return 0;
	el_err("kernel image missing: %s%s: run 'make' first", p->v[first].image,
	       missing > 1 ? " and others" : "");
	return -1;
}

static int check_baseline(const struct mx_plan *p, const char *sel)
{
	int code[2];
	size_t n = 0;
	char err[EL_VARIANT_ERR];

	if (el_variants_resolve(&p->vs, sel, code, 2, &n, err, sizeof(err)) < 0 || n != 1) {
		el_err("%s", n > 1 ? "baseline must name one variant: --baseline: give a preset, "
		       "short or canonical name" : err);
		return -1;
	}
	for (size_t i = 0; i < p->nv; i++)
		if (p->v[i].code == code[0])
			return 0;
	el_err("baseline '%.64s' is not among the selected variants: --baseline: add it to "
	       "--variants or choose a selected one", sel);
	return -1;
}

/* Each --append-for names a selected variant. */
static int check_append_for(const struct mx_plan *p, const struct mx_opts *o)
{
	for (unsigned k = 0; k < o->nappend_for; k++) {
		size_t len = strcspn(o->append_for[k], "="), i = 0;
		while (i < p->nv && (strlen(p->v[i].short_name) != len ||
				     strncmp(p->v[i].short_name, o->append_for[k], len)))
			i++;
		if (i == p->nv) {
			el_err("--append-for '%.64s' names no selected variant: entrylab matrix: "
			       "use a short name given to --variants", o->append_for[k]);
			return -1;
		}
	}
	return 0;
}

int mx_plan_build(const struct mx_opts *o, const char *root, struct mx_plan *p)
{
	char dir[MX_PATH_MAX + 16], err[EL_VARIANT_ERR];
	int *codes;
	size_t max, n = 0;

	memset(p, 0, sizeof(*p));
	if (root)
		el_strlcpy(p->root, root, sizeof(p->root));
	else if (find_root(p->root, sizeof(p->root)) < 0)
		return EL_EX_USAGE;
	el_fmt(dir, sizeof(dir), "%s/variants", p->root);
	if (el_variants_load(&p->vs, dir, err, sizeof(err)) < 0) {
		el_err("%s", err);
		return EL_EX_USAGE;
	}
	max = (size_t)el_variant_count(&p->vs) + 1;
	codes = el_xrealloc(NULL, max * sizeof(*codes));
	if (el_variants_resolve(&p->vs, o->variants ? o->variants : "all", codes, max, &n,
				err, sizeof(err)) < 0) {
		el_err("%s", err);
		free(codes);
		mx_plan_free(p);
		return EL_EX_USAGE;
	}
	p->v = el_xrealloc(NULL, (n ? n : 1) * sizeof(*p->v));
	for (p->nv = 0; p->nv < n; p->nv++)
		fill_variant(p, &p->v[p->nv], codes[p->nv]);
	free(codes);
	if (mx_bench_list(o->bench, p->bench, sizeof(p->bench), err, sizeof(err)) < 0) {
		el_err("%s", err);
		mx_plan_free(p);
		return EL_EX_USAGE;
	}
	if (o->results_dir)
		el_strlcpy(p->results, o->results_dir, sizeof(p->results));
	else
		el_fmt(p->results, sizeof(p->results), "%s%sresults",
		       strcmp(p->root, ".") ? p->root : "", strcmp(p->root, ".") ? "/" : "");
	if ((o->baseline && check_baseline(p, o->baseline)) || check_append_for(p, o) ||
	    check_images(p)) {
		mx_plan_free(p);
		return EL_EX_USAGE;
	}
	if (lr_matrix_plan(&p->lr, o->linux_req, !o->variants, p->root, &p->v, &p->nv) < 0) {
		mx_plan_free(p);
		return EL_EX_USAGE;
	}
	return EL_EX_OK;
}

void mx_plan_free(struct mx_plan *p)
{
	free(p->v);
	p->v = NULL;
	el_variants_free(&p->vs);
}

/* ------------------------------------------------------------ children */

/* One `entrylab run` child.  Its stdout and stderr go to log. */
struct job {
	struct el_argv argv;
	char log[MX_PATH_MAX];
	pid_t pid;                 /* 0 not started, -1 finished */
	int64_t start_ms, end_ms, limit_ms, term_ms;
	int wstatus;
	int guard_killed;          /* killed here for running too long */
};

struct children {
	int sfd;                   /* signalfd for SIGINT, SIGTERM, SIGCHLD */
	sigset_t old_mask;
	int interrupted;           /* the signal number */
	int stop;                  /* a run failed for its environment: stop the rest */
	void (*done)(void *ctx, struct job *j);
	void *ctx;
};

static int signals_begin(struct children *c)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
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

/* Read pending signals: note SIGINT/SIGTERM (SIGCHLD only wakes the loop). */
static void drain_signals(struct children *c)
{
	struct signalfd_siginfo si;

	while (read(c->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		if (si.ssi_signo != SIGCHLD && !c->interrupted)
			c->interrupted = (int)si.ssi_signo;
}

static void signals_end(struct children *c)
{
	drain_signals(c);
	close(c->sfd);
	sigprocmask(SIG_SETMASK, &c->old_mask, NULL);
}

static void job_argv(struct job *j, const char *const *args)
{
	j->argv.v = NULL;
	j->argv.n = 0;
	for (; *args; args++) {
		j->argv.v = el_xrealloc(j->argv.v, (j->argv.n + 2) * sizeof(char *));
		j->argv.v[j->argv.n++] = el_xstrdup(*args);
		j->argv.v[j->argv.n] = NULL;
	}
}

static void spawn(struct children *c, struct job *j)
{
	j->start_ms = el_now_ms();
	j->pid = fork();
	if (j->pid == 0) {
		int log = open(j->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
		setpgid(0, 0);
		if (nul >= 0)
			dup2(nul, 0);
		if (log >= 0) {
			dup2(log, 1);
			dup2(log, 2);
		}
		sigprocmask(SIG_SETMASK, &c->old_mask, NULL);
		execv("/proc/self/exe", j->argv.v);
		dprintf(2, "entrylab: cannot execute /proc/self/exe: %s: check the installation\n",
			strerror(errno));
		_exit(EL_EX_USAGE);
	}
	if (j->pid < 0) {             /* reported like a child that could not start */
		j->pid = -1;
		j->wstatus = EL_EX_USAGE << 8;
		j->end_ms = el_now_ms();
		c->done(c->ctx, j);
		return;
	}
	setpgid(j->pid, j->pid);
}

static void reap(struct children *c, struct job *jobs, size_t n)
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
static int police(struct children *c, struct job *jobs, size_t n)
{
	int64_t now = el_now_ms(), next = now + 1000;

	for (size_t i = 0; i < n; i++) {
		struct job *j = &jobs[i];
		if (j->pid <= 0)
			continue;
		if (!j->term_ms && (c->interrupted || c->stop || now >= j->start_ms + j->limit_ms)) {
			j->guard_killed = !c->interrupted && !c->stop;
			j->term_ms = now;
			kill(-j->pid, SIGTERM);
		} else if (j->term_ms && now >= j->term_ms + KILL_GRACE_MS) {
			kill(-j->pid, SIGKILL);
		}
		int64_t due = j->term_ms ? j->term_ms + KILL_GRACE_MS : j->start_ms + j->limit_ms;
		if (due < next)
			next = due;
	}
	return next > now ? (int)(next - now) : 0;
}

/* Run jobs, at most par at once.  Returns 0, or EL_EX_INTERRUPTED once every
 * child has been stopped and reaped after SIGINT/SIGTERM. */
static int run_jobs(struct children *c, struct job *jobs, size_t n, unsigned par)
{
	size_t next = 0, running;

	for (;;) {
		drain_signals(c);
		reap(c, jobs, n);
		running = 0;
		for (size_t i = 0; i < n; i++)
			running += jobs[i].pid > 0;
		while (!c->interrupted && !c->stop && next < n && running < par) {
			spawn(c, &jobs[next++]);
			running += jobs[next - 1].pid > 0;
		}
		if (!running && (c->interrupted || c->stop || next == n))
			break;
		struct pollfd pfd = { .fd = c->sfd, .events = POLLIN };
		poll(&pfd, 1, police(c, jobs, n));
	}
	return c->interrupted ? EL_EX_INTERRUPTED : c->stop ? EL_EX_USAGE : 0;
}

static void jobs_free(struct job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		el_argv_free(&jobs[i].argv);
	free(jobs);
}

/* ------------------------------------------------------------ one matrix run */

struct matrix {
	const struct mx_opts *o;
	struct mx_plan *p;
	int argc;
	char **argv;
	struct mx_rundir d;
	struct children ch;
	struct job *jobs;
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
	char env_error[MX_LINE * 4];    /* why the runs were stopped (children.stop) */
};

/* The keys of a .result file this driver reads. */
struct result {
	char status[16], error[MX_LINE * 2];
	int exit;
};

static int read_result(const char *path, struct result *r)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	memset(r, 0, sizeof(*r));
	r->exit = -1;
	if (!f)
		return -1;
	while ((len = getline(&line, &cap, f)) > 0) {
		char *eq = strchr(line, '=');
		line[strcspn(line, "\n")] = '\0';
		if (!eq)
			continue;
		*eq++ = '\0';
		if (!strcmp(line, "status"))
			el_strlcpy(r->status, eq, sizeof(r->status));
		else if (!strcmp(line, "error"))
			el_strlcpy(r->error, eq, sizeof(r->error));
		else if (!strcmp(line, "exit"))
			r->exit = atoi(eq);
	}
	free(line);
	fclose(f);
	return r->status[0] ? 0 : -1;
}

/* The last "entrylab: ..." line a child wrote to its log. */
static void last_error(const char *log, char *dst, size_t n)
{
	FILE *f = fopen(log, "r");
	char line[1024];

	dst[0] = '\0';
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "entrylab: ", 10)) {
			line[strcspn(line, "\n")] = '\0';
			el_strlcpy(dst, line + 10, n);
		}
	if (f)
		fclose(f);
}

static const char *status_of_exit(int code)
{
	switch (code) {
	case EL_EX_FAIL: return "fail";
	case EL_EX_USAGE: return "usage";
	case EL_EX_HANG: return "hang";
	case EL_EX_INTERRUPTED: return "interrupted";
	case EL_EX_OK: case EL_EX_PROTOCOL: return "protocol";
	default: return "crash";
	}
}

/* A child that wrote no .result: say why, from how it ended and its log. */
static void outcome_without_result(const struct job *j, struct mx_variant *v)
{
	char why[MX_LINE * 2];
	int code = WIFEXITED(j->wstatus) ? WEXITSTATUS(j->wstatus) : -1;

	last_error(j->log, why, sizeof(why));
	v->exit = code >= 0 ? code : EL_EX_CRASH;
	el_strlcpy(v->status, j->guard_killed ? "hang" : code >= 0 ? status_of_exit(code) : "crash",
		   sizeof(v->status));
	if (j->guard_killed)
		el_fmt(v->error, sizeof(v->error), "entrylab run still running %.0f s after its "
		       "time limit: killed: variant %s", GUARD_EXTRA_MS / 1000.0, v->short_name);
	else if (code < 0)
		el_fmt(v->error, sizeof(v->error), "entrylab run died from signal %d (%s): variant %s",
		       WTERMSIG(j->wstatus), strsignal(WTERMSIG(j->wstatus)), v->short_name);
	else if (why[0])
		el_strlcpy(v->error, why, sizeof(v->error));
	else
		el_fmt(v->error, sizeof(v->error), "entrylab run exited with status %d and wrote no "
		       "result: variant %s", code, v->short_name);
}

/* So that the analysis and the report see the failure too. */
static void write_fallback_result(const struct matrix *m, const struct mx_variant *v)
{
	char path[MX_PATH_MAX + 64];
	struct el_buf b = { 0 };

	el_buf_printf(&b, "status=%s\nexit=%d\nerror=", v->status, v->exit);
	for (const char *c = v->error; *c; c++)
		el_buf_append(&b, (unsigned char)*c < 0x20 ? "?" : c, 1);
	el_buf_printf(&b, "\nvariant=%s\nshort=%s\nmode=%s\nunit=%s\nimage=%s\n", v->canonical,
		      v->short_name, el_mode_name(m->mode), el_mode_unit(m->mode), v->image);
	el_fmt(path, sizeof(path), "%s/raw/%s.result", m->d.partial, v->short_name);
	if (el_write_atomic(path, b.data, b.len) < 0)
		el_err("warning: cannot write %s: %s: the report will miss this variant",
		       path, strerror(errno));
	el_buf_free(&b);
}

/* A run that failed for its environment (status 2: the results cannot be
 * written, QEMU is missing, ...) would fail alike for every variant: stop
 * the others and say why once.  A full disk may have swallowed the run's
 * own message, so free space is checked here. */
static void environment_failure(struct matrix *m, const struct job *j,
				const struct mx_variant *v)
{
	struct statvfs fs;
	char why[MX_LINE * 2];

	m->ch.stop = 1;
	if (m->env_error[0])
		return;
	last_error(j->log, why, sizeof(why));
	if (why[0])
		el_strlcpy(m->env_error, why, sizeof(m->env_error));
	else if (statvfs(m->d.partial, &fs) == 0 && fs.f_bavail == 0)
		el_fmt(m->env_error, sizeof(m->env_error), "no space left on device: %s: free "
		       "space there and re-run; earlier runs are untouched", m->d.results);
	else
		el_strlcpy(m->env_error, v->error, sizeof(m->env_error));
}

static void variant_done(void *ctx, struct job *j)
{
	struct matrix *m = ctx;
	struct mx_variant *v = &m->p->v[j - m->jobs];
	char path[MX_PATH_MAX + 64];
	struct result r;

	v->elapsed_s = (double)(j->end_ms - j->start_ms) / 1000.0;
	el_fmt(path, sizeof(path), "%s/raw/%s.result", m->d.partial, v->short_name);
	if (read_result(path, &r) == 0) {
		el_strlcpy(v->status, r.status, sizeof(v->status));
		el_strlcpy(v->error, r.error, sizeof(v->error));
		v->exit = r.exit;
	} else {
		outcome_without_result(j, v);
		if (v->exit == EL_EX_USAGE && !m->ch.interrupted)
			environment_failure(m, j, v);
		if (m->ch.interrupted || m->ch.stop)
			return;
		write_fallback_result(m, v);
	}
	m->failed += strcmp(v->status, "pass") != 0;
	if (strcmp(v->status, "pass"))
		fprintf(stderr, "[%zu/%zu] %s %s FAILED (%s: %.200s) %.2fs\n", ++m->finished,
			m->p->nv, v->short_name, v->canonical, v->status, v->error, v->elapsed_s);
	else
		fprintf(stderr, "[%zu/%zu] %s %s pass %.2fs\n", ++m->finished, m->p->nv,
			v->short_name, v->canonical, v->elapsed_s);
}

static void probe_done(void *ctx, struct job *j)
{
	(void)ctx;
	(void)j;
}

/* Boot the first image with el.run=probe under KVM (pinned like the runs)
 * into probe/, and read what it showed into m->probe.  0, or
 * EL_EX_INTERRUPTED. */
static int kvm_probe(struct matrix *m)
{
	const struct mx_variant *v = &m->p->v[0];
	char out[MX_PATH_MAX + 16], timeout[16];
	const char *args[] = { "entrylab", "run", "--image", v->image, "--name", v->short_name,
			       "--out", out, "--mode", "kvm", "--run", "probe",
			       "--timeout", timeout, "--cpu", m->cpu_arg, NULL };
	struct job j = { .limit_ms = PROBE_TIMEOUT_S * 1000 + GUARD_EXTRA_MS };

	el_fmt(out, sizeof(out), "%s/probe", m->d.partial);
	el_fmt(timeout, sizeof(timeout), "%d", PROBE_TIMEOUT_S);
	el_fmt(j.log, sizeof(j.log), "%s/probe/%s.log", m->d.partial, v->short_name);
	mkdir(out, 0755);
	job_argv(&j, args);
	m->ch.done = probe_done;
	int rc = run_jobs(&m->ch, &j, 1, 1);
	el_argv_free(&j.argv);
	if (!rc)
		kvm_probe_load(out, v->short_name, &m->probe);
	return rc;
}

/* tcg-icount or kvm, and why (accel.h; DESIGN 2: KVM only if the probe
 * passes). */
static int decide_mode(struct matrix *m)
{
	static const enum accel_request req[] = { ACCEL_REQ_AUTO, ACCEL_REQ_TCG, ACCEL_REQ_KVM };
	int rc;

	if (m->o->mode != MX_MODE_TCG && accel_check_kvm_dev(NULL, &m->probe) &&
	    (rc = kvm_probe(m)))
		return rc;
	accel_decide(req[m->o->mode], &m->probe, &m->accel);
	m->mode = m->accel.mode == ACCEL_MODE_KVM ? EL_MODE_KVM : EL_MODE_TCG_ICOUNT;
	el_strlcpy(m->reason, m->accel.reason, sizeof(m->reason));
	if (m->accel.status) {
		el_err("%s", m->accel.line);
		return m->accel.status;
	}
	if (m->accel.line[0])
		fprintf(stderr, "%s\n", m->accel.line);
	return 0;
}

/* Before anything is created: the measurement cpu (--cpu must exist) and
 * the --events names. */
static int host_check(struct matrix *m)
{
	char err[1024];

	m->have_pin = pin_choose(&m->pin, m->o->cpu, m->pin_err, sizeof(m->pin_err)) == 0;
	if (!m->have_pin && m->o->cpu >= 0) {
		el_err("%s", m->pin_err);
		return EL_EX_USAGE;
	}
	el_fmt(m->cpu_arg, sizeof(m->cpu_arg), "%d", m->have_pin ? m->pin.cpu : 0);
	if (m->o->events && kvm_events_resolve(m->o->events, &m->ev, m->events_hex,
					       sizeof(m->events_hex), err, sizeof(err))) {
		el_err("%s", err);
		return EL_EX_USAGE;
	}
	return 0;
}

/* Host noise (noise.h) is recorded always and printed with its fixes
 * before measuring under kvm, where it matters. */
static void host_plan(struct matrix *m)
{
	m->pinning = m->have_pin && (m->mode == EL_MODE_KVM || m->o->pin);
	noise_check(NULL, m->have_pin ? m->pin.cpu : 0, &m->noise);
	if (m->o->events && m->mode != EL_MODE_KVM)
		fprintf(stderr, "events: not counted (%s): tcg-icount has no guest PMU\n",
			m->o->events);
	if (m->mode != EL_MODE_KVM)
		return;
	for (int i = 0; i < m->noise.nwarn; i++)
		el_err("warning: %s", m->noise.warn[i]);
}

static int prepare(struct matrix *m)
{
	char *qemu[] = { EL_QEMU_DEFAULT, "--version", NULL };
	char err[MX_PATH_MAX + MX_LINE], dir[MX_PATH_MAX + 16];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int rc;

	if (mx_tool_line(qemu, 5000, m->qemu_version, sizeof(m->qemu_version)) < 0) {
		el_err("cannot run QEMU: %s: install qemu-system-x86 (apt-get install "
		       "qemu-system-x86)", m->qemu_version);
		return EL_EX_USAGE;
	}
	if ((rc = host_check(m)))
		return rc;
	if (mx_rundir_create(&m->d, m->p->results, m->o->run_id, err, sizeof(err))) {
		el_err("%s", err);
		return EL_EX_USAGE;
	}
	el_fmt(dir, sizeof(dir), "%s/raw", m->d.partial);
	rc = mkdir(dir, 0755);
	el_fmt(dir, sizeof(dir), "%s/logs", m->d.partial);
	if (rc < 0 || mkdir(dir, 0755) < 0) {
		el_err("cannot create %s: %s: check --results-dir", dir, strerror(errno));
		mx_rundir_remove(&m->d);
		return EL_EX_USAGE;
	}
	if ((rc = decide_mode(m))) {
		if (rc == EL_EX_USAGE)
			mx_rundir_remove(&m->d);
		return rc;
	}
	host_plan(m);
	m->njobs = m->o->jobs ? m->o->jobs : cpus > 0 ? (unsigned)cpus : 1;
	if ((m->mode == EL_MODE_KVM || m->pinning) && m->njobs > 1) {
		if (m->o->jobs > 1)
			fprintf(stderr, "jobs: 1 under kvm or --pin (boots at once would share "
				"the measurement cpu)\n");
		m->njobs = 1;
	}
	return 0;
}

/* The --append-for arguments of one variant, joined by spaces ("" if none). */
static void append_for(const struct mx_opts *o, const char *short_name, char *dst, size_t n)
{
	size_t used = 0, len = strlen(short_name);

	dst[0] = '\0';
	for (unsigned k = 0; k < o->nappend_for; k++)
		if (!strncmp(o->append_for[k], short_name, len) && o->append_for[k][len] == '=')
			used += (size_t)snprintf(dst + used, used < n ? n - used : 0, "%s%s",
						 used ? " " : "", o->append_for[k] + len + 1);
}

/* What kvm mode adds to a run's arguments (kvmrun.h): the measurement cpu
 * and pinning, the encoded events under kvm, the perf cross-check. */
static void kvm_args(const struct matrix *m, const char **args, size_t max)
{
	size_t n = 0;

	while (args[n])
		n++;
	if (m->pinning && n + 3 < max) {
		args[n++] = "--cpu";
		args[n++] = m->cpu_arg;
		args[n++] = "--pin";
	}
	if (m->o->events && m->mode == EL_MODE_KVM && n + 2 < max) {
		args[n++] = "--events";
		args[n++] = m->events_hex;
	}
	if (m->o->perf && n + 1 < max)
		args[n++] = "--perf";
	args[n] = NULL;
}

static int run_variants(struct matrix *m)
{
	char raw[MX_PATH_MAX + 8], timeout[32], samples[32], cap[32], extra[MX_LINE * 2];
	/* The output cap scales with the samples asked for, so that a guest
	 * flooding its console is stopped as a flood long before the time limit
	 * (the guest writes at most one line per sample and benchmark, plus a
	 * fixed part: 256 KiB, 8 times the longest possible conformance TAP;
	 * a whole normal run writes about 6 KB).  Under tcg-icount on a busy
	 * 2-cpu host a flooding guest wrote less than 1 MiB in 4 s. */
	uint64_t max_output = (256u << 10) + m->o->samples * NBENCH * EL_MAX_LINE;
	int rc;

	el_fmt(raw, sizeof(raw), "%s/raw", m->d.partial);
	el_fmt(timeout, sizeof(timeout), "%g", m->o->timeout_s);
	el_fmt(samples, sizeof(samples), "%llu", (unsigned long long)m->o->samples);
	el_fmt(cap, sizeof(cap), "%llu", (unsigned long long)(max_output < (1ull << 32) ?
							    max_output : (1ull << 32)));
	m->jobs = el_xrealloc(NULL, m->p->nv * sizeof(*m->jobs));
	memset(m->jobs, 0, m->p->nv * sizeof(*m->jobs));
	for (size_t i = 0; i < m->p->nv; i++) {
		const struct mx_variant *v = &m->p->v[i];
		const char *args[32] = { "entrylab", "run", "--image", v->image, "--name",
				       v->short_name, "--out", raw, "--mode", el_mode_name(m->mode),
				       "--timeout", timeout, "--samples", samples,
				       "--bench", m->p->bench, "--max-output", cap,
				       "--append", extra, NULL };
		append_for(m->o, v->short_name, extra, sizeof(extra));
		if (v->code == LR_CODE)   /* a Linux reference row: its initrd and command line */
			lr_matrix_args(&m->p->lr, v->short_name, args, sizeof(args) / sizeof(args[0]),
				       extra, sizeof(extra));
		kvm_args(m, args, sizeof(args) / sizeof(args[0]));
		job_argv(&m->jobs[i], args);
		el_fmt(m->jobs[i].log, sizeof(m->jobs[i].log), "%s/logs/%s.log", m->d.partial,
		       v->short_name);
		m->jobs[i].limit_ms = (int64_t)(m->o->timeout_s * 1000.0) + GUARD_EXTRA_MS;
	}
	m->ch.done = variant_done;
	m->ch.ctx = m;
	rc = run_jobs(&m->ch, m->jobs, m->p->nv, m->njobs);
	if (rc == EL_EX_USAGE)
		el_err("%s", m->env_error);
	if (!rc && m->o->perf)
		kvm_perf_summary(raw, m->p->v, m->p->nv);
	if (!rc && m->mode == EL_MODE_KVM && m->p->lr.wanted)   /* the host row (linuxref.h) */
		lr_matrix_host(&m->p->lr, m->p->root, m->have_pin ? m->pin.cpu : -1,
			       m->o->samples, raw);
	jobs_free(m->jobs, m->p->nv);
	m->jobs = NULL;
	return rc ? rc : m->failed ? EL_EX_FAIL : EL_EX_OK;
}

static int write_meta(struct matrix *m)
{
	char err[MX_PATH_MAX + MX_LINE];
	char **argv = el_xrealloc(NULL, (size_t)(m->argc + 2) * sizeof(*argv));
	struct mx_meta meta = {
		.run_id = m->d.id, .start = m->start, .end = m->end,
		.elapsed_s = (double)(el_now_ms() - m->t0) / 1000.0,
		.argc = m->argc + 1, .argv = argv,
		.mode_requested = accel_request_name(m->accel.requested),
		.mode = el_mode_name(m->mode), .unit = el_mode_unit(m->mode),
		.mode_reason = m->reason, .jobs = m->njobs, .samples = m->o->samples,
		.bench = m->p->bench, .timeout_s = m->o->timeout_s, .baseline = m->o->baseline,
		.host = &m->host, .pin = m->have_pin ? &m->pin : NULL, .pin_error = m->pin_err,
		.pin_applied = m->pinning ? "yes: each run binds QEMU's vCPU thread to pin_cpu and "
			"its other threads to pin_other before the guest starts (runs.<short>.pin_*)" :
			"no: not needed under tcg-icount (placement cannot change an instruction "
			"count); --pin binds anyway",
		.noise = &m->noise, .v = m->p->v, .nv = m->p->nv,
	};
	char raw[MX_PATH_MAX + 8];
	struct kvm_meta_in kin = {
		.accel = &m->accel, .probe = &m->probe, .events = m->o->events,
		.ev = m->o->events ? &m->ev : NULL, .events_hex = m->events_hex,
		.events_used = m->o->events && m->mode == EL_MODE_KVM, .pinning = m->pinning,
		.perf = m->o->perf, .noise_printed = m->mode == EL_MODE_KVM, .raw_dir = raw,
		.v = m->p->v, .nv = m->p->nv,
	};
	int rc;

	argv[0] = "entrylab";
	memcpy(argv + 1, m->argv, (size_t)m->argc * sizeof(*argv));
	mx_host_collect(&m->host, m->p->root, m->qemu_version);
	el_fmt(raw, sizeof(raw), "%s/raw", m->d.partial);
	meta.extra = kvm_meta_json(&kin);
	if ((rc = mx_meta_write(m->d.partial, &meta, err, sizeof(err))))
		el_err("%s", err);
	json_decref(meta.extra);
	free(argv);
	return rc;
}

/* analyze (analyze.h) on the staged final name; its table goes to stdout. */
static int analyze(struct matrix *m)
{
	const char *args[10] = { "analyze", m->d.final, "--root", m->p->root };
	int n = 4, rc;

	if (m->o->baseline) {
		args[n++] = "--baseline";
		args[n++] = m->o->baseline;
	}
	if (m->o->no_plots)
		args[n++] = "--no-plots";
	fflush(stdout);
	rc = cmd_analyze(n, (char **)args);
	fflush(stdout);
	return rc;
}

static int finish(struct matrix *m, int rc)
{
	char err[MX_PATH_MAX * 2 + MX_LINE], plots[MX_PATH_MAX + 16];
	struct stat st;
	int arc;

	m->end = time(NULL);
	if (write_meta(m))
		return EL_EX_USAGE;
	lr_matrix_meta(&m->p->lr, m->d.partial);
	if (mx_rundir_stage(&m->d, err, sizeof(err))) {
		el_err("%s", err);
		return EL_EX_USAGE;
	}
	arc = analyze(m);
	drain_signals(&m->ch);
	if (m->ch.interrupted)
		return EL_EX_INTERRUPTED;
	if (arc != EL_EX_OK && arc != EL_EX_FAIL) {
		el_err("analysis failed (status %d): %s: the raw results are kept there; fix the "
		       "cause and run 'entrylab analyze %s'", arc, m->d.partial, m->d.partial);
		return EL_EX_USAGE;
	}
	if (mx_rundir_publish(&m->d, err, sizeof(err))) {
		el_err("%s", err);
		return EL_EX_USAGE;
	}
	el_fmt(plots, sizeof(plots), "%s/plots", m->d.final);
	printf("run: %s (%s/latest)\nreport: %s/report.md\n", m->d.final, m->d.results, m->d.final);
	if (stat(plots, &st) == 0 && S_ISDIR(st.st_mode))
		printf("plots: %s/\n", plots);
	return rc > arc ? rc : arc;
}

static int matrix_main(struct matrix *m)
{
	int rc;

	m->start = time(NULL);
	m->t0 = el_now_ms();
	if (signals_begin(&m->ch))
		return EL_EX_USAGE;
	rc = prepare(m);
	if (!rc)
		rc = run_variants(m);
	if (rc == EL_EX_OK || rc == EL_EX_FAIL)
		rc = finish(m, rc);
	if (rc == EL_EX_INTERRUPTED)
		el_err("interrupted by %s: children stopped, nothing published: %s is kept "
		       "for inspection", strsignal(m->ch.interrupted ? m->ch.interrupted : SIGINT),
		       m->d.partial[0] ? m->d.partial : "no run directory");
	if (rc != EL_EX_OK && rc != EL_EX_FAIL)
		mx_rundir_abandon(&m->d);
	else
		fprintf(stderr, "matrix: %zu variants, %zu failed, %.2f s (mode %s, %u jobs)\n",
			m->p->nv, m->failed, (double)(el_now_ms() - m->t0) / 1000.0,
			el_mode_name(m->mode), m->njobs);
	signals_end(&m->ch);
	if (m->have_pin)
		pin_free(&m->pin);
	return rc;
}

int el_cmd_matrix(int argc, char **argv)
{
	struct mx_opts o;
	struct mx_plan p;
	struct matrix m;
	int rc = mx_parse_opts(argc, argv, &o);

	if (rc == EL_EX_OK && o.help) {
		usage(stdout);
	} else if (rc == EL_EX_OK && o.list_benches) {
		for (size_t i = 0; i < NBENCH; i++)
			printf("%-16s %s\n", benches[i].name, benches[i].description);
	} else if (rc == EL_EX_OK && (rc = mx_plan_build(&o, NULL, &p)) == EL_EX_OK) {
		memset(&m, 0, sizeof(m));
		m.o = &o;
		m.p = &p;
		m.argc = argc;
		m.argv = argv;
		rc = matrix_main(&m);
		mx_plan_free(&p);
	}
	mx_opts_free(&o);
	return rc;
}
