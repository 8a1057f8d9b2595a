/* Unit tests for the variant matrix (harness/variants/variants.c), against the
 * project's variants/ files and against malformed temporary copies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "variants/variants.h"

#define AXES_OK \
	"# test axes\n" \
	"ptregs  partial    PTREGS_PARTIAL   p\n" \
	"ptregs  full       PTREGS_FULL      f\n" \
	"rsp     cached     RSP_CACHED       c\n" \
	"rsp     stored     RSP_STORED       s\n" \
	"regs    stub       REGS_STUB        s\n" \
	"regs    annotated  REGS_ANNOTATED   a\n" \
	"exit    asm        EXIT_ASM         a\n" \
	"exit    c          EXIT_C           c\n"

#define PRESETS_OK \
	"# test presets\n" \
	"linux-3.13  partial  cached  stub       asm   # old\n" \
	"linux-4.3   partial  stored  stub       c     # newer\n" \
	"linux-5.x   full     stored  annotated  c     # newest\n"

static char dir[] = "/tmp/entrylab-test-variants-XXXXXX";
static char axes_path[128], presets_path[128];

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(axes_path, sizeof(axes_path), "%s/axes.conf", dir);
	snprintf(presets_path, sizeof(presets_path), "%s/presets.conf", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(axes_path);
	unlink(presets_path);
	rmdir(dir);
	return 0;
}

static void load_ok(struct el_variants *v, const char *axes, const char *presets)
{
	char err[EL_VARIANT_ERR] = "";

	put(axes_path, axes);
	put(presets_path, presets);
	if (el_variants_load(v, dir, err, sizeof(err)))
		fail_msg("load failed: %s", err);
}

/* The load fails and the message contains every one of the wanted parts. */
static void load_fails(const char *axes, const char *presets, const char *want1,
		       const char *want2)
{
	struct el_variants v;
	char err[EL_VARIANT_ERR] = "";

	put(axes_path, axes);
	put(presets_path, presets);
	assert_int_equal(el_variants_load(&v, dir, err, sizeof(err)), -1);
	if (!strstr(err, want1) || (want2 && !strstr(err, want2)))
		fail_msg("error '%s' lacks '%s' / '%s'", err, want1, want2 ? want2 : "");
	assert_null(strchr(err, '\n'));
}

static void test_project_files(void **state)
{
	struct el_variants v;
	char err[EL_VARIANT_ERR] = "", name[256];

	(void)state;
	if (el_variants_load(&v, "variants", err, sizeof(err)))
		fail_msg("variants/ does not load: %s", err);
	assert_true(v.naxes >= 7);
	assert_true(el_variant_valid_count(&v) >= 34);
	assert_true(v.npresets >= 9);
	el_variant_canonical(&v, 0, name, sizeof(name));
	assert_true(!strncmp(name, "ptregs=partial,rsp=cached,regs=stub,exit=asm,path=asm,clear=no,irq=off", 70));
	/* the base values of the later axes add no letter: the old names stay */
	assert_string_equal(el_variant_short(&v, 0, name, sizeof(name)), "pcsa");
	{
		int codes[8];
		size_t n = 0;
		char e[EL_VARIANT_ERR];
		assert_int_equal(el_variants_resolve(&v, "linux-6.1,linux-3.13", codes, 8, &n, e,
						     sizeof(e)), 0);
		assert_string_equal(el_variant_short(&v, codes[1], name, sizeof(name)), "pcsai");
		assert_true(el_variant_choice(&v, codes[0], 4) == 1);   /* path=c */
	}
	el_variants_free(&v);
}

