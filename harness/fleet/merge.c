/*
 * merge.c — `entrylab merge`: options, the runs read and checked, the new
 * output directory written as a partial one and renamed.  Contract in
 * merge.h.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/exitcodes.h"
#include "core/opts.h"
#include "core/util.h"
#include "fleet/merge.h"

static const struct el_opt merge_options[] = {
	{ "out", 'o', "DIR", "the new directory to write (must not exist; default\n"
	  "results/merge-<UTC time>-<pid>)", "@dir" },
	{ "labels", 'l', "LIST", "one label per RUN, in order ([A-Za-z0-9._-], 1 to 31\n"
	  "characters; default m1, m2, ...)" },
	{ "no-plots", 'p', NULL, "do not run gnuplot" },
	{ "root", 'r', "REPO", "the repository whose plots/*.gp templates to use", "@dir" },
	{ 0 }
};

const struct el_optcmd merge_optcmd = {
	"merge", "[OPTIONS] RUN...",
	"Merge results directories (of several machines, or several runs) into one report\n"
	"in a new directory: a table of machines (CPU model, microcode, kernel, mode), per\n"
	"benchmark the median of every variant on every machine, the axis effects per\n"
	"machine, and plots.  Runs in different units (instructions, TSC ticks) are shown\n"
	"side by side, never combined.",
	merge_options,
	"exit status: 0 merged; 1 merged, but a run had failed variants; 2 usage error, a RUN\n"
	"that is not a results directory or is corrupt, two RUNs of the same run, or an\n"
	"--out that exists (nothing written)",
	"@dir",
};

struct merge_args {
	struct fl_merge *g;
	const char *out, *labels, *root;
};

static int merge_opt(void *ctx, int key, const char *arg)
{
	struct merge_args *a = ctx;

	if (key == 'p')
		a->g->no_plots = 1;
	else if (key == 'o')
		a->out = arg;
	else if (key == 'l')
		a->labels = arg;
	else
		a->root = arg;
	return 0;
}

static int label_ok(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n < 32 && s[0] != '.' && s[0] != '-' &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

/* Labels from --labels (NULL: m1, m2, ...), one per machine, distinct. */
static int set_labels(struct fl_merge *g, const char *list)
{
	char *copy = list ? el_xstrdup(list) : NULL, *save = NULL;
	char *tok = copy ? strtok_r(copy, ",", &save) : NULL;
	size_t i;

	for (i = 0; i < g->nm; i++) {
		if (!list) {
			el_fmt(g->m[i].label, sizeof(g->m[i].label), "m%zu", i + 1);
			continue;
		}
		if (!tok || !label_ok(tok)) {
			el_err("merge: --labels: %s: give one label of [A-Za-z0-9._-] (1 to 31 "
			       "characters) per RUN, in order", tok ? tok : "too few labels");
			free(copy);
			return -1;
		}
		el_strlcpy(g->m[i].label, tok, sizeof(g->m[i].label));
		for (size_t j = 0; j < i; j++)
			if (!strcmp(g->m[j].label, tok)) {
				el_err("merge: --labels: '%s' given twice: labels must differ", tok);
				free(copy);
				return -1;
			}
		tok = strtok_r(NULL, ",", &save);
	}
	free(copy);
	if (tok) {
		el_err("merge: --labels: more labels than RUNs (%zu): give one per RUN", g->nm);
		return -1;
	}
	return 0;
}

static void find_root(struct fl_merge *g, const char *given)
{
	if (given)
		el_strlcpy(g->root, given, sizeof(g->root));
	else if (access("plots/fleet.gp", R_OK) == 0 || el_root_near_exe(g->root, sizeof(g->root)))
		el_strlcpy(g->root, ".", sizeof(g->root));
}

