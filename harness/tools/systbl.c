/*
 * systbl — generate syscall_nr.h, syscall_table.S and syscall_switch.c from
 * kernels/syscall.tbl.
 * Contract and row syntax: systbl.h.  Runs on the host at build time; the
 * library part is linked into the unit tests, main() only with -DSYSTBL_MAIN.
 */
#include "tools/systbl.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROW_SYNTAX   "<nr> <name> <entry>[:regs]"
#define REGS_SUFFIX  ":regs"
#define BANNER       "/* generated from kernels/syscall.tbl by harness/tools/systbl.c" \
		     " \xe2\x80\x94 do not edit */\n"
#define SHOW_MAX     72     /* longest row or token quoted in a message */
#define MAX_COLS     3

struct span {
	const char *s;
	size_t n;
};

/* One row being parsed: where it is and its columns. */
struct rowctx {
	const char *fname;
	int line;
	struct span row;             /* comment stripped, trimmed */
	struct span col[MAX_COLS];
	int ncols;
	char *err;
	size_t errlen;
};

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static int is_lower(char c) { return c >= 'a' && c <= 'z'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Copy span into dst (size dstlen) for a message: non-printable bytes become
 * '?', whitespace runs become one space, long text ends in "...". */
static void show(char *dst, size_t dstlen, struct span sp)
{
	size_t o = 0, limit = dstlen - 1;
	int truncated = 0;

	if (limit > SHOW_MAX)
		limit = SHOW_MAX;
	for (size_t i = 0; i < sp.n; i++) {
		char c = sp.s[i];

		if (is_space(c)) {
			if (i > 0 && is_space(sp.s[i - 1]))
				continue;
			c = ' ';
		} else if ((unsigned char)c < 0x20 || (unsigned char)c > 0x7e) {
			c = '?';
		}
		if (o == limit) {
			truncated = 1;
			break;
		}
		dst[o++] = c;
	}
	if (truncated && limit >= 3)
		memcpy(dst + limit - 3, "...", 3);
	dst[o] = '\0';
}

/* Write "<file>:<line>: "<row>" <fmt...>" into the caller's err buffer. */
__attribute__((format(printf, 2, 3)))
static int row_fail(const struct rowctx *rc, const char *fmt, ...)
{
	char row[SHOW_MAX + 1];
	va_list ap;
	int n;

	if (!rc->err || rc->errlen == 0)
		return -1;
	show(row, sizeof(row), rc->row);
	n = snprintf(rc->err, rc->errlen, "%s:%d: \"%s\" ", rc->fname, rc->line, row);
	if (n >= 0 && (size_t)n < rc->errlen) {
		va_start(ap, fmt);
		vsnprintf(rc->err + n, rc->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Split the row into columns; ncols counts all of them, col[] keeps 3. */
static void split_row(struct rowctx *rc)
{
	const char *p = rc->row.s, *end = rc->row.s + rc->row.n;

	rc->ncols = 0;
	while (p < end) {
		const char *start;

		while (p < end && is_space(*p))
			p++;
		if (p == end)
			break;
		start = p;
		while (p < end && !is_space(*p))
			p++;
		if (rc->ncols < MAX_COLS)
			rc->col[rc->ncols] = (struct span){ start, (size_t)(p - start) };
		rc->ncols++;
	}
}

static int parse_nr(const struct rowctx *rc, int *nr)
{
	char tok[SHOW_MAX + 1];
	struct span sp = rc->col[0];
	size_t i = 0;
	long v = 0;

	if (sp.n > 1 && sp.s[0] == '-')
		i = 1;
	for (size_t j = i; j < sp.n; j++) {
		if (!is_digit(sp.s[j])) {
			show(tok, sizeof(tok), sp);
			return row_fail(rc, "has nr \"%s\", expected a decimal number 0..%d",
					tok, SYSTBL_MAX_NR);
		}
		if (v <= SYSTBL_MAX_NR)
			v = v * 10 + (sp.s[j] - '0');
	}
	if (i == 1 || v > SYSTBL_MAX_NR) {
		show(tok, sizeof(tok), sp);
		return row_fail(rc, "has nr %s out of range, expected 0..%d",
				tok, SYSTBL_MAX_NR);
	}
	*nr = (int)v;
	return 0;
}

static int parse_name(const struct rowctx *rc, char *name, size_t size)
{
	char tok[SHOW_MAX + 1];
	struct span sp = rc->col[1];
	int ok = is_lower(sp.s[0]);

	for (size_t i = 1; ok && i < sp.n; i++)
		ok = is_lower(sp.s[i]) || is_digit(sp.s[i]) || sp.s[i] == '_';
	show(tok, sizeof(tok), sp);
	if (!ok)
		return row_fail(rc, "has name \"%s\", expected [a-z][a-z0-9_]*", tok);
	if (sp.n >= size)
		return row_fail(rc, "has a %zu-character name, expected at most %zu characters",
				sp.n, size - 1);
	memcpy(name, sp.s, sp.n);
	name[sp.n] = '\0';
	return 0;
}

static int parse_entry(const struct rowctx *rc, char *entry, size_t size,
		       int *needs_regs)
{
	char tok[SHOW_MAX + 1];
	struct span sp = rc->col[2];
	size_t n = 0;
	int ok = is_lower(sp.s[0]) || sp.s[0] == '_';

	while (ok && n < sp.n && sp.s[n] != ':') {
		ok = is_lower(sp.s[n]) || is_digit(sp.s[n]) || sp.s[n] == '_';
		n++;
	}
	*needs_regs = n < sp.n;
	if (ok && *needs_regs)
		ok = sp.n - n == strlen(REGS_SUFFIX) &&
		     memcmp(sp.s + n, REGS_SUFFIX, sp.n - n) == 0;
	show(tok, sizeof(tok), sp);
	if (!ok)
		return row_fail(rc, "has entry \"%s\", expected [a-z_][a-z0-9_]*"
				" optionally followed by \"" REGS_SUFFIX "\"", tok);
	if (n >= size)
		return row_fail(rc, "has a %zu-character entry, expected at most %zu characters",
				n, size - 1);
	memcpy(entry, sp.s, n);
	entry[n] = '\0';
	return 0;
}

/* Columns are valid on their own; check nr and name against earlier rows. */
static int check_unique(const struct rowctx *rc, const struct systbl *t,
			const struct systbl_row *r)
{
	for (int i = 0; i < t->nrows; i++) {
		const struct systbl_row *o = &t->rows[i];

		if (o->nr == r->nr)
			return row_fail(rc, "reuses nr %d of line %d (%s), expected a unique nr",
					r->nr, o->line, o->name);
		if (strcmp(o->name, r->name) == 0)
			return row_fail(rc, "reuses name \"%s\" of line %d, expected a unique name",
					r->name, o->line);
	}
	return 0;
}

static int parse_row(struct rowctx *rc, struct systbl *t)
{
	struct systbl_row r = { .line = rc->line };

	split_row(rc);
	if (rc->ncols != MAX_COLS)
		return row_fail(rc, "has %d column%s, expected " ROW_SYNTAX,
				rc->ncols, rc->ncols == 1 ? "" : "s");
	if (parse_nr(rc, &r.nr) || parse_name(rc, r.name, sizeof(r.name)) ||
	    parse_entry(rc, r.entry, sizeof(r.entry), &r.needs_regs) ||
	    check_unique(rc, t, &r))
		return -1;
	/* At most SYSTBL_MAX_NR + 1 unique numbers fit, so rows[] cannot overflow. */
	t->rows[t->nrows++] = r;
	if (r.nr > t->max_nr)
		t->max_nr = r.nr;
	return 0;
}

/* Strip the comment and surrounding whitespace from line [s, e). */
static struct span row_text(const char *s, const char *e)
{
	const char *hash = memchr(s, '#', (size_t)(e - s));

	if (hash)
		e = hash;
	while (s < e && is_space(*s))
		s++;
	while (e > s && is_space(e[-1]))
		e--;
	return (struct span){ s, (size_t)(e - s) };
}

int systbl_parse(const char *text, const char *fname, struct systbl *t,
		 char *err, size_t errlen)
{
	struct rowctx rc = { .fname = fname, .err = err, .errlen = errlen };
	const char *p = text;

	memset(t, 0, sizeof(*t));
	t->max_nr = -1;
	while (*p) {
		const char *nl = strchr(p, '\n');
		const char *e = nl ? nl : p + strlen(p);

		rc.line++;
		rc.row = row_text(p, e);
		if (rc.row.n > 0 && parse_row(&rc, t))
			return -1;
		p = nl ? nl + 1 : e;
	}
	if (t->nrows == 0) {
		if (err && errlen)
			snprintf(err, errlen, "%s:%d: no rows, expected at least one row "
				 ROW_SYNTAX, fname, rc.line > 0 ? rc.line : 1);
		return -1;
	}
	return 0;
}

/* Generated output -------------------------------------------------------- */

int systbl_write_header(const struct systbl *t, FILE *f)
{
	fputs(BANNER, f);
	fputs("/* System call numbers, usable from C and from assembler. */\n"
	      "#ifndef ENTRYLAB_SYSCALL_NR_H\n"
	      "#define ENTRYLAB_SYSCALL_NR_H\n\n", f);
	for (int i = 0; i < t->nrows; i++)
		fprintf(f, "#define SYS_%s %d\n", t->rows[i].name, t->rows[i].nr);
	fprintf(f, "\n#define NR_SYSCALLS %d\n\n#endif\n", t->max_nr + 1);
	return ferror(f) ? -1 : 0;
}

int systbl_write_table(const struct systbl *t, FILE *f)
{
	const struct systbl_row *by_nr[SYSTBL_MAX_NR + 1] = { 0 };

	for (int i = 0; i < t->nrows; i++)
		by_nr[t->rows[i].nr] = &t->rows[i];
	fputs(BANNER, f);
	fputs("#include \"entry_variant.h\"\n\n"
	      "\t.section .rodata\n"
	      "\t.balign 8\n"
	      "\t.globl sys_call_table\n"
	      "sys_call_table:\n", f);
	for (int nr = 0; nr <= t->max_nr; nr++) {
		const struct systbl_row *r = by_nr[nr];

		if (!r)
			fprintf(f, "\tSYSCALL_ENTRY %d, sys_ni_syscall\n", nr);
		else if (r->needs_regs)
			fprintf(f, "\tSYSCALL_REGS_ENTRY %d, %s, %s\n", nr, r->entry, r->name);
		else
			fprintf(f, "\tSYSCALL_ENTRY %d, %s\n", nr, r->entry);
	}
	fputs("\t.size sys_call_table, .-sys_call_table\n\n"
	      "/* The \":regs\" syscalls, for stub generation (SYSCALL_REGS_STUB is\n"
	      " * empty unless the variant generates stubs from this table). */\n"
	      "\t.text\n", f);
	for (int nr = 0; nr <= t->max_nr; nr++)
		if (by_nr[nr] && by_nr[nr]->needs_regs)
			fprintf(f, "\tSYSCALL_REGS_STUB %s, %s\n",
				by_nr[nr]->entry, by_nr[nr]->name);
	return ferror(f) ? -1 : 0;
}

int systbl_write_switch(const struct systbl *t, FILE *f)
{
	const struct systbl_row *by_nr[SYSTBL_MAX_NR + 1] = { 0 };

	for (int i = 0; i < t->nrows; i++)
		by_nr[t->rows[i].nr] = &t->rows[i];
	fputs(BANNER, f);
	fputs("/* dispatch=switch: x64_sys_call(), one case per syscall number (the\n"
	      " * entry points are called with the six arguments of syscall_fn, as the\n"
	      " * table calls them; SYSCALL_CASE comes from kernel.h).  Empty under\n"
	      " * dispatch=table. */\n"
	      "#include \"kernel.h\"\n"
	      "#include \"variant.h\"\n\n"
	      "#ifdef DISPATCH_SWITCH\n", f);
	fputs("long sys_ni_syscall(long, long, long, long, long, long);\n", f);
	for (int nr = 0; nr <= t->max_nr; nr++)
		if (by_nr[nr])
			fprintf(f, "long %s(long, long, long, long, long, long);\n",
				by_nr[nr]->entry);
	fputs("\nlong x64_sys_call(const struct pt_regs *regs, unsigned int nr)\n"
	      "{\n"
	      "\tswitch (nr) {\n", f);
	for (int nr = 0; nr <= t->max_nr; nr++)
		if (by_nr[nr])
			fprintf(f, "\tcase %d: return SYSCALL_CASE(%s, regs);\n",
				nr, by_nr[nr]->entry);
	fputs("\tdefault: return SYSCALL_CASE(sys_ni_syscall, regs);\n"
	      "\t}\n"
	      "}\n"
	      "#endif\n", f);
	return ferror(f) ? -1 : 0;
}

/* Files -------------------------------------------------------------------- */

static char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (n + 1 >= cap) {
			char *nb = realloc(buf, cap ? cap * 2 : 4096);

			if (!nb) {
				snprintf(err, errlen, "%s: out of memory", path);
				goto fail;
			}
			buf = nb;
			cap = cap ? cap * 2 : 4096;
		}
		size_t got = fread(buf + n, 1, cap - n - 1, f);

		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		goto fail;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	fclose(f);
	free(buf);
	return NULL;
}

int systbl_load(const char *path, struct systbl *t, char *err, size_t errlen)
{
	size_t len;
	char *text = read_file(path, &len, err, errlen);
	int rc;

	if (!text)
		return -1;
	if (strlen(text) != len) {
		int line = 1;

		for (const char *p = text; *p; p++)
			line += *p == '\n';
		snprintf(err, errlen, "%s:%d: contains a NUL byte, expected a text file",
			 path, line);
		free(text);
		return -1;
	}
	rc = systbl_parse(text, path, t, err, errlen);
	free(text);
	return rc;
}

typedef int (*systbl_writer)(const struct systbl *, FILE *);

/* Write path + ".tmp" completely; the caller renames it into place. */
static int write_tmp(const struct systbl *t, systbl_writer fn, const char *tmp,
		     char *err, size_t errlen)
{
	FILE *f = fopen(tmp, "w");
	int bad;

	if (!f) {
		snprintf(err, errlen, "%s: cannot create: %s", tmp, strerror(errno));
		return -1;
	}
	bad = fn(t, f) != 0 || fflush(f) != 0;
	if (bad)
		snprintf(err, errlen, "%s: cannot write: %s", tmp, strerror(errno));
	if (fclose(f) != 0 && !bad) {
		snprintf(err, errlen, "%s: cannot write: %s", tmp, strerror(errno));
		bad = 1;
	}
	if (bad)
		remove(tmp);
	return bad ? -1 : 0;
}

int systbl_generate(const char *table_path, const char *hdr_path,
		    const char *tbl_path, const char *switch_path, char *err, size_t errlen)
{
	enum { NOUT = 3 };
	const char *out[NOUT] = { hdr_path, tbl_path, switch_path };
	systbl_writer fn[NOUT] = { systbl_write_header, systbl_write_table, systbl_write_switch };
	char tmp[NOUT][PATH_MAX];
	struct systbl *t = malloc(sizeof(*t));
	int rc = -1, done = 0;

	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (systbl_load(table_path, t, err, errlen))
		goto out;
	for (; done < NOUT; done++) {
		if (snprintf(tmp[done], PATH_MAX, "%s.tmp", out[done]) >= PATH_MAX) {
			snprintf(err, errlen, "%s: path too long", out[done]);
			goto out;
		}
		if (write_tmp(t, fn[done], tmp[done], err, errlen))
			goto out;
	}
	for (int i = 0; i < NOUT; i++) {
		if (rename(tmp[i], out[i]) != 0) {
			snprintf(err, errlen, "%s: cannot rename to %s: %s",
				 tmp[i], out[i], strerror(errno));
			goto out;
		}
	}
	done = 0;
	rc = 0;
out:
	while (done-- > 0)
		remove(tmp[done]);
	free(t);
	return rc;
}

#ifdef SYSTBL_MAIN
#include "core/exitcodes.h"

static const char usage[] =
	"usage: systbl <table> <out-header> <out-table.S> <out-switch.c>\n"
	"Generates the syscall number header, the syscall table and the switch\n"
	"of dispatch=switch from <table> (kernels/syscall.tbl); each output is\n"
	"written to <out>.tmp and renamed.\n"
	"Exit status: 0 success, 2 malformed table, usage or I/O error.\n";

int main(int argc, char **argv)
{
	char err[512];

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage, stdout);
		return EL_EX_OK;
	}
	if (argc != 5) {
		fprintf(stderr, "systbl: expected 4 arguments, got %d; usage: systbl"
			" <table> <out-header> <out-table.S> <out-switch.c>\n", argc - 1);
		return EL_EX_USAGE;
	}
	if (systbl_generate(argv[1], argv[2], argv[3], argv[4], err, sizeof(err))) {
		fprintf(stderr, "systbl: %s\n", err);
		return EL_EX_USAGE;
	}
	return EL_EX_OK;
}
#endif
