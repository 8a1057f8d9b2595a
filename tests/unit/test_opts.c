/* Unit tests: the option framework (harness/core/opts.h) — one table
 * parses --opt VALUE and --opt=VALUE, flags, positional arguments in any
 * order, prints the help, and names the nearest option or the commands
 * that take a misspelled or misplaced one; the generators list every
 * option. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/opts.h"

static const struct el_opt one_opts[] = {
	{ "samples", 's', "N", "samples per benchmark" },
	{ "accel", 'a', "ACCEL", "the accelerator", "auto tcg kvm" },
	{ "mode", 'a', "ACCEL", NULL, "auto tcg kvm", EL_OPT_ALIAS },
	{ "pin", 'p', NULL, "bind the threads" },
	{ "perf", 'f', NULL, "count with perf" },
	{ "baseline-file", 'B', "FILE", "a baseline file", "@file" },
	{ "append-for", 'A', "SHORT=ARGS", "tests only", NULL, EL_OPT_HIDDEN },
	{ 0 }
};
static const struct el_optcmd one = { "one", "[OPTIONS] ARG...", "The first command.\nTwo lines.",
				      one_opts, "exit status: 0 ok", NULL };

static const struct el_opt two_opts[] = {
	{ "rounds", 'r', "N", "rounds" },
	{ "baseline", 'b', "SEL", "a variant" },
	{ 0 }
};
static const struct el_optcmd two = { "two", NULL, "The second.", two_opts, NULL, "@variants" };
static const struct el_optcmd *const registry[] = { &one, &two, NULL };

struct seen {
	char log[512];
	int fail_on;           /* key whose value the callback refuses */
};

static int record(void *ctx, int key, const char *arg)
{
	struct seen *s = ctx;
	size_t used = strlen(s->log);

	snprintf(s->log + used, sizeof(s->log) - used, "%c=%s;", key, arg ? arg : "-");
	if (key == s->fail_on) {
		fprintf(stderr, "entrylab: refused\n");
		return -1;
	}
	return 0;
}

/* Parse the words of line with one's table; stdout and stderr captured. */
static int parse(const char *line, struct seen *s, char *out, char *err, int *first, char ***av)
{
	static char copy[512];
	static char *argv[32];
	int argc = 0, rc, saved[2];
	FILE *f[2] = { tmpfile(), tmpfile() };
	char *save = NULL;

	snprintf(copy, sizeof(copy), "%s", line);
	for (char *t = strtok_r(copy, " ", &save); t && argc < 31; t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	argv[argc] = NULL;
	memset(s->log, 0, sizeof(s->log));
	fflush(stdout);
	fflush(stderr);
	for (int k = 0; k < 2; k++) {
		saved[k] = dup(k + 1);
		dup2(fileno(f[k]), k + 1);
	}
	rc = el_opts_parse(&one, argc, argv, record, s, first);
	fflush(stdout);
	fflush(stderr);
	for (int k = 0; k < 2; k++) {
		char *buf = k ? err : out;
		dup2(saved[k], k + 1);
		close(saved[k]);
		rewind(f[k]);
		buf[fread(buf, 1, 4095, f[k])] = '\0';
		fclose(f[k]);
	}
	if (av)
		*av = argv;
	return rc;
}

static void test_values_and_flags(void **state)
{
	struct seen s = { .fail_on = 0 };
	char out[4096], err[4096];
	char **argv;
	int first = -1;

	(void)state;
	el_opts_set_registry(registry);
	assert_int_equal(parse("one --samples 3 --accel=kvm --pin x y --mode tcg", &s, out, err,
			       &first, &argv), EL_OPTS_GO);
	assert_string_equal(s.log, "s=3;a=kvm;p=-;a=tcg;");
	/* positional arguments end up at the end, in their order */
	assert_int_equal(first, 7);
	assert_string_equal(argv[7], "x");
	assert_string_equal(argv[8], "y");
	assert_string_equal(err, "");
	/* a value may hold '=' and begin with '-' when it follows the option */
	assert_int_equal(parse("one --baseline-file=a=b --samples -1", &s, out, err, &first, NULL),
			 EL_OPTS_GO);
	assert_string_equal(s.log, "B=a=b;s=-1;");
	/* positional arguments after "--" are not options */
	assert_int_equal(parse("one -- --pin", &s, out, err, &first, &argv), EL_OPTS_GO);
	assert_string_equal(s.log, "");
	assert_string_equal(argv[first], "--pin");
}

static void test_help(void **state)
{
	struct seen s = { 0 };
	char out[4096], err[4096];
	int first;

	(void)state;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(parse(i ? "one --samples 3 -h" : "one --bogus --help", &s, out,
				       err, &first, NULL), EL_OPTS_HELP);
		assert_string_equal(err, "");
		assert_string_equal(s.log, "");   /* help is asked before anything is parsed */
		assert_int_equal(strncmp(out, "usage: entrylab one [OPTIONS] ARG...\n", 37), 0);
		assert_non_null(strstr(out, "  The first command.\n  Two lines.\n"));
		assert_non_null(strstr(out, "  --samples N           samples per benchmark\n"));
		assert_non_null(strstr(out, "  --mode ACCEL          the same as --accel\n"));
		assert_non_null(strstr(out, "  --pin                 bind the threads\n"));
		assert_non_null(strstr(out, "  -h, --help            this text\n"));
		assert_non_null(strstr(out, "test options:\n  --append-for SHORT=ARGS\n"));
		assert_non_null(strstr(out, "exit status: 0 ok\n"));
	}
}

