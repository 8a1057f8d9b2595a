/* Reading a guest kernel image: see symbols.h.  The ELF file is read by
 * image/elf.h (libelf). */
#include "image/symbols.h"
#include "boot/qemu.h"
#include "core/util.h"
#include "image/elf.h"

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMAGE_MAX      (256u << 20)   /* bytes of image we are willing to read */
#define OBJDUMP_MAX    (256u << 20)   /* bytes of objdump output */
#define OBJDUMP_TIMEOUT_MS 60000
#define FORMAT_REACH   0x10000        /* symbol+offset only within 64 KiB */

/* ------------------------------------------------------------ symbols (image/elf.h) */

/* Best name first among symbols at one address: functions, then globals,
 * then names without a leading underscore, then by name. */
static int sym_cmp(const void *pa, const void *pb)
{
	const struct el_sym *a = pa, *b = pb;

	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	if (a->func != b->func)
		return a->func ? -1 : 1;
	if (a->global != b->global)
		return a->global ? -1 : 1;
	if ((a->name[0] == '_') != (b->name[0] == '_'))
		return a->name[0] == '_' ? 1 : -1;
	return strcmp(a->name, b->name);
}

struct sym_ctx {
	struct el_image *im;
	size_t cap;
};

static int add_sym(void *ctx, const struct el_elf_sym *s)
{
	struct sym_ctx *c = ctx;
	struct el_image *im = c->im;
	struct el_sym *d;

	if (s->shndx == SHN_UNDEF || !s->name[0] ||
	    (s->type != STT_NOTYPE && s->type != STT_FUNC && s->type != STT_OBJECT))
		return 0;
	if (c->cap == im->nsym) {
		c->cap = c->cap ? c->cap * 2 : 256;
		im->sym = el_xrealloc(im->sym, c->cap * sizeof(*im->sym));
	}
	d = &im->sym[im->nsym++];
	d->addr = s->value;
	d->size = s->size;
	d->name = el_xstrdup(s->name);
	d->global = s->bind != STB_LOCAL;
	d->func = s->type == STT_FUNC;
	d->code = s->code;
	return 0;
}

static void free_syms(struct el_image *im)
{
	for (size_t i = 0; i < im->nsym; i++)
		free(im->sym[i].name);
	free(im->sym);
	im->sym = NULL;
	im->nsym = 0;
}

int el_elf_symbols(struct el_image *im, const unsigned char *buf, size_t len,
		   char *err, size_t errlen)
{
	struct sym_ctx c = { im, 0 };
	struct el_elf x;
	int rc;

	free_syms(im);
	rc = el_elf_open_mem(&x, buf, len, err, errlen) || el_elf_check_x86_64(&x, err, errlen) ||
	     el_elf_symbols_each(&x, add_sym, &c, err, errlen) ? -1 : 0;
	el_elf_end(&x);
	if (rc) {
		free_syms(im);
		return -1;
	}
	if (im->nsym)
		qsort(im->sym, im->nsym, sizeof(*im->sym), sym_cmp);
	return 0;
}

/* ------------------------------------------------------------ lookups */

const struct el_sym *el_sym_find(const struct el_image *im, const char *name)
{
	for (size_t i = 0; i < im->nsym; i++)
		if (!strcmp(im->sym[i].name, name))
			return &im->sym[i];
	return NULL;
}