/* The final directory and its partial twin beside it; both absent. */
static int out_paths(const char *out, char *final, char *partial, size_t n)
{
	char stamp[32], parent[PATH_MAX], base[PATH_MAX];
	time_t now = time(NULL);
	struct stat st;

	if (out) {
		el_strlcpy(final, out, n);
	} else {
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", gmtime(&now));
		el_fmt(final, n, "results/merge-%s-%ld", stamp, (long)getpid());
	}
	while (strlen(final) > 1 && final[strlen(final) - 1] == '/')
		final[strlen(final) - 1] = '\0';
	if (lstat(final, &st) == 0) {
		el_err("merge: %s exists: the merge writes a new directory and never overwrites; "
		       "give another --out", final);
		return -1;
	}
	el_strlcpy(parent, final, sizeof(parent));
	el_strlcpy(base, final, sizeof(base));
	el_strlcpy(parent, dirname(parent), sizeof(parent));
	el_fmt(partial, n, "%s/.%s.%ld.partial", parent, basename(base), (long)getpid());
	if (el_mkdir_p(parent) < 0 || mkdir(partial, 0755) < 0) {
		el_err("merge: cannot create %s: %s: give an --out in a writable directory", partial,
		       strerror(errno));
		return -1;
	}
	return 0;
}

static int merge(struct fl_merge *g, const char *out)
{
	char final[PATH_MAX], partial[PATH_MAX + 64], err[PATH_MAX * 2];
	int failed = 0;

	if (out_paths(out, final, partial, sizeof(final)) < 0)
		return EL_EX_USAGE;
	if (fl_write_all(g, partial, final, err, sizeof(err)) < 0) {
		el_remove_tree(partial);
		el_err("%s", err);
		return EL_EX_USAGE;
	}
	if (el_rename_noreplace(partial, final) < 0) {
		el_err("merge: cannot rename %s to %s: %s: nothing written; give another --out",
		       partial, final, strerror(errno));
		el_remove_tree(partial);
		return EL_EX_USAGE;
	}
	for (size_t i = 0; i < g->nm; i++)
		if (g->m[i].failed) {
			failed = 1;
			printf("merge: %s (%s): failed variants: %s\n", g->m[i].label, g->m[i].dir,
			       g->m[i].failed_names);
		}
	printf("merge: %zu runs, %zu units, %zu variants, %zu benchmarks\n", g->nm, g->nunit,
	       g->nvariant, g->nbench);
	printf("merged: %s\nreport: %s/report.md\n", final, final);
	if (g->nplot_file)
		printf("plots: %s/plots/\n", final);
	return failed ? EL_EX_FAIL : EL_EX_OK;
}

int el_cmd_merge(int argc, char **argv)
{
	struct fl_merge g = { 0 };
	struct merge_args a = { &g, NULL, NULL, NULL };
	char err[PATH_MAX * 2];
	int first, rc = el_opts_parse(&merge_optcmd, argc, argv, merge_opt, &a, &first);

	if (rc != EL_OPTS_GO)
		return rc == EL_OPTS_HELP ? EL_EX_OK : EL_EX_USAGE;
	rc = EL_EX_USAGE;
	for (int i = first; i < argc; i++) {
		g.m = el_xrealloc(g.m, (g.nm + 1) * sizeof(*g.m));
		memset(&g.m[g.nm], 0, sizeof(*g.m));
		el_strlcpy(g.m[g.nm++].dir, argv[i], sizeof(g.m[0].dir));
	}
	if (g.nm == 0) {
		el_err("merge: no results directory given: entrylab merge RUN... (see --help)");
		goto out;
	}
	if (set_labels(&g, a.labels) < 0)
		goto out;
	for (size_t i = 0; i < g.nm; i++)
		if (fl_read_run(&g.m[i], err, sizeof(err))) {
			el_err("%s", err);
			goto out;
		}
	if (fl_collect(&g, err, sizeof(err))) {
		el_err("%s", err);
		goto out;
	}
	find_root(&g, a.root);
	rc = merge(&g, a.out);
out:
	fl_free(&g);
	return rc;
}
