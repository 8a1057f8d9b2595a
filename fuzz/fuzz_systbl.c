/* libFuzzer target: the syscall table (harness/tools/systbl.h), as
 * kernels/syscall.tbl.  A table that parses is also written out as
 * syscall_nr.h, syscall_table.S and syscall_switch.c (to /dev/null).
 * Checked: no crash, no sanitizer report; an error is one line naming the
 * file and line; an accepted table keeps the promises of systbl.h (rows,
 * unique numbers in range, max_nr). */
#include "fuzz.h"

#include "tools/systbl.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct systbl t;           /* large: not on the stack */
	static FILE *null;
	char err[512], *text = fz_string(data, size);

	if (!null && !(null = fopen("/dev/null", "w")))
		abort();
	memset(&t, 0, sizeof(t));
	err[0] = '\0';
	if (systbl_parse(text, "syscall.tbl", &t, err, sizeof(err)) == 0) {
		int max = -1;
		check(t.nrows > 0 && t.nrows <= SYSTBL_MAX_NR + 1);
		for (int i = 0; i < t.nrows; i++) {
			check(t.rows[i].nr >= 0 && t.rows[i].nr <= SYSTBL_MAX_NR);
			max = t.rows[i].nr > max ? t.rows[i].nr : max;
			for (int j = 0; j < i; j++)
				check(t.rows[j].nr != t.rows[i].nr &&
				      strcmp(t.rows[j].name, t.rows[i].name));
		}
		check(max == t.max_nr);
		check(systbl_write_header(&t, null) == 0 && systbl_write_table(&t, null) == 0 &&
		      systbl_write_switch(&t, null) == 0);
	} else {
		check(!strncmp(err, "syscall.tbl:", 12) && !strchr(err, '\n'));
	}
	free(text);
	return 0;
}
