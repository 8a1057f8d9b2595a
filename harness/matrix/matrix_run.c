/* One run of `entrylab matrix` from start to end: prepare (QEMU's version,
 * the host checks, the run directory with raw/ and logs/, the accelerator
 * decision, how many boots at once), boot every variant as an `entrylab
 * run` child with its arguments, write meta.json, stage the directory,
 * analyse it and publish it as RESULTS/<id> with RESULTS/latest; on an
 * interrupt or an environment error nothing is published. */
#include "matrix/matrix_run.h"
#include "analysis/analyze.h"
#include "core/exitcodes.h"
#include "boot/qemu.h"
#include "core/util.h"
#include "entrylab/proto.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* How many benchmarks include/entrylab/benches.def lists (the output cap). */
enum {
#define EL_BENCH(name, features, description) ONE_BENCH_##name,
#include "entrylab/benches.def"
#undef EL_BENCH
	NBENCH
};

/* The images against the tree's revision (meta.h): one warning if they
 * were built from another. */
static void check_revision(const struct matrix *m)
{
	char *argv[] = { "git", "-C", (char *)m->p->root, "rev-parse", "HEAD", NULL };
	char rev[64];

	if (mx_tool_line(argv, 5000, rev, sizeof(rev)) == 0)
		mx_images_check_revision(m->p->v, m->p->nv, m->p->root, rev);
}

/* An error line that stops the run; when the run directory is left on
 * disk (a full disk may not let it go), the same line says where. */
static void stop_error(const struct matrix *m, const char *what)
{
	struct stat st;

	if (m->d.partial[0] && stat(m->d.partial, &st) == 0)
		el_err("%s; nothing published, the partial run is left in %s: remove it", what,
		       m->d.partial);
	else
		el_err("%s", what);
}

static int prepare(struct matrix *m)
{
	char *qemu[] = { EL_QEMU_DEFAULT, "--version", NULL };
	char *objdump[] = { "objdump", "--version", NULL };
	char err[MX_PATH_MAX + MX_LINE], dir[MX_PATH_MAX + 16];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int rc;

	if (mx_tool_line(qemu, 5000, m->qemu_version, sizeof(m->qemu_version)) < 0) {
		if (strstr(m->qemu_version, "not found")) {
			el_qemu_not_found_hint(err, sizeof(err));
			el_err("cannot run QEMU: %s", err);
		} else {
			el_err("cannot run QEMU: %s: install qemu-system-x86 (apt-get install "
			       "qemu-system-x86)", m->qemu_version);
		}
		return EL_EX_USAGE;
	}
	if (mx_tool_line(objdump, 5000, err, sizeof(err)) < 0) {   /* the static fast path */
		el_err("cannot run objdump: %s: install binutils (apt-get install binutils)",
		       strstr(err, "not found") ? "not found on PATH" : err);
		return EL_EX_USAGE;
	}
	if ((rc = mx_host_check(m)))
		return rc;
	check_revision(m);
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
	if ((rc = mx_decide_mode(m))) {
		if (rc == EL_EX_USAGE)
			mx_rundir_remove(&m->d);
		return rc;
	}
	mx_host_plan(m);
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
	if (m->o->cpu_model && n + 2 < max) {   /* not kvm's: the guest's CPU model */
		args[n++] = "--cpu-model";
		args[n++] = m->o->cpu_model;
	}
	args[n] = NULL;
}

static bool has_getpid(const char *list)
{
	for (const char *p = list; p && (p = strstr(p, "getpid")); p += 6)
		if ((p == list || p[-1] == ',') && (p[6] == ',' || !p[6]))
			return true;
	return false;
}

/* The benchmark traced in each Linux row for report.md's breakdown:
 * getpid, when the run measures it under tcg-icount without pinning. */
