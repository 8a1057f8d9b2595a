/*
 * test_gate — the merge gate's pure parts: the thresholds parser, the
 * verdict of each path (exact instruction counts and kvm intervals), the
 * rows for variants and benchmarks present on one side only, the exit
 * status, the Markdown and the per-symbol trace comparison.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/exitcodes.h"
#include "gate/gate.h"
#include "gate/gate_logic.h"
#include "gate/thresholds.h"
#include "core/util.h"

#define DEFAULT_TH "*  instructions  0  -\n*  tsc  5  -\n"

static void parse_ok(const char *text, struct th_table *t)
{
	char err[512] = "";

	if (th_parse(text, strlen(text), "t.conf", t, err, sizeof(err)))
		fail_msg("unexpected parse error: %s", err);
}

/* The parse fails and the message holds want (e.g. "t.conf:3"). */
static void parse_fails(const char *text, const char *want1, const char *want2)
{
	struct th_table t;
	char err[512] = "";

	assert_int_equal(th_parse(text, strlen(text), "t.conf", &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, want1));
	assert_non_null(strstr(err, want2));
	assert_null(strchr(err, '\n'));
	assert_null(t.row);
}

static void add(struct gl_side *s, const char *short_name, const char *bench, const double *x,
		size_t n)
{
	struct gl_variant *v = gl_side_variant(s, short_name);

	gl_variant_status(v, "pass", "");
	if (bench)
		gl_bench_add(gl_variant_bench(v, bench), x, n);
}

/* One variant, one benchmark per side; the verdict of the only row. */
static enum gl_verdict one_path(const char *unit, const char *th, const double *base,
				const double *head, size_t n, struct gl_row *out)
{
	struct gl_side b = { 0 }, h = { 0 };
	struct th_table t;
	struct gl_result r;
	char err[256];

	strcpy(b.unit, unit);
	strcpy(h.unit, unit);
	add(&b, "pcsa", "getpid", base, n);
	add(&h, "pcsa", "getpid", head, n);
	parse_ok(th, &t);
	assert_int_equal(gl_compare(&b, &h, &t, 500, &r, err, sizeof(err)), 0);
	assert_int_equal(r.nrow, 1);
	*out = r.row[0];
	enum gl_verdict v = r.row[0].verdict;
	gl_result_free(&r);
	th_free(&t);
	gl_side_free(&b);
	gl_side_free(&h);
	return v;
}

/* ------------------------------------------------------------ thresholds */

static void test_thresholds_parse_and_lookup(void **state)
{
	struct th_table t;
	char d[64];
	(void)state;

	parse_ok("# comment\n\n* instructions 0 - # trailing\n* tsc 5 2%\n"
		 "clone * 10 -\nclone tsc - 3\n\t*\t*\t1\t-\r\n", &t);
	assert_int_equal(t.n, 5);
	assert_int_equal(th_lookup(&t, "clone", "tsc")->line, 6);        /* bench + metric */
	assert_int_equal(th_lookup(&t, "clone", "instructions")->line, 5); /* bench + * */
	assert_int_equal(th_lookup(&t, "getpid", "tsc")->line, 4);       /* * + metric */
	assert_int_equal(th_lookup(&t, "getpid", "other")->line, 7);     /* * + * */
	/* the looser of the two limits: 5 ticks or 2% of the base median */
	assert_true(fabs(th_allowed(th_lookup(&t, "getpid", "tsc"), 100) - 5) < 1e-9);
	assert_true(fabs(th_allowed(th_lookup(&t, "getpid", "tsc"), 1000) - 20) < 1e-9);
	assert_true(th_allowed(th_lookup(&t, "getpid", "instructions"), 1000) == 0);
	assert_true(th_allowed(NULL, 1000) == 0);
	assert_string_equal(th_describe(th_lookup(&t, "getpid", "tsc"), d, sizeof(d)), "+5 or +2%");
	assert_string_equal(th_describe(th_lookup(&t, "clone", "tsc"), d, sizeof(d)), "+3%");
	th_free(&t);
	parse_ok("", &t);
	assert_null(th_lookup(&t, "getpid", "tsc"));
	th_free(&t);
}

