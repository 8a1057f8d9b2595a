/* The merge gate's data: run directories and baseline files as gate sides,
 * `entrylab baseline save`, the baseline-mode gate and the verdict's
 * directory.  Contracts in gate.h. */
#include "gate/gate.h"
#include "analysis/analyze.h"
#include "core/exitcodes.h"
#include "matrix/matrix.h"
#include "image/pathlen.h"
#include "matrix/resultsdir.h"
#include "gate/thresholds.h"
#include "core/json.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BASELINE_FORMAT  "entrylab-baseline"
#define BASELINE_VERSION 1

/* ------------------------------------------------------------ places */

int gate_find_root(char *dst, size_t n)
{
	char *real;

	if (access("variants/axes.conf", R_OK) == 0 && (real = realpath(".", NULL))) {
		el_strlcpy(dst, real, n);
		free(real);
		return 0;
	}
	if (el_root_near_exe(dst, n) == 0)
		return 0;
	el_err("cannot find variants/axes.conf: the current directory and the directories above "
	       "the executable: run from the repository root");
	return -1;
}

int gate_partial_create(const char *results, char *dst, size_t n)
{
	char id[MX_ID_MAX], final[GATE_PATH];
	struct stat st;

	if (el_mkdir_p(results) < 0) {
		el_err("cannot create the results directory: %s: %s: check --results-dir", results,
		       strerror(errno));
		return -1;
	}
	mx_results_recover(results);
	mx_run_id_default(time(NULL), getpid(), id, sizeof(id));
	for (int k = 1; k < 100; k++) {
		el_fmt(dst, n, "%s/.gate-%s%s%.0d.partial", results, id, k > 1 ? "-" : "", k > 1 ? k : 0);
		el_fmt(final, sizeof(final), "%s/gate-%s%s%.0d", results, id, k > 1 ? "-" : "",
		       k > 1 ? k : 0);
		if (stat(final, &st) == 0)
			continue;
		if (mkdir(dst, 0755) == 0) {
			/* held until this process ends: a later run sees it is live */
			if (mx_dir_lock(dst) >= 0)
				return 0;
			rmdir(dst);
			break;
		}
		if (errno != EEXIST)
			break;
	}
	el_err("cannot create a gate directory: %s: %s: check --results-dir", dst, strerror(errno));
	return -1;
}

char gate_published[GATE_PATH];

int gate_publish(const char *results, const char *partial, const struct gl_result *r,
		 const struct gl_report_info *info)
{
	char own[GATE_PATH], path[GATE_PATH + 16], jpath[GATE_PATH + 16], final[GATE_PATH];
	struct el_buf md = { 0 };
	const char *base;

	if (!partial) {
		if (gate_partial_create(results, own, sizeof(own)))
			return EL_EX_USAGE;
		partial = own;
	}
	json_t *doc = gl_json(r, info);
	gl_markdown(r, info, &md);
	el_fmt(jpath, sizeof(jpath), "%s/verdict.json", partial);
	el_fmt(path, sizeof(path), "%s/verdict.md", partial);
	base = strrchr(partial, '/') ? strrchr(partial, '/') + 2 : partial + 1;
	el_fmt(final, sizeof(final), "%s/%.*s", results, (int)(strlen(base) - strlen(".partial")),
	       base);
	if (el_json_write(jpath, doc, 2, 0) < 0 || el_write_atomic(path, md.data, md.len) < 0 ||
	    el_rename_noreplace(partial, final) < 0) {
		el_err("cannot write the verdict: %s: %s: check --out", path, strerror(errno));
		el_buf_free(&md);
		json_decref(doc);
		el_remove_tree(partial);
		return EL_EX_USAGE;
	}
	json_decref(doc);
	el_strlcpy(gate_published, final, sizeof(gate_published));
	fwrite(md.data, 1, md.len, stdout);
	printf("\nverdict: %s/verdict.md (and verdict.json)\n", final);
	if ((fflush(stdout) || ferror(stdout)) && !gate_signal)
		el_err("cannot print the verdict: %s: it is complete in %s/verdict.md",
		       strerror(errno), final);
	el_buf_free(&md);
	return gl_exit_status(r);
}

/* ------------------------------------------------------------ run directories */