static const char *lr_trace_bench(const struct matrix *m)
{
	return m->mode == EL_MODE_TCG_ICOUNT && !m->o->pin && has_getpid(m->p->bench)
		? "getpid" : NULL;
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
	lr_cache_begin(&m->p->lr, m->p->root, m->qemu_version, m->p->bench, m->o->samples,
		       lr_trace_bench(m));
	m->jobs = el_xrealloc(NULL, m->p->nv * sizeof(*m->jobs));
	memset(m->jobs, 0, m->p->nv * sizeof(*m->jobs));
	for (size_t i = 0; i < m->p->nv; i++) {
		struct mx_variant *v = &m->p->v[i];
		const char *args[32] = { "entrylab", "run", "--image", v->image, "--name",
				       v->short_name, "--out", raw, "--accel", el_mode_name(m->mode),
				       "--timeout", timeout, "--samples", samples,
				       "--bench", m->p->bench, "--max-output", cap,
				       "--append", extra, NULL };
		append_for(m->o, v->short_name, extra, sizeof(extra));
		if (v->code == LR_CODE)   /* a Linux reference row: its initrd and command line */
			lr_matrix_args(&m->p->lr, v, m->mode == EL_MODE_KVM,
				       lr_trace_bench(m), args, sizeof(args) / sizeof(args[0]),
				       extra, sizeof(extra));
		kvm_args(m, args, sizeof(args) / sizeof(args[0]));
		mx_job_argv(&m->jobs[i], args);
		el_fmt(m->jobs[i].log, sizeof(m->jobs[i].log), "%s/logs/%s.log", m->d.partial,
		       v->short_name);
		m->jobs[i].limit_ms = (int64_t)(m->o->timeout_s * 1000.0) + MX_GUARD_EXTRA_MS;
		/* a Linux boot takes seconds where a lab kernel takes a fraction:
		 * started first, it runs beside the lab's rather than after them */
		m->jobs[i].early = v->code == LR_CODE;
	}
	m->ch.done = mx_variant_done;
	m->ch.ctx = m;
	rc = mx_run_jobs(&m->ch, m->jobs, m->p->nv, m->njobs);
	if (rc == EL_EX_USAGE)
		stop_error(m, m->env_error);
	if (!rc && m->o->perf)
		kvm_perf_summary(raw, m->p->v, m->p->nv);
	if (!rc && m->p->lr.rows && lr_trace_bench(m))   /* stored breakdowns checked, kept */
		lr_cache_finish(&m->p->lr, raw, m->d.id, m->p->v, m->jobs, m->p->nv);
	if (!rc && m->p->lr.rows && lr_trace_bench(m))   /* report.md's preset next to Linux */
		lr_matrix_nearest(&m->p->lr, &m->p->vs, m->p->root, lr_trace_bench(m), raw);
	if (!rc && m->mode == EL_MODE_KVM && m->p->lr.wanted)   /* the host row (linuxref.h) */
		lr_matrix_host(&m->p->lr, m->p->root, m->have_pin ? m->pin.cpu : -1,
			       m->o->samples, raw);
	mx_jobs_free(m->jobs, m->p->nv);
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
		.v = m->p->v, .nv = m->p->nv, .cpu_model = m->o->cpu_model,
	};
	int rc;

	argv[0] = "entrylab";
	memcpy(argv + 1, m->argv, (size_t)m->argc * sizeof(*argv));
	mx_host_collect(&m->host, m->p->root, m->qemu_version);
	el_fmt(raw, sizeof(raw), "%s/raw", m->d.partial);
	meta.extra = kvm_meta_json(&kin);
	if ((rc = mx_meta_write(m->d.partial, &meta, err, sizeof(err))))
		stop_error(m, err);
	json_decref(meta.extra);
	free(argv);
	return rc;
}

/* The analysis (analyze.h) on the staged final name; its table goes to
 * stdout. */
static int analyze(struct matrix *m)
{
	struct an_opts a = { m->d.final, m->p->root, m->o->baseline, m->o->no_plots };
	int rc;

	fflush(stdout);
	rc = an_analyze(&a);
	fflush(stdout);
	return rc;
}

static int finish(struct matrix *m, int rc)
{
	char err[MX_PATH_MAX * 2 + MX_LINE], plots[MX_PATH_MAX + 16];
	struct stat st;
	int arc;

	m->end = time(NULL);
	if (write_meta(m) || lr_matrix_meta(&m->p->lr, m->d.partial))
		return EL_EX_USAGE;
	if (mx_rundir_stage(&m->d, err, sizeof(err))) {
		stop_error(m, err);
		return EL_EX_USAGE;
	}
	arc = analyze(m);
	mx_signals_drain(&m->ch);
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
	if (mx_signals_begin(&m->ch))
		return EL_EX_USAGE;
	rc = prepare(m);
	if (!rc) {
		mx_progress_begin(m);
		rc = run_variants(m);
	}
	if (rc == EL_EX_OK || rc == EL_EX_FAIL)
		rc = finish(m, rc);
	if (rc == EL_EX_INTERRUPTED)
		el_err("interrupted by %s: children stopped, nothing published: %s is kept "
		       "for inspection", strsignal(m->ch.interrupted ? m->ch.interrupted : SIGINT),
		       m->d.partial[0] ? m->d.partial : "no run directory");
	if (rc != EL_EX_OK && rc != EL_EX_FAIL) {
		mx_rundir_abandon(&m->d);
	} else {
		fprintf(stderr, "matrix: %zu variants, %zu failed, %.2f s (mode %s, %u jobs)\n",
			m->p->nv, m->failed, (double)(el_now_ms() - m->t0) / 1000.0,
			el_mode_name(m->mode), m->njobs);
		if (m->mode == EL_MODE_KVM && m->host.cpu_class_note[0])
			fprintf(stderr, "matrix: not performance figures: %s\n",
				m->host.cpu_class_note);
		mx_signals_drain(&m->ch);   /* published: a late signal changes nothing */
		if (m->ch.interrupted)
			el_err("interrupted by %s after publishing: %s is complete; the printed "
			       "output may be cut", strsignal(m->ch.interrupted), m->d.final);
	}
	mx_progress_end(m, rc);
	mx_signals_end(&m->ch);
	if (m->have_pin)
		pin_free(&m->pin);
	return rc;
}

int mx_matrix_run(const struct mx_opts *o, struct mx_plan *p, int argc, char **argv)
{
	struct matrix m;

	memset(&m, 0, sizeof(m));
	m.o = o;
	m.p = p;
	m.argc = argc;
	m.argv = argv;
	return matrix_main(&m);
}