static void test_thresholds_errors(void **state)
{
	(void)state;
	parse_fails("* instructions 0 -\nfoo tsc 1 2\n", "unknown benchmark 'foo'", "t.conf:2:");
	parse_fails("getpid instructions 0\n", "malformed line", "t.conf:1:");
	parse_fails("\n\ngetpid instructions 0 - extra\n", "malformed line", "t.conf:3:");
	parse_fails("getpid instructions 1x -\n", "bad number '1x'", "t.conf:1:");
	parse_fails("getpid instructions -1 -\n", "bad number '-1'", "t.conf:1:");
	parse_fails("getpid tsc 1 nan\n", "bad number 'nan'", "max_increase_pct");
	parse_fails("getpid tsc 1 5%%\n", "bad number '5%%'", "t.conf:1:");
	parse_fails("getpid cycles 1 -\n", "unknown metric 'cycles'", "t.conf:1:");
	parse_fails("getpid instructions 0x10 -\n", "bad number '0x10'", "decimal");
	parse_fails("getpid tsc 1 0x10%\n", "bad number '0x10%'", "t.conf:1:");
	parse_fails("getpid tsc 1e3 -\n", "bad number '1e3'", "t.conf:1:");
	parse_fails("getpid tsc 1 -\ngetpid tsc 2 -\n", "second row for getpid tsc", "t.conf:2:");
	parse_fails("getpid tsc 1 -\n\001\n", "control character", "t.conf:2:");
}

/* The NUL case above is cut by strlen; give it its real length. */
static void test_thresholds_nul(void **state)
{
	static const char text[] = "getpid tsc 1 -\n\0\n";
	struct th_table t;
	char err[256];
	(void)state;

	assert_int_equal(th_parse(text, sizeof(text) - 1, "t.conf", &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "NUL byte"));
}

/* ------------------------------------------------------------ instructions */

static void test_exact_pass(void **state)
{
	double x[] = { 45, 45, 45 };
	struct gl_row w;
	(void)state;

	assert_int_equal(one_path("instructions", DEFAULT_TH, x, x, 3, &w), GL_PASS);
	assert_true(w.d.delta == 0 && w.d.exact);
}

static void test_one_instruction_regression(void **state)
{
	double b[] = { 95, 95 }, h[] = { 96, 96 };
	struct gl_row w;
	(void)state;

	assert_int_equal(one_path("instructions", DEFAULT_TH, b, h, 2, &w), GL_REGRESSION);
	assert_true(w.d.delta == 1 && w.d.ci_lo == 1 && w.allowed == 0);
	assert_string_equal(w.threshold, "+0");
	/* the same increase passes once the file allows one instruction */
	assert_int_equal(one_path("instructions", "getpid instructions 1 -\n", b, h, 2, &w), GL_PASS);
}

static void test_improvement(void **state)
{
	double b[] = { 95, 95 }, h[] = { 90, 90 };
	struct gl_row w;
	(void)state;

	assert_int_equal(one_path("instructions", DEFAULT_TH, b, h, 2, &w), GL_IMPROVED);
	assert_true(w.d.delta == -5);
}

/* ------------------------------------------------------------ kvm intervals */

static void test_judge_rule(void **state)
{
	struct el_delta d = { 0 };
	(void)state;

	d.ci_lo = 6, d.ci_hi = 9;
	assert_int_equal(gl_judge(&d, 5), GL_REGRESSION);
	d.ci_lo = 4, d.ci_hi = 9;
	assert_int_equal(gl_judge(&d, 5), GL_INCONCLUSIVE);
	d.ci_lo = 5, d.ci_hi = 6;
	assert_int_equal(gl_judge(&d, 5), GL_INCONCLUSIVE);
	d.ci_lo = -2, d.ci_hi = 5;
	assert_int_equal(gl_judge(&d, 5), GL_PASS);
	d.ci_lo = -4, d.ci_hi = -1;
	assert_int_equal(gl_judge(&d, 5), GL_IMPROVED);
}

/* Spread samples: base 100..109, head shifted by shift. */
static enum gl_verdict shifted(double shift, struct gl_row *w)
{
	double b[10], h[10];

	for (int i = 0; i < 10; i++) {
		b[i] = 100 + i;
		h[i] = 100 + (i * 7 % 10) + shift;
	}
	return one_path("tsc", DEFAULT_TH, b, h, 10, w);
}

static void test_kvm_straddles(void **state)
{
	struct gl_row w;
	(void)state;

	assert_int_equal(shifted(5, &w), GL_INCONCLUSIVE);
	assert_true(w.d.ci_lo <= 5 && w.d.ci_hi > 5);
	assert_non_null(strstr(w.note, "--samples"));
}

static void test_kvm_wholly_beyond(void **state)
{
	struct gl_row w;
	(void)state;

	assert_int_equal(shifted(40, &w), GL_REGRESSION);
	assert_true(w.d.ci_lo > 5);
}

