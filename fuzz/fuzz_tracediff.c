/* libFuzzer target: the gate's reading of `entrylab trace VARIANT BENCH`
 * output (harness/gate/gate_logic.h gl_trace_symbols) and the per-symbol diff
 * of two paths (gl_trace_diff) that explains a regression.
 *
 * Input: two trace outputs separated by a line "%%".  Checked: no crash,
 * no sanitizer report, no leak; symbol counts are positive; a path
 * compared with itself differs nowhere. */
#include "fuzz.h"

#include "gate/gate_logic.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

static long symbols(const struct fz_part *p, struct gl_symcount **out)
{
	char *text = fz_string(p->p, p->n);
	long n = gl_trace_symbols(text, out);

	free(text);
	check(n >= -1);
	for (long i = 0; i < n; i++)
		check((*out)[i].count > 0);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_part part[2] = { { 0 } };
	struct gl_symcount *a = NULL, *b = NULL;
	struct el_buf out = { 0 };
	size_t np = fz_split(data, size, "\n%%\n", part, 2);
	long na = symbols(&part[0], &a), nb = np > 1 ? symbols(&part[1], &b) : -1;

	if (na >= 0) {
		check(gl_trace_diff(a, (size_t)na, a, (size_t)na, &out) == 0 && out.len == 0);
		if (nb >= 0)
			gl_trace_diff(a, (size_t)na, b, (size_t)nb, &out);
	}
	el_buf_free(&out);
	free(a);
	free(b);
	return 0;
}
