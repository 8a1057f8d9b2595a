/* run_verdict — how one boot of `entrylab run` ended: el_run_classify turns
 * QEMU's end and the guest's record stream into an el_exit status, a status
 * word and a one-line error.  Contract in run.h. */
#include "cmd/run.h"
#include "core/exitcodes.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

static void verdict(struct el_run_verdict *v, int exit, const char *status)
{
	v->exit = exit;
	v->status = status;
}

/* First line of QEMU's stderr, for messages. */
static void first_line(const struct el_buf *b, char *dst, size_t size)
{
	size_t n = 0;

	while (n < b->len && b->data[n] != '\n' && n + 1 < size)
		n++;
	memcpy(dst, n ? b->data : "no message", n ? n : 10);
	dst[n ? n : 10] = '\0';
}

static const struct el_exception *last_exception(const struct el_stream *s)
{
	for (size_t i = s->nexc; i > 0; i--)
		if (s->exc[i - 1].fatal)
			return &s->exc[i - 1];
	return s->nexc ? &s->exc[s->nexc - 1] : NULL;
}

static void crash_message(const struct el_qemu_result *q, const struct el_stream *s,
			  enum el_guest_end g, char *dst, size_t size)
{
	const struct el_exception *x = last_exception(s);
	char line[256];

	if (x) {
		el_fmt(dst, size, "guest exception %s%s (vector %llu) at rip 0x%llx in %s mode",
		       x->name[0] == '#' ? "" : "#", x->name, (unsigned long long)x->vector,
		       (unsigned long long)x->rip, x->user_mode ? "user" : "kernel");
		return;
	}
	first_line(&q->err, line, sizeof(line));
	if (g == EL_GUEST_PANIC)
		el_fmt(dst, size, "guest panic (QEMU status %d) after line %llu", q->code,
		       (unsigned long long)s->line_no);
	else if (g == EL_GUEST_RESET)
		el_fmt(dst, size, "guest reset or triple fault (QEMU exited 0 without an exit code) "
		       "after line %llu", (unsigned long long)s->line_no);
	else if (g == EL_GUEST_KILLED)
		el_fmt(dst, size, "QEMU died from signal %d (%s): %s", q->code, strsignal(q->code), line);
	else if (q->end == EL_QEMU_HV_ERROR) {
		const char *k = q->err.data ? strstr(q->err.data, "KVM internal error") : NULL;
		size_t n = k ? strcspn(k, "\n") : 0;
		el_fmt(dst, size, "KVM could not run the guest (QEMU: %.*s), killed after %.3g s",
		       (int)(n < 120 ? n : 120), k ? k : "", (double)q->wall_ms / 1000.0);
	}
	else
		el_fmt(dst, size, "QEMU exited with status %d: %s", q->code, line);
}

static bool no_qemu(const struct el_qemu_result *q, const char *qemu_path,
		    struct el_run_verdict *v)
{
	const char *bin = qemu_path ? qemu_path : EL_QEMU_DEFAULT;

	if (q->end == EL_QEMU_NOT_FOUND && !qemu_path)
		el_qemu_not_found_hint(v->error, sizeof(v->error));
	else if (q->end == EL_QEMU_NOT_FOUND)
		el_fmt(v->error, sizeof(v->error), "%s not found: --qemu: fix the path or install qemu-system-x86", bin);
	else if (q->end == EL_QEMU_EXEC_ERROR)
		el_fmt(v->error, sizeof(v->error), "cannot execute %s: %s: check --qemu", bin, strerror(q->code));
	else
		el_fmt(v->error, sizeof(v->error), "cannot start QEMU: %s: free resources and retry", strerror(q->code));
	verdict(v, EL_EX_USAGE, "usage");
	return true;
}

/* The stream is complete and valid: does it agree with QEMU's status and
 * with what was asked for? */
static void check_agreement(const struct el_qemu_result *q, const struct el_stream *s,
			    const char *name, enum el_mode mode, struct el_run_verdict *v)
{
	bool pass = el_qemu_decode(q) == EL_GUEST_PASS;

	if (strcmp(s->header.unit, el_mode_unit(mode)))
		el_fmt(v->error, sizeof(v->error), "guest header says unit=%s but mode %s counts %s",
		       s->header.unit, el_mode_name(mode), el_mode_unit(mode));
	else if (strcmp(s->header.short_name, name))
		el_fmt(v->error, sizeof(v->error), "image reports variant short=%s but --name is %s",
		       s->header.short_name, name);
	else if (strcmp(s->final.status, pass ? "pass" : "fail") || (pass && s->tap_fail))
		el_fmt(v->error, sizeof(v->error), "QEMU status %d (%s) disagrees with the final record "
		       "(status=%s, %llu TAP failures)", q->code, pass ? "pass" : "check failed",
		       s->final.status, (unsigned long long)s->tap_fail);
	else if (pass) {
		verdict(v, EL_EX_OK, "pass");
		return;
	} else {
		const char *first = "none in TAP";
		for (size_t i = 0; i < s->ntap; i++)
			if (s->tap[i].kind == EL_TAP_NOT_OK) {
				first = s->tap[i].raw;
				break;
			}
		el_fmt(v->error, sizeof(v->error), "conformance failed: %llu of %llu checks failed "
		       "(first: %s)", (unsigned long long)s->tap_fail,
		       (unsigned long long)s->tap_run, first);
		verdict(v, EL_EX_FAIL, "fail");
		return;
	}
	verdict(v, EL_EX_PROTOCOL, "protocol");
}

