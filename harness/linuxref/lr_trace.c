/*
 * lr_trace — the trace boot of a Linux row (linuxref.h, lr_trace_*): the
 * same kernel, initramfs and CPU model as the row, booted with
 * el.run=trace.  QEMU's exec log is off while Linux boots (half a billion
 * instructions); /init stops the machine through pvpanic (-action
 * panic=pause) just before and just after its two marker windows, and at
 * each stop this side switches the log on (singlestep, exec, in_asm) or
 * off over QMP and lets it go on.  Afterwards /init sends the kernel's
 * text symbols from /proc/kallsyms (nokaslr: the addresses of the image),
 * and the log and the symbols make an el_image that `entrylab trace`
 * reads like one of our kernels.
 */
#include "linuxref/linuxref.h"
#include "boot/qemu.h"
#include "core/util.h"
#include "host/qmp.h"
#include "image/symbols.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PAUSE_WAIT_MS 30000      /* from the @K pause line to QEMU's stop */
#define QMP_OPEN_MS   30000

/* ------------------------------------------------------------ the pauses */

int lr_session_open(struct lr_session *s, char *err, size_t n)
{
	const char *tmp = getenv("TMPDIR");

	memset(s, 0, sizeof(*s));
	s->qmp.fd = -1;
	el_fmt(s->dir, sizeof(s->dir), "%s/entrylab-lrtrace-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(s->dir)) {
		el_fmt(err, n, "cannot create a directory for QEMU's QMP socket and log: %s: %s: "
		       "free space there or set TMPDIR", s->dir, strerror(errno));
		s->dir[0] = '\0';
		return -1;
	}
	el_fmt(s->sock, sizeof(s->sock), "%s/qmp.sock", s->dir);
	el_fmt(s->log, sizeof(s->log), "%s/exec.log", s->dir);
	return 0;
}

void lr_session_close(struct lr_session *s)
{
	if (s->qmp.fd >= 0)
		el_qmp_close(&s->qmp);
	s->qmp.fd = -1;
	if (s->dir[0]) {
		unlink(s->sock);
		unlink(s->log);
		rmdir(s->dir);
	}
	s->dir[0] = '\0';
}

static void fail(struct lr_session *s, const char *what)
{
	if (!s->err[0])
		el_fmt(s->err, sizeof(s->err), "trace boot: %s", what);
	if (s->pid > 0)
		kill(s->pid, SIGKILL);   /* the guest waits for us: no point going on */
}

static bool alive(void *ctx)
{
	const struct lr_session *s = ctx;

	return kill(s->pid, 0) == 0 && !el_qemu_interrupted;
}

void lr_session_started(void *ctx, pid_t pid)
{
	struct lr_session *s = ctx;
	char err[512];

	s->pid = pid;
	if (el_qmp_open(&s->qmp, s->sock, QMP_OPEN_MS, alive, s, err, sizeof(err)) ||
	    el_qmp_exec(&s->qmp, "cont", NULL, err, sizeof(err)))
		fail(s, err);
}

/* An HMP command through QMP; any answer text is a refusal. */
static int hmp(struct lr_session *s, const char *line, char *err, size_t n)
{
	json_t *ret = NULL;

	if (el_qmp_exec_args(&s->qmp, "human-monitor-command",
			     json_pack("{s:s}", "command-line", line), &ret, err, n))
		return -1;
	if (json_is_string(ret) && json_string_length(ret)) {
		el_fmt(err, n, "QEMU's monitor refused '%s': %.200s: use QEMU 7.2", line,
		       json_string_value(ret));
		json_decref(ret);
		return -1;
	}
	json_decref(ret);
	return 0;
}

