/* Streaming, strict parser for the guest record protocol: see records.h and
 * include/entrylab/proto.h (the contract).  Every line must be a valid
 * record; the first problem is kept as "line N: what" (rec_fail).  The
 * key=value fields of each record are parsed in records_fields.c. */
#include "boot/records.h"
#include "core/csv.h"
#include "boot/records_fields.h"
#include "core/util.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BENCH  256

/* ------------------------------------------------------------ errors */

static int fail_stream(struct el_stream *s, const char *what)
{
	if (!s->error[0])
		el_strlcpy(s->error, what, sizeof(s->error));
	return -1;
}

/* ------------------------------------------------------------ records */

static bool one_of(const char *v, const char *a, const char *b, const char *c)
{
	return !strcmp(v, a) || !strcmp(v, b) || (c && !strcmp(v, c));
}

static struct el_bench *find_bench(struct el_stream *s, const char *name)
{
	for (size_t i = 0; i < s->nbench; i++)
		if (!strcmp(s->bench[i].name, name))
			return &s->bench[i];
	return NULL;
}

static bool is_unavailable(const struct el_stream *s, const char *name)
{
	for (size_t i = 0; i < s->nunavail; i++)
		if (!strcmp(s->unavail[i].name, name))
			return true;
	return false;
}

static int rec_header(struct el_stream *s, const char *text)
{
	static const struct fspec spec[] = {
		DEC("proto", struct el_header, proto, true),
		WORD("variant", struct el_header, variant),
		WORD("short", struct el_header, short_name),
		WORD("ptregs", struct el_header, ptregs),
		WORD("rsp", struct el_header, rsp),
		WORD("regs", struct el_header, regs),
		WORD("exit", struct el_header, exit),
		OPTWORD("pti", struct el_header, pti),
		OPTWORD("spec", struct el_header, spec),
		WORD("build", struct el_header, build),
		WORD("cpu", struct el_header, cpu),
		WORD("hv", struct el_header, hv),
		WORD("mode", struct el_header, mode),
		WORD("unit", struct el_header, unit),
	};
	struct el_header h;
	uint64_t present;

	if (s->header_seen)
		return rec_fail(s, "second @H header");
	memset(&h, 0, sizeof(h));
	if (rec_parse_fields(s, "@H", text, spec, sizeof(spec) / sizeof(spec[0]), &h, &present))
		return -1;
	if (h.proto != EL_PROTO_VERSION)
		return rec_fail(s, "@H: unsupported protocol version proto=%llu (this harness reads %d)",
				(unsigned long long)h.proto, EL_PROTO_VERSION);
	if (!one_of(h.unit, "instructions", "tsc", NULL))
		return rec_fail(s, "@H: unknown unit=%s (accepted: instructions, tsc)", h.unit);
	s->header = h;
	s->header_seen = true;
	return 0;
}

static int rec_bench(struct el_stream *s, const char *text)
{
	static const struct fspec spec[] = {
		WORD("bench", struct el_bench, name),
		DEC("iters", struct el_bench, iters, true),
		DEC("samples", struct el_bench, samples, true),
		DEC("warmup", struct el_bench, warmup, true),
		DEC("events", struct el_bench, events, false),
	};
	struct el_bench b;
	uint64_t present;

	memset(&b, 0, sizeof(b));
	if (rec_parse_fields(s, "@B", text, spec, sizeof(spec) / sizeof(spec[0]), &b, &present))
		return -1;
	b.has_events = present & (1u << 4);
	if (find_bench(s, b.name))
		return rec_fail(s, "@B: benchmark '%s' announced twice", b.name);
	if (is_unavailable(s, b.name))
		return rec_fail(s, "@B: benchmark '%s' was reported unavailable by @N", b.name);
	if (b.has_events && b.events > EL_REC_PMU)
		return rec_fail(s, "@B: impossible value: events=%llu (at most %d)",
				(unsigned long long)b.events, EL_REC_PMU);
	if (s->nbench >= MAX_BENCH)
		return rec_fail(s, "@B: more than %d benchmarks", MAX_BENCH);
	s->bench = el_xrealloc(s->bench, (s->nbench + 1) * sizeof(*s->bench));
	s->bench[s->nbench++] = b;
	return 0;
}

/* @D and @X carry a key that is not a member of the kept struct. */
struct sample_rec {
	char bench[EL_REC_WORD];
	struct el_sample d;
};

struct exc_rec {
	struct el_exception x;
	char mode[EL_REC_WORD];
};

