/* libFuzzer target: the gate's threshold file, variants/thresholds.conf
 * (harness/gate/thresholds.h), and the lookups the gate makes with it.  Built
 * only when harness/gate/thresholds.c exists (fuzz/fuzz.mk).  Checked: no
 * crash, no sanitizer report, no leak; an error is one line; every row
 * found for a benchmark and metric applies to them; the allowed increase
 * over a finite base is a number, never negative. */
#include "fuzz.h"

#include <math.h>

#include "gate/thresholds.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

static const char *const benches[] = { "getpid", "getpid_traced", "notify", "yield", "iopl",
				       "signal", "clone", "nosuch", "*" };
static const char *const metrics[] = { "instructions", "tsc", "cycles", "*" };
static const double bases[] = { 0, 1, 45, -3, 1e300 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct th_table t;
	char err[512], desc[128];

	memset(&t, 0, sizeof(t));
	err[0] = '\0';
	if (th_parse((const char *)data, size, "thresholds.conf", &t, err, sizeof(err)) == 0) {
		for (size_t b = 0; b < sizeof(benches) / sizeof(benches[0]); b++)
			for (size_t m = 0; m < sizeof(metrics) / sizeof(metrics[0]); m++) {
				const struct th_row *r = th_lookup(&t, benches[b], metrics[m]);
				check(!r || ((!strcmp(r->bench, "*") || !strcmp(r->bench, benches[b])) &&
					     (!strcmp(r->metric, "*") || !strcmp(r->metric, metrics[m]))));
				th_describe(r, desc, sizeof(desc));
				for (size_t k = 0; k < sizeof(bases) / sizeof(bases[0]); k++) {
					double a = th_allowed(r, bases[k]);
					check(!isnan(a) && a >= 0);
				}
			}
		th_free(&t);
	} else {
		check(err[0] && !strchr(err, '\n'));
	}
	return 0;
}
