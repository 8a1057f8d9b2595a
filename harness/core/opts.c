/* Command-line options from one table per command: parsing with
 * getopt_long, --help, did-you-mean.  The generators (completion, man
 * page) are in opts_gen.c.  Contracts in opts.h. */
#include "core/opts.h"
#include "core/util.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_OPTS  64
#define KEY_BASE  256   /* getopt_long returns KEY_BASE + table index */
#define HELP_COL  24

static const struct el_optcmd *const *registry;

void el_opts_set_registry(const struct el_optcmd *const *all)
{
	registry = all;
}

const struct el_optcmd *const *el_opts_registry(void)
{
	return registry;
}

/* ------------------------------------------------------------ help */

/* Lines of text, each indented by indent; the first after col columns
 * already written. */
static void put_lines(FILE *f, const char *text, int col, int indent)
{
	while (text && *text) {
		size_t len = strcspn(text, "\n");
		fprintf(f, "%*s%.*s\n", indent > col ? indent - col : 0, "", (int)len, text);
		text += len + (text[len] == '\n');
		col = 0;
	}
}

/* The help of an alias that has none of its own: "the same as --X". */
static const char *alias_help(const struct el_opt *o, const struct el_opt *first, char *buf,
			      size_t n)
{
	const struct el_opt *p = o;

	if (o->help || !(o->flags & EL_OPT_ALIAS))
		return o->help ? o->help : "";
	while (p > first && (p->flags & EL_OPT_ALIAS))
		p--;
	el_fmt(buf, n, "the same as --%s", p->name);
	return buf;
}

static void put_opt(FILE *f, const struct el_opt *o, const struct el_opt *first)
{
	char head[128], buf[96];
	int col;

	el_fmt(head, sizeof(head), "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
	col = fprintf(f, "  %s", head);
	if (col >= HELP_COL - 1) {
		fputc('\n', f);
		col = 0;
	}
	put_lines(f, alias_help(o, first, buf, sizeof(buf)), col, HELP_COL);
}

void el_opts_help(const struct el_optcmd *c, FILE *f)
{
	bool hidden = false;

	fprintf(f, "usage: entrylab %s %s\n", c->name, c->synopsis ? c->synopsis : "[OPTIONS]");
	put_lines(f, c->about, 0, 2);
	fprintf(f, "\noptions:\n");
	for (const struct el_opt *o = c->opts; o && o->name; o++) {
		if (o->flags & EL_OPT_HIDDEN)
			hidden = true;
		else
			put_opt(f, o, c->opts);
	}
	fprintf(f, "  -h, --help%*sthis text\n", HELP_COL - 12, "");
	if (hidden) {
		fprintf(f, "test options:\n");
		for (const struct el_opt *o = c->opts; o->name; o++)
			if (o->flags & EL_OPT_HIDDEN)
				put_opt(f, o, c->opts);
	}
	fprintf(f, "\n");
	put_lines(f, c->exits ? c->exits : "exit status: 0 ok, 2 usage or environment error", 0, 0);
}

/* ------------------------------------------------------------ did you mean */

unsigned el_opts_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned *d, r;

	if (la > 64 || lb > 64)
		return 1000;
	d = el_xrealloc(NULL, (la + 1) * (lb + 1) * sizeof(*d));
#define D(i, j) d[(i) * (lb + 1) + (j)]
	for (size_t i = 0; i <= la; i++)
		D(i, 0) = (unsigned)i;
	for (size_t j = 0; j <= lb; j++)
		D(0, j) = (unsigned)j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			unsigned v = D(i - 1, j - 1) + (a[i - 1] != b[j - 1]);
			if (D(i - 1, j) + 1 < v)
				v = D(i - 1, j) + 1;
			if (D(i, j - 1) + 1 < v)
				v = D(i, j - 1) + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    D(i - 2, j - 2) + 1 < v)
				v = D(i - 2, j - 2) + 1;
			D(i, j) = v;
		}
	r = D(la, lb);
#undef D
	free(d);
	return r;
}

const char *el_opts_nearest(const struct el_optcmd *c, const char *name)
{
	const char *best = NULL;
	unsigned best_d = 1000;

	for (const struct el_opt *o = c->opts; o && o->name; o++) {
		unsigned d = el_opts_distance(name, o->name);
		size_t longer = strlen(name) > strlen(o->name) ? strlen(name) : strlen(o->name);
		unsigned limit = longer / 3 > 2 ? (unsigned)(longer / 3) : 2;
		if (d <= limit && d < best_d) {
			best = o->name;
			best_d = d;
		}
	}
	if (!best && el_opts_distance(name, "help") <= 1)
		best = "help";
	return best;
}

static const struct el_opt *find_opt(const struct el_optcmd *c, const char *name, size_t len)
{
	for (const struct el_opt *o = c->opts; o && o->name; o++)
		if (strlen(o->name) == len && !strncmp(o->name, name, len))
			return o;
	return NULL;
}