const struct el_sym *el_sym_at(const struct el_image *im, uint64_t addr)
{
	size_t lo = 0, hi = im->nsym;   /* first index with sym.addr >= addr */

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (im->sym[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < im->nsym && im->sym[lo].addr == addr ? &im->sym[lo] : NULL;
}

const struct el_sym *el_sym_lookup(const struct el_image *im, uint64_t addr)
{
	size_t lo = 0, hi = im->nsym;   /* first index with sym.addr > addr */

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (im->sym[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo > 0 && !im->sym[lo - 1].code)
		lo--;
	if (lo == 0)
		return NULL;
	lo--;
	while (lo > 0 && im->sym[lo - 1].addr == im->sym[lo].addr && im->sym[lo - 1].code)
		lo--;
	return &im->sym[lo];
}

char *el_sym_format(const struct el_image *im, uint64_t addr, char *dst, size_t size)
{
	const struct el_sym *s = el_sym_lookup(im, addr);

	if (s && addr - s->addr < FORMAT_REACH)
		el_fmt(dst, size, "%s+0x%llx", s->name, (unsigned long long)(addr - s->addr));
	else
		el_fmt(dst, size, "0x%llx", (unsigned long long)addr);
	return dst;
}

size_t el_insn_index(const struct el_image *im, uint64_t addr)
{
	size_t lo = 0, hi = im->ninsn;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (im->insn[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct el_insn *el_insn_at(const struct el_image *im, uint64_t addr)
{
	size_t i = el_insn_index(im, addr);

	return i < im->ninsn && im->insn[i].addr == addr ? &im->insn[i] : NULL;
}

enum el_ring el_image_ring(const struct el_image *im, uint64_t addr)
{
	if (im->linux_layout)
		return addr >= 0xffff800000000000ull ? EL_RING0 :
		       addr < 0x0000800000000000ull ? EL_RING3 : EL_RING_UNKNOWN;
	if (addr >= im->user_start && addr < im->user_end)
		return EL_RING3;
	if (addr >= EL_KERNEL_BASE && addr < im->user_start)
		return EL_RING0;
	return EL_RING_UNKNOWN;
}

/* Copy text, replacing "HEX <sym+off>" by "<sym>" and "0xHEX" that is a
 * symbol's address by the symbol's name. */
static void normalize(const struct el_image *im, const char *s, struct el_buf *b)
{
	while (*s) {
		size_t h = strspn(s, "0123456789abcdef");
		if (h >= 4 && (s[h] == ' ') && s[h + 1] == '<') {
			s += h + 1;
			continue;
		}
		if (*s == '<') {
			size_t n = strcspn(s, "+>");
			el_buf_append(b, s, n);
			el_buf_puts(b, ">");
			s += n;
			s += strcspn(s, ">");
			s += *s == '>';
			continue;
		}
		if (s[0] == '0' && s[1] == 'x' && (h = strspn(s + 2, "0123456789abcdef")) >= 5 &&
		    h <= 16) {
			uint64_t v = strtoull(s + 2, NULL, 16);
			const struct el_sym *sym = el_sym_at(im, v);
			if (v >= EL_KERNEL_BASE && sym) {
				el_buf_puts(b, sym->name);
				s += 2 + h;
				continue;
			}
		}
		el_buf_append(b, s, 1);
		s++;
	}
}

char *el_image_insn_key(const struct el_image *im, uint64_t pc, char *dst, size_t size)
{
	const struct el_sym *sym = el_sym_lookup(im, pc);
	const struct el_insn *in = el_insn_at(im, pc);
	struct el_buf b = { 0 };

	el_buf_printf(&b, "%s|", sym ? sym->name : "?");
	normalize(im, in ? in->text : "?", &b);
	el_strlcpy(dst, b.data, size);
	el_buf_free(&b);
	return dst;
}

/* ------------------------------------------------------------ disassembly */

static void free_insns(struct el_image *im)
{
	for (size_t i = 0; i < im->ninsn; i++)
		free(im->insn[i].text);
	free(im->insn);
	im->insn = NULL;
	im->ninsn = 0;
}

/* Copy s (n bytes) with blank runs collapsed and ends trimmed. */
static char *collapse(const char *s, size_t n)
{
	char *d = el_xrealloc(NULL, n + 1), *o = d;

	for (size_t i = 0; i < n; i++) {
		bool blank = s[i] == ' ' || s[i] == '\t';
		if (!blank)
			*o++ = (unsigned char)s[i] < 0x20 ? '?' : s[i];
		else if (o > d && o[-1] != ' ')
			*o++ = ' ';
	}
	while (o > d && o[-1] == ' ')
		o--;
	*o = '\0';
	return d;
}

/* "  1025c0:\tswapgs": returns true and the address and text. */
static bool insn_line(const char *l, size_t n, uint64_t *addr, const char **text, size_t *tlen)
{
	size_t i = 0, digits = 0;
	uint64_t a = 0;

	while (i < n && l[i] == ' ')
		i++;
	for (; i < n && digits < 17; i++, digits++) {
		char c = l[i];
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (v < 0)
			break;
		a = a << 4 | (uint64_t)v;
	}
	if (!digits || digits > 16 || i + 1 >= n || l[i] != ':' || l[i + 1] != '\t')
		return false;
	*addr = a;
	*text = l + i + 2;
	*tlen = n - i - 2;
	return true;
}

static int insn_cmp(const void *pa, const void *pb)
{
	const struct el_insn *a = pa, *b = pb;

	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

size_t el_disasm_parse(struct el_image *im, const char *text, size_t len)
{
	size_t cap = 0, pos = 0;
	bool joined = false;   /* the previous instruction runs on into this line */

	free_insns(im);
	while (pos < len) {
		const char *l = text + pos, *nl = memchr(l, '\n', len - pos), *t;
		size_t n = nl ? (size_t)(nl - l) : len - pos, tlen;
		uint64_t addr;

		pos += n + 1;
		if (!insn_line(l, n, &addr, &t, &tlen)) {
			/* blank and label lines ("addr <sym>:") keep the run;
			 * anything else (a section header, "..." for skipped
			 * zero bytes) breaks it */
			bool label = n > 0 && l[n - 1] == ':' && memchr(l, '<', n);
			if (n && !label)
				joined = false;
			continue;
		}
		if (im->ninsn == cap) {
			cap = cap ? cap * 2 : 4096;
			im->insn = el_xrealloc(im->insn, cap * sizeof(*im->insn));
		}
		if (joined && addr > im->insn[im->ninsn - 1].addr &&
		    addr - im->insn[im->ninsn - 1].addr <= 15)
			im->insn[im->ninsn - 1].len = (unsigned)(addr - im->insn[im->ninsn - 1].addr);
		im->insn[im->ninsn++] = (struct el_insn){ addr, 0, collapse(t, tlen) };
		joined = true;
	}
	if (im->ninsn)
		qsort(im->insn, im->ninsn, sizeof(*im->insn), insn_cmp);
	return im->ninsn;
}

static void buf_sink(void *ctx, const char *data, size_t len)
{
	el_buf_append(ctx, data, len);
}

static int run_objdump(struct el_image *im, char *err, size_t errlen)
{
	char *argv[] = { "objdump", "-d", "--no-show-raw-insn", im->path, NULL };
	struct el_qemu_limits lim = { OBJDUMP_TIMEOUT_MS, OBJDUMP_MAX };
	struct el_qemu_result res;
	struct el_buf out = { 0 };
	int rc = -1;

	el_qemu_run(argv, &lim, buf_sink, &out, &res);
	if (res.end == EL_QEMU_NOT_FOUND)
		el_fmt(err, errlen, "objdump not found: PATH: install binutils");
	else if (res.end != EL_QEMU_EXITED || res.code != 0)
		el_fmt(err, errlen, "objdump failed on the image: %s: check the file (objdump said: %.200s)",
		       im->path, res.err.len ? res.err.data : "nothing");
	else if (!el_disasm_parse(im, out.data ? out.data : "", out.len))
		el_fmt(err, errlen, "objdump printed no instructions: %s: rebuild the image with 'make'",
		       im->path);
	else
		rc = 0;
	el_qemu_result_free(&res);
	el_buf_free(&out);
	return rc;
}

/* ------------------------------------------------------------ the image */

static int read_file(const char *path, unsigned char **buf, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16;

	*len = 0;
	if (!f) {
		el_fmt(err, errlen, "cannot read kernel image: %s: %s: run 'make' or check the name",
		       path, strerror(errno));
		return -1;
	}
	*buf = el_xrealloc(NULL, cap);
	for (;;) {
		size_t n = fread(*buf + *len, 1, cap - *len, f);
		*len += n;
		if (n == 0 || *len > IMAGE_MAX)
			break;
		if (*len == cap)
			*buf = el_xrealloc(*buf, cap *= 2);
	}
	if (ferror(f) || *len > IMAGE_MAX) {
		el_fmt(err, errlen, "cannot read kernel image: %s: %s: check the file", path,
		       ferror(f) ? "read error" : "larger than 256 MiB");
		fclose(f);
		free(*buf);
		*buf = NULL;
		return -1;
	}
	fclose(f);
	return 0;
}

/* The layout assumption of symbols.h, checked against the image. */
static int check_layout(struct el_image *im, char *err, size_t errlen)
{
	const struct el_sym *us = el_sym_find(im, "__user_start");
	const struct el_sym *ue = el_sym_find(im, "__user_end");

	if (!us || !ue) {
		el_fmt(err, errlen, "image has no __user_start/__user_end symbols: %s: "
		       "rebuild it with kernels/kernel.ld", im->path);
		return -1;
	}
	if (us->addr != EL_USER_BASE || ue->addr <= us->addr || ue->addr > EL_USER_LIMIT) {
		el_fmt(err, errlen, "image user region 0x%llx..0x%llx is not inside 0x%llx..0x%llx: %s: "
		       "update the layout assumption in harness/image/symbols.h",
		       (unsigned long long)us->addr, (unsigned long long)ue->addr,
		       EL_USER_BASE, EL_USER_LIMIT, im->path);
		return -1;
	}
	im->user_start = us->addr;
	im->user_end = ue->addr;
	return 0;
}

/* Read the symbols of the ELF file at path into a fresh im; what names the
 * file in the error ("image", "program"). */
static int load_symbols(struct el_image *im, const char *path, bool linux_layout, const char *what,
			char *err, size_t errlen)
{
	unsigned char *buf = NULL;
	char why[256];
	size_t len;
	int rc;

	memset(im, 0, sizeof(*im));
	im->path = el_xstrdup(path);
	im->linux_layout = linux_layout;
	if (read_file(path, &buf, &len, err, errlen))
		return -1;
	rc = el_elf_symbols(im, buf, len, why, sizeof(why));
	free(buf);
	if (rc) {
		el_fmt(err, errlen, "cannot read the %s's symbols (%s): %s: rebuild it with 'make'",
		       what, why, path);
		return -1;
	}
	return 0;
}

int el_image_load(struct el_image *im, const char *path, bool disasm, char *err, size_t errlen)
{
	if (load_symbols(im, path, false, "image", err, errlen))
		return -1;
	if (check_layout(im, err, errlen))
		return -1;
	return disasm ? run_objdump(im, err, errlen) : 0;
}

void el_image_free(struct el_image *im)
{
	free_syms(im);
	free_insns(im);
	free(im->path);
	im->path = NULL;
}

int el_image_linux(struct el_image *im, const char *path, char *err, size_t errlen)
{
	if (load_symbols(im, path, true, "program", err, errlen))
		return -1;
	return run_objdump(im, err, errlen);
}

void el_image_sort(struct el_image *im)
{
	if (im->nsym)
		qsort(im->sym, im->nsym, sizeof(*im->sym), sym_cmp);
	if (im->ninsn)
		qsort(im->insn, im->ninsn, sizeof(*im->insn), insn_cmp);
}
