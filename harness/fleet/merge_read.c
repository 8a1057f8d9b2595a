/*
 * merge_read.c — reading and checking the runs of `entrylab merge`: each
 * results directory's meta.json and summary.json to one fl_machine, then
 * the union of variants, benchmarks and units over all of them.  Contract
 * in merge.h.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/exitcodes.h"
#include "core/util.h"
#include "fleet/merge.h"

/* The value at a dotted path ("host.kernel.release"), or NULL. */
static json_t *jpath(json_t *root, const char *path)
{
	char key[FL_WORD];
	const char *p = path;

	while (root && *p) {
		size_t len = strcspn(p, ".");
		if (len >= sizeof(key))
			return NULL;
		memcpy(key, p, len);
		key[len] = '\0';
		root = json_is_object(root) ? json_object_get(root, key) : NULL;
		p += len + (p[len] == '.');
	}
	return root;
}

/* Copy the string at path into dst.  Missing or not a string: with
 * fallback, fallback is copied; without, -1 and err names file and field. */
static int jstr(json_t *root, const char *file, const char *path, const char *fallback,
		char *dst, size_t size, char *err, size_t n)
{
	json_t *v = jpath(root, path);

	if (json_is_string(v)) {
		el_strlcpy(dst, json_string_value(v), size);
		return 0;
	}
	if (fallback && (!v || json_is_null(v))) {
		el_strlcpy(dst, fallback, size);
		return 0;
	}
	el_fmt(err, n, "merge: %s: field '%s' is %s: not a results directory of entrylab "
	       "matrix, or a corrupt one; leave it out or run the matrix again", file, path,
	       v ? "not a string" : "missing");
	return -1;
}