static void test_matrix(void **state)
{
	struct el_variants v;
	char shortn[17][16], canon[17][256], flags[512];

	(void)state;
	load_ok(&v, AXES_OK, PRESETS_OK);
	assert_int_equal(el_variant_count(&v), 16);
	for (int c = 0; c < 16; c++) {
		el_variant_short(&v, c, shortn[c], sizeof(shortn[c]));
		el_variant_canonical(&v, c, canon[c], sizeof(canon[c]));
		assert_int_equal(strlen(shortn[c]), 4);
		for (int d = 0; d < c; d++) {
			assert_string_not_equal(shortn[c], shortn[d]);
			assert_string_not_equal(canon[c], canon[d]);
		}
	}
	/* binary counting, first value first, last axis fastest */
	assert_string_equal(shortn[0], "pcsa");
	assert_string_equal(shortn[1], "pcsc");
	assert_string_equal(shortn[2], "pcaa");
	assert_string_equal(shortn[8], "fcsa");
	assert_string_equal(shortn[15], "fsac");
	assert_string_equal(canon[5], "ptregs=partial,rsp=stored,regs=stub,exit=c");
	assert_string_equal(el_variant_flags(&v, 5, flags, sizeof(flags)),
			    "-DPTREGS_PARTIAL -DRSP_STORED -DREGS_STUB -DEXIT_C");
	assert_string_equal(el_variant_flags(&v, EL_VARIANT_FLOOR, flags, sizeof(flags)),
			    "-DENTRY_FLOOR -DPTREGS_PARTIAL -DRSP_CACHED -DREGS_STUB -DEXIT_ASM");
	assert_string_equal(el_variant_short(&v, EL_VARIANT_FLOOR, flags, sizeof(flags)), "floor");
	assert_string_equal(el_variant_canonical(&v, EL_VARIANT_FLOOR, flags, sizeof(flags)), "floor");
	assert_int_equal(v.npresets, 3);
	assert_string_equal(v.preset[2].note, "newest");
	assert_int_equal(el_variant_preset_code(&v, &v.preset[1]), 5);
	el_variants_free(&v);
}

/* Resolve sel; expect exactly the short names in want (space separated). */
static void resolves_to(const struct el_variants *v, const char *sel, const char *want)
{
	int codes[32];
	size_t n = 0;
	char err[EL_VARIANT_ERR] = "", got[512] = "", s[16];

	if (el_variants_resolve(v, sel, codes, 32, &n, err, sizeof(err)))
		fail_msg("'%s' did not resolve: %s", sel, err);
	for (size_t i = 0; i < n; i++) {
		strcat(got, i ? " " : "");
		strcat(got, el_variant_short(v, codes[i], s, sizeof(s)));
	}
	assert_string_equal(got, want);
}

static void resolve_fails(const struct el_variants *v, const char *sel, const char *want)
{
	int codes[32];
	size_t n = 0;
	char err[EL_VARIANT_ERR] = "";

	assert_int_equal(el_variants_resolve(v, sel, codes, 32, &n, err, sizeof(err)), -1);
	if (!strstr(err, want))
		fail_msg("error '%s' lacks '%s'", err, want);
}

static void test_selectors(void **state)
{
	struct el_variants v;

	(void)state;
	load_ok(&v, AXES_OK, PRESETS_OK);
	resolves_to(&v, "pcsa", "pcsa");
	resolves_to(&v, "ptregs=full,rsp=stored,regs=annotated,exit=c", "fsac");
	resolves_to(&v, "exit=c,regs=stub,rsp=stored,ptregs=partial", "pssc");
	resolves_to(&v, "linux-4.3", "pssc");
	resolves_to(&v, "floor", "floor");
	resolves_to(&v, "presets", "pcsa pssc fsac");
	resolves_to(&v, "pcsa,exit=c,regs=stub,rsp=stored,ptregs=partial,floor,pcsa", "pcsa pssc floor");
	resolves_to(&v, "all", "pcsa pcsc pcaa pcac pssa pssc psaa psac "
		    "fcsa fcsc fcaa fcac fssa fssc fsaa fsac floor");
	el_variants_free(&v);
}

/* More than two values, letters left out, rules. */
#define AXES_MORE AXES_OK \
	"path   asm   PATH_ASM   -   # the assembler fast path\n" \
	"path   c     PATH_C     d\n" \
	"path   mix   PATH_MIX   m\n" \
	"invalid path=c ptregs=partial   # the C path builds the whole frame\n" \
	"invalid path=mix rsp=cached\n"