static int check_sample(struct el_stream *s, const struct el_bench *b,
			const struct el_sample *d)
{
	if (d->index != b->nsample)
		return rec_fail(s, "@D: sample index out of order for '%s': expected %zu, got %llu",
				b->name, b->nsample, (unsigned long long)d->index);
	if (b->nsample >= b->samples)
		return rec_fail(s, "@D: more samples for '%s' than the %llu announced",
				b->name, (unsigned long long)b->samples);
	if (d->iters == 0)
		return rec_fail(s, "@D: impossible value: iters=0");
	/* Instruction counts are exact: a loop cannot retire fewer than its
	 * empty twin.  TSC ticks are measurements: a stall in the empty loop
	 * can make it so, and the outlier rule (stats.h) handles the sample. */
	if (d->ticks < d->empty && !strcmp(s->header.unit, "instructions"))
		return rec_fail(s, "@D: impossible value: ticks=%llu < empty=%llu",
				(unsigned long long)d->ticks, (unsigned long long)d->empty);
	for (unsigned i = 0; i < EL_REC_PMU; i++)
		if (((d->pmu_mask | d->epmu_mask) & (1u << i)) && i >= b->events)
			return rec_fail(s, "@D: %spmu%u sent but '%s' announced %llu events",
					d->pmu_mask & (1u << i) ? "" : "e", i, b->name,
					(unsigned long long)b->events);
	return 0;
}

static int rec_sample(struct el_stream *s, const char *text)
{
	struct sample_rec r;
	static const struct fspec spec[] = {
		WORD("bench", struct sample_rec, bench),
		DEC("sample", struct sample_rec, d.index, true),
		DEC("iters", struct sample_rec, d.iters, true),
		DEC("ticks", struct sample_rec, d.ticks, true),
		DEC("empty", struct sample_rec, d.empty, true),
		DEC("pmu0", struct sample_rec, d.pmu[0], false),
		DEC("pmu1", struct sample_rec, d.pmu[1], false),
		DEC("pmu2", struct sample_rec, d.pmu[2], false),
		DEC("pmu3", struct sample_rec, d.pmu[3], false),
		DEC("pmu4", struct sample_rec, d.pmu[4], false),
		DEC("pmu5", struct sample_rec, d.pmu[5], false),
		DEC("pmu6", struct sample_rec, d.pmu[6], false),
		DEC("pmu7", struct sample_rec, d.pmu[7], false),
		DEC("epmu0", struct sample_rec, d.epmu[0], false),
		DEC("epmu1", struct sample_rec, d.epmu[1], false),
		DEC("epmu2", struct sample_rec, d.epmu[2], false),
		DEC("epmu3", struct sample_rec, d.epmu[3], false),
		DEC("epmu4", struct sample_rec, d.epmu[4], false),
		DEC("epmu5", struct sample_rec, d.epmu[5], false),
		DEC("epmu6", struct sample_rec, d.epmu[6], false),
		DEC("epmu7", struct sample_rec, d.epmu[7], false),
	};
	struct el_bench *b;
	uint64_t present, net;

	memset(&r, 0, sizeof(r));
	if (rec_parse_fields(s, "@D", text, spec, sizeof(spec) / sizeof(spec[0]), &r, &present))
		return -1;
	r.d.pmu_mask = (unsigned)(present >> 5) & 0xff;
	r.d.epmu_mask = (unsigned)(present >> 13) & 0xff;
	b = find_bench(s, r.bench);
	if (!b)
		return rec_fail(s, "@D: sample for benchmark '%s' not announced by @B", r.bench);
	if (check_sample(s, b, &r.d))
		return -1;
	if (r.d.ticks >= r.d.empty) {
		net = r.d.ticks - r.d.empty;
		r.d.per_call = (double)net / (double)r.d.iters;
		r.d.exact = net % r.d.iters == 0;
	} else {   /* tsc only (check_sample): negative, never printed as exact */
		r.d.per_call = -(double)(r.d.empty - r.d.ticks) / (double)r.d.iters;
	}
	if (b->nsample == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 16;
		b->sample = el_xrealloc(b->sample, b->cap * sizeof(*b->sample));
	}
	b->sample[b->nsample++] = r.d;
	return 0;
}

