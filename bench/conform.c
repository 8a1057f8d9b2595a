/*
 * conform.c — the conformance suite, one TAP list for every variant
 * (DESIGN.md section 5).  Each check is one line: check(cond, "what").
 * A group that needs an entry feature the kernel lacks (el_features();
 * only the floor reference lacks any) is skipped with that feature named.
 * The floor skips: argument-register survival, getregs/setregs, tracing,
 * signals and sigreturn, execve, clone, TF/NT (they need a frame or exit
 * work, which the floor does not have).
 */
#include "user.h"
#include "regs_off.h"
#include "conform.h"

_Static_assert(__builtin_offsetof(struct el_regs, rbx) == R_RBX, "R_RBX");
_Static_assert(__builtin_offsetof(struct el_regs, r11) == R_R11, "R_R11");
_Static_assert(__builtin_offsetof(struct el_regs, rax) == R_RAX, "R_RAX");
_Static_assert(__builtin_offsetof(struct el_regs, rdi) == R_RDI, "R_RDI");
_Static_assert(__builtin_offsetof(struct el_regs, rip) == R_RIP, "R_RIP");
_Static_assert(__builtin_offsetof(struct el_regs, rsp) == R_RSP, "R_RSP");
_Static_assert(sizeof(struct el_regs) == R_SIZE, "R_SIZE");

static int test_no, failures;
static unsigned kernel_features;

void check(bool ok, const char *what)
{
	test_no++;
	if (!ok)
		failures++;
	rec("@T %s %d - %s\n", ok ? "ok" : "not ok", test_no, what);
}

bool need(unsigned features, int nchecks, const char *what)
{
	if ((kernel_features & features) == features)
		return true;
	for (int i = 0; i < nchecks; i++)
		rec("@T ok %d - %s # SKIP entry lacks feature 0x%x\n", ++test_no, what,
		    features & ~kernel_features);
	return false;
}

/* Fill rt_in with distinct recognisable values, rax = nr. */
void rt_prepare(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	static const u64 magic = 0x5a5a000000000000ull;
	rt_in = (struct el_regs){
		.rbx = magic | 0xb1, .rbp = magic | 0xb2, .r12 = magic | 0xc12,
		.r13 = magic | 0xc13, .r14 = magic | 0xc14, .r15 = magic | 0xc15,
		.rcx = magic | 0xcc, .r11 = magic | 0x11,
		.rdi = (u64)a0, .rsi = (u64)a1, .rdx = (u64)a2, .r10 = (u64)a3,
		.r8 = (u64)a4, .r9 = (u64)a5, .rax = (u64)nr,
	};
	memset(&rt_out, 0, sizeof(rt_out));
	rt_flags_set = 0;
	rt_is_clone = 0;
}

/* clone() through the register test with its own stack (stack_top), the
 * child running fn on it; the parent gets the child's pid (or an error). */
long rt_clone_child(int (*fn)(void), void *stack_top)
{
	rt_prepare(SYS_clone, 0, (long)stack_top, 0, 0, 0, 0);
	rt_is_clone = 1;
	rt_child_fn = fn;
	long pid = rt_syscall();
	rt_is_clone = 0;
	rt_child_fn = 0;
	return pid;
}

bool callee_saved_survived(const struct el_regs *in, const struct el_regs *out)
{
	return out->rbx == in->rbx && out->rbp == in->rbp && out->r12 == in->r12 &&
	       out->r13 == in->r13 && out->r14 == in->r14 && out->r15 == in->r15;
}

bool args_survived(const struct el_regs *in, const struct el_regs *out)
{
	return out->rdi == in->rdi && out->rsi == in->rsi && out->rdx == in->rdx &&
	       out->r10 == in->r10 && out->r8 == in->r8 && out->r9 == in->r9;
}

/* ---------------------------------------------------------------- basics */
static void test_getpid_enosys(void)
{
	check(sys0(SYS_getpid) == 1, "getpid returns the init task's pid (1)");
	static const u64 bad[] = { 300, NR_SYSCALLS, 511, 512, ~0ull, 0x8000000000000000ull,
				   (1ull << 32) + SYS_getpid, 0xffffffff00000000ull | SYS_getpid };
	bool all = true;
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		all &= sys0((long)bad[i]) == -EL_ENOSYS;
	check(all, "unknown, negative and very large syscall numbers (incl. 2^32+getpid) return -ENOSYS");
}