static void add_word(struct el_buf *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list->data; p && (p = strstr(p, word)); p += n)
		if ((p == list->data || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return;
	el_buf_printf(list, "%s%s", list->len ? "," : "", word);
}

/* The raw files of one directory, with run->dir set; 0 or -1 (printed). */
static int load_an_run(const char *dir, struct an_run *run)
{
	memset(run, 0, sizeof(*run));
	run->baseline = run->floor = -1;
	if (el_strlcpy(run->dir, dir, sizeof(run->dir)) >= sizeof(run->dir)) {
		el_err("path too long: %.80s...: use a shorter --run or --results-dir", dir);
		return -1;
	}
	if (an_load_raw(run) < 0) {
		an_run_free(run);
		return -1;
	}
	for (size_t i = 0; i < run->nwarn; i++)
		el_err("warning: %s: %s", dir, run->warn[i]);
	return 0;
}

int gate_load_run(const char *dir, struct gl_side *side, struct el_buf *bench_seen)
{
	struct an_run run;

	if (load_an_run(dir, &run))
		return -1;
	for (size_t i = 0; i < run.nv; i++) {
		const struct an_variant *v = &run.v[i];
		struct gl_variant *gv = gl_side_variant(side, v->short_name);
		gl_variant_status(gv, v->status, v->error);
		if (v->passed && v->unit[0] && side->unit[0] && strcmp(side->unit, v->unit)) {
			el_err("variants measured in %s and %s: %s: compare runs of one mode",
			       side->unit, v->unit, dir);
			an_run_free(&run);
			return -1;
		}
		if (v->passed && v->unit[0])
			el_strlcpy(side->unit, v->unit, sizeof(side->unit));
		for (size_t b = 0; b < run.nbench; b++) {
			const struct an_cell *c = &v->cells[b];
			if (!c->n && !c->unavailable[0])
				continue;
			struct gl_bench *gb = gl_variant_bench(gv, run.bench[b]);
			gl_bench_add(gb, c->x, c->n);
			if (c->unavailable[0])
				el_strlcpy(gb->unavailable, c->unavailable, sizeof(gb->unavailable));
			if (bench_seen)
				add_word(bench_seen, run.bench[b]);
		}
	}
	an_run_free(&run);
	return 0;
}

/* ------------------------------------------------------------ baseline save */

static json_t *variant_json(const struct an_run *run, const struct an_variant *v)
{
	json_t *samples = json_object(), *unavail = json_object();

	for (size_t b = 0; b < run->nbench; b++) {
		const struct an_cell *c = &v->cells[b];
		if (c->n) {
			json_t *a = json_array();
			for (size_t k = 0; k < c->n; k++)
				json_array_append_new(a, json_real(c->x[k]));
			json_object_set_new(samples, run->bench[b], a);
		}
		if (c->unavailable[0])
			json_object_set_new(unavail, run->bench[b], json_string(c->unavailable));
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "short", v->short_name,
			 "variant", v->name, "status", v->status, "error", v->error,
			 "samples", samples, "unavailable", unavail);
}

/* dir/name as JSON: -1 unreadable or corrupt (printed); *out json_null()
 * when optional and absent. */
static int load_json(const char *dir, const char *name, int optional, json_t **out)
{
	char path[GATE_PATH + 32];
	json_error_t e;

	el_fmt(path, sizeof(path), "%s/%s", dir, name);
	if (optional && access(path, F_OK) < 0) {
		*out = json_null();
		return 0;
	}
	if (!(*out = json_load_file(path, JSON_REJECT_DUPLICATES, &e))) {
		el_err("cannot read %s (line %d: %s): %s: %s", name, e.line, e.text, path,
		       optional ? "re-run the matrix" : "analyze the run first ('entrylab analyze DIR')");
		return -1;
	}
	return 0;
}

/* The baseline document of a loaded run, or NULL (not one unit). */
static json_t *baseline_doc(const char *run_dir, const struct an_run *run, json_t *summary,
			    json_t *meta)
{
	json_t *mode = json_object_get(summary, "mode"), *unit = json_object_get(summary, "unit");
	json_t *vars = json_array(), *doc;
	char created[32], *real = realpath(run_dir, NULL);
	time_t now = time(NULL);

	if (!json_is_string(unit) || !th_metric_known(json_string_value(unit))) {
		el_err("the run has no single unit (instructions or tsc) in summary.json: %s: "
		       "save a run of one mode", run_dir);
		json_decref(vars);
		free(real);
		return NULL;
	}
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	for (size_t i = 0; i < run->nv; i++)
		json_array_append_new(vars, variant_json(run, &run->v[i]));
	doc = json_pack("{s:s, s:i, s:s, s:s, s:O, s:O, s:o, s:O, s:O}", "format", BASELINE_FORMAT,
			"version", BASELINE_VERSION, "created", created, "run", real ? real : run_dir,
			"mode", json_is_string(mode) ? mode : json_null(), "unit", unit,
			"variants", vars, "summary", summary, "meta", meta);
	if (!doc)
		el_err("cannot encode the baseline: %s: the run holds text JSON cannot carry", run_dir);
	free(real);
	return doc;
}

static int baseline_save(const char *run_dir, const char *out)
{
	struct an_run run;
	json_t *summary, *meta, *doc;
	int rc = EL_EX_USAGE;

	if (load_json(run_dir, "summary.json", 0, &summary))
		return EL_EX_USAGE;
	if (load_json(run_dir, "meta.json", 1, &meta) || load_an_run(run_dir, &run)) {
		json_decref(summary);
		return EL_EX_USAGE;
	}
	doc = baseline_doc(run_dir, &run, summary, meta);
	if (!doc)
		el_err("cannot encode the baseline: %s: out of memory", run_dir);
	else if (el_json_write(out, doc, 1, 1) < 0)
		el_err("cannot write %s: %s: check --out", out, strerror(errno));
	else {
		printf("baseline: %s (run %s, %zu variants)\n", out, run_dir, run.nv);
		rc = EL_EX_OK;
	}
	json_decref(doc);
	json_decref(summary);
	json_decref(meta);
	an_run_free(&run);
	return rc;
}

/* ------------------------------------------------------------ baseline load */

#define BAD(...) do { el_fmt(what, sizeof(what), __VA_ARGS__); goto bad; } while (0)

static int baseline_variant(json_t *jv, size_t i, struct gl_side *side, char *what, size_t n)
{
	json_t *jshort = json_object_get(jv, "short"), *jstatus = json_object_get(jv, "status");
	json_t *jerr = json_object_get(jv, "error"), *jsamples = json_object_get(jv, "samples");
	json_t *jun = json_object_get(jv, "unavailable"), *val;
	const char *key;

	if (!json_is_string(jshort) || !an_safe_word(json_string_value(jshort)) ||
	    !json_is_string(jstatus) || !json_is_object(jsamples) ||
	    (jerr && !json_is_string(jerr)) || (jun && !json_is_object(jun))) {
		el_fmt(what, n, "variants[%zu] lacks short, status or samples", i);
		return -1;
	}
	for (size_t k = 0; k < side->nv; k++)
		if (!strcmp(side->v[k].short_name, json_string_value(jshort))) {
			el_fmt(what, n, "variants[%zu] lists %.40s a second time", i,
			       json_string_value(jshort));
			return -1;
		}
	struct gl_variant *v = gl_side_variant(side, json_string_value(jshort));
	gl_variant_status(v, json_string_value(jstatus), jerr ? json_string_value(jerr) : "");
	json_object_foreach(jsamples, key, val) {
		if (!an_safe_word(key) || !json_is_array(val) || !json_array_size(val)) {
			el_fmt(what, n, "variants[%zu].samples.%.40s is not a list of samples", i, key);
			return -1;
		}
		size_t count = json_array_size(val);
		double *x = el_xrealloc(NULL, count * sizeof(*x));
		for (size_t k = 0; k < count; k++) {
			x[k] = json_number_value(json_array_get(val, k));
			const char *insane = an_per_call_insane(x[k], side->unit);
			if (!json_is_number(json_array_get(val, k)) || insane) {
				el_fmt(what, n, "variants[%zu].samples.%.40s[%zu] is %s", i, key, k,
				       !json_is_number(json_array_get(val, k)) ? "not a number" : insane);
				free(x);
				return -1;
			}
		}
		gl_bench_add(gl_variant_bench(v, key), x, count);   /* one run: one boot */
		free(x);
	}
	json_object_foreach(jun, key, val)
		if (an_safe_word(key) && json_is_string(val))
			el_strlcpy(gl_variant_bench(v, key)->unavailable, json_string_value(val),
				   GL_WORD);
	return 0;
}

static int baseline_load(const char *path, struct gl_side *side, char *label, size_t n)
{
	json_error_t e;
	json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &e), *vars, *unit, *run;
	char what[256];

	if (!doc) {
		el_err("corrupt baseline file (line %d, column %d: %s): %s: re-create it with "
		       "'entrylab baseline save'", e.line, e.column, e.text, path);
		return -1;
	}
	vars = json_object_get(doc, "variants");
	unit = json_object_get(doc, "unit");
	run = json_object_get(doc, "run");
	if (!json_is_object(doc) || !json_is_string(json_object_get(doc, "format")) ||
	    strcmp(json_string_value(json_object_get(doc, "format")), BASELINE_FORMAT))
		BAD("not an entrylab baseline (no \"format\": \"%s\")", BASELINE_FORMAT);
	if (json_integer_value(json_object_get(doc, "version")) != BASELINE_VERSION)
		BAD("baseline version is not %d", BASELINE_VERSION);
	if (!json_is_array(vars) || !json_array_size(vars) || !json_is_string(unit) ||
	    !th_metric_known(json_string_value(unit)))
		BAD("no variants, or no unit (instructions or tsc)");
	el_strlcpy(side->unit, json_string_value(unit), sizeof(side->unit));
	for (size_t i = 0; i < json_array_size(vars); i++)
		if (baseline_variant(json_array_get(vars, i), i, side, what, sizeof(what)))
			goto bad;
	el_fmt(label, n, "baseline %s (run %s, created %s)", path,
	       json_is_string(run) ? json_string_value(run) : "?",
	       json_is_string(json_object_get(doc, "created")) ?
	       json_string_value(json_object_get(doc, "created")) : "?");
	json_decref(doc);
	return 0;
bad:
	el_err("malformed baseline file (%s): %s: re-create it with 'entrylab baseline save'",
	       what, path);
	json_decref(doc);
	return -1;
}

