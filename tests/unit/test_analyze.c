/* Unit tests for `entrylab analyze` (harness/analyze*.c, report.c, plot.c):
 * the fixtures in tests/unit/data/analyze/ are copied to a temporary
 * directory and analysed there.  Run from the repository root. */
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>

#include "analysis/analyze.h"
#include "core/util.h"
#include "variants/variants.h"

#define FIXTURES "tests/unit/data/analyze"

/* ------------------------------------------------------------ helpers */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t cap = 0;

	if (!f)
		return NULL;
	ssize_t n = getdelim(&text, &cap, '\0', f);
	fclose(f);
	if (n < 0) {
		free(text);
		return strdup("");
	}
	return text;
}

static void spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void rm_rf(const char *dir)
{
	el_remove_tree(dir);
}

/* A fresh DIR with an empty DIR/raw. */
static char *new_run_dir(void)
{
	char tmpl[] = "/tmp/entrylab-analyze-XXXXXX", raw[64];
	char *dir = strdup(mkdtemp(tmpl));

	snprintf(raw, sizeof(raw), "%s/raw", dir);
	assert_int_equal(mkdir(raw, 0755), 0);
	return dir;
}

static char *copy_fixture(const char *name)
{
	static const char *const files[] = { "floor", "pcsa", "pcac", "pssc", "fsac" };
	static const char *const exts[] = { "result", "samples.csv", "console" };
	char *dir = new_run_dir(), src[256], dst[256];

	for (size_t i = 0; i < 5; i++)
		for (size_t e = 0; e < 3; e++) {
			snprintf(src, sizeof(src), FIXTURES "/%s/raw/%s.%s", name, files[i], exts[e]);
			char *text = slurp(src);
			if (!text)
				continue;
			snprintf(dst, sizeof(dst), "%s/raw/%s.%s", dir, files[i], exts[e]);
			spit(dst, text);
			free(text);
		}
	return dir;
}

static char *dir_file(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return slurp(path);
}

static int exists(const char *dir, const char *name)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0 && st.st_size > 0;
}

/* Run analyze DIR args...; stderr goes to *err (caller frees). */
static int analyze(char **err, const char *dir, ...)
{
	char *argv[16] = { "analyze", (char *)dir };
	int argc = 2;
	va_list ap;
	char errpath[] = "/tmp/entrylab-analyze-err-XXXXXX";
	int fd = mkstemp(errpath), saved = dup(2);

	va_start(ap, dir);
	for (char *a; argc < 15 && (a = va_arg(ap, char *));)
		argv[argc++] = a;
	va_end(ap);
	fflush(stderr);
	dup2(fd, 2);
	int rc = cmd_analyze(argc, argv);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	char *text = slurp(errpath);
	unlink(errpath);
	if (err)
		*err = text;
	else
		free(text);
	return rc;
}

static json_t *load_summary(const char *dir)
{
	char path[512];
	json_error_t jerr;

	snprintf(path, sizeof(path), "%s/summary.json", dir);
	json_t *j = json_load_file(path, 0, &jerr);
	assert_non_null(j);
	return j;
}

static json_t *variant(json_t *summary, const char *short_name)
{
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(summary, "variants"), i, v)
		if (!strcmp(json_string_value(json_object_get(v, "short")), short_name))
			return v;
	fail_msg("variant %s not in summary.json", short_name);
	return NULL;
}

static double jget(json_t *v, const char *section, const char *bench, const char *key)
{
	json_t *x = json_object_get(json_object_get(json_object_get(v, section), bench), key);

	assert_non_null(x);
	return json_number_value(x);
}

static size_t count_lines(const char *text)
{
	size_t n = 0;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

static int no_temp_files(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "find '%s' -name '*.tmp.*' | grep -q .", dir);
	return system(cmd) != 0;
}

/* ------------------------------------------------------------ fixtures */

