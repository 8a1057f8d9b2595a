/*
 * bench.c — the benchmarks of include/entrylab/benches.def, measured as
 * DESIGN.md section 6 says: set up, warm up, calibrate the iteration count
 * to a tick budget, then for every sample time the loop and its empty twin
 * and send both raw figures (@D).  The host does all arithmetic.
 */
#include "user.h"
#include "fmt.h"

struct bench {
	const char *name;
	unsigned features;
	const char *description;
};

static const struct bench benches[] = {
#define EL_BENCH(n, f, d) { #n, f, d },
#include "entrylab/benches.def"
#undef EL_BENCH
};

#define MAX_ITERS (1ull << 20)

static u64 clone_stack[512] __attribute__((aligned(16)));

/* Per-benchmark set-up and tear-down; fills the loop arguments. */
static bool bench_setup(const char *name, struct loop_args *a, bool *clone)
{
	*clone = false;
	*a = (struct loop_args){ SYS_getpid, 0, 0, 0 };
	if (streq(name, "getpid"))
		return true;
	if (streq(name, "getpid_traced"))
		return sys4(SYS_el_trace, EL_TRACE_ENTRY, EL_TRACE_NONE, 0, 0) == 0;
	if (streq(name, "notify")) {
		a->nr = SYS_el_notify;
		return true;
	}
	if (streq(name, "yield")) {
		a->nr = SYS_sched_yield;
		return true;
	}
	if (streq(name, "iopl")) {
		a->nr = SYS_iopl;
		return true;
	}
	if (streq(name, "signal")) {
		*a = (struct loop_args){ SYS_kill, (u64)sys0(SYS_getpid), EL_SIGUSR1, 0 };
		return sys3(SYS_rt_sigaction, EL_SIGUSR1, el_sig_handler_ret, el_sig_restorer) == 0;
	}
	if (streq(name, "clone")) {
		*clone = true;
		*a = (struct loop_args){ SYS_clone, EL_CLONE_DETACHED,
					 (u64)(clone_stack + 512), 0 };
		return true;
	}
	return false;
}

static void bench_teardown(void)
{
	sys1(SYS_el_trace, EL_TRACE_OFF);
	sys3(SYS_rt_sigaction, EL_SIGUSR1, EL_SIG_DFL, 0);
}

#define MAX_PMU 4
static int npmu;		/* counters the kernel programmed (el.events) */

static inline u64 rdpmc(u32 i)
{
	u32 lo, hi;
	__asm__ volatile("rdpmc" : "=a"(lo), "=d"(hi) : "c"(i));
	return ((u64)hi << 32) | lo;
}

static u64 timed(const struct loop_args *a, u64 iters, bool clone, bool empty)
{
	if (clone)
		return empty ? el_loop_clone_empty(a, iters) : el_loop_clone(a, iters);
	return empty ? el_loop_empty(a, iters) : el_loop_syscall(a, iters);
}

static void run_one(const struct bench *b, u64 samples, u64 budget, unsigned features)
{
	if ((b->features & features) != b->features) {
		rec("@N bench=%s reason=unsupported_by_entry\n", b->name);
		return;
	}
	struct loop_args a;
	bool clone;
	if (!bench_setup(b->name, &a, &clone)) {
		bench_teardown();
		rec("@N bench=%s reason=setup_failed\n", b->name);
		return;
	}
	u64 iters = 1;
	timed(&a, iters, clone, false);			/* warm-up */
	while (iters < MAX_ITERS && timed(&a, iters, clone, false) < budget)
		iters *= 2;
	timed(&a, iters, clone, false);			/* warm-up at size */
	timed(&a, iters, clone, true);
	rec("@B bench=%s iters=%lu samples=%lu warmup=2 events=%d\n", b->name, iters, samples, npmu);
	for (u64 s = 0; s < samples; s++) {
		u64 before[MAX_PMU], mid[MAX_PMU], after[MAX_PMU];
		for (int i = 0; i < npmu; i++)
			before[i] = rdpmc((u32)i);
		u64 t = timed(&a, iters, clone, false);
		for (int i = 0; i < npmu; i++)
			mid[i] = rdpmc((u32)i);
		u64 e = timed(&a, iters, clone, true);
		for (int i = 0; i < npmu; i++)
			after[i] = rdpmc((u32)i);
		char pmu[192] = "";
		int len = 0;
		for (int i = 0; i < npmu; i++)	/* counter deltas: loop, then empty twin */
			len += el_snprintf(pmu + len, sizeof(pmu) - (size_t)len, " pmu%d=%lu epmu%d=%lu",
					   i, mid[i] - before[i], i, after[i] - mid[i]);
		rec("@D bench=%s sample=%lu iters=%lu ticks=%lu empty=%lu%s\n", b->name, s, iters, t, e, pmu);
	}
	bench_teardown();
}

/* el.run=trace: one call of the benchmark's loop and one of its empty twin,
 * each between the marker functions el_trace_begin and el_trace_end, so the
 * host can cut exactly those instructions out of an execution trace. */
void run_trace(const char *which, unsigned features)
{
	for (size_t i = 0; i < sizeof(benches) / sizeof(benches[0]); i++) {
		const struct bench *b = &benches[i];
		if (!which || !csv_has(which, b->name))
			continue;
		struct loop_args a;
		bool clone;
		if ((b->features & features) != b->features || !bench_setup(b->name, &a, &clone)) {
			bench_teardown();
			rec("@N bench=%s reason=unsupported_by_entry\n", b->name);
			continue;
		}
		timed(&a, 4, clone, false);	/* warm-up: first-touch work stays out */
		for (int empty = 0; empty <= 1; empty++) {
			el_trace_begin();
			timed(&a, 1, clone, empty);
			el_trace_end();
		}
		bench_teardown();
		rec("@K traced bench %s\n", b->name);
	}
}

void run_benchmarks(const char *which, u64 samples, u64 budget, unsigned features)
{
	if (arg_get("el.events")) {
		long n = sys0(SYS_el_pmu);
		if (n < 0) {	/* events asked for but not countable: say so per bench */
			for (size_t i = 0; i < sizeof(benches) / sizeof(benches[0]); i++)
				if (!which || csv_has(which, benches[i].name))
					rec("@N bench=%s reason=pmu_unavailable\n", benches[i].name);
			return;
		}
		npmu = (int)(n > MAX_PMU ? MAX_PMU : n);
	}
	for (size_t i = 0; i < sizeof(benches) / sizeof(benches[0]); i++)
		if (!which || csv_has(which, benches[i].name))
			run_one(&benches[i], samples, budget, features);
}
