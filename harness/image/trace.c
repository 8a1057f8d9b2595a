/* `entrylab trace`, the library half: QEMU's exec log lines, the two marker
 * windows, the path of the call and the QEMU argument vector of a trace
 * boot.  The command itself (one trace, --diff) is trace_cmd.c.  See
 * trace.h. */
#include "image/trace.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ log lines */

/* 1..16 hex digits then the character stop; advances *s past stop. */
static bool hex_then(const char **s, uint64_t *v, char stop)
{
	const char *p = *s;
	int digits = 0;

	*v = 0;
	for (; digits <= 16; p++, digits++) {
		char c = *p;
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			break;
		*v = *v << 4 | (uint64_t)d;
	}
	if (digits == 0 || digits > 16 || *p != stop)
		return false;
	*s = p + 1;
	return true;
}

enum el_log_kind el_log_line(const char *line, uint64_t *pc)
{
	static const char stopped[] = "Stopped execution of TB chain before ";
	const char *b = strchr(line, '[');
	uint64_t cs_base;

	if (!strncmp(line, "Trace ", 6))
		return b && (b++, hex_then(&b, &cs_base, '/')) && hex_then(&b, pc, '/') ?
			EL_LOG_EXEC : EL_LOG_BAD;
	if (!strncmp(line, stopped, sizeof(stopped) - 1))
		return b && (b++, hex_then(&b, pc, ']')) ? EL_LOG_STOPPED : EL_LOG_BAD;
	return EL_LOG_OTHER;
}

/* ------------------------------------------------------------ windows */

void el_trace_log_init(struct el_trace_log *t, uint64_t begin, uint64_t end)
{
	memset(t, 0, sizeof(*t));
	t->begin = begin;
	t->end = end;
}

void el_trace_log_free(struct el_trace_log *t)
{
	free(t->pc[0]);
	free(t->pc[1]);
	t->pc[0] = t->pc[1] = NULL;
}

static void push_pc(struct el_trace_log *t, uint64_t pc)
{
	int w = t->nwin;

	if (t->n[w] >= EL_TRACE_WINDOW_MAX) {
		t->overflow = true;
		return;
	}
	if (t->n[w] == t->cap[w]) {
		t->cap[w] = t->cap[w] ? t->cap[w] * 2 : 1024;
		t->pc[w] = el_xrealloc(t->pc[w], t->cap[w] * sizeof(uint64_t));
	}
	t->pc[w][t->n[w]++] = pc;
}

static void on_exec(struct el_trace_log *t, uint64_t pc)
{
	t->closed_last = false;
	if (t->nwin >= 2)
		return;
	if (!t->open) {
		if (pc == t->begin) {
			t->open = true;
			push_pc(t, pc);
		}
		return;
	}
	if (pc == t->end) {
		t->open = false;
		t->nwin++;
		t->closed_last = true;
		return;
	}
	push_pc(t, pc);
}

/* QEMU entered the block just logged but did not run it (the instruction
 * budget ran out first): take that line back. */
static void on_stopped(struct el_trace_log *t, uint64_t pc)
{
	int w = t->nwin;

	if (t->closed_last && pc == t->end) {
		t->nwin--;
		t->open = true;
	} else if (t->open && t->n[w] && t->pc[w][t->n[w] - 1] == pc) {
		t->n[w]--;
		t->open = t->n[w] > 0;
	}
	t->closed_last = false;
}

void el_trace_log_feed(struct el_trace_log *t, const char *line)
{
	uint64_t pc = 0;

	switch (el_log_line(line, &pc)) {
	case EL_LOG_EXEC:
		t->exec_lines++;
		on_exec(t, pc);
		break;
	case EL_LOG_STOPPED:
		t->stopped_lines++;
		on_stopped(t, pc);
		break;
	case EL_LOG_BAD:
		t->bad_lines++;
		break;
	case EL_LOG_OTHER:
		break;
	}
}

int el_trace_log_read(struct el_trace_log *t, FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		el_trace_log_feed(t, line);
	}
	free(line);
	return ferror(f) ? -1 : 0;
}

/* ------------------------------------------------------------ the path */

int el_trace_find_path(const struct el_image *im, const uint64_t *pc, size_t n,
		       struct el_path *p, char *err, size_t errlen)
{
	const struct el_insn *in = NULL;
	size_t i, end = 0;

	memset(p, 0, sizeof(*p));
	for (i = 0; i + 1 < n; i++) {
		if (el_image_ring(im, pc[i]) != EL_RING3)
			continue;
		in = el_insn_at(im, pc[i]);
		if (in && !strcmp(in->text, "syscall") && el_image_ring(im, pc[i + 1]) == EL_RING0)
			break;
	}
	if (i + 1 >= n || !in || !in->len) {
		el_fmt(err, errlen, "no syscall instruction from ring 3 into ring 0 in the loop window");
		return -1;
	}
	p->start = i;
	p->syscall_pc = pc[i];
	p->return_pc = pc[i] + in->len;
	for (size_t j = i + 1; j < n; j++)
		if (pc[j] == p->return_pc && el_image_ring(im, pc[j - 1]) == EL_RING0)
			end = j;
	if (!end) {
		el_fmt(err, errlen, "the syscall at 0x%llx never returned to 0x%llx in the loop window",
		       (unsigned long long)p->syscall_pc, (unsigned long long)p->return_pc);
		return -1;
	}
	p->len = end - i;
	return 0;
}

/* ------------------------------------------------------------ capture */

static void argv_push(struct el_argv *a, const char *s)
{
	a->v = el_xrealloc(a->v, (a->n + 2) * sizeof(*a->v));
	a->v[a->n++] = el_xstrdup(s);
	a->v[a->n] = NULL;
}

void el_trace_qemu_argv(const char *qemu, const char *image, const char *short_name,
			const char *bench, const char *logpath, bool one_insn_per_tb,
			bool sandbox, struct el_argv *a)
{
	char cmdline[256];
	struct el_qemu_config c = {
		.qemu = qemu, .image = image, .cmdline = cmdline, .name = short_name,
		.mode = EL_MODE_TCG_ICOUNT, .sandbox = sandbox,
	};

	el_fmt(cmdline, sizeof(cmdline), "el.mode=tcg-icount el.run=trace el.bench=%s", bench);
	el_qemu_argv(&c, a);
	for (size_t i = 0; one_insn_per_tb && i + 1 < a->n; i++)
		if (!strcmp(a->v[i], "-accel")) {
			free(a->v[i + 1]);
			a->v[i + 1] = el_xstrdup("tcg,one-insn-per-tb=on");
		}
	if (!one_insn_per_tb)
		argv_push(a, "-singlestep");
	argv_push(a, "-d");
	argv_push(a, "exec,nochain");
	argv_push(a, "-D");
	argv_push(a, logpath);
}