static void test_kvm_wholly_within(void **state)
{
	double b[12], h[12];
	struct gl_row w;
	(void)state;

	for (int i = 0; i < 12; i++) {
		b[i] = 1000 + i % 2;
		h[i] = 1002 + i % 2;
	}
	assert_int_equal(one_path("tsc", DEFAULT_TH, b, h, 12, &w), GL_PASS);
	assert_true(w.d.ci_lo > 0 && w.d.ci_hi <= 5);
}

/* ------------------------------------------------------------ one side only */

struct two {
	struct gl_side b, h;
	struct th_table t;
	struct gl_result r;
};

static const struct gl_row *row(const struct gl_result *r, const char *v, const char *bench)
{
	for (size_t i = 0; i < r->nrow; i++)
		if (!strcmp(r->row[i].short_name, v) && !strcmp(r->row[i].bench, bench))
			return &r->row[i];
	fail_msg("no row %s %s", v, bench);
	return NULL;
}

static void compare(struct two *c)
{
	char err[256];

	strcpy(c->b.unit, "instructions");
	strcpy(c->h.unit, "instructions");
	parse_ok(DEFAULT_TH, &c->t);
	assert_int_equal(gl_compare(&c->b, &c->h, &c->t, 200, &c->r, err, sizeof(err)), 0);
}

static void two_free(struct two *c)
{
	gl_result_free(&c->r);
	gl_side_free(&c->b);
	gl_side_free(&c->h);
	th_free(&c->t);
}

static void test_bench_missing_in_baseline(void **state)
{
	double x[] = { 45, 45 }, y[] = { 95, 95 };
	struct two c = { 0 };
	(void)state;

	add(&c.b, "pcsa", "getpid", x, 2);
	add(&c.h, "pcsa", "getpid", x, 2);
	add(&c.h, "pcsa", "iopl", y, 2);
	compare(&c);
	assert_int_equal(c.r.nrow, 2);
	assert_int_equal(row(&c.r, "pcsa", "iopl")->verdict, GL_NEW);
	assert_int_equal(row(&c.r, "pcsa", "getpid")->verdict, GL_PASS);
	assert_int_equal(gl_exit_status(&c.r), EL_EX_OK);
	two_free(&c);

	/* the other way round: a path the head lost fails the gate */
	memset(&c, 0, sizeof(c));
	add(&c.b, "pcsa", "iopl", y, 2);
	add(&c.b, "pcsa", "getpid", x, 2);
	add(&c.h, "pcsa", "getpid", x, 2);
	strcpy(gl_variant_bench(gl_side_variant(&c.h, "pcsa"), "iopl")->unavailable, "noframe");
	compare(&c);
	assert_int_equal(row(&c.r, "pcsa", "iopl")->verdict, GL_MISSING);
	assert_non_null(strstr(row(&c.r, "pcsa", "iopl")->note, "noframe"));
	assert_string_equal(c.r.row[0].bench, "getpid");   /* benches.def order */
	assert_int_equal(gl_exit_status(&c.r), EL_EX_FAIL);
	two_free(&c);
}

static void test_variant_on_one_side(void **state)
{
	double x[] = { 45, 45 };
	struct two c = { 0 };
	(void)state;

	add(&c.b, "pcsa", "getpid", x, 2);
	add(&c.h, "pcsa", "getpid", x, 2);
	add(&c.h, "fssc", "getpid", x, 2);   /* only in the head: new */
	compare(&c);
	assert_int_equal(row(&c.r, "fssc", "getpid")->verdict, GL_NEW);
	assert_int_equal(gl_exit_status(&c.r), EL_EX_OK);
	two_free(&c);

	memset(&c, 0, sizeof(c));
	add(&c.b, "pcsa", "getpid", x, 2);
	add(&c.b, "pssa", "getpid", x, 2);   /* only in the base: missing */
	add(&c.h, "pcsa", "getpid", x, 2);
	compare(&c);
	assert_int_equal(row(&c.r, "pssa", "*")->verdict, GL_MISSING);
	assert_int_equal(gl_exit_status(&c.r), EL_EX_FAIL);
	two_free(&c);
}