static void test_mixed_run(void **state)
{
	(void)state;
	char *dir = copy_fixture("mixed");

	assert_int_equal(analyze(NULL, dir, "--no-plots", NULL), 1);   /* pcac crashed */

	char *csv = dir_file(dir, "summary.csv");
	assert_non_null(csv);
	assert_int_equal(count_lines(csv), 1 + 5 * 2);   /* header + variants x benches */
	assert_non_null(strstr(csv, ",pcac,,getpid,crash,instructions,"));
	assert_non_null(strstr(csv, ",floor,,iopl,unavailable,"));
	assert_non_null(strstr(csv, ",fsac,linux-5.x,getpid,pass,instructions,10,61,"));
	free(csv);

	json_t *j = load_summary(dir);
	assert_string_equal(json_string_value(json_object_get(j, "unit")), "instructions");
	json_t *failed = json_array_get(json_object_get(j, "failed"), 0);
	assert_int_equal(json_array_size(json_object_get(j, "failed")), 1);
	assert_string_equal(json_string_value(json_object_get(failed, "short")), "pcac");
	assert_string_equal(json_string_value(json_object_get(failed, "status")), "crash");
	json_t *pcsa = variant(j, "pcsa");
	assert_true(jget(pcsa, "stats", "getpid", "median") == 46.0);
	assert_true(jget(pcsa, "deltas", "getpid", "delta") == -15.0);    /* 46 - 61 */
	assert_true(json_is_true(json_object_get(json_object_get(json_object_get(pcsa, "deltas"),
								 "getpid"), "exact")));
	assert_true(jget(pcsa, "stats", "getpid", "above_floor") == 26.0); /* 46 - 20 */
	assert_string_equal(json_string_value(json_object_get(json_object_get(pcsa, "axes"),
							      "rsp")), "cached");
	assert_string_equal(json_string_value(json_object_get(json_object_get(variant(j, "floor"),
		"unavailable"), "iopl")), "unsupported_by_entry");
	json_decref(j);

	char *md = dir_file(dir, "report.md");
	assert_non_null(strstr(md, "| pcac |  | - | FAILED (crash) |"));
	assert_non_null(strstr(md, "### pcac"));
	assert_non_null(strstr(md, "@X vector=13 name=GP"));          /* console tail */
	assert_null(strstr(md, "@T ok 2 - check 2\n"));               /* only the last lines */
	assert_non_null(strstr(md, "unavailable (unsupported_by_entry)"));
	assert_non_null(strstr(md, "median [95% CI] (instructions)"));
	assert_non_null(strstr(md, "Skipped: --no-plots given"));
	/* history order; pcsa and pssc are no presets since irq=on joined them */
	char *p313 = strstr(md, "| linux-3.13 | not run |"), *p43 = strstr(md, "| linux-4.3 | not run |");
	char *p61 = strstr(md, "| linux-6.1 | not run |"), *p5 = strstr(md, "| linux-5.x | fsac |");
	assert_true(p313 && p43 && p61 && p5 && p313 < p43 && p43 < p61 && p61 < p5);
	free(md);
	assert_true(no_temp_files(dir));
	rm_rf(dir);
	free(dir);
}

static void test_kvm_run(void **state)
{
	(void)state;
	char *dir = copy_fixture("kvm");

	assert_int_equal(analyze(NULL, dir, "--no-plots", NULL), 0);
	json_t *j = load_summary(dir);
	json_t *pcsa = variant(j, "pcsa");
	json_t *ci = json_object_get(json_object_get(json_object_get(pcsa, "deltas"), "getpid"),
				     "ci95");
	double lo = json_number_value(json_array_get(ci, 0)), hi = json_number_value(json_array_get(ci, 1));
	assert_true(lo < hi && hi < 0.0);              /* clearly faster than fsac */
	assert_true(jget(pcsa, "deltas", "getpid", "p_value") < 0.01);
	assert_false(json_is_true(json_object_get(json_object_get(json_object_get(pcsa, "stats"),
								  "getpid"), "exact")));
	char *text = json_dumps(json_object_get(j, "warnings"), 0);
	assert_non_null(strstr(text, "floor getpid: 8 samples"));
	assert_non_null(strstr(text, "pcsa getpid: raw MAD is"));
	assert_null(strstr(text, "fsac getpid"));       /* quiet variant: no warning */
	free(text);
	json_decref(j);

	char *md = dir_file(dir, "report.md");
	assert_non_null(strstr(md, "(TSC ticks per call)"));
	free(md);

	/* another baseline, by canonical name with the axes in another order */
	assert_int_equal(analyze(NULL, dir, "--no-plots", "--baseline",
				 "irq=off,spec=off,exit=asm,regs=stub,clear=no,pti=off,rsp=cached,entry=arch,dispatch=table,path=asm,ptregs=partial",
				 NULL), 0);
	j = load_summary(dir);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "baseline"),
							      "short")), "pcsa");
	assert_true(jget(variant(j, "fsac"), "deltas", "getpid", "delta") > 0.0);
	json_decref(j);
	rm_rf(dir);
	free(dir);
}

