/*
 * kvmrun_meta — kvm mode around the paused boot of kvmrun.c: PMU events by
 * name, the probe boot's files, the guest/perf cross-check of one boot and
 * its records (<short>.result keys, printed lines).  What the matrix makes
 * of them (meta.json, the perf summary) is matrix/kvm_meta.c.  Contract in
 * kvmrun.h.
 */
#include "host/kvmrun.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/exitcodes.h"

const char *const kvm_metrics[KVM_NMETRICS] = { "instructions", "cycles" };

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
	char path[PATH_MAX], status[32], error[160];
	char *text, *result;
	struct el_stream s;

	el_fmt(path, sizeof(path), "%s/%s.console", dir, short_name);
	el_stream_init(&s);
	if ((text = el_read_text(path, 1u << 20))) {
		el_stream_feed(&s, text, strlen(text));
		free(text);
	}
	el_stream_finish(&s);
	accel_probe_from_stream(&s, 0, p);
	el_stream_free(&s);
	el_fmt(path, sizeof(path), "%s/%s.result", dir, short_name);
	result = el_read_text(path, 1u << 16);
	el_kv_get(result, "status", status, sizeof(status));
	el_kv_get(result, "error", error, sizeof(error));
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

/* ------------------------------------------------------------ perf cross-check */

/* The guest's own total of a metric over every measured loop. */
static bool guest_total(const struct kvm_run *k, const struct el_stream *s, const char *metric,
			double *total, char *why, size_t n)
{
	int idx = event_index(k->cfg.events_hex, metric);
	bool seen = false, zero = false;

	*total = 0;
	for (size_t b = 0; b < s->nbench; b++)
		for (size_t i = 0; i < s->bench[b].nsample; i++) {
			const struct el_sample *d = &s->bench[b].sample[i];
			zero = zero || (idx >= 0 && (s->bench[b].pmu_zero & (1u << idx)));
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
	if (zero)
		el_fmt(why, n, "pmu%d (%s) read 0 in every sample: " EL_REC_PMU_ZERO_REASON
		       " (no vPMU?)", idx, metric);
	else if (idx >= 0)
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
		c->metric = kvm_metrics[m];
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
		el_fmt(key, sizeof(key), "%s:G", kvm_metrics[m]);
		el_fmt(buf, sizeof(buf), "perf_%s", kvm_metrics[m]);
		kv(b, buf, count_text(perfx_find(&k->perf, key), num, sizeof(num)));
		el_buf_printf(b, "perf_guest_%s=", kvm_metrics[m]);
		el_buf_printf(b, c->have_guest ? "%.0f\n" : "none\n", c->guest);
		el_buf_printf(b, "perf_check_%s=%s\n", kvm_metrics[m], verdict_name(c->c.verdict));
		if (c->c.verdict != PERFX_UNAVAILABLE)
			el_buf_printf(b, "perf_ratio_%s=%.4f\n", kvm_metrics[m], c->c.ratio);
		el_fmt(buf, sizeof(buf), "perf_note_%s", kvm_metrics[m]);
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
