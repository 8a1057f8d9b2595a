/* roles: variants/roles.conf applied to a traced path, see roles.h. */
#include "image/roles.h"
#include "core/util.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[] = {
	"user", "entry-asm", "dispatch", "entry-work", "body", "exit-work", "exit-asm", "inherit",
};

const char *el_role_name(int role)
{
	return role >= 0 && role <= EL_ROLE_INHERIT ? names[role] : "?";
}

static int role_of(const char *s)
{
	for (int i = EL_ROLE_ENTRY_ASM; i <= EL_ROLE_INHERIT; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

int el_roles_load(struct el_roles *r, const char *path, char *err, size_t n)
{
	FILE *f = fopen(path, "r");
	char line[512], pat[160], before[32], after[32], extra[8];
	int lineno = 0;
	size_t cap = 0;

	memset(r, 0, sizeof(*r));
	el_strlcpy(r->path, path, sizeof(r->path));
	if (!f) {
		el_fmt(err, n, "cannot read the role table %s: %s: restore it from git", path,
		       strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		line[strcspn(line, "#")] = '\0';
		int got = sscanf(line, "%159s %31s %31s %7s", pat, before, after, extra);
		if (got <= 0)
			continue;
		int b = got == 3 || got == 4 ? role_of(before) : -1, a = got >= 3 ? role_of(after) : -1;
		if (got != 3 || b < 0 || a < 0 || strlen(pat) >= sizeof(r->rule[0].pattern)) {
			el_fmt(err, n, "%s:%d: malformed line (want: pattern before-body after-body, "
			       "roles entry-asm dispatch entry-work body exit-work exit-asm inherit): "
			       "fix the file", path, lineno);
			fclose(f);
			el_roles_free(r);
			return -1;
		}
		if (r->n == cap) {
			cap = cap ? cap * 2 : 64;
			r->rule = el_xrealloc(r->rule, cap * sizeof(*r->rule));
		}
		el_strlcpy(r->rule[r->n].pattern, pat, sizeof(r->rule[0].pattern));
		r->rule[r->n].before = (unsigned char)b;
		r->rule[r->n++].after = (unsigned char)a;
	}
	fclose(f);
	return 0;
}

void el_roles_free(struct el_roles *r)
{
	free(r->rule);
	r->rule = NULL;
	r->n = 0;
}

void el_roles_assign(const struct el_roles *r, const struct el_image *im, const uint64_t *pc,
		     size_t n, unsigned char *role)
{
	int prev = EL_ROLE_ENTRY_ASM, body = 0;

	for (size_t i = 0; i < n; i++) {
		int got = EL_ROLE_INHERIT;
		if (el_image_ring(im, pc[i]) == EL_RING3) {
			got = EL_ROLE_USER;
		} else {
			const struct el_sym *s = el_sym_lookup(im, pc[i]);
			for (size_t k = 0; s && k < r->n; k++)
				if (!fnmatch(r->rule[k].pattern, s->name, 0)) {
					got = body ? r->rule[k].after : r->rule[k].before;
					break;
				}
			if (got == EL_ROLE_INHERIT)
				got = prev == EL_ROLE_USER ? EL_ROLE_ENTRY_ASM : prev;
		}
		body |= got == EL_ROLE_BODY;
		role[i] = (unsigned char)got;
		prev = got;
	}
}

#define SYM_MAX 512   /* distinct (symbol, role) pairs kept */

struct symrole {
	const char *name;
	int role;
	size_t n;
};

static void csv_text(struct el_buf *b, const char *s)
{
	el_buf_puts(b, "\"");
	for (; *s; s++)
		el_buf_puts(b, *s == '"' ? "\"\"" : (char[2]){ *s, 0 });
	el_buf_puts(b, "\"");
}

void el_roles_csv(const struct el_roles *rt, const struct el_image *im, const uint64_t *pc,
		  size_t n, const char *bench, struct el_buf *csv)
{
	unsigned char *role;
	size_t per[EL_ROLE_COUNT] = { 0 }, nsr = 0;
	struct symrole *sr;

	role = el_xrealloc(NULL, n + 1);
	sr = el_xrealloc(NULL, SYM_MAX * sizeof(*sr));
	el_roles_assign(rt, im, pc, n, role);
	for (size_t i = 0; i < n; i++) {
		const struct el_sym *s = el_sym_lookup(im, pc[i]);
		const char *name = s ? s->name : "(no symbol)";
		size_t k = 0;
		per[role[i]]++;
		while (k < nsr && (sr[k].role != role[i] || strcmp(sr[k].name, name)))
			k++;
		if (k == nsr && nsr < SYM_MAX)
			sr[nsr++] = (struct symrole){ name, role[i], 0 };
		if (k < nsr)
			sr[k].n++;
	}
	for (int r = 0; r < EL_ROLE_COUNT; r++)
		el_buf_printf(csv, "%s,role,%s,%s,%zu\n", bench, el_role_name(r), el_role_name(r), per[r]);
	for (size_t k = 0; k < nsr; k++) {
		el_buf_printf(csv, "%s,symbol,", bench);
		csv_text(csv, sr[k].name);
		el_buf_printf(csv, ",%s,%zu\n", el_role_name(sr[k].role), sr[k].n);
	}
	free(sr);
	free(role);
}

