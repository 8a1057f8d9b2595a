/* Unit tests: the CSV writer (harness/core/csv.h), RFC 4180 quoting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/csv.h"

/* One record of the given fields (NULL-terminated), as written. */
static void record(struct el_buf *b, const char *const *fields)
{
	struct el_csv c = { b, 0 };

	for (; *fields; fields++)
		el_csv_field(&c, *fields);
	el_csv_end(&c);
}

static void test_rfc4180_fields(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "plain", "plain" },
		{ "", "" },
		{ "a,b", "\"a,b\"" },                          /* 2.6: comma */
		{ "say \"hi\"", "\"say \"\"hi\"\"\"" },        /* 2.7: quotes doubled */
		{ "\"", "\"\"\"\"" },
		{ "two\nlines", "\"two\nlines\"" },            /* 2.6: line break */
		{ "cr\rhere", "\"cr\rhere\"" },
		{ "ptregs=partial,rsp=cached", "\"ptregs=partial,rsp=cached\"" },
		{ " spaces stay ", " spaces stay " },          /* 2.4: spaces are data */
		{ "semi;colon", "semi;colon" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct el_buf b = { 0 };
		const char *one[] = { cases[i].in, NULL };
		char want[128];
		record(&b, one);
		snprintf(want, sizeof(want), "%s\n", cases[i].out);
		assert_string_equal(b.data, want);
		el_buf_free(&b);
	}
}

static void test_records(void **state)
{
	struct el_buf b = { 0 };
	struct el_csv c = { &b, 0 };
	const char *row[] = { "x,y", "45", "", "instructions", NULL };

	(void)state;
	el_csv_header(&c, "variant,bench,empty,unit");
	record(&b, row);
	el_csv_quoted(&c, "floor");
	el_csv_printf(&c, "%.4f", 13.5);
	el_csv_printf(&c, "%s", "1,5");        /* formatted text is quoted like any */
	el_csv_empty(&c);
	el_csv_end(&c);
	assert_string_equal(b.data, "variant,bench,empty,unit\n"
			    "\"x,y\",45,,instructions\n"
			    "\"floor\",13.5000,\"1,5\",\n");
	el_buf_free(&b);
}

/* A reader that follows RFC 4180 gets back exactly what was written. */
static size_t parse_fields(const char *s, char out[][64], size_t max)
{
	size_t n = 0;

	while (n < max) {
		char *d = out[n++];
		if (*s == '"') {
			for (s++; *s && !(*s == '"' && s[1] != '"'); s++)
				*d++ = *s == '"' ? *++s : *s;
			s += *s == '"';
		} else {
			while (*s && *s != ',' && *s != '\n')
				*d++ = *s++;
		}
		*d = '\0';
		if (*s != ',')
			break;
		s++;
	}
	return n;
}

static void test_round_trip(void **state)
{
	const char *row[] = { "a \"quoted\" word", "comma, inside", "multi\nline", "", "\"\"",
			      NULL };
	struct el_buf b = { 0 };
	char got[8][64];

	(void)state;
	record(&b, row);
	assert_int_equal(parse_fields(b.data, got, 8), 5);
	for (int i = 0; i < 5; i++)
		assert_string_equal(got[i], row[i]);
	el_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4180_fields),
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