/* The commands of the registry that take --name, ", " separated. */
static void takers(const char *name, size_t len, char *dst, size_t n)
{
	size_t used = 0;

	dst[0] = '\0';
	for (const struct el_optcmd *const *c = registry; c && *c; c++)
		if (find_opt(*c, name, len) && used < n) {
			bool seen = false;   /* subcommands of one command share options */
			size_t cl = strcspn((*c)->name, " ");
			for (const struct el_optcmd *const *p = registry; p < c; p++)
				seen |= find_opt(*p, name, len) && strcspn((*p)->name, " ") == cl &&
					!strncmp((*p)->name, (*c)->name, cl);
			if (!seen)
				used += (size_t)snprintf(dst + used, n - used, "%s%.*s",
							 used ? ", " : "", (int)cl, (*c)->name);
		}
}

/* Prefixes of several options: getopt_long's "ambiguous". */
static int prefix_matches(const struct el_optcmd *c, const char *name, size_t len, char *dst,
			  size_t n)
{
	size_t used = 0;
	int count = 0;

	dst[0] = '\0';
	for (const struct el_opt *o = c->opts; o && o->name; o++)
		if (!strncmp(o->name, name, len) && used < n) {
			used += (size_t)snprintf(dst + used, n - used, "%s--%s", count ? ", " : "",
						 o->name);
			count++;
		}
	return count;
}

static void bad_option(const struct el_optcmd *c, const char *word, bool missing)
{
	const char *name = word + (word[0] == '-') + (word[0] == '-' && word[1] == '-');
	size_t len = strcspn(name, "=");
	const struct el_opt *o = find_opt(c, name, len);
	char list[512], who[512], elsewhere[600] = "", copy[72];
	const char *near;
	int n;

	el_fmt(copy, sizeof(copy), "%.*s", (int)(len < 64 ? len : 64), name);
	if (missing) {
		el_err("missing value for '%.64s': entrylab %s: give %.64s %s", word, c->name, word,
		       o && o->arg ? o->arg : "VALUE");
		return;
	}
	if (o && !o->arg && name[len] == '=') {
		el_err("option --%s takes no value: entrylab %s: give --%s alone", o->name, c->name,
		       o->name);
		return;
	}
	takers(name, len, who, sizeof(who));
	if (who[0])
		el_fmt(elsewhere, sizeof(elsewhere), " (--%s is an option of %s)", copy, who);
	n = len ? prefix_matches(c, name, len, list, sizeof(list)) : 0;
	near = n ? NULL : el_opts_nearest(c, copy);
	if (n)   /* options are spelled whole: no abbreviations */
		el_err("unknown option '%.64s': entrylab %s: did you mean %s%s?%s", word, c->name,
		       n > 1 ? "one of " : "", list, elsewhere);
	else if (elsewhere[0])
		el_err("option '--%s' is not an option of %s: entrylab %s: it is one of %s "
		       "(see 'entrylab %s --help')", copy, c->name, c->name, who, c->name);
	else if (near)
		el_err("unknown option '%.64s': entrylab %s: did you mean --%s?", word, c->name, near);
	else
		el_err("unknown option '%.64s': entrylab %s: see 'entrylab %s --help'", word, c->name,
		       c->name);
}

/* getopt_long takes an unambiguous prefix for the whole name; options here
 * are spelled whole, so that adding one never changes what an old command
 * line means.  The word the option came from, or NULL when it is whole. */
static const char *abbreviated(const struct option *lo, char **argv, const char *arg)
{
	const char *word = argv[optind - 1 - (arg && arg == argv[optind - 1])];
	const char *name = word + 2;

	if (word[0] != '-' || word[1] != '-')
		return NULL;
	return strlen(lo->name) == strcspn(name, "=") ? NULL : word;
}

/* ------------------------------------------------------------ parsing */

static bool asks_help(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	return false;
}

int el_opts_parse(const struct el_optcmd *c, int argc, char **argv, el_opt_fn fn, void *ctx,
		  int *first)
{
	struct option longs[MAX_OPTS + 2];
	size_t n = 0;
	int k, idx = -1;

	if (asks_help(argc, argv)) {
		el_opts_help(c, stdout);
		return EL_OPTS_HELP;
	}
	for (const struct el_opt *o = c->opts; o && o->name && n < MAX_OPTS; o++, n++)
		longs[n] = (struct option){ o->name, o->arg ? 1 : 0, NULL, KEY_BASE + (int)n };
	longs[n++] = (struct option){ "help", 0, NULL, 'h' };
	longs[n] = (struct option){ NULL, 0, NULL, 0 };
	optind = 0;
	opterr = 0;
	while ((k = getopt_long(argc, argv, ":h", longs, &idx)) != -1) {
		const char *word = NULL;

		if (k == ':' || k == '?') {
			bad_option(c, argv[optind - 1], k == ':');
			return EL_OPTS_BAD;
		}
		if (idx >= 0 && (word = abbreviated(&longs[idx], argv, optarg))) {
			bad_option(c, word, false);
			return EL_OPTS_BAD;
		}
		if (k == 'h') {   /* --help after "--" */
			el_opts_help(c, stdout);
			return EL_OPTS_HELP;
		}
		if (fn(ctx, c->opts[k - KEY_BASE].key, optarg))
			return EL_OPTS_BAD;
		idx = -1;
	}
	if (first)
		*first = optind;
	else if (optind < argc) {
		el_err("unexpected argument '%.64s': entrylab %s: see 'entrylab %s --help'",
		       argv[optind], c->name, c->name);
		return EL_OPTS_BAD;
	}
	return EL_OPTS_GO;
}