/* Under kvm a sample whose empty twin stalled (ticks < empty) and a sample
 * far from its boot's median are kept in the raw CSV but left out of the
 * statistics, and counted as rejected. */
static void test_kvm_outliers_rejected(void **state)
{
	static const char *const head = "variant,short,bench,sample,iters,ticks,empty,per_call,unit\n";
	char path[512], row[160];
	struct el_buf csv = { 0 };
	(void)state;
	char *dir = new_run_dir();

	el_buf_puts(&csv, head);
	for (int i = 0; i < 10; i++)   /* 90 +- 0.5 ticks per call */
		el_buf_printf(&csv, "v,pcsa,getpid,%d,1000,%d,30000,%.4f,tsc\n", i,
			      120000 + 100 * (i % 5), 90 + 0.1 * (i % 5));
	el_buf_puts(&csv, "v,pcsa,getpid,10,1000,29000,30000,-1.0000,tsc\n"
		    "v,pcsa,getpid,11,1000,400000,30000,370,tsc\n");
	snprintf(path, sizeof(path), "%s/raw/pcsa.samples.csv", dir);
	spit(path, csv.data);
	snprintf(path, sizeof(path), "%s/raw/pcsa.result", dir);
	spit(path, "status=pass\nshort=pcsa\nvariant=v\nmode=kvm\nunit=tsc\n");
	assert_int_equal(analyze(NULL, dir, "--no-plots", NULL), 0);

	json_t *j = load_summary(dir), *v = variant(j, "pcsa");
	assert_true(jget(v, "stats", "getpid", "n") == 10);
	assert_true(jget(v, "stats", "getpid", "min") >= 90.0);
	assert_true(jget(v, "stats", "getpid", "max") <= 90.5);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "rejected"),
							    "getpid")), 2);
	json_decref(j);
	char *text = dir_file(dir, "summary.csv");
	assert_non_null(strstr(text, ",above_floor,rejected\n"));
	snprintf(row, sizeof(row), ",pcsa,,getpid,pass,tsc,10,");
	assert_non_null(strstr(text, row));
	assert_non_null(strstr(text, ",2\n"));
	free(text);
	text = dir_file(dir, "report.md");
	assert_non_null(strstr(text, "| pcsa |  | 10 (-2) | 90.20 "));
	assert_non_null(strstr(text, "more than 5 scaled MADs"));
	free(text);
	snprintf(path, sizeof(path), "%s/raw/pcsa.samples.csv", dir);
	text = slurp(path);
	assert_non_null(strstr(text, ",29000,30000,-1.0000,tsc\n"));   /* raw file untouched */
	free(text);
	el_buf_free(&csv);
	rm_rf(dir);
	free(dir);
}

/* A counter the run found reading 0 (pmu_unavailable= in the .result) is
 * reported unavailable with its reason, in summary.json, meta.json and
 * report.md, and the CSV's empty cells for it are accepted. */