/* ------------------------------------------------------------ the baseline gate */

char **gate_split_list(const char *s)
{
	char **list = el_xrealloc(NULL, sizeof(*list)), *copy = el_xstrdup(s), *save = NULL;
	size_t n = 0;

	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		list = el_xrealloc(list, (n + 2) * sizeof(*list));
		list[n++] = el_xstrdup(t);
	}
	list[n] = NULL;
	free(copy);
	return list;
}

void gate_free_list(char **list)
{
	for (size_t i = 0; list && list[i]; i++)
		free(list[i]);
	free(list);
}

char **gate_select_variants(const char *root, const char *sel)
{
	char dir[GATE_PATH + 16], err[EL_VARIANT_ERR], name[EL_NAME_MAX];
	struct el_variants vs;
	int codes[EL_MAX_VARIANTS + 1];
	size_t n = 0;
	char **list;

	el_fmt(dir, sizeof(dir), "%s/variants", root);
	if (el_variants_load(&vs, dir, err, sizeof(err)) < 0 ||
	    el_variants_resolve(&vs, sel, codes, sizeof(codes) / sizeof(codes[0]), &n, err,
				sizeof(err)) < 0) {
		el_err("%s", err);
		el_variants_free(&vs);
		return NULL;
	}
	list = el_xrealloc(NULL, (n + 1) * sizeof(*list));
	for (size_t i = 0; i < n; i++)
		list[i] = el_xstrdup(el_variant_short(&vs, codes[i], name, sizeof(name)));
	list[n] = NULL;
	el_variants_free(&vs);
	return list;
}

