/* libFuzzer target: perf stat's CSV output as read by harness/host/perfx.h.
 * Checked: no crash, no sanitizer report; at most PERFX_MAX_COUNTS counts;
 * an error is one line; every count can be found again by its name. */
#include "fuzz.h"

#include "host/perfx.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct perfx_result r;
	char err[512], *text = fz_string(data, size);

	memset(&r, 0, sizeof(r));
	err[0] = '\0';
	if (perfx_parse(text, &r, err, sizeof(err)) == 0) {
		check(r.n >= 0 && r.n <= PERFX_MAX_COUNTS);
		for (int i = 0; i < r.n; i++)
			check(perfx_find(&r, r.c[i].event) != NULL);
	} else {
		check(err[0] && !strchr(err, '\n'));
	}
	free(text);
	return 0;
}