static void test_kvm_pmu_unavailable(void **state)
{
	char path[512];
	(void)state;
	char *dir = new_run_dir();

	snprintf(path, sizeof(path), "%s/raw/pcsa.samples.csv", dir);
	spit(path, "variant,short,bench,sample,iters,ticks,empty,per_call,unit,pmu0,pmu1,"
	     "epmu0,epmu1\n"
	     "v,pcsa,getpid,0,1000,120000,30000,90,tsc,,59000,,4000\n"
	     "v,pcsa,getpid,1,1000,120100,30000,90.1000,tsc,,59000,,4000\n");
	snprintf(path, sizeof(path), "%s/raw/pcsa.result", dir);
	spit(path, "status=pass\nshort=pcsa\nvariant=v\nmode=kvm\nunit=tsc\n"
	     "pmu_unavailable=getpid/pmu0:counter_reads_zero\n");
	snprintf(path, sizeof(path), "%s/meta.json", dir);
	spit(path, "{}\n");
	assert_int_equal(analyze(NULL, dir, "--no-plots", NULL), 0);

	json_t *j = load_summary(dir);
	json_t *pmu = json_object_get(variant(j, "pcsa"), "pmu_unavailable");
	assert_string_equal(json_string_value(json_object_get(json_object_get(pmu, "getpid"),
							      "pmu0")), "counter_reads_zero");
	assert_null(json_object_get(json_object_get(pmu, "getpid"), "pmu1"));
	json_decref(j);
	snprintf(path, sizeof(path), "%s/meta.json", dir);
	json_error_t jerr;
	j = json_load_file(path, 0, &jerr);
	assert_non_null(j);
	pmu = json_object_get(json_object_get(j, "analysis"), "pmu_unavailable");
	assert_non_null(json_object_get(json_object_get(pmu, "pcsa"), "getpid"));
	json_decref(j);
	char *md = dir_file(dir, "report.md");
	assert_non_null(strstr(md, "- pcsa: getpid, PMU event pmu0 (counter_reads_zero"));
	free(md);

	/* a malformed entry is a located error */
	snprintf(path, sizeof(path), "%s/raw/pcsa.result", dir);
	spit(path, "status=pass\nshort=pcsa\nunit=tsc\npmu_unavailable=getpid/pmuX:r\n");
	char *err;
	assert_int_equal(analyze(&err, dir, "--no-plots", NULL), 2);
	assert_non_null(strstr(err, "malformed pmu_unavailable= entry"));
	free(err);
	rm_rf(dir);
	free(dir);
}

static void test_malformed_csv(void **state)
{
	(void)state;
	char *dir = copy_fixture("malformed"), *err;

	assert_int_equal(analyze(&err, dir, "--no-plots", NULL), 2);
	assert_non_null(strstr(err, "pcsa.samples.csv:5:"));
	assert_non_null(strstr(err, "expected 9 fields, got 8"));
	assert_int_equal(count_lines(err), 1);         /* one line */
	assert_false(exists(dir, "summary.csv"));
	assert_false(exists(dir, "summary.json"));
	assert_false(exists(dir, "report.md"));
	assert_true(no_temp_files(dir));
	free(err);
	rm_rf(dir);
	free(dir);
}

/* ------------------------------------------------------------ generated runs */