static int rec_unavail(struct el_stream *s, const char *text)
{
	static const struct fspec spec[] = {
		WORD("bench", struct el_unavail, name),
		WORD("reason", struct el_unavail, reason),
	};
	struct el_unavail u;
	uint64_t present;

	memset(&u, 0, sizeof(u));
	if (rec_parse_fields(s, "@N", text, spec, 2, &u, &present))
		return -1;
	if (find_bench(s, u.name))
		return rec_fail(s, "@N: benchmark '%s' was already announced by @B", u.name);
	if (is_unavailable(s, u.name))
		return rec_fail(s, "@N: benchmark '%s' reported unavailable twice", u.name);
	if (s->nunavail >= MAX_BENCH)
		return rec_fail(s, "@N: more than %d benchmarks", MAX_BENCH);
	s->unavail = el_xrealloc(s->unavail, (s->nunavail + 1) * sizeof(*s->unavail));
	s->unavail[s->nunavail++] = u;
	return 0;
}

static int rec_probe(struct el_stream *s, const char *text)
{
	static const struct fspec spec[] = {
		BOOL("ok", struct el_probe, ok),
		DEC("cpl_at_entry", struct el_probe, cpl_at_entry, true),
		WORD("reason", struct el_probe, reason),
	};
	struct el_probe p;
	uint64_t present;

	if (s->probe.seen)
		return rec_fail(s, "second @P probe record");
	memset(&p, 0, sizeof(p));
	if (rec_parse_fields(s, "@P", text, spec, 3, &p, &present))
		return -1;
	p.seen = true;
	s->probe = p;
	return 0;
}

static int rec_mitig(struct el_stream *s, const char *text)
{
	static const struct fspec spec[] = {
		WORD("pti", struct el_mitig, pti),
		DEC("pcid", struct el_mitig, pcid, true),
		DEC("invpcid", struct el_mitig, invpcid, true),
		DEC("spec_ctrl", struct el_mitig, spec_ctrl, true),
		DEC("stibp", struct el_mitig, stibp, true),
		DEC("md_clear", struct el_mitig, md_clear, true),
		DEC("arch_capabilities", struct el_mitig, arch_capabilities, true),
		HEX("arch_cap_msr", struct el_mitig, arch_cap_msr),
		DEC("meltdown", struct el_mitig, meltdown, true),
		DEC("mds", struct el_mitig, mds, true),
		DEC("retbleed", struct el_mitig, retbleed, true),
		WORD("spectre_v2", struct el_mitig, spectre_v2),
		WORD("live", struct el_mitig, live),
	};
	struct el_mitig m;
	uint64_t present;

	if (s->mitig.seen)
		return rec_fail(s, "second @M mitigations record");
	memset(&m, 0, sizeof(m));
	if (rec_parse_fields(s, "@M", text, spec, sizeof(spec) / sizeof(spec[0]), &m, &present))
		return -1;
	m.seen = true;
	s->mitig = m;
	return 0;
}

static int rec_exception(struct el_stream *s, const char *text)
{
	struct exc_rec r;
	static const struct fspec spec[] = {
		DEC("vector", struct exc_rec, x.vector, true),
		WORD("name", struct exc_rec, x.name),
		HEX("err", struct exc_rec, x.err),
		HEX("rip", struct exc_rec, x.rip),
		HEX("cs", struct exc_rec, x.cs),
		HEX("rsp", struct exc_rec, x.rsp),
		HEX("cr2", struct exc_rec, x.cr2),
		WORD("mode", struct exc_rec, mode),
		BOOL("fatal", struct exc_rec, x.fatal),
	};
	uint64_t present;

	memset(&r, 0, sizeof(r));
	if (rec_parse_fields(s, "@X", text, spec, sizeof(spec) / sizeof(spec[0]), &r, &present))
		return -1;
	if (r.x.vector > 255)
		return rec_fail(s, "@X: impossible value: vector=%llu", (unsigned long long)r.x.vector);
	if (!one_of(r.mode, "user", "kernel", NULL))
		return rec_fail(s, "@X: unknown mode=%s (accepted: user, kernel)", r.mode);
	r.x.user_mode = !strcmp(r.mode, "user");
	s->exc = el_xrealloc(s->exc, (s->nexc + 1) * sizeof(*s->exc));
	s->exc[s->nexc++] = r.x;
	return 0;
}

