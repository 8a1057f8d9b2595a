/*
 * linuxref, the matrix side: which Linux rows a run gets, the arguments of
 * their `entrylab run` children, the host row under kvm, and their facts in
 * meta.json.  See linuxref.h; matrix.c calls these at four points.
 */
#include "matrix/linuxref_matrix.h"
#include "matrix/meta.h"
#include "core/util.h"
#include "boot/qemu.h"
#include "variants/variants.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add_row(struct mx_variant *v, const struct lr_kernel *k, const struct lr_row *r,
		    const char *short_name, const char *model)
{
	char append[512];

	memset(v, 0, sizeof(*v));
	v->code = LR_CODE;
	v->exit = -1;
	el_strlcpy(v->short_name, short_name, sizeof(v->short_name));
	/* what the guest names itself in @H (linuxref/init.c), and the model */
	el_fmt(v->canonical, sizeof(v->canonical), "linux-debian-%s%s%s,cpu=%s", k->release,
	       r->cmdline[0] ? "," : "", r->cmdline, model);
	lr_row_append(r, short_name, append, sizeof(append));
	el_fmt(v->flags, sizeof(v->flags), "kernel command line: %s; QEMU CPU model: %s", append,
	       model);
	el_strlcpy(v->image, k->image, sizeof(v->image));
	el_strlcpy(v->build_id, k->build_id, sizeof(v->build_id));
}

/* The CPU models of the rows: those asked for (checked against QEMU's
 * list), or the one standing for this host.  0, or -1 after one line. */
static int choose_models(struct lr_matrix *lm, const char *root, const char *linux_cpu)
{
	struct el_buf offered = { 0 };
	char err[LR_MODELS_ERR], conf[LR_PATH], list[LR_PATH], *save = NULL;
	int have = lr_cpu_models(NULL, &offered, err, sizeof(err)) == 0;

	if (linux_cpu) {
		lm->cpu_given = 1;
		if (!have || lr_cpu_check(&offered, linux_cpu, err, sizeof(err)) < 0) {
			fprintf(stderr, "entrylab: %s\n", err);   /* longer than el_err's line */
			el_buf_free(&offered);
			return -1;
		}
		el_strlcpy(list, linux_cpu, sizeof(list));
		for (char *m = strtok_r(list, ",", &save); m; m = strtok_r(NULL, ",", &save)) {
			size_t i = 0;
			while (i < lm->nmodels && strcmp(lm->models[i], m))
				i++;
			if (i < lm->nmodels)
				continue;   /* named twice: one pair of rows */
			if (lm->nmodels == LR_MAX_MODELS) {
				el_err("more than %d models for --linux-cpu: entrylab matrix: give fewer",
				       LR_MAX_MODELS);
				el_buf_free(&offered);
				return -1;
			}
			el_strlcpy(lm->models[lm->nmodels], m, sizeof(lm->models[0]));
			el_fmt(lm->model_why[lm->nmodels++], sizeof(lm->model_why[0]),
			       "given by --linux-cpu");
		}
	} else {
		struct lr_host_cpu c;
		el_fmt(conf, sizeof(conf), "%s%s%s", root && strcmp(root, ".") ? root : "",
		       root && strcmp(root, ".") ? "/" : "", LR_CPU_CONF);
		lr_host_cpu(&c);
		lr_cpu_match(conf, &c, have ? &offered : NULL, lm->models[0], sizeof(lm->models[0]),
			     lm->model_why[0], sizeof(lm->model_why[0]));
		lm->nmodels = 1;
	}
	el_buf_free(&offered);
	return 0;
}

int lr_matrix_plan(struct lr_matrix *lm, enum lr_want want, int whole_matrix, const char *root,
		   const char *linux_cpu, const char *linux_kernel, struct mx_variant **v,
		   size_t *nv)
{
	char err[LR_PATH * 2], model[64];

	memset(lm, 0, sizeof(*lm));
	if (want == LR_WANT_OFF ||
	    (want == LR_WANT_AUTO && !whole_matrix && !linux_cpu && !linux_kernel))
		return 0;
	lm->wanted = 1;
	if (choose_models(lm, root, linux_cpu) < 0)
		return -1;
	if (lr_prepare(root, linux_kernel, &lm->k, err, sizeof(err)) < 0) {
		if (want == LR_WANT_ON || linux_cpu || linux_kernel) {
			el_err("%s", err);
			return -1;
		}
		el_strlcpy(lm->skipped, err, sizeof(lm->skipped));
		el_err("linux reference rows skipped: %s", err);
		return 0;
	}
	*v = el_xrealloc(*v, (*nv + lm->nmodels * lr_nrows) * sizeof(**v));
	for (size_t m = 0; m < lm->nmodels; m++)
		for (size_t i = 0; i < lr_nrows; i++) {
			struct lr_matrix_row *r = &lm->row[lm->nrow++];
			el_strlcpy(model, lm->models[m], sizeof(model));
			for (char *c = model; *c; c++)   /* a row name is lower case */
				*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
			r->kind = &lr_rows[i];
			r->model = (int)m;
			el_fmt(r->short_name, sizeof(r->short_name), "%s%s%s", lr_rows[i].short_name,
			       lm->nmodels > 1 ? "." : "", lm->nmodels > 1 ? model : "");
			add_row(&(*v)[(*nv)++], &lm->k, &lr_rows[i], r->short_name, lm->models[m]);
		}
	lm->rows = 1;
	return 0;
}