static void write_variant(const char *dir, const char *short_name, const char *name,
			  const double *per_call, const char *const *bench, size_t nbench)
{
	char path[512], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/raw/%s.result", dir, short_name);
	snprintf(line, sizeof(line), "status=pass\nvariant=%s\nshort=%s\nmode=tcg-icount\n"
		 "unit=instructions\ntap_pass=30\ntap_fail=0\ntap_skip=0\nunavailable=\n",
		 name, short_name);
	spit(path, line);
	snprintf(path, sizeof(path), "%s/raw/%s.samples.csv", dir, short_name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("variant,short,bench,sample,iters,ticks,empty,per_call,unit\n", f);
	for (size_t b = 0; b < nbench; b++)
		for (int s = 0; s < 10; s++)
			fprintf(f, "\"%s\",%s,%s,%d,1000,%.0f,3004,%g,instructions\n", name,
				short_name, bench[b], s, 3004 + per_call[b] * 1000, per_call[b]);
	fclose(f);
}

/* The full 2^4 matrix plus floor: exit=c adds exactly +10 to getpid, the
 * other axes nothing; on iopl ptregs=full adds +4 only with rsp=stored. */
static char *matrix_run(void)
{
	static const char *const bench[] = { "getpid", "iopl" };
	struct el_variants vs;
	char err[EL_VARIANT_ERR], s[64], name[256];
	char *dir = new_run_dir();

	assert_int_equal(el_variants_load(&vs, "variants", err, sizeof(err)), 0);
	for (int code = 0; code < el_variant_count(&vs); code++) {
		if (!el_variant_valid(&vs, code))
			continue;
		int full = el_variant_choice(&vs, code, 0), stored = el_variant_choice(&vs, code, 1);
		double pc[2] = { 50.0 + 10.0 * el_variant_choice(&vs, code, 3),
				 120.0 + (full && stored ? 4.0 : 0.0) };
		write_variant(dir, el_variant_short(&vs, code, s, sizeof(s)),
			      el_variant_canonical(&vs, code, name, sizeof(name)), pc, bench, 2);
	}
	write_variant(dir, "floor", "floor", (double[]){ 30.0, 100.0 }, bench, 2);
	el_variants_free(&vs);
	return dir;
}

static json_t *effect(json_t *summary, const char *axis, const char *bench)
{
	size_t i;
	json_t *e;

	json_array_foreach(json_object_get(summary, "effects"), i, e)
		if (!strcmp(json_string_value(json_object_get(e, "axis")), axis) &&
		    !strcmp(json_string_value(json_object_get(e, "bench")), bench))
			return e;
	fail_msg("no effect %s/%s", axis, bench);
	return NULL;
}

static void test_matrix_effects(void **state)
{
	(void)state;
	char *dir = matrix_run();

	assert_int_equal(analyze(NULL, dir, "--no-plots", NULL), 0);
	json_t *j = load_summary(dir);
	/* pairs of valid variants (variants/axes.conf): each of the first four
	 * axes flips in 40 (path=asm, clear=no: 8 with irq=off, 32 with irq=on
	 * under the four pti/spec pairs), path and clear in 4 (fsaci-fsacdi,
	 * fsacdi-fsacdzi, each under the four pti/spec pairs), irq in 16 (pti
	 * and spec off), pti and spec in 42 (irq=on: 32 on path=asm, 10 on
	 * path=c: fsacdi, fsacdzi, fsacdzig, fsacdzir, fsacdzirx each under
	 * the other's two values), entry in 4 (fsacdzi-fsacdzig under the four
	 * pti/spec pairs; kstack, the third value, is in no first-against-
	 * second pair), dispatch in 4 (fsacdzir-fsacdzirx, likewise) */
	static const char *const axes[] = { "ptregs", "rsp", "regs", "exit", "path", "clear", "irq",
					    "pti", "spec", "entry", "dispatch" };
	static const int pairs[] = { 40, 40, 40, 40, 4, 4, 16, 42, 42, 4, 4 };
	for (int k = 0; k < 11; k++) {
		json_t *e = effect(j, axes[k], "getpid");
		double want = k == 3 ? 10.0 : 0.0;
		assert_int_equal(json_integer_value(json_object_get(e, "pairs")), pairs[k]);
		assert_true(json_number_value(json_object_get(e, "mean")) == want);
		assert_true(json_number_value(json_object_get(e, "min")) == want);
		assert_true(json_number_value(json_object_get(e, "max")) == want);
	}
	json_t *e = effect(j, "ptregs", "iopl");   /* pairs: 0 x8 and 4 x8 */
	assert_true(json_number_value(json_object_get(e, "mean")) == 2.0);
	assert_true(json_number_value(json_object_get(e, "min")) == 0.0);
	assert_true(json_number_value(json_object_get(e, "max")) == 4.0);
	assert_int_equal(json_array_size(json_object_get(j, "variants")), 101);
	assert_int_equal(json_array_size(json_object_get(j, "failed")), 0);
	json_decref(j);

	char *md = dir_file(dir, "report.md");
	assert_non_null(strstr(md, "| exit: asm -> c | +10 | +0 |"));
	assert_non_null(strstr(md, "| ptregs: partial -> full | +0 | +2 [+0, +4] |"));
	assert_null(strstr(md, "incomplete"));
	free(md);
	rm_rf(dir);
	free(dir);
}

/* ------------------------------------------------------------ plots */

static void test_plots(void **state)
{
	(void)state;
	if (system("gnuplot --version >/dev/null 2>&1") != 0)
		skip();
	char *dir = matrix_run();

	assert_int_equal(analyze(NULL, dir, NULL), 0);
	static const char *const made[] = {
		"plots/median_getpid.png", "plots/median_getpid.svg", "plots/median_iopl.png",
		"plots/delta_heatmap.png", "plots/delta_heatmap.svg", "plots/effects.png",
		"plots/effects.svg", "plots/presets.png", "plots/presets.svg",
		"plots/median_getpid.dat", "plots/effects.dat", "plots/presets.dat",
	};
	for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++)
		if (!exists(dir, made[i]))
			fail_msg("%s not made", made[i]);
	char *md = dir_file(dir, "report.md"), *dat = dir_file(dir, "plots/median_getpid.dat");
	assert_non_null(strstr(md, "![plots/effects.png](plots/effects.png)"));
	assert_null(strstr(md, "Skipped:"));
	assert_non_null(strstr(dat, "\"fsac linux-5.x\" 60 60 60 30 -"));  /* from the data */
	free(md);
	free(dat);
	assert_true(no_temp_files(dir));
	rm_rf(dir);
	free(dir);
}