static int rec_final(struct el_stream *s, const char *text)
{
	static const struct fspec spec[] = {
		DEC("records", struct el_final, records, true),
		WORD("status", struct el_final, status),
	};
	struct el_final f;
	uint64_t present;

	memset(&f, 0, sizeof(f));
	if (rec_parse_fields(s, "@E", text, spec, 2, &f, &present))
		return -1;
	if (!one_of(f.status, "pass", "fail", "panic"))
		return rec_fail(s, "@E: unknown status=%s (accepted: pass, fail, panic)", f.status);
	f.seen = true;
	s->final = f;
	if (f.records != s->nrecords)
		return rec_fail(s, "@E: record count mismatch: final record says records=%llu "
				"but %llu records came before it",
				(unsigned long long)f.records, (unsigned long long)s->nrecords);
	return 0;
}

static int rec_klog(struct el_stream *s, const char *text)
{
	s->klog = el_xrealloc(s->klog, (s->nklog + 1) * sizeof(*s->klog));
	s->klog[s->nklog++] = el_xstrdup(text);
	return 0;
}

/* ------------------------------------------------------------ TAP */

/* "ok N[ - text][ # SKIP reason]" after the "ok "/"not ok " prefix. */
static int tap_result(struct el_stream *s, const char *rest, bool ok, struct el_tap_line *t)
{
	char num[24];
	size_t n = strspn(rest, "0123456789");
	const char *text = rest + n, *skip;

	if (n == 0 || n >= sizeof(num) || (*text && *text != ' '))
		return rec_fail(s, "@T: malformed TAP result (expected '%sok <number> - <text>')",
				ok ? "" : "not ");
	memcpy(num, rest, n);
	num[n] = '\0';
	if (el_parse_u64(num, &t->number))
		return rec_fail(s, "@T: value overflow: TAP test number %s", num);
	if (t->number != s->tap_run + 1)
		return rec_fail(s, "@T: TAP test number out of order: expected %llu, got %llu",
				(unsigned long long)s->tap_run + 1, (unsigned long long)t->number);
	if (s->tap_plan_seen && t->number > s->tap_planned)
		return rec_fail(s, "@T: TAP test %llu beyond the plan 1..%llu",
				(unsigned long long)t->number, (unsigned long long)s->tap_planned);
	while (*text == ' ')
		text++;
	if (text[0] == '-' && (text[1] == ' ' || !text[1]))
		text += text[1] ? 2 : 1;
	skip = strstr(text, "# SKIP");
	if (!skip)
		skip = strstr(text, "# skip");
	t->kind = skip ? EL_TAP_SKIP : ok ? EL_TAP_OK : EL_TAP_NOT_OK;
	t->text = el_xstrdup(text);
	s->tap_run++;
	if (skip)
		s->tap_skip++;
	else if (ok)
		s->tap_pass++;
	else
		s->tap_fail++;
	return 0;
}

static int tap_plan(struct el_stream *s, const char *count, struct el_tap_line *t)
{
	int rc;

	if (s->tap_plan_seen)
		return rec_fail(s, "@T: second TAP plan");
	rc = el_parse_u64(count, &t->number);
	if (rc == EL_NUM_OVERFLOW)
		return rec_fail(s, "@T: value overflow: TAP plan 1..%s", count);
	if (rc)
		return rec_fail(s, "@T: malformed TAP plan (expected '1..<count>')");
	if (s->tap_run > t->number)
		return rec_fail(s, "@T: TAP plan 1..%llu but %llu tests already ran",
				(unsigned long long)t->number, (unsigned long long)s->tap_run);
	t->kind = EL_TAP_PLAN;
	t->text = el_xstrdup("");
	s->tap_plan_seen = true;
	s->tap_planned = t->number;
	return 0;
}

static int rec_tap(struct el_stream *s, const char *text)
{
	struct el_tap_line t = { 0 };
	int rc;

	if (!strncmp(text, "1..", 3))
		rc = tap_plan(s, text + 3, &t);
	else if (!strncmp(text, "ok ", 3))
		rc = tap_result(s, text + 3, true, &t);
	else if (!strncmp(text, "not ok ", 7))
		rc = tap_result(s, text + 7, false, &t);
	else if (text[0] == '#') {
		t.kind = EL_TAP_COMMENT;
		t.text = el_xstrdup(text);
		rc = 0;
	} else
		rc = rec_fail(s, "@T: malformed TAP line (expected a plan, ok, not ok or # comment)");
	if (rc) {
		free(t.text);
		return -1;
	}
	t.raw = el_xstrdup(text);
	s->tap = el_xrealloc(s->tap, (s->ntap + 1) * sizeof(*s->tap));
	s->tap[s->ntap++] = t;
	return 0;
}

/* ------------------------------------------------------------ lines */