/* Baseline mode keeps the variants and benchmarks the run measured. */
static void test_side_filter(void **state)
{
	double x[] = { 45, 45 };
	const char *const keep[] = { "pcsa", "fssc", NULL }, *const benches[] = { "getpid", NULL };
	struct two c = { 0 };
	(void)state;

	add(&c.b, "pcsa", "getpid", x, 2);
	add(&c.b, "pcsa", "clone", x, 2);
	add(&c.b, "pssa", "getpid", x, 2);
	add(&c.h, "pcsa", "getpid", x, 2);
	gl_side_filter(&c.b, keep, benches);
	assert_int_equal(c.b.nv, 1);
	assert_int_equal(c.b.v[0].nbench, 1);
	assert_string_equal(c.b.v[0].bench[0].name, "getpid");
	gl_side_filter(&c.h, NULL, NULL);
	assert_int_equal(c.h.nv, 1);
	compare(&c);
	assert_int_equal(c.r.nrow, 1);
	assert_int_equal(gl_exit_status(&c.r), EL_EX_OK);
	two_free(&c);
}

static void test_failed_runs(void **state)
{
	double x[] = { 45, 45 };
	struct two c = { 0 };
	(void)state;

	add(&c.b, "pcsa", "getpid", x, 2);
	add(&c.h, "pcsa", "getpid", x, 2);
	gl_variant_status(gl_side_variant(&c.h, "pcsa"), "crash", "guest exception #GP");
	gl_variant_status(gl_side_variant(&c.h, "pcsa"), "pass", "");   /* a later round */
	add(&c.b, "fssc", "getpid", x, 2);
	gl_variant_status(gl_side_variant(&c.b, "fssc"), "hang", "killed");
	add(&c.h, "fssc", "getpid", x, 2);
	compare(&c);
	assert_int_equal(row(&c.r, "pcsa", "*")->verdict, GL_FAILED);
	assert_non_null(strstr(row(&c.r, "pcsa", "*")->note, "#GP"));
	assert_int_equal(row(&c.r, "fssc", "getpid")->verdict, GL_NO_BASE);
	assert_int_equal(gl_exit_status(&c.r), EL_EX_FAIL);
	two_free(&c);
}

static void test_units_must_match(void **state)
{
	double x[] = { 45, 45 };
	struct gl_side b = { 0 }, h = { 0 };
	struct th_table t;
	struct gl_result r;
	char err[256];
	(void)state;

	add(&b, "pcsa", "getpid", x, 2);
	add(&h, "pcsa", "getpid", x, 2);
	strcpy(b.unit, "tsc");
	strcpy(h.unit, "instructions");
	parse_ok(DEFAULT_TH, &t);
	assert_int_equal(gl_compare(&b, &h, &t, 0, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "tsc"));
	gl_side_free(&b);
	gl_side_free(&h);
	th_free(&t);
}

static void test_exit_status_and_markdown(void **state)
{
	double b[] = { 95, 95 }, h[] = { 96, 96 }, s[10], s2[10];
	struct two c = { 0 };
	struct el_buf md = { 0 };
	struct gl_report_info info = { "HEAD~1 = abc base", "HEAD = def head", "tcg-icount",
				       "2 samples", "variants/thresholds.conf" };
	(void)state;

	for (int i = 0; i < 10; i++)
		s[i] = 100 + i, s2[i] = 105 + (i * 7 % 10);
	add(&c.b, "pcsa", "iopl", b, 2);
	add(&c.h, "pcsa", "iopl", h, 2);
	add(&c.b, "pssa", "iopl", s, 10);
	add(&c.h, "pssa", "iopl", s2, 10);
	compare(&c);
	c.r.row[0].explain = strdup("- `stub_iopl`: 22 -> 23 (+1)\n");
	gl_markdown(&c.r, &info, &md);
	assert_non_null(strstr(md.data, "# entrylab gate: FAIL"));
	assert_non_null(strstr(md.data, "| pcsa | iopl | 95 | 96 | +1 (+1.05%) | [+1, +1] | +0 | "
				       "**regression** |"));
	assert_non_null(strstr(md.data, "HEAD~1 = abc base"));
	assert_non_null(strstr(md.data, "### pcsa iopl (+1 instructions)"));
	assert_non_null(strstr(md.data, "`stub_iopl`: 22 -> 23 (+1)"));
	assert_non_null(strstr(md.data, "exit status 1"));
	assert_int_equal(gl_exit_status(&c.r), EL_EX_FAIL);
	el_buf_free(&md);
	two_free(&c);
}

/* ------------------------------------------------------------ boots */

/* Three boots of 20 samples per side, each boot with its own offset
 * (boot-to-boot variation) and +-1 within; head = base + shift in truth.  pooled: all samples added
 * as one boot, as the gate did before boots were the unit. */