static void test_no_gnuplot(void **state)
{
	(void)state;
	char *dir = copy_fixture("mixed"), *err, *path = strdup(getenv("PATH"));

	setenv("PATH", "/nonexistent-entrylab", 1);
	int rc = analyze(&err, dir, NULL);
	setenv("PATH", path, 1);
	assert_int_equal(rc, 1);                       /* the failed variant, not the plots */
	assert_non_null(strstr(err, "gnuplot not found"));
	char *md = dir_file(dir, "report.md");
	assert_non_null(strstr(md, "Skipped: gnuplot not found"));
	assert_false(exists(dir, "plots/median_getpid.png"));
	free(md);
	free(err);
	free(path);
	rm_rf(dir);
	free(dir);
}

/* ------------------------------------------------------------ bad input */

#define GOOD_RESULT "status=pass\nvariant=ptregs=partial,rsp=cached,regs=stub,exit=asm\n" \
		    "short=pcsa\nmode=tcg-icount\nunit=instructions\n"
#define HDR "variant,short,bench,sample,iters,ticks,empty,per_call,unit\n"
#define ASKED "cmdline=el.mode=tcg-icount el.bench=getpid el.samples=3 el.samples=9\n"
#define ROW(s, t) "\"ptregs=partial,rsp=cached,regs=stub,exit=asm\",pcsa,getpid," s \
		  ",1000," t ",3004,46,instructions\n"

struct bad_case {
	const char *result, *csv;   /* csv NULL: no samples file */
	const char *where;          /* expected in the one-line error */
};

static const struct bad_case bad_cases[] = {
	{ "variant=x\nshort=pcsa\n", NULL, "no status= line" },
	{ "status=pass\nthis line has no equals sign\n", NULL, "pcsa.result:2:" },
	{ "status=pass\ntap_fail=many\n", NULL, "pcsa.result:2:" },
	{ "status=pass\nunavailable=iopl\n", NULL, "pcsa.result:2:" },
	{ "status=pass\nshort=pssc\n", NULL, "pcsa.result:2:" },
	{ GOOD_RESULT, "", "empty file" },
	{ GOOD_RESULT, "variant,short,bench\n", "pcsa.samples.csv:1:" },
	{ GOOD_RESULT, HDR ROW("0", "49004") ROW("0", "49004"), "pcsa.samples.csv:3: " },
	{ GOOD_RESULT, HDR ROW("0", "49104"), "per_call differs" },
	{ GOOD_RESULT, HDR ROW("0", "-49004"), "ticks '-49004'" },
	{ GOOD_RESULT, HDR ROW("0", "99999999999999999999999"), "not an unsigned integer" },
	{ GOOD_RESULT, HDR "\"unterminated,pcsa,getpid,0,1000,49004,3004,46,instructions\n",
	  "bad quoting" },
	{ GOOD_RESULT, HDR ROW("0", "49004") "\n" ROW("1", "49004"), "blank line" },
	{ GOOD_RESULT, HDR "\"ptregs=partial,rsp=cached,regs=stub,exit=asm\",pcsa,getpid,0,1000,"
		       "49004,3004,46,tsc\n", "unit differs" },
	{ GOOD_RESULT, HDR "\"ptregs=full,rsp=cached,regs=stub,exit=asm\",pcsa,getpid,0,1000,"
		       "49004,3004,46,instructions\n", "variant differs" },
	{ GOOD_RESULT, HDR "\"ptregs=partial,rsp=cached,regs=stub,exit=asm\",pcsa,get pid,0,1000,"
		       "49004,3004,46,instructions\n", "bench is not a name" },
	{ GOOD_RESULT, HDR "\"ptregs=partial,rsp=cached,regs=stub,exit=asm\",pcsa,getpid,0,0,"
		       "49004,3004,46,instructions\n", "iters is 0" },
	/* item 7 of issue 16: data that cannot be a measurement */
	{ GOOD_RESULT, HDR "\"ptregs=partial,rsp=cached,regs=stub,exit=asm\",pcsa,getpid,0,1000,"
		       "2004,3004,-1,instructions\n", "ticks below empty" },
	{ GOOD_RESULT, HDR "\"ptregs=partial,rsp=cached,regs=stub,exit=asm\",pcsa,getpid,0,1,"
		       "18446744073709551615,0,1.8446744073709552e19,instructions\n", "beyond 1e9" },
	/* fewer samples than the boot asked for: missing, header only, cut */
	{ GOOD_RESULT ASKED, NULL, "no samples file" },
	{ GOOD_RESULT ASKED, HDR, "pcsa has 0 of the 3 getpid samples" },
	{ GOOD_RESULT ASKED, HDR ROW("0", "49004") ROW("1", "49004"), "2 of the 3 getpid" },
	{ GOOD_RESULT "cmdline=el.mode=tcg-icount el.samples=2\n", HDR ROW("0", "49004")
		ROW("1", "49004"), "0 of the 2 getpid_traced samples" },
};