/* The model a row runs on: "host" under kvm unless --linux-cpu named one. */
static const char *row_model(const struct lr_matrix *lm, const struct lr_matrix_row *r)
{
	return lm->kvm && !lm->cpu_given ? NULL : lm->models[r->model];
}

void lr_matrix_args(struct lr_matrix *lm, struct mx_variant *v, int kvm, const char *trace,
		    const char **args, size_t max, char *append, size_t n)
{
	char given[512], row[512];
	const char *model = NULL;
	size_t count = 0;

	lm->kvm = kvm;
	for (size_t i = 0; i < lm->nrow; i++)
		if (!strcmp(v->short_name, lm->row[i].short_name)) {
			el_strlcpy(given, append, sizeof(given));
			lr_row_append(lm->row[i].kind, lm->row[i].short_name, row, sizeof(row));
			el_fmt(append, n, "%s%s%s", row, given[0] ? " " : "", given);
			model = row_model(lm, &lm->row[i]);
			/* planned before the mode was known: under kvm the row runs on
			 * -cpu host, and its name on screen and in the tables says so */
			add_row(v, &lm->k, lm->row[i].kind, lm->row[i].short_name,
				model ? model : "host");
		}
	while (args[count])
		count++;
	if (count + 2 < max) {
		args[count++] = "--initrd";
		args[count++] = lm->k.initrd;
		args[count] = NULL;
	}
	if (model && count + 2 < max) {
		args[count++] = "--linux-cpu";
		args[count++] = model;
		args[count] = NULL;
	}
	for (size_t i = 0; trace && i < lm->nrow; i++)   /* a stored breakdown: none */
		if (!strcmp(v->short_name, lm->row[i].short_name))
			trace = lr_cache_lookup(lm, v->short_name, model, append, trace);
	if (trace && count + 2 < max) {   /* the breakdown of report.md */
		args[count++] = "--linux-trace";
		args[count++] = trace;
		args[count] = NULL;
	}
}

static void discard(void *ctx, const char *data, size_t len)
{
	(void)ctx, (void)data, (void)len;   /* the path printed by the trace: not needed */
}

/* "linux-6.1" -> 6001; "linux-5.x" -> 5000; -1 when not linux-N.M. */
static long version_of(const char *s)
{
	unsigned major = 0, minor = 0;
	char x;

	if (sscanf(s, "linux-%u.%u", &major, &minor) == 2)
		return (long)major * 1000 + minor;
	if (sscanf(s, "linux-%u.%c", &major, &x) == 2 && x == 'x')
		return (long)major * 1000;
	return -1;
}

void lr_matrix_nearest(struct lr_matrix *lm, const struct el_variants *vs, const char *root,
		       const char *bench, const char *raw_dir)
{
	long kernel = 0, best = -1;
	unsigned major = 0, minor = 0;
	const struct el_preset *pick = NULL;

	if (sscanf(lm->k.release, "%u.%u", &major, &minor) == 2)
		kernel = (long)major * 1000 + minor;
	for (unsigned i = 0; i < vs->npresets; i++) {
		long v = version_of(vs->preset[i].name);
		if (v >= 0 && v <= kernel && v > best)
			best = v, pick = &vs->preset[i];
	}
	if (!pick) {
		el_fmt(lm->nearest_note, sizeof(lm->nearest_note), "no linux-X.Y preset at or below "
		       "%s in variants/presets.conf", lm->k.release);
		return;
	}
	el_strlcpy(lm->nearest, pick->name, sizeof(lm->nearest));
	el_variant_short(vs, el_variant_preset_code(vs, pick), lm->nearest_short,
			 sizeof(lm->nearest_short));

	char kernels[LR_PATH], vdir[LR_PATH], out[LR_PATH + 64], cmd[64];
	const char *pre = root && strcmp(root, ".") ? root : ".";
	el_fmt(kernels, sizeof(kernels), "%s/build/kernels", pre);
	el_fmt(vdir, sizeof(vdir), "%s/variants", pre);
	el_fmt(out, sizeof(out), "%s/%s.breakdown.csv", raw_dir, lm->nearest_short);
	el_strlcpy(cmd, "trace", sizeof(cmd));
	char *argv[] = { "/proc/self/exe", cmd, lm->nearest_short, (char *)bench, "--breakdown", out,
			 "--kernels", kernels, "--variants-dir", vdir, NULL };
	struct el_qemu_limits lim = { 120000, 1u << 22 };
	struct el_qemu_result q;
	el_qemu_run(argv, &lim, discard, NULL, &q);
	if (q.end == EL_QEMU_EXITED && q.code == 0)
		el_fmt(lm->nearest_note, sizeof(lm->nearest_note), "the newest linux-X.Y preset not "
		       "newer than %s; one traced %s (entrylab trace --breakdown)", lm->k.release, bench);
	else
		el_fmt(lm->nearest_note, sizeof(lm->nearest_note), "entrylab trace %s %s failed: %.300s",
		       lm->nearest_short, bench, q.err.data ? q.err.data : "");
	el_qemu_result_free(&q);
}