static enum gl_verdict boots_path(double shift, int pooled, struct gl_row *out)
{
	static const double offset[2][3] = { { 0, 30, -15 }, { 20, -10, 10 } };
	struct gl_side side[2] = { { .unit = "tsc" }, { .unit = "tsc" } };
	double x[60];
	struct th_table t;
	struct gl_result r;
	char err[256];

	for (int k = 0; k < 2; k++) {
		struct gl_variant *v = gl_side_variant(&side[k], "fsac");
		gl_variant_status(v, "pass", "");
		for (int boot = 0; boot < 3; boot++) {
			double *at = pooled ? x + 20 * boot : x;
			for (int i = 0; i < 20; i++)
				at[i] = 1000 + offset[k][boot] + i % 3 - 1 + (k ? shift : 0);
			if (!pooled)
				gl_bench_add(gl_variant_bench(v, "getpid"), x, 20);
		}
		if (pooled)
			gl_bench_add(gl_variant_bench(v, "getpid"), x, 60);
	}
	parse_ok(DEFAULT_TH, &t);
	assert_int_equal(gl_compare(&side[0], &side[1], &t, 0, &r, err, sizeof(err)), 0);
	assert_int_equal(r.nrow, 1);
	*out = r.row[0];
	gl_result_free(&r);
	th_free(&t);
	gl_side_free(&side[0]);
	gl_side_free(&side[1]);
	return out->verdict;
}

static void test_kvm_boots_are_the_unit(void **state)
{
	struct gl_row w;
	(void)state;

	/* the same path: the boots' offsets are no difference */
	assert_int_equal(boots_path(0, 1, &w), GL_REGRESSION);   /* pooled: "significant" */
	assert_int_not_equal(boots_path(0, 0, &w), GL_REGRESSION);
	assert_true(w.d.ci_lo <= 5 && w.d.ci_hi > 5);
	assert_non_null(strstr(w.note, "--rounds (now 3 base and 3 head boots"));
	/* 50 more per call on every boot fails */
	assert_int_equal(boots_path(50, 0, &w), GL_REGRESSION);
	assert_true(w.d.ci_lo > 5);
	assert_true(w.head.ci_lo < w.head.median && w.head.median < w.head.ci_hi);
}

/* Exact counts over several rounds stay exact: the interval is one number. */
static void test_exact_over_rounds(void **state)
{
	double x[] = { 45, 45, 45 }, y[] = { 46, 46, 46 };
	struct two c = { 0 };
	(void)state;

	for (int round = 0; round < 3; round++) {
		add(&c.b, "pcsa", "getpid", x, 3);
		add(&c.h, "pcsa", "getpid", y, 3);
	}
	compare(&c);
	assert_int_equal(c.r.row[0].verdict, GL_REGRESSION);
	assert_true(c.r.row[0].d.exact);
	assert_true(c.r.row[0].d.ci_lo == 1 && c.r.row[0].d.ci_hi == 1);
	two_free(&c);
}

/* ------------------------------------------------------------ run directories */