/* Poll query-status until the guest has stopped itself (pvpanic). */
static int wait_panicked(struct lr_session *s, char *err, size_t n)
{
	int64_t deadline = el_now_ms() + PAUSE_WAIT_MS;

	for (;;) {
		json_t *ret = NULL;
		if (el_qmp_exec(&s->qmp, "query-status", &ret, err, n))
			return -1;
		const char *st = json_string_value(json_object_get(ret, "status"));
		bool done = st && !strcmp(st, "guest-panicked");
		char seen[64];
		el_fmt(seen, sizeof(seen), "%s", st ? st : "?");
		json_decref(ret);
		if (done)
			return 0;
		if (el_now_ms() > deadline || el_qemu_interrupted) {
			el_fmt(err, n, "QEMU not stopped by the guest within %d ms (state %s): the "
			       "guest did not pause where it should", PAUSE_WAIT_MS, seen);
			return -1;
		}
		struct timespec t = { 0, 2 * 1000 * 1000 };
		nanosleep(&t, NULL);
	}
}

/* The guest stopped itself (pvpanic): the log on or off, then go on. */
static void answer_pause(struct lr_session *s, bool on)
{
	char err[512];

	if (s->qmp.fd < 0 || wait_panicked(s, err, sizeof(err)) ||
	    hmp(s, on ? "singlestep on" : "log none", err, sizeof(err)) ||
	    hmp(s, on ? "log exec,nochain,in_asm" : "singlestep off", err, sizeof(err)) ||
	    el_qmp_exec(&s->qmp, "cont", NULL, err, sizeof(err))) {
		fail(s, err);
		return;
	}
	s->pauses++;
}

void lr_session_feed(struct lr_session *s, const char *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (data[i] != '\n') {
			if (s->len + 1 < sizeof(s->line))
				s->line[s->len++] = data[i];
			continue;
		}
		s->line[s->len] = '\0';
		if (!strcmp(s->line, "@K pause trace-on"))
			answer_pause(s, true);
		else if (!strcmp(s->line, "@K pause trace-off"))
			answer_pause(s, false);
		s->len = 0;
	}
}

int lr_session_check(const struct lr_session *s, char *err, size_t n)
{
	if (s->err[0])
		el_strlcpy(err, s->err, n);
	else if (s->pauses != 2)
		el_fmt(err, n, "trace boot: the guest stopped %d times, not twice (before and after "
		       "its trace windows): rebuild build/linuxref with 'make'", s->pauses);
	return s->err[0] || s->pauses != 2 ? -1 : 0;
}

struct tboot {
	struct lr_session *s;
	struct el_buf *console;
};

static void sink(void *ctx, const char *data, size_t len)
{
	struct tboot *t = ctx;

	el_buf_append(t->console, data, len);
	lr_session_feed(t->s, data, len);
}

int lr_trace_boot(const struct lr_trace_req *r, struct el_buf *console,
		  struct el_qemu_result *q, char *err, size_t n)
{
	char cmdline[2048];
	struct lr_session s;
	struct tboot t = { &s, console };
	struct el_qemu_limits lim = { r->timeout_ms, LR_TRACE_MAX_CONSOLE };
	struct lr_qemu_extra x;
	struct el_argv a;

	memset(q, 0, sizeof(*q));
	if (lr_session_open(&s, err, n) < 0) {
		q->end = EL_QEMU_SPAWN_ERROR;
		return -1;
	}
	el_fmt(cmdline, sizeof(cmdline), "el.mode=tcg-icount el.run=trace el.bench=%s %s%s%s",
	       r->bench, r->row_words, r->append ? " " : "", r->append ? r->append : "");
	struct el_qemu_config c = {
		.qemu = r->qemu, .image = r->image, .cmdline = cmdline,
		.extra = lr_qemu_extra(&x, r->initrd, r->cpu, r->logpath), .name = r->short_name,
		.mode = EL_MODE_TCG_ICOUNT, .sandbox = r->sandbox, .qmp = s.sock,
	};
	el_qemu_argv(&c, &a);
	el_qemu_run_hooked(a.v, &lim, sink, &t, lr_session_started, &s, q);
	el_argv_free(&a);
	int rc = q->end == EL_QEMU_EXITED || s.err[0] ? lr_session_check(&s, err, n) : 0;
	lr_session_close(&s);
	return rc;
}

/* ------------------------------------------------------------ the image */