void lr_matrix_host(struct lr_matrix *lm, const char *root, int cpu, uint64_t samples,
		    const char *raw_dir)
{
	char program[LR_PATH], err[LR_PATH];

	el_fmt(program, sizeof(program), "%s%s%s", root && strcmp(root, ".") ? root : "",
	       root && strcmp(root, ".") ? "/" : "", LR_INIT);
	fprintf(stderr, "host row: the getpid loop natively on cpu %d, then perf bench "
		"syscall basic\n", cpu);
	if (lr_host_row(program, cpu, samples, "kvm", raw_dir, &lm->host, err, sizeof(err)) < 0) {
		el_strlcpy(lm->host_skipped, err, sizeof(lm->host_skipped));
		el_err("host row skipped: %s", err);
		return;
	}
	lm->host_ran = 1;
	if (lm->host.perf_ok)
		fprintf(stderr, "host row: getpid %.1f ns per call (%.1f TSC ticks); perf bench "
			"%s: %.1f ns per call\n", lm->host.ns_per_call, lm->host.ticks_per_call,
			lm->host.perf.syscall, lm->host.perf.ns_per_call);
	else
		el_err("warning: host row without perf bench: %s", lm->host.perf_error);
}

/* One row of meta.json's linuxref.rows: command line, CPU model and the
 * kernel's verdicts read from raw/<short>.console. */
static json_t *row_json(const struct lr_matrix *lm, const struct lr_matrix_row *r,
			const char *dir)
{
	char append[512], path[LR_PATH + 64];
	const char *model = row_model(lm, r);
	char *console;
	json_t *vul;

	lr_row_append(r->kind, r->short_name, append, sizeof(append));
	el_fmt(path, sizeof(path), "%s/raw/%s.console", dir, r->short_name);
	console = el_read_text(path, 1u << 24);
	vul = lr_vulnerabilities(console ? console : "");
	free(console);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "short", r->short_name, "what",
			 r->kind->what, "cmdline", append, "cpu_model", model ? model : "host",
			 "cpu_model_reason", model ? lm->model_why[r->model] :
			 "kvm: the host's own CPU (-cpu host)", "vulnerabilities", vul);
}

int lr_matrix_meta(const struct lr_matrix *lm, const char *dir)
{
	char err[LR_PATH * 2];
	json_t *rows = NULL;
	char cpu[128] = "";

	if (!lm->rows && !lm->skipped[0] && !lm->host_ran && !lm->host_skipped[0])
		return 0;   /* not asked for */
	if (lm->rows) {
		struct lr_host_cpu c;
		lr_host_cpu(&c);
		el_fmt(cpu, sizeof(cpu), "%s family %u model 0x%x stepping %u", c.vendor, c.family,
		       c.model, c.stepping);
		rows = json_array();

		for (size_t i = 0; i < lm->nrow; i++)
			json_array_append_new(rows, row_json(lm, &lm->row[i], dir));
	}
	if (rows)   /* the kernel running the harness, on this host's CPU: for comparison */
		rows = json_pack("{s:o, s:{s:s, s:o}, s:{s:s, s:s, s:s}}", "rows", rows, "host_cpu",
				 "cpuid", cpu, "vulnerabilities", lr_host_vulnerabilities(),
				 "nearest_preset", "preset", lm->nearest, "short", lm->nearest_short,
				 "note", lm->nearest_note);
	if (lr_meta_add(dir, lm->rows ? &lm->k : NULL, rows, lm->skipped[0] ? lm->skipped : NULL,
			lm->host_ran ? &lm->host : NULL,
			lm->host_skipped[0] ? lm->host_skipped : NULL, err, sizeof(err)) < 0) {
		el_err("%s", err);
		return -1;
	}
	return 0;
}