static json_t *load(const char *dir, const char *name, char *path, size_t psize,
		    char *err, size_t n)
{
	json_error_t je;
	json_t *j;

	el_fmt(path, psize, "%s/%s", dir, name);
	j = json_load_file(path, 0, &je);
	if (!j) {
		if (access(path, F_OK) != 0)
			el_fmt(err, n, "merge: %s: missing: not a results directory of entrylab "
			       "matrix (results/<run-id>); give one", path);
		else
			el_fmt(err, n, "merge: %s: line %d: %s: a corrupt results directory; "
			       "leave it out or run the matrix again", path, je.line, je.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		el_fmt(err, n, "merge: %s: not a JSON object: a corrupt results directory; "
		       "leave it out or run the matrix again", path);
		json_decref(j);
		return NULL;
	}
	return j;
}

static int corrupt(char *err, size_t n, const char *file, const char *what)
{
	el_fmt(err, n, "merge: %s: %s: a corrupt results directory; leave it out or run the "
	       "matrix again", file, what);
	return EL_EX_USAGE;
}

/* summary.json: unit, benches and every variant's stats are well formed. */
static int check_summary(struct fl_machine *m, const char *file, char *err, size_t n)
{
	json_t *benches = json_object_get(m->summary, "benches");
	json_t *variants = json_object_get(m->summary, "variants");
	json_t *effects = json_object_get(m->summary, "effects");
	char what[FL_TEXT], unit[FL_WORD];
	size_t i, j;
	json_t *b, *v;

	if (jstr(m->summary, file, "unit", NULL, unit, sizeof(unit), err, n) < 0)
		return EL_EX_USAGE;
	if (strcmp(unit, m->unit)) {
		el_fmt(what, sizeof(what), "unit '%s' disagrees with meta.json's mode.unit '%s'",
		       unit, m->unit);
		return corrupt(err, n, file, what);
	}
	if (!json_is_array(benches) || !json_is_array(variants))
		return corrupt(err, n, file, "'benches' or 'variants' is not a list");
	json_array_foreach(benches, i, b)
		if (!json_is_string(b) || !*json_string_value(b))
			return corrupt(err, n, file, "a name in 'benches' is not a string");
	if (effects && !json_is_array(effects))
		return corrupt(err, n, file, "'effects' is not a list");
	json_array_foreach(variants, i, v) {
		json_t *stats = json_object_get(v, "stats"), *s;
		const char *bench;
		if (!json_is_string(json_object_get(v, "short")) ||
		    !json_is_string(json_object_get(v, "status")))
			return corrupt(err, n, file, "a variant without 'short' or 'status'");
		if (stats && !json_is_object(stats))
			return corrupt(err, n, file, "a variant's 'stats' is not an object");
		json_object_foreach(stats, bench, s) {
			json_t *med = json_object_get(s, "median");
			if (!json_is_number(med) || !isfinite(json_number_value(med))) {
				el_fmt(what, sizeof(what), "variant %s, %s: 'median' is not a number",
				       json_string_value(json_object_get(v, "short")), bench);
				return corrupt(err, n, file, what);
			}
		}
		if (strcmp(json_string_value(json_object_get(v, "status")), "pass")) {
			m->failed++;
			el_fmt(what, sizeof(what), "%s%s%s", m->failed_names,
			       m->failed > 1 ? ", " : "", json_string_value(json_object_get(v, "short")));
			el_strlcpy(m->failed_names, what, sizeof(m->failed_names));
		}
	}
	json_array_foreach(effects, j, v) {
		const char *keys[] = { "axis", "from", "to", "bench" };
		for (size_t k = 0; k < 4; k++)
			if (!json_is_string(json_object_get(v, keys[k])))
				return corrupt(err, n, file, "an entry of 'effects' without its names");
	}
	return 0;
}

int fl_read_run(struct fl_machine *m, char *err, size_t n)
{
	char path[PATH_MAX + 32];
	struct stat st;
	json_t *meta;
	int rc = EL_EX_USAGE;

	if (stat(m->dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		el_fmt(err, n, "merge: %s: %s: give a results directory (results/<run-id>)",
		       m->dir, stat(m->dir, &st) != 0 ? strerror(errno) : "not a directory");
		return EL_EX_USAGE;
	}
	if (!realpath(m->dir, m->real))
		el_strlcpy(m->real, m->dir, sizeof(m->real));
	meta = load(m->dir, "meta.json", path, sizeof(path), err, n);
	if (!meta)
		return EL_EX_USAGE;
	if (jstr(meta, path, "run_id", NULL, m->run_id, sizeof(m->run_id), err, n) < 0 ||
	    jstr(meta, path, "start_utc", NULL, m->start_utc, sizeof(m->start_utc), err, n) < 0 ||
	    jstr(meta, path, "mode.mode", NULL, m->mode, sizeof(m->mode), err, n) < 0 ||
	    jstr(meta, path, "mode.unit", NULL, m->unit, sizeof(m->unit), err, n) < 0 ||
	    jstr(meta, path, "host.cpu_model", NULL, m->cpu_model, sizeof(m->cpu_model), err, n) < 0 ||
	    jstr(meta, path, "host.microcode", "unknown", m->microcode, sizeof(m->microcode),
		 err, n) < 0 ||
	    jstr(meta, path, "host.kernel.release", NULL, m->kernel, sizeof(m->kernel), err, n) < 0 ||
	    jstr(meta, path, "host.cpu_class", "unknown", m->cpu_class, sizeof(m->cpu_class),
		 err, n) < 0 ||
	    jstr(meta, path, "host.git.revision", "unknown", m->revision, sizeof(m->revision),
		 err, n) < 0)
		goto out;
	if (!*m->unit || strspn(m->unit, "abcdefghijklmnopqrstuvwxyz_-") != strlen(m->unit)) {
		corrupt(err, n, path, "mode.unit is not a unit name");
		goto out;
	}
	m->summary = load(m->dir, "summary.json", path, sizeof(path), err, n);
	if (!m->summary)
		goto out;
	rc = check_summary(m, path, err, n);
out:
	json_decref(meta);
	return rc;
}

/* Index of s in list[0..*len), appended when absent. */
static size_t intern(char ***list, size_t *len, const char *s)
{
	for (size_t i = 0; i < *len; i++)
		if (!strcmp((*list)[i], s))
			return i;
	*list = el_xrealloc(*list, (*len + 1) * sizeof(**list));
	(*list)[*len] = el_xstrdup(s);
	return (*len)++;
}

static size_t find(char **list, size_t len, const char *s)
{
	for (size_t i = 0; i < len; i++)
		if (!strcmp(list[i], s))
			return i;
	return len;
}

static void fill_cells(struct fl_merge *g, size_t mi)
{
	json_t *variants = json_object_get(g->m[mi].summary, "variants"), *v;
	size_t i;

	json_array_foreach(variants, i, v) {
		size_t vi = find(g->variant, g->nvariant,
				 json_string_value(json_object_get(v, "short")));
		const char *status = json_string_value(json_object_get(v, "status"));
		json_t *stats = json_object_get(v, "stats");
		json_t *unav = json_object_get(v, "unavailable");
		for (size_t b = 0; b < g->nbench; b++) {
			struct fl_cell *c = fl_cell_at(g, mi, vi, b);
			json_t *s = json_object_get(stats, g->bench[b]);
			if (strcmp(status, "pass")) {
				el_fmt(c->status, sizeof(c->status), "FAILED");
			} else if (s) {
				c->have = 1;
				c->median = json_number_value(json_object_get(s, "median"));
				c->n = (long)json_integer_value(json_object_get(s, "n"));
				el_fmt(c->status, sizeof(c->status), "pass");
			} else if (json_object_get(unav, g->bench[b])) {
				el_fmt(c->status, sizeof(c->status), "unavailable");
			}
		}
	}
}

int fl_collect(struct fl_merge *g, char *err, size_t n)
{
	for (size_t i = 0; i < g->nm; i++)
		for (size_t j = 0; j < i; j++) {
			const struct fl_machine *a = &g->m[j], *b = &g->m[i];
			if (strcmp(a->real, b->real) && (strcmp(a->run_id, b->run_id) ||
							  strcmp(a->start_utc, b->start_utc)))
				continue;
			el_fmt(err, n, "merge: %s and %s are the same run (run_id %s, started %s): "
			       "give each run once", a->dir, b->dir, b->run_id, b->start_utc);
			return EL_EX_USAGE;
		}
	for (size_t i = 0; i < g->nm; i++) {
		json_t *s = g->m[i].summary, *x;
		size_t k;
		intern(&g->unit, &g->nunit, g->m[i].unit);
		json_array_foreach(json_object_get(s, "benches"), k, x)
			intern(&g->bench, &g->nbench, json_string_value(x));
		json_array_foreach(json_object_get(s, "variants"), k, x) {
			size_t before = g->nvariant;
			size_t vi = intern(&g->variant, &g->nvariant,
					   json_string_value(json_object_get(x, "short")));
			json_t *p = json_object_get(x, "preset");
			if (vi == before) {
				g->preset = el_xrealloc(g->preset, g->nvariant * sizeof(*g->preset));
				g->preset[vi] = el_xstrdup(json_is_string(p) ? json_string_value(p) : "");
			}
		}
	}
	size_t ncell = g->nm * (g->nvariant ? g->nvariant : 1) * (g->nbench ? g->nbench : 1);
	g->cell = el_xrealloc(NULL, ncell * sizeof(*g->cell));
	memset(g->cell, 0, ncell * sizeof(*g->cell));
	for (size_t i = 0; i < g->nm; i++) {
		for (size_t v = 0; v < g->nvariant; v++)
			for (size_t b = 0; b < g->nbench; b++)
				el_fmt(fl_cell_at(g, i, v, b)->status, FL_WORD, "absent");
		fill_cells(g, i);
	}
	return 0;
}

static void free_list(char **list, size_t len)
{
	for (size_t i = 0; i < len; i++)
		free(list[i]);
	free(list);
}

void fl_free(struct fl_merge *g)
{
	for (size_t i = 0; i < g->nm; i++)
		json_decref(g->m[i].summary);
	free(g->m);
	free_list(g->variant, g->nvariant);
	free_list(g->preset, g->nvariant);
	free_list(g->bench, g->nbench);
	free_list(g->unit, g->nunit);
	free_list(g->plot_file, g->nplot_file);
	free(g->cell);
}
