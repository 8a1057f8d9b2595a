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