static void keep_tail(struct el_stream *s, const char *line, size_t len)
{
	char *slot = s->tail[s->tail_next];

	if (len > EL_MAX_LINE)
		len = EL_MAX_LINE;
	memcpy(slot, line, len);
	slot[len] = '\0';
	s->tail_next = (s->tail_next + 1) % EL_REC_TAIL;
	if (s->tail_count < EL_REC_TAIL)
		s->tail_count++;
}

static int check_bytes(struct el_stream *s, const char *line, size_t len)
{
	if (len > EL_MAX_LINE - 1)
		return rec_fail(s, "line longer than %d bytes", EL_MAX_LINE);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c < 0x20 || c >= 0x7f)
			return rec_fail(s, "%s byte 0x%02x at column %zu",
					c == 0 ? "NUL" : c >= 0x7f ? "non-ASCII" : "control",
					c, i + 1);
	}
	return 0;
}

static int dispatch(struct el_stream *s, char tag, const char *text)
{
	if (!s->header_seen && tag != 'H')
		return rec_fail(s, "@%c record before the @H header", tag);
	switch (tag) {
	case 'H': return rec_header(s, text);
	case 'B': return rec_bench(s, text);
	case 'D': return rec_sample(s, text);
	case 'N': return rec_unavail(s, text);
	case 'T': return rec_tap(s, text);
	case 'P': return rec_probe(s, text);
	case 'M': return rec_mitig(s, text);
	case 'K': return rec_klog(s, text);
	case 'X': return rec_exception(s, text);
	case 'E': return rec_final(s, text);
	}
	return rec_fail(s, "unknown record tag '@%c' (accepted: @H @B @D @N @T @P @M @K @X @E)", tag);
}

int el_stream_line(struct el_stream *s, const char *line, size_t len)
{
	char text[EL_MAX_LINE + 1];
	char tag;

	s->line_no++;
	keep_tail(s, line, len);
	if (check_bytes(s, line, len))
		goto counted;
	memcpy(text, line, len);
	text[len] = '\0';
	if (s->final.seen) {
		rec_fail(s, "record after the final @E record");
		goto counted;
	}
	if (len < 2 || text[0] != '@' || (len > 2 && text[2] != ' ')) {
		rec_fail(s, "not a record (expected '@<tag> key=value ...')");
		goto counted;
	}
	tag = text[1];
	if (tag != 'E')
		s->nrecords++;
	if (tag == 'T' && len < 4)
		return rec_fail(s, "@T: empty TAP line");
	dispatch(s, tag, len > 2 ? text + 3 : "");
	return s->error[0] ? -1 : 0;
counted:
	if (!s->final.seen)
		s->nrecords++;
	return -1;
}

/* A line longer than the limit is kept up to EL_MAX_LINE bytes, which is
 * one more than a valid line holds, so el_stream_line rejects it. */
int el_stream_feed(struct el_stream *s, const char *buf, size_t len)
{
	s->bytes += len;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n') {
			el_stream_line(s, s->part, s->part_len);
			s->part_len = 0;
		} else if (s->part_len < EL_MAX_LINE) {
			s->part[s->part_len++] = buf[i];
		}
	}
	return s->error[0] ? -1 : 0;
}

/* ------------------------------------------------------------ end of stream */

static int finish_checks(struct el_stream *s)
{
	char msg[EL_MAX_LINE + 128];

	if (s->part_len) {
		s->line_no++;
		keep_tail(s, s->part, s->part_len);
		return rec_fail(s, "truncated record stream: last line has no newline");
	}
	if (s->line_no == 0)
		return fail_stream(s, "empty record stream: the guest sent nothing");
	if (!s->final.seen) {
		el_fmt(msg, sizeof(msg), "truncated record stream: no final @E record after line %llu",
		       (unsigned long long)s->line_no);
		return fail_stream(s, msg);
	}
	for (size_t i = 0; i < s->nbench; i++) {
		const struct el_bench *b = &s->bench[i];
		if (b->nsample != b->samples) {
			el_fmt(msg, sizeof(msg), "benchmark '%s' announced %llu samples but sent %zu",
			       b->name, (unsigned long long)b->samples, b->nsample);
			return fail_stream(s, msg);
		}
	}
	if (s->tap_run && !s->tap_plan_seen)
		return fail_stream(s, "TAP suite without a plan: no '1..N' line");
	if (s->tap_plan_seen && s->tap_run != s->tap_planned) {
		el_fmt(msg, sizeof(msg), "TAP plan mismatch: planned 1..%llu but %llu tests ran",
		       (unsigned long long)s->tap_planned, (unsigned long long)s->tap_run);
		return fail_stream(s, msg);
	}
	return 0;
}

