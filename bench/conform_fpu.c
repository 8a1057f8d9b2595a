/*
 * conform_fpu.c — the FPU/SSE state checks of the conformance suite
 * (kernels/fpu.c).  Every task has its own xmm0-xmm15 and MXCSR: they
 * survive a syscall, and a switch to another task that loads different
 * values and back.  Where the state is loaded again differs by model:
 * eager (before 5.2) at the context switch, deferred (5.2+: entry=generic,
 * kstack) on the way back to user mode; the kernel reports its model
 * (el_fpu EL_FPU_INFO), and ring 0 reads xmm0 right after a switch to
 * show which (EL_FPU_SWITCH_PEEK).  Under the deferred model every return
 * to user mode checks the per-CPU owner bookkeeping
 * (fpregs_assert_state_consistent, CONFIG_X86_DEBUG_FPU); a stale owner
 * set on purpose must be caught, and nothing else may fail it.
 */
#include "conform.h"

struct fpu_image {
	uint8_t xmm[16][16];
	uint32_t mxcsr;
};
_Static_assert(__builtin_offsetof(struct fpu_image, mxcsr) == 256, "FPU_IMAGE_MXCSR of sseregs.S");
void fpu_load(const struct fpu_image *img);
void fpu_store(struct fpu_image *img);

#define MXCSR_A 0x3f80	/* exceptions masked, round down */
#define MXCSR_B 0xdf80	/* exceptions masked, round up, flush to zero */

static void fpu_fill(struct fpu_image *img, u64 seed, uint32_t mxcsr)
{
	for (int r = 0; r < 16; r++)
		for (int b = 0; b < 16; b++)
			img->xmm[r][b] = (uint8_t)(seed * 31 + r * 17 + b * 5 + 1);
	img->mxcsr = mxcsr;
}

/* The first byte where two images differ (256: MXCSR), or -1. */
static int fpu_diff(const struct fpu_image *a, const struct fpu_image *b)
{
	const uint8_t *x = &a->xmm[0][0], *y = &b->xmm[0][0];
	for (int i = 0; i < 256; i++)
		if (x[i] != y[i])
			return i;
	return a->mxcsr == b->mxcsr ? -1 : 256;
}

static bool fpu_same(const struct fpu_image *a, const struct fpu_image *b)
{
	return fpu_diff(a, b) < 0;
}

static u64 xmm0_low(const struct fpu_image *img)
{
	u64 v;
	memcpy(&v, img->xmm[0], sizeof(v));
	return v;
}

static struct fpu_image img_a, img_b, seen_parent, seen_child;
static u64 child_stack[1024] __attribute__((aligned(16)));
static volatile u64 child_ok, child_rounds;
static volatile int child_bad_at = -1, child_bad_round = -1, child_bad_rounds;
static volatile u64 child_bad_xmm0;

/* The other task: its own values, kept across every switch. */
static int fpu_child(void)
{
	fpu_load(&img_b);
	child_ok = 1;
	for (int i = 0; i < 8; i++) {
		sys0(SYS_sched_yield);
		fpu_store(&seen_child);
		if (!fpu_same(&seen_child, &img_b))
			child_bad_rounds++;
		if (!fpu_same(&seen_child, &img_b) && child_ok) {
			child_bad_at = fpu_diff(&seen_child, &img_b);
			child_bad_xmm0 = xmm0_low(&seen_child);
			child_bad_round = i;
			child_ok = 0;
		}
		child_rounds++;
	}
	return 0;
}

/* Returns the child's pid, or a negative errno. */
static long start_child(void)
{
	child_ok = 0;
	child_rounds = 0;
	child_bad_at = child_bad_round = -1;
	child_bad_rounds = 0;
	return rt_clone_child(fpu_child, child_stack + 1024);
}

static void test_fpu_syscall(void)
{
	fpu_fill(&img_a, 1, MXCSR_A);
	fpu_load(&img_a);
	sys0(SYS_getpid);
	sys6(SYS_el_echo, 1, 2, 3, 4, 5, 6);
	fpu_store(&seen_parent);
	check(fpu_same(&seen_parent, &img_a), "fpu: xmm0-xmm15 and MXCSR survive a syscall");
}

/* Two tasks with different values switch back and forth (sched_yield);
 * then one more switch made in ring 0, where xmm0 is read right after it. */