static void test_rules(void **state)
{
	struct el_variants v;
	char s[EL_SHORT_MAX], flags[512];
	int code;

	(void)state;
	load_ok(&v, AXES_MORE, "old  partial cached stub asm asm  # the first\n"
		"new  full stored annotated c c\n");
	assert_int_equal(el_variant_count(&v), 48);
	assert_int_equal(el_variant_valid_count(&v), 48 - 8 - 8);
	assert_int_equal(v.axis[4].nvalues, 3);
	assert_string_equal(v.axis[4].note[0], "the assembler fast path");
	/* the old names stay: a '-' value adds no letter */
	resolves_to(&v, "pcsa", "pcsa");
	resolves_to(&v, "fsacd", "fsacd");
	resolves_to(&v, "new", "fsacd");
	resolves_to(&v, "ptregs=full,rsp=stored,regs=stub,exit=c,path=mix", "fsscm");
	code = el_variant_preset_code(&v, &v.preset[1]);
	assert_int_equal(el_variant_choice(&v, code, 4), 1);
	assert_int_equal(el_variant_stride(&v, 3), 3);
	assert_string_equal(el_variant_short(&v, code, s, sizeof(s)), "fsacd");
	assert_string_equal(el_variant_flags(&v, code, flags, sizeof(flags)),
			    "-DPTREGS_FULL -DRSP_STORED -DREGS_ANNOTATED -DEXIT_C -DPATH_C");
	assert_null(el_variant_invalid(&v, code));
	assert_null(el_variant_invalid(&v, EL_VARIANT_FLOOR));
	resolve_fails(&v, "pcsad", "invalid variant 'pcsad': forbidden by ");
	resolve_fails(&v, "pcsad", "axes.conf:13: 'invalid path=c ptregs=partial' "
		      "(the C path builds the whole frame)");
	resolve_fails(&v, "path=mix,ptregs=full,rsp=cached,regs=stub,exit=c",
		      "invalid variant 'ptregs=full,rsp=cached,regs=stub,exit=c,path=mix': "
		      "forbidden by ");
	/* all = the valid ones and floor */
	{
		int codes[64];
		size_t n = 0;
		char err[EL_VARIANT_ERR];
		assert_int_equal(el_variants_resolve(&v, "all", codes, 64, &n, err, sizeof(err)), 0);
		assert_int_equal(n, 33);
		for (size_t i = 0; i + 1 < n; i++)
			assert_true(el_variant_valid(&v, codes[i]));
	}
	/* a pattern leaves forbidden combinations out */
	resolves_to(&v, "path=c+ptregs=full+rsp=stored+regs=annotated", "fsaad fsacd");
	el_variants_free(&v);
	load_fails(AXES_MORE, "bad  partial cached stub asm c\n",
		   "preset 'bad' is a forbidden combination", "'invalid path=c ptregs=partial'");
}

/* Axis patterns: the variants whose axes hold the given values. */
static void test_patterns(void **state)
{
	struct el_variants v;

	(void)state;
	load_ok(&v, AXES_OK, PRESETS_OK);
	resolves_to(&v, "ptregs=full", "fcsa fcsc fcaa fcac fssa fssc fsaa fsac");
	resolves_to(&v, "ptregs=full+exit=c", "fcsc fcac fssc fsac");
	resolves_to(&v, "exit=c+ptregs=full+rsp=stored", "fssc fsac");
	/* parts that name no whole variant are a union, in the order given */
	resolves_to(&v, "ptregs=full,exit=c", "fcsa fcsc fcaa fcac fssa fssc fsaa fsac "
		    "pcsc pcac pssc psac");
	resolves_to(&v, "ptregs=full,rsp=cached", "fcsa fcsc fcaa fcac fssa fssc fsaa fsac "
		    "pcsa pcsc pcaa pcac");
	/* an axis named again starts a new part */
	resolves_to(&v, "ptregs=full,rsp=cached,ptregs=partial,exit=c",
		    "fcsa fcsc fcaa fcac fssa fssc fsaa fsac pcsa pcsc pcaa pcac "
		    "pssa pssc psaa psac");
	/* a whole canonical name stays one variant, next to words and patterns */
	resolves_to(&v, "floor,regs=annotated+exit=asm,ptregs=partial,rsp=cached,regs=stub,exit=asm",
		    "floor pcaa psaa fcaa fsaa pcsa");
	/* every axis in a '+' pattern: one variant */
	resolves_to(&v, "ptregs=full+rsp=stored+regs=annotated+exit=c", "fsac");
	el_variants_free(&v);
}