int el_stream_finish(struct el_stream *s)
{
	if (!s->finished) {
		s->finished = true;
		finish_checks(s);
	}
	return s->error[0] ? -1 : 0;
}

/* Counter e of b read 0 in every sample that sent it (and one did). */
static bool counter_reads_zero(const struct el_bench *b, unsigned e)
{
	bool sent = false;

	for (size_t k = 0; k < b->nsample; k++) {
		const struct el_sample *d = &b->sample[k];
		if ((d->pmu_mask & (1u << e) && d->pmu[e]) ||
		    (d->epmu_mask & (1u << e) && d->epmu[e]))
			return false;
		sent = sent || ((d->pmu_mask | d->epmu_mask) & (1u << e));
	}
	return sent;
}

unsigned el_stream_zero_counters(struct el_stream *s)
{
	unsigned marked = 0;

	for (size_t i = 0; i < s->nbench; i++) {
		struct el_bench *b = &s->bench[i];
		uint64_t iters = 0;
		unsigned zero = 0, n = b->events < EL_REC_PMU ? (unsigned)b->events : EL_REC_PMU;

		for (size_t k = 0; k < b->nsample; k++)
			iters += b->sample[k].iters;
		for (unsigned e = 0; e < n; e++)
			zero |= counter_reads_zero(b, e) ? 1u << e : 0;
		/* two or more counters and all of them silent: the PMU counts
		 * nothing, whatever the loop's length (the guest calibrates it: 64
		 * iterations a sample seen under nested KVM); one silent counter
		 * alone or among counting ones over a short loop may be a rare
		 * event that truly did not happen */
		if (!iters || (iters < EL_REC_PMU_ZERO_ITERS && (n < 2 || zero != (1u << n) - 1)))
			continue;
		for (unsigned e = 0; e < n; e++) {
			if (!(zero & (1u << e)))
				continue;
			b->pmu_zero |= 1u << e;
			marked++;
			for (size_t k = 0; k < b->nsample; k++) {
				b->sample[k].pmu_mask &= ~(1u << e);
				b->sample[k].epmu_mask &= ~(1u << e);
			}
		}
	}
	return marked;
}

const char *el_stream_error(const struct el_stream *s)
{
	return s->error[0] ? s->error : NULL;
}

const struct el_bench *el_stream_bench(const struct el_stream *s, const char *name)
{
	return find_bench((struct el_stream *)s, name);
}

unsigned el_stream_tail_count(const struct el_stream *s)
{
	return s->tail_count;
}

const char *el_stream_tail_line(const struct el_stream *s, unsigned i)
{
	unsigned start = (s->tail_next + EL_REC_TAIL - s->tail_count) % EL_REC_TAIL;

	if (i >= s->tail_count)
		return NULL;
	return s->tail[(start + i) % EL_REC_TAIL];
}

void el_stream_init(struct el_stream *s)
{
	memset(s, 0, sizeof(*s));
}

void el_stream_free(struct el_stream *s)
{
	for (size_t i = 0; i < s->nbench; i++)
		free(s->bench[i].sample);
	for (size_t i = 0; i < s->ntap; i++) {
		free(s->tap[i].text);
		free(s->tap[i].raw);
	}
	for (size_t i = 0; i < s->nklog; i++)
		free(s->klog[i]);
	free(s->bench);
	free(s->unavail);
	free(s->tap);
	free(s->exc);
	free(s->klog);
	memset(s, 0, sizeof(*s));
}

void el_sample_csv_fields(struct el_csv *c, const char *variant, const char *short_name,
			  const char *bench, const struct el_sample *d, const char *unit)
{
	el_csv_field(c, variant);
	el_csv_field(c, short_name);
	el_csv_field(c, bench);
	el_csv_printf(c, "%llu", (unsigned long long)d->index);
	el_csv_printf(c, "%llu", (unsigned long long)d->iters);
	el_csv_printf(c, "%llu", (unsigned long long)d->ticks);
	el_csv_printf(c, "%llu", (unsigned long long)d->empty);
	if (d->exact)
		el_csv_printf(c, "%llu", (unsigned long long)((d->ticks - d->empty) / d->iters));
	else
		el_csv_printf(c, "%.4f", d->per_call);
	el_csv_field(c, unit);
}