static const char *const all_benches[] = {
#define EL_BENCH(name, features, description) #name,
#include "entrylab/benches.def"
#undef EL_BENCH
	NULL
};

static bool reported_unavailable(const struct el_stream *s, const char *bench)
{
	for (size_t i = 0; i < s->nunavail; i++)
		if (!strcmp(s->unavail[i].name, bench))
			return true;
	return false;
}

/* One asked benchmark: measured with every sample, or reported unavailable.
 * false with why in dst. */
static bool bench_delivered(const struct el_stream *s, const char *bench, uint64_t samples,
			    char *dst, size_t size)
{
	const struct el_bench *b = el_stream_bench(s, bench);

	if (!b && !reported_unavailable(s, bench)) {
		el_fmt(dst, size, "benchmark %s was asked for but neither measured nor reported "
		       "unavailable", bench);
		return false;
	}
	if (b && (b->samples != samples || b->nsample != samples)) {
		el_fmt(dst, size, "benchmark %s sent %zu of the %llu samples asked for", bench,
		       b->nsample, (unsigned long long)samples);
		return false;
	}
	return true;
}

/* A passing stream: did it deliver what was asked?  (--append can override
 * el.run, el.bench and el.samples; the guest takes the first of each.) */
static void check_delivered(const struct el_stream *s, const struct el_run_want *w,
			    struct el_run_verdict *v)
{
	char why[512] = "";

	if (w->conform && (!s->tap_plan_seen || !s->tap_planned))
		el_fmt(why, sizeof(why), "no conformance run: the guest sent no TAP plan though "
		       "conform was asked for");
	else if (w->probe && !s->probe.seen)
		el_fmt(why, sizeof(why), "no probe record though probe was asked for");
	if (!why[0] && w->bench) {
		char *list = el_xstrdup(w->bench_list ? w->bench_list : ""), *save = NULL, *b;
		if (w->bench_list) {
			for (b = strtok_r(list, ",", &save); b && !why[0]; b = strtok_r(NULL, ",", &save))
				bench_delivered(s, b, w->samples, why, sizeof(why));
		} else {
			for (size_t i = 0; all_benches[i] && !why[0]; i++)
				bench_delivered(s, all_benches[i], w->samples, why, sizeof(why));
		}
		free(list);
	}
	if (why[0]) {
		el_fmt(v->error, sizeof(v->error), "%s: check --append or --append-for for "
		       "el.run, el.bench or el.samples", why);
		verdict(v, EL_EX_PROTOCOL, "protocol");
	}
}

void el_run_classify(const struct el_qemu_result *q, const struct el_stream *s,
		     const char *name, enum el_mode mode, const char *qemu_path,
		     size_t max_output, const struct el_run_want *want,
		     struct el_run_verdict *v)
{
	enum el_guest_end g = el_qemu_decode(q);
	char what[900];

	memset(v, 0, sizeof(*v));
	switch (g) {
	case EL_GUEST_NO_QEMU:
		no_qemu(q, qemu_path, v);
		return;
	case EL_GUEST_INTERRUPTED:
		el_fmt(v->error, sizeof(v->error), "interrupted: QEMU killed, nothing published: variant %s", name);
		verdict(v, EL_EX_INTERRUPTED, "interrupted");
		return;
	case EL_GUEST_HANG:
		el_fmt(v->error, sizeof(v->error), "guest hung: killed after %.3g s: variant %s",
		       (double)q->wall_ms / 1000.0, name);
		verdict(v, EL_EX_HANG, "hang");
		return;
	case EL_GUEST_FLOOD:
		el_fmt(v->error, sizeof(v->error), "guest flooded the console: killed at the %zu-byte output cap: "
		       "variant %s", max_output, name);
		verdict(v, EL_EX_PROTOCOL, "protocol");
		return;
	case EL_GUEST_PANIC:
	case EL_GUEST_RESET:
	case EL_GUEST_KILLED:
	case EL_GUEST_QEMU_ERROR:
		crash_message(q, s, g, what, sizeof(what));
		el_fmt(v->error, sizeof(v->error), "%s: variant %s", what, name);
		verdict(v, EL_EX_CRASH, "crash");
		return;
	case EL_GUEST_PASS:
	case EL_GUEST_CHECK_FAILED:
		break;
	}
	if (el_stream_error(s)) {
		el_fmt(v->error, sizeof(v->error), "%s: variant %s", el_stream_error(s), name);
		verdict(v, EL_EX_PROTOCOL, "protocol");
		return;
	}
	check_agreement(q, s, name, mode, v);
	if (v->exit == EL_EX_OK && want)
		check_delivered(s, want, v);
	if (v->exit != EL_EX_OK) {
		el_strlcpy(what, v->error, sizeof(what));
		el_fmt(v->error, sizeof(v->error), "%s: variant %s", what, name);
	}
}
