/*
 * umain.c — the init task's program: read the el.* options from the kernel
 * command line, run the conformance suite and/or the benchmarks (or the
 * KVM probe), and exit with 0 only if every conformance check passed.
 */
#include "user.h"

int el_user_main(void)
{
	const char *run = arg_get("el.run");
	char runbuf[64] = "conform,bench";
	if (run)
		memcpy(runbuf, run, strlen(run) + 1 < sizeof(runbuf) ? strlen(run) + 1 : sizeof(runbuf) - 1);
	unsigned features = (unsigned)sys0(SYS_el_features);
	const char *selftest = arg_get("el.selftest");	/* host tests only */
	if (selftest)
		sys1(SYS_el_selftest, parse_u64(selftest, 0));
	if (csv_has(runbuf, "probe")) {
		run_probe();
		return 0;
	}
	if (csv_has(runbuf, "trace")) {
		run_trace(arg_get("el.bench"), features);
		return 0;
	}
	int failed = 0;
	if (csv_has(runbuf, "conform"))
		failed = run_conformance(features);
	if (csv_has(runbuf, "bench")) {
		char which[256];
		const char *w = arg_get("el.bench");
		if (w)
			memcpy(which, w, strlen(w) + 1);
		u64 samples = parse_u64(arg_get("el.samples"), EL_DEFAULT_SAMPLES);
		u64 budget = parse_u64(arg_get("el.budget"), 50000);
		run_benchmarks(w ? which : NULL, samples, budget, features);
	}
	return failed ? 1 : 0;
}