/* Which variants and benchmarks take part: the selection, else the head's. */
static int baseline_filters(const struct gate_baseline_opts *o, const char *root,
			    struct gl_side *base, struct gl_side *head, const char *seen)
{
	char benches[MX_BENCH_LIST], err[512];
	char **vlist, **blist;

	if (o->bench && mx_bench_list(o->bench, benches, sizeof(benches), err, sizeof(err))) {
		el_err("%s", err);
		return -1;
	}
	blist = gate_split_list(o->bench ? benches : seen);
	if (o->variants) {
		if (!(vlist = gate_select_variants(root, o->variants))) {
			gate_free_list(blist);
			return -1;
		}
	} else {
		vlist = el_xrealloc(NULL, (head->nv + 1) * sizeof(*vlist));
		for (size_t i = 0; i < head->nv; i++)
			vlist[i] = el_xstrdup(head->v[i].short_name);
		vlist[head->nv] = NULL;
	}
	gl_side_filter(base, (const char *const *)vlist, (const char *const *)blist);
	gl_side_filter(head, (const char *const *)vlist, (const char *const *)blist);
	gate_free_list(vlist);
	gate_free_list(blist);
	return 0;
}

int gate_against_baseline(const struct gate_baseline_opts *o)
{
	char root[GATE_PATH], results[GATE_PATH], th_path[GATE_PATH + 32], run[GATE_PATH + 16];
	char label[GATE_PATH * 2], head_label[GATE_PATH + 16], err[GATE_PATH + 256];
	struct gl_side base = { 0 }, head = { 0 };
	struct el_buf seen = { 0 };
	struct th_table t = { 0 };
	struct gl_result r;
	int rc = EL_EX_USAGE;

	if (gate_find_root(root, sizeof(root)))
		return EL_EX_USAGE;
	el_fmt(results, sizeof(results), "%s", o->results_dir ? o->results_dir : "");
	if (!o->results_dir)
		el_fmt(results, sizeof(results), "%s/results", root);
	el_fmt(th_path, sizeof(th_path), "%s", o->thresholds ? o->thresholds : "");
	if (!o->thresholds)
		el_fmt(th_path, sizeof(th_path), "%s/variants/thresholds.conf", root);
	el_fmt(run, sizeof(run), "%s", o->run_dir ? o->run_dir : "");
	if (!o->run_dir)
		el_fmt(run, sizeof(run), "%s/latest", results);
	char *real = realpath(run, NULL);
	el_fmt(head_label, sizeof(head_label), "run %s", real ? real : run);
	free(real);
	if (th_load(th_path, &t, err, sizeof(err))) {
		el_err("%s", err);
		return EL_EX_USAGE;
	}
	if (baseline_load(o->baseline, &base, label, sizeof(label)) == 0 &&
	    gate_load_run(run, &head, &seen) == 0 &&
	    baseline_filters(o, root, &base, &head, seen.data ? seen.data : "") == 0) {
		if (gl_compare(&base, &head, &t, 0, &r, err, sizeof(err))) {
			el_err("%s: %s and %s", err, o->baseline, run);
		} else {
			struct gl_report_info info = {
				label, head_label, !strcmp(r.unit, "tsc") ? "kvm" : "tcg-icount",
				"the run's samples against the baseline's (per-symbol explanations "
				"need both images: use --base REV)", th_path,
			};
			rc = gate_publish(results, NULL, &r, &info);
			gl_result_free(&r);
		}
	}
	el_buf_free(&seen);
	gl_side_free(&base);
	gl_side_free(&head);
	th_free(&t);
	return rc;
}