/* Every register across one syscall; exp_rax is the expected result. */
static void regs_across(long nr, long a0, long exp_rax, bool argregs, const char *name)
{
	char what[160];
	rt_prepare(nr, a0, 0x1111, 0x2222, 0x3333, 0x4444, 0x5555);
	rt_syscall();
	el_snprintf(what, sizeof(what), "%s: rbx, rbp, r12-r15 and rsp survive", name);
	check(callee_saved_survived(&rt_in, &rt_out) && rt_out.rsp == rt_saved_rsp, what);
	el_snprintf(what, sizeof(what), "%s: rax holds the result", name);
	check((long)rt_out.rax == exp_rax, what);
	el_snprintf(what, sizeof(what), "%s: rcx = return RIP, r11 = RFLAGS", name);
	check(rt_out.rcx == (u64)rt_syscall_ret && rt_out.r11 == rt_out_rflags, what);
	if (!argregs)
		return;
	el_snprintf(what, sizeof(what), "%s: rdi, rsi, rdx, r10, r8, r9 survive", name);
	if (need(EL_FEAT_ARGREGS, 1, what))
		check(args_survived(&rt_in, &rt_out), what);
}

static void test_register_survival(void)
{
	regs_across(SYS_getpid, 0, 1, true, "getpid");
	regs_across(404, 7, EL_ECHO(7, 0x1111, 0x2222, 0x3333, 0x4444, 0x5555), true, "el_echo");
	regs_across(300, 0, -EL_ENOSYS, true, "unknown syscall");
	if (need(EL_FEAT_EXITWORK, 6, "exit work (sched_yield, el_notify)")) {
		regs_across(SYS_sched_yield, 0, 0, true, "sched_yield");
		long before = sys0(SYS_el_notify);
		regs_across(SYS_el_notify, 0, before + 1, true, "el_notify");
	}
	if (need(EL_FEAT_FRAME, 4, "iopl (regs syscall)"))
		regs_across(SYS_iopl, 0, 0, true, "iopl(0)");
}

/* ------------------------------------------------------- getregs / setregs */
static void test_getregs(void)
{
	if (!need(EL_FEAT_FRAME, 5, "getregs"))
		return;
	static struct el_regs got;
	memset(&got, 0, sizeof(got));
	rt_prepare(SYS_el_getregs, (long)&got, 0x1111, 0x2222, 0x3333, 0x4444, 0x5555);
	rt_syscall();
	check(rt_out.rax == 0, "getregs succeeds");
	check(callee_saved_survived(&rt_in, &got), "getregs shows rbx, rbp, r12-r15 as at the syscall");
	check(got.rsp == rt_saved_rsp && got.rip == (u64)rt_syscall_ret &&
	      got.cs == EL_USER_CS && got.ss == EL_USER_DS,
	      "getregs shows user RSP, RIP, CS and SS");
	check(got.rcx == got.rip && got.r11 == got.rflags && got.rflags == rt_out_rflags,
	      "getregs shows RCX == RIP and R11 == RFLAGS");
	check(args_survived(&rt_in, &got) && got.orig_rax == SYS_el_getregs,
	      "getregs shows the argument registers and the syscall number");
}

static u64 alt_stack[512] __attribute__((aligned(16)));

static void test_setregs(void)
{
	if (!need(EL_FEAT_FRAME, 4, "setregs"))
		return;
	rt_target = (struct el_regs){
		.r15 = 0xf15, .r14 = 0xf14, .r13 = 0xf13, .r12 = 0xf12, .rbp = 0xfbb,
		.rbx = 0xfb0, .r11 = 0xf11, .r10 = 0xf10, .r9 = 0xf09, .r8 = 0xf08,
		.rax = 0xfaa, .rcx = 0xfcc, .rdx = 0xfdd, .rsi = 0xf51, .rdi = 0xfd1,
		.rip = (u64)rt_setregs_landing, .rsp = (u64)(alt_stack + 512),
		.rflags = 0x203,
	};
	memset(&rt_out, 0, sizeof(rt_out));
	long r = rt_setregs();
	check(rt_landed == 1 && r == 0, "setregs: execution continues at the new RIP");
	check(callee_saved_survived(&rt_target, &rt_out) && rt_out.rsp == rt_target.rsp,
	      "setregs: new callee-saved registers and RSP take effect");
	check(args_survived(&rt_target, &rt_out) && rt_out.rax == rt_target.rax,
	      "setregs: new rax and argument registers take effect");
	check(rt_out.rcx == rt_target.rcx && rt_out.r11 == rt_target.r11 && (rt_out_rflags & 1),
	      "setregs: rcx, r11 and RFLAGS.CF take effect (full restore)");
}

int run_conformance(unsigned features)
{
	kernel_features = features;
	rec("@T # entrylab conformance, kernel features 0x%x\n", features);
	test_getpid_enosys();
	test_register_survival();
	test_getregs();
	test_setregs();
	test_tracing();
	test_signals();
	test_sigreturn_noncanonical();
	test_execve();
	test_clone();
	test_yield_pingpong();
	test_tf_nt();
	test_every_register();
	test_top_of_user_range(features);
	test_timer_on_path(features);
	test_isolation();
	test_fpu();
	rec("@T 1..%d\n", test_no);
	return failures;
}