static void test_bad_inputs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		char *dir = new_run_dir(), path[512], *err;
		snprintf(path, sizeof(path), "%s/raw/pcsa.result", dir);
		spit(path, c->result);
		if (c->csv) {
			snprintf(path, sizeof(path), "%s/raw/pcsa.samples.csv", dir);
			spit(path, c->csv);
		}
		int rc = analyze(&err, dir, "--no-plots", NULL);
		if (rc != 2 || !strstr(err, c->where) || count_lines(err) != 1)
			fail_msg("case %zu: status %d, stderr '%s', wanted '%s'", i, rc, err, c->where);
		assert_false(exists(dir, "summary.csv"));
		assert_false(exists(dir, "report.md"));
		free(err);
		rm_rf(dir);
		free(dir);
	}
}

static void test_binary_garbage(void **state)
{
	(void)state;
	char *dir = new_run_dir(), path[512], *err;
	unsigned char junk[4096];

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 131 + 7);    /* includes NUL and newlines */
	for (int which = 0; which < 2; which++) {
		snprintf(path, sizeof(path), "%s/raw/pcsa.result", dir);
		spit(path, GOOD_RESULT);
		snprintf(path, sizeof(path), "%s/raw/pcsa.%s", dir, which ? "samples.csv" : "result");
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		if (which)
			fputs(HDR, f);
		fwrite(junk, 1, sizeof(junk), f);
		fclose(f);
		assert_int_equal(analyze(&err, dir, "--no-plots", NULL), 2);
		assert_int_equal(count_lines(err), 1);
		free(err);
	}
	rm_rf(dir);
	free(dir);
}

static void test_usage(void **state)
{
	(void)state;
	char *dir = copy_fixture("mixed"), *err;

	assert_int_equal(analyze(NULL, "", NULL), 2);
	assert_int_equal(analyze(NULL, "/nonexistent/entrylab-run", NULL), 2);
	assert_int_equal(analyze(NULL, dir, "--frobnicate", NULL), 2);
	assert_int_equal(analyze(NULL, dir, "--baseline", NULL), 2);
	assert_int_equal(analyze(&err, dir, "--no-plots", "--baseline", "linux-9.9", NULL), 2);
	assert_non_null(strstr(err, "baseline 'linux-9.9'"));
	assert_false(exists(dir, "summary.json"));
	free(err);
	char *argv[] = { "analyze", "--help", NULL };
	assert_int_equal(cmd_analyze(2, argv), 0);
	/* an empty raw directory */
	char *empty = new_run_dir();
	assert_int_equal(analyze(&err, empty, NULL), 2);
	assert_non_null(strstr(err, "no <short>.result files"));
	free(err);
	rm_rf(empty);
	free(empty);
	rm_rf(dir);
	free(dir);
}

/* A status word this reader does not know is a failure, not a crash. */
static void test_unknown_status(void **state)
{
	(void)state;
	char *dir = new_run_dir(), path[512];

	snprintf(path, sizeof(path), "%s/raw/pcsa.result", dir);
	spit(path, "status=exploded\nerror=it went bang\n");
	assert_int_equal(analyze(NULL, dir, "--no-plots", NULL), 1);
	char *md = dir_file(dir, "report.md");
	assert_non_null(strstr(md, "pcsa: unknown status 'exploded', counted as a failure"));
	assert_non_null(strstr(md, "error: it went bang"));
	free(md);
	rm_rf(dir);
	free(dir);
}

