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
#include <unistd.h>

#define PAUSE_WAIT_MS 30000      /* from the @K pause line to QEMU's stop */
#define QMP_OPEN_MS   30000

struct tboot {
	const struct lr_trace_req *req;
	struct el_buf *console;
	size_t scanned;              /* console bytes already looked at for pauses */
	char sock[256];
	int fd;                      /* QMP, -1 before the start hook */
	pid_t pid;
	int pauses;                  /* pauses answered */
	char *err;
	size_t errn;
};

static void fail(struct tboot *t, const char *fmt, const char *what)
{
	if (!t->err[0])
		el_fmt(t->err, t->errn, fmt, what);
	if (t->pid > 0)
		kill(t->pid, SIGKILL);   /* the guest waits for us: no point going on */
}

static void started(void *ctx, pid_t pid)
{
	struct tboot *t = ctx;
	char err[512];

	t->pid = pid;
	t->fd = el_qmp_open(t->sock, pid, QMP_OPEN_MS, err, sizeof(err));
	if (t->fd < 0 || el_qmp_exec(t->fd, "cont", err, sizeof(err)))
		fail(t, "trace boot: %s", err);
}

/* The guest stopped itself (pvpanic): the log on or off, then go on. */
static void answer_pause(struct tboot *t, bool on)
{
	char err[512];

	if (t->fd < 0 || el_qmp_wait_status(t->fd, "guest-panicked", PAUSE_WAIT_MS, err, sizeof(err)) ||
	    el_qmp_hmp(t->fd, on ? "singlestep on" : "log none", err, sizeof(err)) ||
	    el_qmp_hmp(t->fd, on ? "log exec,nochain,in_asm" : "singlestep off", err, sizeof(err)) ||
	    el_qmp_exec(t->fd, "cont", err, sizeof(err))) {
		fail(t, "trace boot: %s", err);
		return;
	}
	t->pauses++;
}

static void sink(void *ctx, const char *data, size_t len)
{
	struct tboot *t = ctx;

	el_buf_append(t->console, data, len);
	for (;;) {
		const char *line = t->console->data + t->scanned;
		const char *nl = memchr(line, '\n', t->console->len - t->scanned);
		if (!nl)
			break;
		t->scanned = (size_t)(nl + 1 - t->console->data);
		if (!strncmp(line, "@K pause trace-on\n", 18))
			answer_pause(t, true);
		else if (!strncmp(line, "@K pause trace-off\n", 19))
			answer_pause(t, false);
	}
}

/* The QEMU arguments of the trace boot. */
static void trace_argv(const struct lr_trace_req *r, const char *sock, struct el_argv *a)
{
	char cmdline[2048];
	struct lr_qemu_extra x;
	const char *const *extra = lr_qemu_extra(&x, r->initrd, r->cpu);
	const char *more[] = { "-device", "pvpanic", "-action", "panic=pause", "-D", r->logpath };
	const char *all[24];
	size_t n = 0;

	for (; extra[n]; n++)
		all[n] = extra[n];
	for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++)
		all[n++] = more[i];
	all[n] = NULL;
	el_fmt(cmdline, sizeof(cmdline), "el.mode=tcg-icount el.run=trace el.bench=%s %s%s%s",
	       r->bench, r->row_words, r->append ? " " : "", r->append ? r->append : "");
	struct el_qemu_config c = {
		.qemu = r->qemu, .image = r->image, .cmdline = cmdline, .extra = all,
		.name = r->short_name, .mode = EL_MODE_TCG_ICOUNT, .sandbox = r->sandbox,
		.qmp = sock,
	};
	el_qemu_argv(&c, a);
}

int lr_trace_boot(const struct lr_trace_req *r, struct el_buf *console,
		  struct el_qemu_result *q, char *err, size_t n)
{
	const char *tmp = getenv("TMPDIR");
	char dir[256];
	struct tboot t = { .req = r, .console = console, .fd = -1, .err = err, .errn = n };
	struct el_qemu_limits lim = { r->timeout_ms, LR_TRACE_MAX_CONSOLE };
	struct el_argv a;

	err[0] = '\0';
	el_fmt(dir, sizeof(dir), "%s/entrylab-lrtrace-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		el_fmt(err, n, "cannot create a directory for QEMU's QMP socket: %s: %s: free space "
		       "there or set TMPDIR", dir, strerror(errno));
		memset(q, 0, sizeof(*q));
		q->end = EL_QEMU_SPAWN_ERROR;
		return -1;
	}
	el_fmt(t.sock, sizeof(t.sock), "%s/qmp.sock", dir);
	trace_argv(r, t.sock, &a);
	el_qemu_run_hooked(a.v, &lim, sink, &t, started, &t, q);
	el_argv_free(&a);
	if (t.fd >= 0)
		close(t.fd);
	unlink(t.sock);
	rmdir(dir);
	if (!err[0] && q->end == EL_QEMU_EXITED && t.pauses != 2)
		el_fmt(err, n, "trace boot: the guest stopped %d times, not twice (before and after "
		       "its trace windows): rebuild build/linuxref with 'make'", t.pauses);
	return err[0] ? -1 : 0;
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
		u = strstr(console, "@K ksyms unavailable=");
		el_fmt(why, wn, "%.*s", u ? (int)strcspn(u + 21, "\n") : 0, u ? u + 21 : "");
		for (char *c = why; *c; c++)
			*c = *c == '_' ? ' ' : *c;
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