static void test_selector_errors(void **state)
{
	struct el_variants v;

	(void)state;
	load_ok(&v, AXES_OK, PRESETS_OK);
	resolve_fails(&v, "colour=red,rsp=cached,regs=stub,exit=asm",
		      "unknown axis 'colour': selector 'colour=red': use one of ptregs, rsp, regs, exit");
	resolve_fails(&v, "ptregs=half,rsp=cached,regs=stub,exit=asm",
		      "unknown value 'half' for axis ptregs: selector 'ptregs=half': use one of partial, full");
	resolve_fails(&v, "linux-9.9", "unknown variant 'linux-9.9': selector: use a short name "
		      "(e.g. pcsa), a canonical name (axis=value,...), a preset (linux-3.13, "
		      "linux-4.3, linux-5.x), floor, all, presets, history, default or flips:NAME");
	resolve_fails(&v, "pcsx", "unknown variant 'pcsx'");
	resolve_fails(&v, "ptregs=full+pcsa", "'pcsa' is no axis=value: pattern");
	resolve_fails(&v, "ptregs=full+ptregs=partial", "axis ptregs given twice");
	resolve_fails(&v, "ptregs=full+exit=slow", "unknown value 'slow' for axis exit");
	resolve_fails(&v, "pcsa,,pcsc", "empty variant selector");
	el_variants_free(&v);
}

static void test_file_errors(void **state)
{
	(void)state;
	load_fails(AXES_OK "exit  fast  EXIT_FAST  f\nexit  b  EXIT_B  b\nexit  d  EXIT_D  d\n",
		   PRESETS_OK, "axis 'exit' has a fifth value 'd'", "axes.conf:12:");
	load_fails(AXES_OK "exit  fast  EXIT_FAST  c\n", PRESETS_OK,
		   "axis 'exit' repeats value 'fast' or letter 'c'", "axes.conf:10:");
	load_fails(AXES_OK "invalid ptregs=full\n", PRESETS_OK,
		   "fewer than two axis=value terms", "axes.conf:10:");
	load_fails(AXES_OK "invalid ptregs=full colour=red\n", PRESETS_OK,
		   "rule names unknown axis 'colour'", "axes.conf:10:");
	load_fails(AXES_OK "invalid ptregs=full rsp=sideways\n", PRESETS_OK,
		   "rule names unknown value 'sideways' for axis rsp", "use one of cached, stored");
	load_fails(AXES_OK "invalid ptregs=full ptregs=partial\n", PRESETS_OK,
		   "rule names axis 'ptregs' twice", NULL);
	load_fails(AXES_OK "invalid ptregs=full rsp=stored\nx  a  X_A  a\nx  b  X_B  b\n", PRESETS_OK,
		   "axis line after an 'invalid' rule", "axes.conf:11:");
	load_fails(AXES_OK "invalid ptregs=partial rsp=cached regs=stub exit=asm\n", PRESETS_OK,
		   "forbids the first value of every axis", NULL);
	load_fails(AXES_OK "invalid ptregs=full rsp=stored regs=annotated exit=c  # why\n", PRESETS_OK,
		   "preset 'linux-5.x' is a forbidden combination", "axes.conf:10: 'invalid ptregs=full "
		   "rsp=stored regs=annotated exit=c' (why)");
	/* letters that could be confused */
	load_fails(AXES_OK "x  a  X_A  -\nx  b  X_B  q\ny  a  Y_A  -\ny  b  Y_B  q\n", PRESETS_OK,
		   "two variants share the short name", NULL);
	load_fails(AXES_OK "colour red\n", PRESETS_OK, "malformed axis line: 2 columns", "axes.conf:10:");
	load_fails("ptregs partial PTREGS_PARTIAL p\nrsp cached RSP_CACHED c\nrsp stored RSP_STORED s\n",
		   "", "axis 'ptregs' has only one value", "axes.conf:2:");
	load_fails(AXES_OK, PRESETS_OK "linux-6.0  partial  sideways  stub  c\n",
		   "unknown value 'sideways' for axis rsp", "presets.conf:5: use one of cached, stored");
	load_fails(AXES_OK, "linux-x  partial  cached  stub\n",
		   "malformed preset line: 4 columns", "presets.conf:1:");
	load_fails(AXES_OK, PRESETS_OK "linux-4.3  partial  stored  stub  c\n",
		   "preset name 'linux-4.3' is taken", "presets.conf:5:");
	load_fails(AXES_OK, "pcsa  partial  stored  stub  c\n", "preset name 'pcsa' is taken", NULL);
	load_fails("", PRESETS_OK, "no axes defined", "axes.conf:0:");
	/* the reference rows' names would shadow them in every table */
	load_fails(AXES_OK, "linux  partial  stored  stub  c\n", "preset name 'linux' is taken",
		   "reference row");
	load_fails(AXES_OK, "linux-nomit  partial  stored  stub  c\n",
		   "preset name 'linux-nomit' is taken", NULL);
	load_fails(AXES_OK, "host  partial  stored  stub  c\n", "preset name 'host' is taken", NULL);
}

