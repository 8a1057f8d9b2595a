/*
 * Unit tests for the syscall table generator (harness/tools/systbl.c): parsing,
 * every malformed-row rule with its file:line message, the generated header,
 * table and switch, the real kernels/syscall.tbl, and atomic file output.
 * Run from the repository root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/systbl.h"

#define FNAME "fixture.tbl"

static const char good_text[] =
	"# a comment line\n"
	"\n"
	"39   getpid   sys_getpid\n"
	"1\twrite\tsys_write   # trailing comment\n"
	"   56 clone sys_clone:regs\n"
	"   \t  \n"
	"7 poll_2 _sys_poll\r\n"
	"42 last sys_last:regs";

static struct systbl *new_tbl(void)
{
	struct systbl *t = malloc(sizeof(*t));

	assert_non_null(t);
	return t;
}

/* Generate with fn into a memory stream; the caller frees the text. */
static char *gen(const struct systbl *t, int (*fn)(const struct systbl *, FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(fn(t, f), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void test_good_rows(void **state)
{
	struct systbl *t = new_tbl();
	char err[256] = "";

	(void)state;
	assert_int_equal(systbl_parse(good_text, FNAME, t, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(t->nrows, 5);
	assert_int_equal(t->max_nr, 56);
	assert_int_equal(t->rows[0].nr, 39);
	assert_string_equal(t->rows[0].name, "getpid");
	assert_string_equal(t->rows[0].entry, "sys_getpid");
	assert_int_equal(t->rows[0].needs_regs, 0);
	assert_int_equal(t->rows[0].line, 3);
	assert_int_equal(t->rows[1].nr, 1);
	assert_int_equal(t->rows[1].line, 4);
	assert_string_equal(t->rows[1].entry, "sys_write");
	assert_int_equal(t->rows[2].nr, 56);
	assert_string_equal(t->rows[2].entry, "sys_clone");
	assert_int_equal(t->rows[2].needs_regs, 1);
	assert_string_equal(t->rows[3].name, "poll_2");
	assert_string_equal(t->rows[3].entry, "_sys_poll");
	assert_int_equal(t->rows[4].line, 8);
	assert_int_equal(t->rows[4].needs_regs, 1);
	free(t);
}

static void test_good_table_S(void **state)
{
	struct systbl *t = new_tbl();
	char err[256], *s, *p;

	(void)state;
	assert_int_equal(systbl_parse(good_text, FNAME, t, err, sizeof(err)), 0);
	s = gen(t, systbl_write_table);
	assert_non_null(strstr(s, "do not edit"));
	assert_non_null(strstr(s, "#include \"entry_variant.h\"\n"));
	assert_non_null(strstr(s, "\t.section .rodata\n\t.balign 8\n"
			       "\t.globl sys_call_table\nsys_call_table:\n"));
	/* exactly one line per number 0..56, in order */
	assert_int_equal(count(s, "SYSCALL_ENTRY ") + count(s, "SYSCALL_REGS_ENTRY "), 57);
	assert_int_equal(count(s, "sys_ni_syscall\n"), 52);
	p = strstr(s, "sys_call_table:\n\tSYSCALL_ENTRY 0, sys_ni_syscall\n"
		   "\tSYSCALL_ENTRY 1, sys_write\n\tSYSCALL_ENTRY 2, sys_ni_syscall\n");
	assert_non_null(p);
	assert_true(strstr(s, "\tSYSCALL_ENTRY 7, _sys_poll\n") > p);
	assert_non_null(strstr(s, "\tSYSCALL_ENTRY 38, sys_ni_syscall\n"
			       "\tSYSCALL_ENTRY 39, sys_getpid\n"
			       "\tSYSCALL_ENTRY 40, sys_ni_syscall\n"));
	assert_non_null(strstr(s, "\tSYSCALL_REGS_ENTRY 42, sys_last, last\n"));
	assert_non_null(strstr(s, "\tSYSCALL_ENTRY 55, sys_ni_syscall\n"
			       "\tSYSCALL_REGS_ENTRY 56, sys_clone, clone\n"
			       "\t.size sys_call_table, .-sys_call_table\n"));
	assert_null(strstr(s, "SYSCALL_ENTRY 57"));
	/* stub list after the table, one per :regs row */
	p = strstr(s, ".size sys_call_table");
	assert_int_equal(count(s, "\tSYSCALL_REGS_STUB "), 2);
	assert_true(strstr(s, "\tSYSCALL_REGS_STUB sys_last, last\n") > p);
	assert_true(strstr(s, "\tSYSCALL_REGS_STUB sys_clone, clone\n") > p);
	free(s);
	free(t);
}

/* dispatch=switch: one case per row in number order, each entry declared
 * once, holes and everything out of range to sys_ni_syscall. */
static void test_good_switch(void **state)
{
	struct systbl *t = new_tbl();
	char err[256], *s, *p;

	(void)state;
	assert_int_equal(systbl_parse(good_text, FNAME, t, err, sizeof(err)), 0);
	s = gen(t, systbl_write_switch);
	assert_non_null(strstr(s, "do not edit"));
	assert_non_null(strstr(s, "#include \"kernel.h\"\n#include \"variant.h\"\n"));
	assert_non_null(strstr(s, "#ifdef DISPATCH_SWITCH\n"));
	assert_int_equal(count(s, "\tcase "), 5);
	assert_int_equal(count(s, "long sys_clone(long, long, long, long, long, long);\n"), 1);
	assert_int_equal(count(s, "long _sys_poll(long, long, long, long, long, long);\n"), 1);
	p = strstr(s, "long x64_sys_call(const struct pt_regs *regs, unsigned int nr)\n{\n"
		   "\tswitch (nr) {\n"
		   "\tcase 1: return SYSCALL_CASE(sys_write, regs);\n"
		   "\tcase 7: return SYSCALL_CASE(_sys_poll, regs);\n"
		   "\tcase 39: return SYSCALL_CASE(sys_getpid, regs);\n"
		   "\tcase 42: return SYSCALL_CASE(sys_last, regs);\n"
		   "\tcase 56: return SYSCALL_CASE(sys_clone, regs);\n"
		   "\tdefault: return SYSCALL_CASE(sys_ni_syscall, regs);\n\t}\n}\n#endif\n");
	assert_non_null(p);
	free(s);
	free(t);
}

static void test_good_header(void **state)
{
	struct systbl *t = new_tbl();
	char err[256], *h, *line;

	(void)state;
	assert_int_equal(systbl_parse(good_text, FNAME, t, err, sizeof(err)), 0);
	h = gen(t, systbl_write_header);
	assert_non_null(strstr(h, "generated from kernels/syscall.tbl by harness/tools/systbl.c"));
	assert_non_null(strstr(h, "#ifndef ENTRYLAB_SYSCALL_NR_H\n#define ENTRYLAB_SYSCALL_NR_H\n"));
	assert_non_null(strstr(h, "#define SYS_getpid 39\n"));
	assert_non_null(strstr(h, "#define SYS_write 1\n"));
	assert_non_null(strstr(h, "#define SYS_clone 56\n"));
	assert_non_null(strstr(h, "#define SYS_poll_2 7\n"));
	assert_non_null(strstr(h, "#define SYS_last 42\n"));
	assert_non_null(strstr(h, "#define NR_SYSCALLS 57\n"));
	assert_int_equal(count(h, "#define SYS_"), 5);
	/* assembler-safe: only comments and preprocessor lines */
	for (line = strtok(h, "\n"); line; line = strtok(NULL, "\n"))
		assert_true(line[0] == '#' || !strncmp(line, "/*", 2) ||
			    !strncmp(line, " *", 2));
	free(h);
	free(t);
}

/* Parse text, expect failure with "fixture.tbl:<line>: " and each fragment. */
static void expect_fail(const char *text, int line, const char *frag1, const char *frag2)
{
	struct systbl *t = new_tbl();
	char err[512] = "", where[64];

	snprintf(where, sizeof(where), FNAME ":%d: ", line);
	assert_int_equal(systbl_parse(text, FNAME, t, err, sizeof(err)), -1);
	if (strncmp(err, where, strlen(where)) != 0 || !strstr(err, frag1) ||
	    (frag2 && !strstr(err, frag2)))
		fail_msg("message \"%s\" lacks \"%s\", \"%s\" or \"%s\"", err, where,
			 frag1, frag2 ? frag2 : "");
	assert_null(strchr(err, '\n'));
	free(t);
}

#define HEAD "# header\n1 write sys_write\n\n"   /* rows start at line 4 */

static void test_duplicate_nr(void **state)
{
	(void)state;
	expect_fail(HEAD "39 getpid sys_getpid\n39 gettid sys_gettid\n", 5,
		    "\"39 gettid sys_gettid\"", "nr 39 of line 4");
}

static void test_duplicate_name(void **state)
{
	(void)state;
	expect_fail(HEAD "39 getpid sys_getpid\n# x\n40 getpid sys_other\n", 6,
		    "\"40 getpid sys_other\"", "name \"getpid\" of line 4");
}

static void test_nr_out_of_range(void **state)
{
	(void)state;
	expect_fail(HEAD "512 big sys_big\n", 4, "\"512 big sys_big\"", "expected 0..511");
	expect_fail(HEAD "99999999999999999999 big sys_big\n", 4, "out of range",
		    "expected 0..511");
}

static void test_nr_negative(void **state)
{
	(void)state;
	expect_fail(HEAD "-1 neg sys_neg\n", 4, "\"-1 neg sys_neg\"", "nr -1 out of range");
}

static void test_nr_not_numeric(void **state)
{
	(void)state;
	expect_fail(HEAD "\n\nx1 foo sys_foo\n", 6, "nr \"x1\"", "decimal");
	expect_fail(HEAD "0x10 foo sys_foo\n", 4, "nr \"0x10\"", "decimal");
	expect_fail(HEAD "+3 foo sys_foo\n", 4, "nr \"+3\"", "decimal");
	expect_fail(HEAD "- foo sys_foo\n", 4, "nr \"-\"", "decimal");
}

static void test_two_columns(void **state)
{
	(void)state;
	expect_fail(HEAD "56   clone   # the entry is missing\n", 4,
		    "\"56 clone\" has 2 columns, expected <nr> <name> <entry>[:regs]", NULL);
	expect_fail(HEAD "56\n", 4, "\"56\" has 1 column,", NULL);
}

static void test_four_columns(void **state)
{
	(void)state;
	expect_fail(HEAD "56 clone sys_clone regs\n", 4,
		    "\"56 clone sys_clone regs\" has 4 columns", "<entry>[:regs]");
}

static void test_bad_qualifier(void **state)
{
	(void)state;
	expect_fail(HEAD "56 clone sys_clone:reg\n", 4, "entry \"sys_clone:reg\"",
		    "optionally followed by \":regs\"");
	expect_fail(HEAD "56 clone sys_clone:regs:regs\n", 4,
		    "entry \"sys_clone:regs:regs\"", "expected");
	expect_fail(HEAD "56 clone sys_clone:\n", 4, "entry \"sys_clone:\"", NULL);
	expect_fail(HEAD "56 clone :regs\n", 4, "entry \":regs\"", NULL);
	expect_fail(HEAD "56 clone sys_clone/regs\n", 4, "entry \"sys_clone/regs\"", NULL);
	expect_fail(HEAD "56 clone Sys_clone\n", 4, "entry \"Sys_clone\"", NULL);
	expect_fail(HEAD "56 clone 9sys\n", 4, "entry \"9sys\"", NULL);
}

static void test_bad_name(void **state)
{
	(void)state;
	expect_fail(HEAD "56 Clone sys_clone\n", 4, "name \"Clone\"", "[a-z][a-z0-9_]*");
	expect_fail(HEAD "56 clo-ne sys_clone\n", 4, "name \"clo-ne\"", NULL);
	expect_fail(HEAD "56 _clone sys_clone\n", 4, "name \"_clone\"", NULL);
	expect_fail(HEAD "56 9clone sys_clone\n", 4, "name \"9clone\"", NULL);
	expect_fail(HEAD "56 cl\x01one sys_clone\n", 4, "name \"cl?one\"", NULL);
}

static void test_too_long(void **state)
{
	struct systbl *t = new_tbl();
	char text[512], err[256];

	(void)state;
	snprintf(text, sizeof(text), HEAD "5 %048d sys_x\n", 0);
	text[sizeof(HEAD) - 1 + 2] = 'a';             /* name "a000...": 48 chars */
	expect_fail(text, 4, "48-character name", "at most 47");
	snprintf(text, sizeof(text), HEAD "5 x sys_%060d:regs\n", 0);
	expect_fail(text, 4, "64-character entry", "at most 63");
	snprintf(text, sizeof(text), HEAD "5 x sys_%059d:regs\n", 0);
	assert_int_equal(systbl_parse(text, FNAME, t, err, sizeof(err)), 0);
	assert_int_equal(strlen(t->rows[1].entry), 63);
	assert_int_equal(t->rows[1].needs_regs, 1);
	free(t);
}

static void test_empty_tables(void **state)
{
	(void)state;
	expect_fail("", 1, "no rows", "<nr> <name> <entry>[:regs]");
	expect_fail("\n\n", 2, "no rows", NULL);
	expect_fail("# only\n# comments\n   # here\n\n", 4, "no rows", NULL);
	expect_fail("# no newline at the end", 1, "no rows", NULL);
}

static void test_message_bounds(void **state)
{
	struct systbl *t = new_tbl();
	char text[4096], err[16];

	(void)state;
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	text[1] = ' ';
	assert_int_equal(systbl_parse(text, FNAME, t, err, sizeof(err)), -1);
	assert_int_equal(strlen(err), sizeof(err) - 1);   /* truncated, terminated */
	assert_int_equal(systbl_parse(text, FNAME, t, NULL, 0), -1);
	expect_fail(text, 1, "...\" has 2 columns", NULL);  /* row shortened */
	free(t);
}

static void test_real_table(void **state)
{
	struct systbl *t = new_tbl();
	char err[512] = "", *s;
	int getpid = 0, execve = 0;

	(void)state;
	if (systbl_load("kernels/syscall.tbl", t, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_true(t->nrows > 0);
	assert_true(t->max_nr <= SYSTBL_MAX_NR);
	for (int i = 0; i < t->nrows; i++) {
		if (!strcmp(t->rows[i].name, "getpid"))
			getpid = t->rows[i].nr == 39 && !t->rows[i].needs_regs;
		if (!strcmp(t->rows[i].name, "execve"))
			execve = t->rows[i].nr == 59 && t->rows[i].needs_regs;
	}
	assert_true(getpid);
	assert_true(execve);
	s = gen(t, systbl_write_table);
	assert_int_equal(count(s, "SYSCALL_ENTRY ") + count(s, "SYSCALL_REGS_ENTRY "),
			 t->max_nr + 1);
	free(s);
	s = gen(t, systbl_write_switch);
	assert_int_equal(count(s, "\tcase "), t->nrows);
	assert_non_null(strstr(s, "\tcase 39: return SYSCALL_CASE(sys_getpid, regs);\n"));
	free(s);
	free(t);
}

static void test_write_error(void **state)
{
	struct systbl *t = new_tbl();
	char err[256], buf[64];
	FILE *f;

	(void)state;
	assert_int_equal(systbl_parse(good_text, FNAME, t, err, sizeof(err)), 0);
	f = fmemopen(buf, sizeof(buf), "w");
	assert_non_null(f);
	setvbuf(f, NULL, _IONBF, 0);
	assert_int_equal(systbl_write_table(t, f), -1);
	fclose(f);
	free(t);
}

/* Files: a temporary directory with a table and the two outputs. */
static void write_text(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	static char buf[65536];
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static void test_generate_files(void **state)
{
	char dir[] = "/tmp/test_systbl.XXXXXX", tbl[128], hdr[128], asmf[128], swf[128];
	char tmp[160];
	char bad[192], err[512] = "";

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(tbl, sizeof(tbl), "%s/t.tbl", dir);
	snprintf(hdr, sizeof(hdr), "%s/syscall_nr.h", dir);
	snprintf(asmf, sizeof(asmf), "%s/syscall_table.S", dir);
	snprintf(swf, sizeof(swf), "%s/syscall_switch.c", dir);

	write_text(tbl, good_text, strlen(good_text));
	if (systbl_generate(tbl, hdr, asmf, swf, err, sizeof(err)))
		fail_msg("%s", err);
	assert_non_null(strstr(slurp(hdr), "#define NR_SYSCALLS 57\n"));
	assert_non_null(strstr(slurp(asmf), "SYSCALL_REGS_ENTRY 56, sys_clone, clone\n"));
	assert_non_null(strstr(slurp(swf), "\tcase 56: return SYSCALL_CASE(sys_clone, regs);\n"));
	snprintf(tmp, sizeof(tmp), "%s.tmp", hdr);
	assert_false(exists(tmp));

	/* a bad table leaves the previous outputs alone and no .tmp behind */
	write_text(tbl, HEAD "56 clone\n", strlen(HEAD "56 clone\n"));
	assert_int_equal(systbl_generate(tbl, hdr, asmf, swf, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "t.tbl:4: \"56 clone\" has 2 columns"));
	assert_non_null(strstr(slurp(hdr), "#define NR_SYSCALLS 57\n"));
	assert_false(exists(tmp));

	/* a NUL byte is reported with its line */
	write_text(tbl, HEAD "5 x sys\0x\n", sizeof(HEAD "5 x sys\0x\n") - 1);
	assert_int_equal(systbl_generate(tbl, hdr, asmf, swf, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "t.tbl:4: contains a NUL byte"));

	/* an unwritable output: the header is not replaced either */
	write_text(tbl, good_text, strlen(good_text));
	snprintf(bad, sizeof(bad), "%s/missing/syscall_table.S", dir);
	assert_int_equal(systbl_generate(tbl, hdr, bad, swf, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "missing/syscall_table.S.tmp: cannot create"));
	assert_false(exists(tmp));

	unlink(tbl);
	assert_int_equal(systbl_generate(tbl, hdr, asmf, swf, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "t.tbl: cannot open"));
	unlink(hdr);
	unlink(asmf);
	unlink(swf);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_rows),
		cmocka_unit_test(test_good_table_S),
		cmocka_unit_test(test_good_switch),
		cmocka_unit_test(test_good_header),
		cmocka_unit_test(test_duplicate_nr),
		cmocka_unit_test(test_duplicate_name),
		cmocka_unit_test(test_nr_out_of_range),
		cmocka_unit_test(test_nr_negative),
		cmocka_unit_test(test_nr_not_numeric),
		cmocka_unit_test(test_two_columns),
		cmocka_unit_test(test_four_columns),
		cmocka_unit_test(test_bad_qualifier),
		cmocka_unit_test(test_bad_name),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_empty_tables),
		cmocka_unit_test(test_message_bounds),
		cmocka_unit_test(test_real_table),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_generate_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