static void add_sym(struct el_image *im, size_t *cap, uint64_t addr, const char *name)
{
	if (im->nsym == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		im->sym = el_xrealloc(im->sym, *cap * sizeof(*im->sym));
	}
	im->sym[im->nsym++] = (struct el_sym){ addr, 0, el_xstrdup(name), true, true, true };
}

/* The kernel's text symbols from the console's "@K ksyms base=HEX" and
 * "@K s DELTA NAME" lines; why there are none in why ("" when there are). */
static size_t add_kallsyms(struct el_image *im, const char *console, char *why, size_t wn)
{
	size_t cap = im->nsym, added = 0;
	uint64_t addr = 0;
	const char *p, *u;

	el_strlcpy(why, "", wn);
	for (p = console; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		char name[128];
		unsigned long long v;
		if (sscanf(p, "@K ksyms base=%llx", &v) == 1)
			addr = v;
		else if (addr && sscanf(p, "@K s %llx %127s", &v, name) == 2) {
			addr += v;
			add_sym(im, &cap, addr, name);
			added++;
		}
	}
	if (!added) {
		u = strstr(console, "@K ksyms unavailable: ");
		el_fmt(why, wn, "%.*s", u ? (int)strcspn(u + 22, "\n") : 0, u ? u + 22 : "");
		if (!why[0])
			el_strlcpy(why, "the guest sent no kernel symbols", wn);
	}
	return added;
}

/* QEMU's in_asm lines, "0xffffffff81e00000:  swapgs": the text of every
 * kernel instruction that ran while the log was on (the user program's
 * come from objdump, with their lengths). */
static void add_in_asm(struct el_image *im, const char *logpath)
{
	FILE *f = fopen(logpath, "r");
	char *line = NULL;
	size_t cap = 0, icap = im->ninsn;
	ssize_t len;

	while (f && (len = getline(&line, &cap, f)) > 0) {
		unsigned long long pc;
		int off = 0;
		if (line[0] != '0' || sscanf(line, "0x%llx:%n", &pc, &off) != 1 || !off ||
		    el_image_ring(im, pc) != EL_RING0)
			continue;
		line[len - (line[len - 1] == '\n')] = '\0';
		const char *text = line + off;
		/* QEMU shows the first bytes in hex before the mnemonic
		 * ("0f 01 f8 swapgs"); no x86 mnemonic is two hex digits */
		for (;;) {
			while (*text == ' ')
				text++;
			if (!(isxdigit((unsigned char)text[0]) && isxdigit((unsigned char)text[1]) &&
			      (text[2] == ' ' || text[2] == '\t')))
				break;
			text += 2;
		}
		if (im->ninsn == icap) {
			icap = icap ? icap * 2 : 1024;
			im->insn = el_xrealloc(im->insn, icap * sizeof(*im->insn));
		}
		struct el_buf b = { 0 };   /* blank runs to one space, like objdump's */
		for (const char *c = text; *c; c++)
			if (!(*c == ' ' || *c == '\t') || (b.len && b.data[b.len - 1] != ' '))
				el_buf_append(&b, *c == '\t' ? " " : c, 1);
		while (b.len && b.data[b.len - 1] == ' ')
			b.data[--b.len] = '\0';
		im->insn[im->ninsn++] = (struct el_insn){ pc, 0, b.data ? b.data : el_xstrdup("") };
	}
	free(line);
	if (f)
		fclose(f);
}

void lr_trace_kernel(struct el_image *im, const char *console, const char *logpath,
		     char *nosyms, size_t nn)
{
	add_kallsyms(im, console, nosyms, nn);
	add_in_asm(im, logpath);
	el_image_sort(im);
	/* one text per address: in_asm logs an instruction again when QEMU
	 * translates it again */
	size_t k = 0;
	for (size_t i = 0; i < im->ninsn; i++) {
		if (k && im->insn[k - 1].addr == im->insn[i].addr) {
			free(im->insn[i].text);
			continue;
		}
		im->insn[k++] = im->insn[i];
	}
	im->ninsn = k;
}