/* err is exactly one line starting "entrylab: " and holding want. */
static void one_line(const char *err, const char *want)
{
	assert_int_equal(strncmp(err, "entrylab: ", 10), 0);
	assert_ptr_equal(strchr(err, '\n'), err + strlen(err) - 1);
	if (!strstr(err, want))
		fail_msg("'%s' not in '%s'", want, err);
}

static void test_errors(void **state)
{
	static const struct { const char *line, *want; } cases[] = {
		{ "one --sampels 3", "did you mean --samples?" },
		{ "one --acel kvm", "did you mean --accel?" },
		{ "one --samp 3", "did you mean --samples?" },       /* no abbreviations */
		{ "one --p", "did you mean one of --pin, --perf?" },
		{ "one --rounds 2", "'--rounds' is not an option of one: entrylab one: it is one of two" },
		{ "one --baseline f", "did you mean --baseline-file? (--baseline is an option of two)" },
		{ "one --frobnicate", "unknown option '--frobnicate': entrylab one: see 'entrylab one --help'" },
		{ "one --pin=yes", "option --pin takes no value" },
		{ "one --samples", "missing value for '--samples': entrylab one: give --samples N" },
		{ "one -x", "unknown option '-x'" },
		{ "one --samples 2 --pin --accel bad", "refused" },
	};
	struct seen s = { .fail_on = 0 };
	char out[4096], err[4096];
	int first;

	(void)state;
	el_opts_set_registry(registry);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s.fail_on = strstr(cases[i].want, "refused") ? 'a' : 0;
		assert_int_equal(parse(cases[i].line, &s, out, err, &first, NULL), EL_OPTS_BAD);
		one_line(err, cases[i].want);
		assert_string_equal(out, "");
	}
	/* a command that takes no positional argument refuses one */
	{
		char *argv[] = { "two", "stray", NULL };
		int saved = dup(2);
		FILE *f = tmpfile();
		fflush(stderr);
		dup2(fileno(f), 2);
		int rc = el_opts_parse(&two, 2, argv, record, &s, NULL);
		fflush(stderr);
		dup2(saved, 2);
		close(saved);
		rewind(f);
		err[fread(err, 1, 4095, f)] = '\0';
		fclose(f);
		assert_int_equal(rc, EL_OPTS_BAD);
		one_line(err, "unexpected argument 'stray': entrylab two");
	}
}

static void test_distance(void **state)
{
	(void)state;
	assert_int_equal(el_opts_distance("samples", "samples"), 0);
	assert_int_equal(el_opts_distance("sampels", "samples"), 1);   /* transposition */
	assert_int_equal(el_opts_distance("", "pin"), 3);
	assert_int_equal(el_opts_distance("kitten", "sitting"), 3);
	assert_string_equal(el_opts_nearest(&one, "sample"), "samples");
	assert_null(el_opts_nearest(&one, "zzzzzzzz"));
	assert_string_equal(el_opts_nearest(&one, "hepl"), "help");
}

/* The generated completion and man page name every option of every table. */
static void test_generators(void **state)
{
	char *text;
	size_t len;
	FILE *f;

	(void)state;
	el_opts_set_registry(registry);
	for (int g = 0; g < 2; g++) {
		f = open_memstream(&text, &len);
		if (g)
			el_opts_man(f, "9.9", "a test", "exit status: 0");
		else
			el_opts_bash_completion(f);
		fclose(f);
		for (const struct el_optcmd *const *c = registry; *c; c++)
			for (const struct el_opt *o = (*c)->opts; o->name; o++) {
				char want[96];
				if (g) {   /* roff: hyphens escaped */
					char *w = want;
					w += sprintf(w, "\\-\\-");
					for (const char *p = o->name; *p; p++)
						w += sprintf(w, *p == '-' ? "\\-" : "%c", *p);
				} else {
					snprintf(want, sizeof(want), "--%s ", o->name);
				}
				if (!strstr(text, want))
					fail_msg("%s: '%s' missing", g ? "man" : "completion", want);
			}
		if (g) {
			assert_non_null(strstr(text, ".TH ENTRYLAB 1 \"\" \"entrylab 9.9\""));
			assert_non_null(strstr(text, ".SS \"one [OPTIONS] ARG...\""));
		} else {
			assert_non_null(strstr(text, "\"two --baseline\") echo \"\" ;;"));
			assert_non_null(strstr(text, "\"one --accel\") echo \"auto tcg kvm\" ;;"));
			assert_non_null(strstr(text, "\"one --pin\") echo \"-\" ;;"));
			assert_non_null(strstr(text, "\"two\") echo \"@variants\" ;;"));
			assert_non_null(strstr(text, "complete -F _entrylab entrylab"));
		}
		free(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_and_flags),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_generators),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