static void write_text(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A benchmark the guest reported unavailable has no samples: loading it
 * adds none (under the sanitizers, no memcpy from or to a null pointer). */
static void test_load_run_unavailable_bench(void **state)
{
	char tmpl[] = "/tmp/test_gate.XXXXXX", raw[64];
	struct gl_side side = { 0 };
	const struct gl_variant *v;
	(void)state;

	assert_non_null(mkdtemp(tmpl));
	snprintf(raw, sizeof(raw), "%s/raw", tmpl);
	assert_int_equal(el_mkdir_p(raw), 0);
	write_text(raw, "pcsa.result", "status=pass\nshort=pcsa\nmode=tcg-icount\n"
		   "unit=instructions\nunavailable=clone:no_threads\n");
	write_text(raw, "pcsa.samples.csv", "variant,short,bench,sample,iters,ticks,empty,"
		   "per_call,unit\nv,pcsa,getpid,0,10,460,10,45,instructions\n"
		   "v,pcsa,getpid,1,10,460,10,45,instructions\n");
	assert_int_equal(gate_load_run(tmpl, &side, NULL), 0);
	assert_int_equal(side.nv, 1);
	v = &side.v[0];
	assert_int_equal(v->nbench, 2);
	for (size_t i = 0; i < v->nbench; i++) {
		const struct gl_bench *b = &v->bench[i];
		if (!strcmp(b->name, "clone")) {
			assert_int_equal(b->n, 0);
			assert_string_equal(b->unavailable, "no_threads");
		} else {
			assert_string_equal(b->name, "getpid");
			assert_int_equal(b->n, 2);
		}
	}
	gl_side_free(&side);
	el_remove_tree(tmpl);
}

/* ------------------------------------------------------------ explanation */

static const char trace_base[] =
	"trace pcsa iopl: ptregs=partial,rsp=cached,regs=stub,exit=asm\n"
	"one call, from the loop's syscall to its return\n"
	"ring   address     symbol+offset                         instruction\n"
	"ring3  0x402e3a    el_loop_syscall+0x3a                  syscall\n"
	"ring0  0x102a00    entry_SYSCALL_64+0x0                  swapgs\n"
	"ring0  0x102a03    entry_SYSCALL_64+0x3                  mov %rsp,%gs:0x10\n"
	"ring0  0x102e04    stub_iopl+0x0                         add $0x8,%rsp\n"
	"ring0  0x102c43    restore_all_iret_insn+0x0             iretq\n"
	"total: 5 instructions (ring0 4, ring3 1)\n"
	"count = 5 instructions; matrix figure (loop - empty) = 5\n";

static const char trace_head[] =
	"ring   address     symbol+offset                         instruction\n"
	"ring3  0x402e3a    el_loop_syscall+0x3a                  syscall\n"
	"ring0  0x102a00    entry_SYSCALL_64+0x0                  swapgs\n"
	"ring0  0x102a03    entry_SYSCALL_64+0x3                  mov %rsp,%gs:0x10\n"
	"ring0  0x102a04    entry_SYSCALL_64+0x4                  nop\n"
	"ring0  0x102c43    restore_all_iret_insn+0x0             iretq\n"
	"ring0  0x900000    0x900000                              ud2\n"
	"total: 6 instructions (ring0 5, ring3 1)\n";

static void test_trace_symbols_and_diff(void **state)
{
	struct gl_symcount *a, *b;
	struct el_buf out = { 0 };
	(void)state;

	assert_int_equal(gl_trace_symbols(trace_base, &a), 4);
	assert_string_equal(a[1].name, "entry_SYSCALL_64");
	assert_int_equal(a[1].count, 2);
	assert_int_equal(gl_trace_symbols(trace_head, &b), 4);
	assert_int_equal(gl_trace_diff(a, 4, b, 4, &out), 3);
	assert_non_null(strstr(out.data, "- `entry_SYSCALL_64`: 2 -> 3 (+1)\n"));
	assert_non_null(strstr(out.data, "- `(no symbol)`: 0 -> 1 (+1)\n"));
	assert_non_null(strstr(out.data, "- `stub_iopl`: 1 -> 0 (-1)\n"));
	assert_null(strstr(out.data, "restore_all_iret_insn"));
	el_buf_free(&out);
	assert_int_equal(gl_trace_diff(a, 4, a, 4, &out), 0);
	free(a);
	free(b);
	/* no total line, a total that disagrees, nothing at all: refused */
	assert_int_equal(gl_trace_symbols("ring  address  symbol+offset\nring0 0x1 f+0x0 nop\n", &a), -1);
	assert_int_equal(gl_trace_symbols("ring  address  symbol+offset\nring0 0x1 f+0x0 nop\n"
					  "total: 2 instructions\n", &a), -1);
	assert_int_equal(gl_trace_symbols("entrylab: trace failed\n", &a), -1);
	assert_null(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thresholds_parse_and_lookup),
		cmocka_unit_test(test_thresholds_errors),
		cmocka_unit_test(test_thresholds_nul),
		cmocka_unit_test(test_exact_pass),
		cmocka_unit_test(test_one_instruction_regression),
		cmocka_unit_test(test_improvement),
		cmocka_unit_test(test_judge_rule),
		cmocka_unit_test(test_kvm_straddles),
		cmocka_unit_test(test_kvm_wholly_beyond),
		cmocka_unit_test(test_kvm_wholly_within),
		cmocka_unit_test(test_bench_missing_in_baseline),
		cmocka_unit_test(test_variant_on_one_side),
		cmocka_unit_test(test_side_filter),
		cmocka_unit_test(test_failed_runs),
		cmocka_unit_test(test_units_must_match),
		cmocka_unit_test(test_exit_status_and_markdown),
		cmocka_unit_test(test_trace_symbols_and_diff),
		cmocka_unit_test(test_load_run_unavailable_bench),
		cmocka_unit_test(test_kvm_boots_are_the_unit),
		cmocka_unit_test(test_exact_over_rounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