static void test_fpu_switch(void)
{
	struct el_fpu_info info = { .model = ~0ull };
	fpu_fill(&img_a, 2, MXCSR_A);
	fpu_fill(&img_b, 3, MXCSR_B);
	long pid = start_child();
	fpu_load(&img_a);
	bool parent_ok = true;
	int parent_bad_at = -1, parent_bad_round = -1;
	for (int i = 0; i < 3; i++) {
		sys0(SYS_sched_yield);
		fpu_store(&seen_parent);
		if (!fpu_same(&seen_parent, &img_a) && parent_ok) {
			parent_bad_at = fpu_diff(&seen_parent, &img_a);
			parent_bad_round = i;
			parent_ok = false;
		}
	}
	u64 rounds = child_rounds;
	long peek = sys2(SYS_el_fpu, EL_FPU_SWITCH_PEEK, 0);
	fpu_store(&seen_parent);
	bool after_peek = fpu_same(&seen_parent, &img_a);
	bool child_ran = child_rounds == rounds + 1;
	u64 status = ~0ull;
	long w = sys2(SYS_wait4, pid, &status);
	if (sys2(SYS_el_fpu, EL_FPU_INFO, &info) != 0)	/* a kernel without the FPU model */
		info.model = ~0ull;
	bool ok = pid > 1 && parent_ok && after_peek && child_ok && child_rounds == 8 &&
		  w == pid && status == 0;
	if (!ok)	/* where it went wrong (byte 0-255: xmm0-15, 256: MXCSR) */
		rec("@T # fpu: child pid %ld, rounds %lu, wait4 %ld status %lu; parent: first "
		    "difference at byte %d after yield %d; child: byte %d in round %d (xmm0 %lx, "
		    "want %lx; %d of 8 rounds)\n", pid,
		    (unsigned long)child_rounds, w, (unsigned long)status, parent_bad_at,
		    parent_bad_round, child_bad_at, child_bad_round,
		    (unsigned long)child_bad_xmm0, (unsigned long)xmm0_low(&img_b), child_bad_rounds);
	check(ok, "fpu: each of two tasks keeps its own xmm0-xmm15 and MXCSR across switches");
	if (info.model == EL_FPU_DEFERRED)
		check(child_ran && (u64)peek == xmm0_low(&img_b) && after_peek &&
		      info.loads_exit > 0 && info.loads_switch == 0,
		      "fpu (deferred): after a switch ring 0 still holds the other task's xmm0; "
		      "the task's own is loaded on the way to user mode");
	else
		check(child_ran && (u64)peek == xmm0_low(&img_a) && after_peek &&
		      info.loads_switch > 0 && info.loads_exit == 0,
		      "fpu (eager): the switch itself loads the task's xmm0, seen in ring 0 right after it");
}

/* The bookkeeping check: silent through the whole suite so far, and
 * under the deferred model it catches a stale owner on the way out. */
static void test_fpu_check(void)
{
	struct el_fpu_info before = { .model = ~0ull }, after = { 0 };
	long r = sys2(SYS_el_fpu, EL_FPU_INFO, &before);
	sys2(SYS_el_fpu, EL_FPU_STALE_OWNER, 0);
	sys2(SYS_el_fpu, EL_FPU_REPAIR, 0);
	r |= sys2(SYS_el_fpu, EL_FPU_INFO, &after);
	u64 caught = after.check_failures - before.check_failures;
	if (before.model == EL_FPU_DEFERRED)
		check(r == 0 && before.check_failures == 0 && caught == 1,
		      "fpu (deferred): fpregs_assert_state_consistent never failed; a stale owner "
		      "is caught on the way to user mode");
	else
		check(r == 0 && before.check_failures == 0 && caught == 0,
		      "fpu (eager): no owner check on the way to user mode (before 5.2), none failed");
}

void test_fpu(void)
{
	test_fpu_syscall();
	if (!need(EL_FEAT_CLONE | EL_FEAT_EXITWORK, 3, "fpu state across task switches"))
		return;
	struct el_fpu_info info = { 0 };
	if (sys2(SYS_el_fpu, EL_FPU_INFO, &info) == 0)
		rec("@T # fpu: %s model, %s, XCR0 0x%lx, %lu bytes per task\n",
		    info.model == EL_FPU_DEFERRED ? "deferred" : "eager",
		    info.xsave ? "XSAVE" : info.xsave_failed ?
		    "FXSAVE (XSAVE failed the boot self-test)" : "FXSAVE",
		    (unsigned long)info.xfeatures,
		    (unsigned long)info.size);
	test_fpu_switch();
	test_fpu_check();
}