/* A NUL byte is named as such, on any line, the last one included. */
static void test_nul_byte(void **state)
{
	static const char *const tails[] = { "x  partial\0 stored  stub  c\n", "x\0" };
	struct el_variants v;
	char err[EL_VARIANT_ERR];

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		FILE *f = fopen(presets_path, "w");
		assert_non_null(f);
		fputs(PRESETS_OK, f);
		fwrite(tails[i], 1, strlen(tails[i]) + 1 + strlen(tails[i] + strlen(tails[i]) + 1), f);
		fclose(f);
		put(axes_path, AXES_OK);
		err[0] = '\0';
		assert_int_equal(el_variants_load_files(&v, axes_path, presets_path, err,
							sizeof(err)), -1);
		if (!strstr(err, "NUL byte in line") || !strstr(err, "presets.conf:5:"))
			fail_msg("case %zu: error '%s'", i, err);
	}
}

static void test_missing_file(void **state)
{
	struct el_variants v;
	char err[EL_VARIANT_ERR] = "";

	(void)state;
	assert_int_equal(el_variants_load(&v, "/nonexistent-entrylab", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot read /nonexistent-entrylab/axes.conf"));
	assert_non_null(strstr(err, "--variants-dir"));
}

/* history, flips:NAME, the walk between two variants and default.conf. */
static void test_history_flips(void **state)
{
	struct el_variants v;
	int step[EL_MAX_AXES];
	char err[EL_VARIANT_ERR] = "";

	(void)state;
	/* linux-5.x is no linux-N.M name: presets, but not walked */
	load_ok(&v, AXES_OK, PRESETS_OK);
	resolves_to(&v, "history", "pcsa pssa pssc");
	resolves_to(&v, "flips:linux-4.3", "pssc fssc pcsc psac pssa");
	resolves_to(&v, "flips:fsac,flips:pcsa", "fsac psac fcac fssc fsaa pcsa fcsa pssa pcaa pcsc");
	resolve_fails(&v, "flips:nothing", "unknown variant 'nothing' in 'flips:nothing'");
	resolve_fails(&v, "default", "no default selection");
	assert_int_equal(el_variants_walk(&v, 0, 0, step), 0);
	el_variants_free(&v);
	/* the walk goes round a rule: path=c needs ptregs=full first */
	load_ok(&v, AXES_MORE, "linux-1.0  partial cached stub asm asm\n"
		"linux-2.0  full stored annotated c c\n");
	resolves_to(&v, "history", "pcsa fcsa fssa fsaa fsac fsacd");
	resolves_to(&v, "flips:linux-2.0", "fsacd fcacd fsscd fsaad fsac fsacm");
	el_variants_free(&v);
	/* both one-axis steps from pcsa to fcsc forbidden: no walk */
	load_ok(&v, AXES_OK "invalid ptregs=full exit=asm\ninvalid ptregs=partial exit=c\n",
		"linux-1.0 partial cached stub asm\nlinux-2.0 full cached stub c\n");
	{
		int codes[4];
		size_t n = 0;
		assert_int_equal(el_variants_resolve(&v, "fcsc", codes, 4, &n, err, sizeof(err)), 0);
		assert_int_equal(el_variants_walk(&v, 0, codes[0], step), -1);
		resolves_to(&v, "history", "pcsa fcsc");   /* the presets all the same */
	}
	el_variants_free(&v);
	/* the project's default.conf: resolves, and is what the README says */
	if (el_variants_load(&v, "variants", err, sizeof(err)))
		fail_msg("variants/ does not load: %s", err);
	assert_true(v.default_sel[0] != '\0');
	{   /* history: every linux-N.M preset in order, one axis a step */
		int codes[64], diff;
		size_t n = 0, p = 0;
		assert_int_equal(el_variants_resolve(&v, "history", codes, 64, &n, err,
						     sizeof(err)), 0);
		for (size_t i = 0; i < n; i++) {
			while (p < v.npresets && !strncmp(v.preset[p].name, "linux-", 6) &&
			       strchr("0123456789", v.preset[p].name[6]) &&
			       v.preset[p].name[strlen(v.preset[p].name) - 1] != 'x' &&
			       el_variant_preset_code(&v, &v.preset[p]) == codes[i])
				p++;
			if (!i)
				continue;
			diff = 0;
			for (unsigned k = 0; k < v.naxes; k++)
				diff += el_variant_choice(&v, codes[i], k) !=
					el_variant_choice(&v, codes[i - 1], k);
			assert_true(diff <= 1);   /* 0: two presets of one variant */
		}
		for (; p < v.npresets; p++)   /* only linux-5.x-like names are left */
			assert_true(v.preset[p].name[strlen(v.preset[p].name) - 1] == 'x');
	}
	el_variants_free(&v);
}

/* The dispatch axis of the project's axes.conf: the switch only where
 * history has it (path=c with entry=kstack), asked for elsewhere by name a
 * usage error naming the rule; linux-6.1 runs it, linux-5.10 the table. */
static void test_dispatch_axis(void **state)
{
	struct el_variants v;
	char err[EL_VARIANT_ERR] = "", name[256];
	int codes[4];
	size_t n = 0;

	(void)state;
	if (el_variants_load(&v, "variants", err, sizeof(err)))
		fail_msg("variants/ does not load: %s", err);
	resolves_to(&v, "linux-6.1", "fsacdzikmrx");
	resolves_to(&v, "linux-5.10", "fsacdzikmg");
	resolves_to(&v, "dispatch=switch", "fsacdzirx fsacdzimrx fsacdzikrx fsacdzikmrx");
	resolves_to(&v, "ptregs=full,rsp=stored,regs=annotated,exit=c,path=c,clear=yes,irq=on,"
		    "pti=on,spec=on,entry=kstack,dispatch=switch", "fsacdzikmrx");
	resolves_to(&v, "flips:fsacdzikmrx", "fsacdzikmrx fsacdzimrx fsacdzikrx fsacdzikmr");
	assert_int_equal(el_variants_resolve(&v, "fsacdzikmrx", codes, 4, &n, err, sizeof(err)), 0);
	el_variant_canonical(&v, codes[0], name, sizeof(name));
	assert_non_null(strstr(name, ",entry=kstack,dispatch=switch"));
	el_variant_flags(&v, codes[0], name, sizeof(name));
	assert_non_null(strstr(name, "-DENTRY_KSTACK -DDISPATCH_SWITCH"));
	resolve_fails(&v, "fsacdzikmgx", "'invalid dispatch=switch entry=generic'");
	resolve_fails(&v, "fsacdzikmx", "'invalid dispatch=switch entry=arch'");
	resolve_fails(&v, "psacix", "'invalid dispatch=switch path=asm'");
	el_variants_free(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_project_files),
		cmocka_unit_test(test_dispatch_axis),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_selectors),
		cmocka_unit_test(test_selector_errors),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_history_flips),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_missing_file),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