/* ------------------------------------------------------------ command */

static const struct el_opt baseline_options[] = {
	{ "run", 'r', "DIR", "the run to store (default RESULTS/latest)", "@dir" },
	{ "out", 'o', "FILE", "the file written (default results/baseline.json)", "@file" },
	{ 0 }
};

const struct el_optcmd baseline_optcmd = {
	"baseline save", "[--run DIR] [--out FILE]",
	"Store a run as a baseline file for 'entrylab gate --baseline-file FILE': its\n"
	"summary.json, meta.json and every per-call sample (format: gate.h, README\n"
	"'Merge gate').",
	baseline_options, "exit status: 0 written, 2 usage or unreadable run", NULL,
};

struct baseline_args {
	const char *run_dir, *out_file;
};

static int baseline_opt(void *ctx, int key, const char *arg)
{
	struct baseline_args *a = ctx;

	*(key == 'r' ? &a->run_dir : &a->out_file) = arg;
	return 0;
}

int el_cmd_baseline(int argc, char **argv)
{
	char root[GATE_PATH], run[GATE_PATH + 16], out[GATE_PATH + 32];
	struct baseline_args a = { NULL, NULL };
	int rc;

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		el_opts_help(&baseline_optcmd, stdout);
		return EL_EX_OK;
	}
	if (argc < 2 || strcmp(argv[1], "save")) {
		el_err("%s: entrylab baseline: use 'entrylab baseline save [--run DIR] [--out FILE]'",
		       argc < 2 ? "missing subcommand" : "unknown subcommand");
		return EL_EX_USAGE;
	}
	rc = el_opts_parse(&baseline_optcmd, argc - 1, argv + 1, baseline_opt, &a, NULL);
	if (rc != EL_OPTS_GO)
		return rc == EL_OPTS_HELP ? EL_EX_OK : EL_EX_USAGE;
	if ((!a.run_dir || !a.out_file) && gate_find_root(root, sizeof(root)))
		return EL_EX_USAGE;
	el_fmt(run, sizeof(run), "%s%s", a.run_dir ? a.run_dir : root,
	       a.run_dir ? "" : "/results/latest");
	el_fmt(out, sizeof(out), "%s%s", a.out_file ? a.out_file : root,
	       a.out_file ? "" : "/results/baseline.json");
	return baseline_save(run, out);
}