/* What the boot asked for, delivered: no error; a pass with failed checks
 * is a failure with a warning naming the variant and the file. */
static void test_asked_and_contradictions(void **state)
{
	(void)state;
	static const struct { const char *result, *csv; int rc; const char *warning; } c[] = {
		{ GOOD_RESULT ASKED, HDR ROW("0", "49004") ROW("1", "49004") ROW("2", "49004"), 0,
		  NULL },
		{ GOOD_RESULT "unavailable=getpid:unsupported\n" ASKED, HDR, 0, NULL },
		{ GOOD_RESULT "cmdline=el.mode=tcg-icount el.run=conform el.run=bench\n", NULL, 0,
		  NULL },
		{ GOOD_RESULT, NULL, 0, "no cmdline= in its .result" },
		{ GOOD_RESULT "tap_pass=54\ntap_fail=5\n" ASKED, HDR ROW("0", "49004")
		  ROW("1", "49004") ROW("2", "49004"), 1,
		  "pcsa: status=pass with tap_fail=5 in " },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char *dir = new_run_dir(), path[512], *err;
		snprintf(path, sizeof(path), "%s/raw/pcsa.result", dir);
		spit(path, c[i].result);
		if (c[i].csv) {
			snprintf(path, sizeof(path), "%s/raw/pcsa.samples.csv", dir);
			spit(path, c[i].csv);
		}
		int rc = analyze(&err, dir, "--no-plots", NULL);
		if (rc != c[i].rc)
			fail_msg("case %zu: status %d, stderr '%s'", i, rc, err);
		char *md = dir_file(dir, "report.md");
		assert_non_null(md);
		if (c[i].warning && (!strstr(md, c[i].warning) || !strstr(md, "pcsa.")))
			fail_msg("case %zu: no warning '%s' in report.md", i, c[i].warning);
		if (!c[i].warning && strstr(md, "pcsa.result"))
			fail_msg("case %zu: unexpected warning in report.md", i);
		free(md);
		free(err);
		rm_rf(dir);
		free(dir);
	}
}

/* Values no measurement gives; a negative one is noise only under tsc. */
static void test_per_call_insane(void **state)
{
	(void)state;
	assert_null(an_per_call_insane(45, "instructions"));
	assert_null(an_per_call_insane(-3, "tsc"));
	assert_non_null(an_per_call_insane(-3, "instructions"));
	assert_non_null(an_per_call_insane(1e308, "instructions"));
	assert_non_null(an_per_call_insane(-2e9, "tsc"));
	assert_non_null(an_per_call_insane(NAN, "tsc"));
	assert_non_null(an_per_call_insane(INFINITY, "tsc"));
}

/* meta.json: the analysis object is added when the file exists. */
static void test_meta_json(void **state)
{
	(void)state;
	char *dir = copy_fixture("mixed"), path[512];

	snprintf(path, sizeof(path), "%s/meta.json", dir);
	spit(path, "{\"git\": \"abc123\"}\n");
	assert_int_equal(analyze(NULL, dir, "--no-plots", NULL), 1);
	json_error_t jerr;
	json_t *meta = json_load_file(path, 0, &jerr);
	assert_non_null(meta);
	assert_string_equal(json_string_value(json_object_get(meta, "git")), "abc123");
	json_t *a = json_object_get(meta, "analysis");
	assert_string_equal(json_string_value(json_object_get(a, "baseline")), "fsac");
	assert_string_equal(json_string_value(json_array_get(json_object_get(a, "failed"), 0)), "pcac");
	json_decref(meta);
	rm_rf(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mixed_run),
		cmocka_unit_test(test_kvm_run),
		cmocka_unit_test(test_kvm_outliers_rejected),
		cmocka_unit_test(test_kvm_pmu_unavailable),
		cmocka_unit_test(test_malformed_csv),
		cmocka_unit_test(test_matrix_effects),
		cmocka_unit_test(test_plots),
		cmocka_unit_test(test_no_gnuplot),
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_binary_garbage),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_unknown_status),
		cmocka_unit_test(test_asked_and_contradictions),
		cmocka_unit_test(test_per_call_insane),
		cmocka_unit_test(test_meta_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
