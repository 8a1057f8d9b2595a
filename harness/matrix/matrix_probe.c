/* The accelerator step of `entrylab matrix`: the host checks made before
 * anything is created (measurement cpu, --events), the KVM probe boot
 * (el.run=probe of the first image, into probe/) and the decision between
 * tcg-icount and kvm with its one-line reason (accel.h), then the pinning
 * and the host noise report that go with the decided mode. */
#include "matrix/matrix_run.h"
#include "core/exitcodes.h"
#include "core/util.h"

#include <stdio.h>
#include <sys/stat.h>

#define PROBE_TIMEOUT_S 10

/* Before anything is created: the measurement cpu (--cpu must exist) and
 * the --events names. */
int mx_host_check(struct matrix *m)
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

static void probe_done(void *ctx, struct mx_job *j)
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
			       "--out", out, "--accel", "kvm", "--run", "probe",
			       "--timeout", timeout, "--cpu", m->cpu_arg, NULL };
	struct mx_job j = { .limit_ms = PROBE_TIMEOUT_S * 1000 + MX_GUARD_EXTRA_MS };

	el_fmt(out, sizeof(out), "%s/probe", m->d.partial);
	el_fmt(timeout, sizeof(timeout), "%d", PROBE_TIMEOUT_S);
	el_fmt(j.log, sizeof(j.log), "%s/probe/%s.log", m->d.partial, v->short_name);
	mkdir(out, 0755);
	mx_job_argv(&j, args);
	m->ch.done = probe_done;
	int rc = mx_run_jobs(&m->ch, &j, 1, 1);
	el_argv_free(&j.argv);
	if (!rc)
		kvm_probe_load(out, v->short_name, &m->probe);
	return rc;
}

/* tcg-icount or kvm, and why (accel.h; DESIGN 2: KVM only if the probe
 * passes). */
int mx_decide_mode(struct matrix *m)
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

/* Host noise (noise.h) is recorded always and printed with its fixes
 * before measuring under kvm, where it matters. */
void mx_host_plan(struct matrix *m)
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
