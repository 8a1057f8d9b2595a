/*
 * perfx — `perf stat` command line, CSV parser and guest/perf comparison.
 * Contract in perfx.h.
 */
#include "host/perfx.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"

#define PERFX_MAX_FIELDS 8

int perfx_kvm_exit_available(const char *root)
{
	static const char *const dirs[] = {
		"sys/kernel/tracing/events/kvm/kvm_exit",
		"sys/kernel/debug/tracing/events/kvm/kvm_exit",
	};
	size_t i;

	if (!root || !root[0])
		root = "/";
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char path[512];

		snprintf(path, sizeof(path), "%s%s%s", root,
			 root[strlen(root) - 1] == '/' ? "" : "/", dirs[i]);
		if (access(path, F_OK) == 0)
			return 1;
	}
	return 0;
}

int perfx_build(struct perfx_cmd *cmd, pid_t tid, const char *outfile,
		int with_kvm_exit)
{
	int a = 0;

	memset(cmd, 0, sizeof(*cmd));
	if (tid <= 0 || (outfile && strlen(outfile) >= sizeof(cmd->out)))
		return -1;
	snprintf(cmd->tid, sizeof(cmd->tid), "%d", (int)tid);
	snprintf(cmd->events, sizeof(cmd->events), "cycles:G,instructions:G%s",
		 with_kvm_exit ? ",kvm:kvm_exit" : "");
	cmd->argv[a++] = "perf";
	cmd->argv[a++] = "stat";
	cmd->argv[a++] = "-x,";
	if (outfile) {
		snprintf(cmd->out, sizeof(cmd->out), "%s", outfile);
		cmd->argv[a++] = "-o";
		cmd->argv[a++] = cmd->out;
	}
	cmd->argv[a++] = "-e";
	cmd->argv[a++] = cmd->events;
	cmd->argv[a++] = "-t";
	cmd->argv[a++] = cmd->tid;
	cmd->argv[a] = NULL;
	return 0;
}

/* Split line (modified in place) at commas into at most max fields. */
static int split(char *line, char **f, int max)
{
	int nf = 0;

	for (;;) {
		if (nf == max)
			return -1;
		f[nf++] = line;
		line = strchr(line, ',');
		if (!line)
			return nf;
		*line++ = '\0';
	}
}

static int parse_double(const char *s, double *v)
{
	char *end;

	if (!*s || isspace((unsigned char)*s))
		return -1;
	*v = strtod(s, &end);
	return *end || !isfinite(*v) ? -1 : 0;
}

/* Fill c from the fields of one CSV line; returns NULL or what is wrong. */
static const char *parse_fields(char **f, int nf, struct perfx_count *c)
{
	memset(c, 0, sizeof(*c));
	c->running_pct = -1.0;
	if (nf < 3)
		return "fewer than 3 fields";
	if (!strcmp(f[0], "<not supported>"))
		c->state = PERFX_NOT_SUPPORTED;
	else if (!strcmp(f[0], "<not counted>"))
		c->state = PERFX_NOT_COUNTED;
	else if (parse_double(f[0], &c->value) != 0 || c->value < 0)
		return "value is not a count";
	if (!f[2][0] || strlen(f[2]) >= sizeof(c->event))
		return "event name empty or too long";
	if (strlen(f[1]) >= sizeof(c->unit))
		return "unit too long";
	snprintf(c->event, sizeof(c->event), "%s", f[2]);
	snprintf(c->unit, sizeof(c->unit), "%s", f[1]);
	if (nf >= 5 && f[4][0] && parse_double(f[4], &c->running_pct) != 0)
		return "running percentage is not a number";
	return NULL;
}

static int is_blank(const char *s)
{
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return 0;
	return 1;
}

int perfx_parse(const char *text, struct perfx_result *r, char *err, size_t n)
{
	const char *p = text ? text : "";
	int lineno = 0;

	memset(r, 0, sizeof(*r));
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[512], *f[PERFX_MAX_FIELDS];
		const char *bad;
		int nf;

		lineno++;
		if (len >= sizeof(line)) {
			el_fmt(err, n, "perf output line %d: longer than %zu bytes: "
			       "expected value,unit,event,...", lineno, sizeof(line) - 1);
			return -1;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		if (len && line[len - 1] == '\r')
			line[len - 1] = '\0';
		p = nl ? nl + 1 : p + len;
		if (line[0] == '#' || is_blank(line))
			continue;
		if (r->n == PERFX_MAX_COUNTS) {
			el_fmt(err, n, "perf output line %d: more than %d counts: expected "
			       "the events entrylab asked for", lineno, PERFX_MAX_COUNTS);
			return -1;
		}
		nf = split(line, f, PERFX_MAX_FIELDS);
		bad = nf < 0 ? "too many fields" : parse_fields(f, nf, &r->c[r->n]);
		if (bad) {
			el_fmt(err, n, "perf output line %d: %s: expected value,unit,event,"
			       "run-time,pct (perf stat -x,)", lineno, bad);
			return -1;
		}
		r->n++;
	}
	return 0;
}

const struct perfx_count *perfx_find(const struct perfx_result *r, const char *event)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->c[i].event, event))
			return &r->c[i];
	return NULL;
}

static const char *state_text(const struct perfx_count *c)
{
	if (!c)
		return "not measured";
	return c->state == PERFX_NOT_SUPPORTED ? "<not supported>" : "<not counted>";
}

static void exits_warning(const struct perfx_count *exits, struct perfx_check *out)
{
	if (!exits || exits->state != PERFX_COUNTED || exits->value < 1)
		return;
	snprintf(out->exits_warning, sizeof(out->exits_warning),
		 "%.0f VM exits while the vCPU ran (boot included): a TSC-timed sample "
		 "that spans an exit includes the host's handling time; check the "
		 "samples' spread and the exit reasons (perf kvm stat)", exits->value);
}

void perfx_compare(const char *metric, double guest, const struct perfx_count *perf,
		   const struct perfx_count *exits, struct perfx_check *out)
{
	memset(out, 0, sizeof(*out));
	exits_warning(exits, out);
	if (!perf || perf->state != PERFX_COUNTED) {
		out->verdict = PERFX_UNAVAILABLE;
		snprintf(out->note, sizeof(out->note), "perf could not count %s for the "
			 "vCPU thread (%s): no cross-check", metric, state_text(perf));
		return;
	}
	if (perf->value <= 0 || !(guest >= 0)) {
		out->verdict = PERFX_DISAGREE;
		snprintf(out->note, sizeof(out->note), "perf counted %.0f guest-mode %s "
			 "for the vCPU thread, the guest reported %.0f: one side counted "
			 "nothing", perf->value, metric, guest);
		return;
	}
	out->ratio = guest / perf->value;
	if (guest > 0 && out->ratio <= 1.0 + PERFX_TOLERANCE) {
		out->verdict = PERFX_AGREE;
		return;
	}
	out->verdict = PERFX_DISAGREE;
	snprintf(out->note, sizeof(out->note), "guest reported %.0f %s but perf counted "
		 "%.0f in guest mode for the vCPU thread (ratio %.3f): the guest counter "
		 "does not count what it claims; check el.events and the vPMU",
		 guest, metric, perf->value, out->ratio);
}
