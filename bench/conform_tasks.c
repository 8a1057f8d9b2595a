/*
 * conform_tasks.c — conformance checks that involve exit work and other
 * tasks: tracing, signals and sigreturn, execve, clone, rescheduling, and
 * syscalls made with TF or NT set.
 */
#include "conform.h"

#define UNUSED_NR 450
#define NONCANONICAL_RIP 0x8000000000001000ull

/* --------------------------------------------------------------- tracing */
void test_tracing(void)
{
	if (!need(EL_FEAT_TRACE, 5, "syscall tracing"))
		return;
	sys4(SYS_el_trace, EL_TRACE_ENTRY, UNUSED_NR, SYS_el_echo, 1000);
	rt_prepare(UNUSED_NR, 7, 1, 2, 3, 4, 5);
	rt_syscall();
	sys1(SYS_el_trace, EL_TRACE_OFF);
	check((long)rt_out.rax == EL_ECHO(7 + 1000, 1, 2, 3, 4, 5),
	      "entry tracing changes the syscall number and an argument");
	check(callee_saved_survived(&rt_in, &rt_out) && rt_out.rsp == rt_saved_rsp,
	      "a traced syscall keeps rbx, rbp, r12-r15 and rsp");
	static struct el_regs snap;
	sys2(SYS_el_trace, EL_TRACE_SNAPSHOT, &snap);
	check(callee_saved_survived(&rt_in, &snap) && snap.rsp == rt_saved_rsp &&
	      snap.rip == (u64)rt_syscall_ret && snap.rcx == snap.rip &&
	      snap.r11 == snap.rflags && snap.cs == EL_USER_CS && snap.ss == EL_USER_DS,
	      "entry tracing sees the full frame (callee-saved, RSP, RIP, RCX, R11, CS, SS)");
	check(snap.orig_rax == UNUSED_NR && snap.rdi == 7 && args_survived(&rt_in, &snap),
	      "entry tracing sees the original number and arguments");

	u64 counts[3];
	sys1(SYS_el_trace, EL_TRACE_EXIT);
	long pid = sys0(SYS_getpid);
	sys2(SYS_el_trace, EL_TRACE_COUNTS, counts);
	sys1(SYS_el_trace, EL_TRACE_OFF);
	check(counts[1] >= 2 && counts[2] == (u64)pid,
	      "exit tracing runs after each syscall and sees its result");
}

/* --------------------------------------------------------------- signals */
static volatile u64 sig_seen, sig_info_ok, sig_uc_rip, sig_uc_rax, sig_uc_rbx, sig_uc_aligned;
static volatile u64 sig_rewrite;

static void usr1_handler(int sig, struct el_siginfo *info, struct el_ucontext *uc)
{
	sig_seen = (u64)sig;
	sig_info_ok = info->signo == (u64)sig && info->vector == ~0ull && uc->magic == EL_UC_MAGIC;
	sig_uc_rip = uc->regs.rip;
	sig_uc_rax = uc->regs.rax;
	sig_uc_rbx = uc->regs.rbx;
	sig_uc_aligned = ((u64)uc & 15) == 0;
	if (sig_rewrite) {	/* values SYSRET could not restore */
		uc->regs.rcx = 0xc0ffee;
		uc->regs.r11 = 0x11aa11;
		uc->regs.rbx = 0xb0b0;
		uc->regs.rax = 0xa0a0;
	}
}

void test_signals(void)
{
	if (!need(EL_FEAT_SIGNALS, 6, "signals"))
		return;
	sys3(SYS_rt_sigaction, EL_SIGUSR1, usr1_handler, el_sig_restorer);
	sig_rewrite = 0;
	rt_prepare(SYS_kill, 1, EL_SIGUSR1, 0x2222, 0x3333, 0x4444, 0x5555);
	rt_syscall();
	check(sig_seen == EL_SIGUSR1 && sig_info_ok && sig_uc_aligned,
	      "a signal raised by kill runs its handler with signo, siginfo and ucontext");
	check(sig_uc_rip == (u64)rt_syscall_ret && sig_uc_rax == 0 && sig_uc_rbx == rt_in.rbx,
	      "the signal frame holds the interrupted registers");
	check(callee_saved_survived(&rt_in, &rt_out) && args_survived(&rt_in, &rt_out) &&
	      rt_out.rsp == rt_saved_rsp && rt_out.rax == 0,
	      "rt_sigreturn restores every register exactly");
	check(rt_out.rcx == (u64)rt_syscall_ret && rt_out.r11 == rt_out_rflags,
	      "rt_sigreturn restores rcx and r11");

	sig_rewrite = 1;
	rt_prepare(SYS_kill, 1, EL_SIGUSR1, 0x2222, 0x3333, 0x4444, 0x5555);
	rt_syscall();
	sig_rewrite = 0;
	check(rt_out.rcx == 0xc0ffee && rt_out.r11 == 0x11aa11,
	      "rt_sigreturn restores rcx != RIP and r11 != RFLAGS (IRET return)");
	check(rt_out.rbx == 0xb0b0 && rt_out.rax == 0xa0a0,
	      "registers changed in the signal frame take effect");
	sys3(SYS_rt_sigaction, EL_SIGUSR1, EL_SIG_DFL, 0);
}

static volatile u64 segv_vector, segv_user, segv_addr, segv_seen;

static void usr2_to_noncanonical(int sig, struct el_siginfo *info, struct el_ucontext *uc)
{
	(void)sig;
	(void)info;
	uc->regs.rip = NONCANONICAL_RIP;
}

static void segv_handler(int sig, struct el_siginfo *info, struct el_ucontext *uc)
{
	(void)sig;
	segv_seen = 1;
	segv_vector = info->vector;
	segv_user = info->user_mode;
	segv_addr = uc->regs.rip;
	uc->regs.rip = uc->regs.rcx;	/* resume after the syscall */
}

void test_sigreturn_noncanonical(void)
{
	if (!need(EL_FEAT_SIGNALS, 2, "sigreturn to a non-canonical RIP"))
		return;
	sys3(SYS_rt_sigaction, EL_SIGUSR2, usr2_to_noncanonical, el_sig_restorer);
	sys3(SYS_rt_sigaction, EL_SIGSEGV, segv_handler, el_sig_restorer);
	rt_prepare(SYS_kill, 1, EL_SIGUSR2, 0, 0, 0, 0);
	rt_syscall();
	check(segv_seen && segv_vector == 13 && segv_user == 1,
	      "sigreturn to a non-canonical RIP ends in a user-mode #GP, not a ring-0 fault");
	check(segv_addr == NONCANONICAL_RIP && rt_out.rcx == (u64)rt_syscall_ret,
	      "the fault reports the non-canonical RIP and the task continues");
	sys3(SYS_rt_sigaction, EL_SIGUSR2, EL_SIG_DFL, 0);
	sys3(SYS_rt_sigaction, EL_SIGSEGV, EL_SIG_DFL, 0);
}

/* ------------------------------------------------------- execve and clone */
static u64 child_stack[1024] __attribute__((aligned(16)));
static u64 exec_stack[256] __attribute__((aligned(16)));

static int exec_child(void)
{
	sys2(SYS_execve, rt_exec_entry, exec_stack + 256);
	return 99;	/* execve returned: failure */
}

void test_execve(void)
{
	if (!need(EL_FEAT_FRAME | EL_FEAT_CLONE, 2, "execve"))
		return;
	long pid = rt_clone_child(exec_child, child_stack + 1024);
	u64 status = ~0ull;
	long w = sys2(SYS_wait4, pid, &status);
	struct el_regs *r = &rt_exec_out;	/* written by rt_exec_entry in the child */
	bool zero = r->rax == 0 && r->rbx == 0 && r->rcx == 0 && r->rdx == 0 && r->rsi == 0 &&
		    r->rdi == 0 && r->rbp == 0 && r->r8 == 0 && r->r9 == 0 && r->r10 == 0 &&
		    r->r11 == 0 && r->r12 == 0 && r->r13 == 0 && r->r14 == 0 && r->r15 == 0;
	check(w == pid && status == 0 && zero && r->rsp == (u64)(exec_stack + 256),
	      "execve: every general register is zero except RSP");
	check(rt_exec_rflags == 0x202, "execve: RFLAGS == 0x202");
}

void test_clone(void)
{
	if (!need(EL_FEAT_CLONE, 4, "clone"))
		return;
	rt_child_ran = 0;
	rt_prepare(SYS_clone, 0, (long)(child_stack + 1024), 0x2222, 0x3333, 0x4444, 0x5555);
	rt_is_clone = 1;
	long pid = rt_syscall();
	rt_is_clone = 0;
	u64 ran_before_parent = rt_child_ran;
	check(pid > 1 && rt_out.rax == (u64)pid && callee_saved_survived(&rt_in, &rt_out),
	      "clone: the parent gets the child's pid and keeps its registers");
	check(rt_child.rax == 0 && callee_saved_survived(&rt_in, &rt_child) &&
	      rt_child.rdi == 0 && rt_child.rdx == 0x2222 && rt_child.r10 == 0x3333 &&
	      rt_child.r8 == 0x4444 && rt_child.r9 == 0x5555,
	      "clone: the child starts with the parent's registers and rax == 0");
	check(rt_child.rsp == (u64)(child_stack + 1024) && rt_child.rcx == (u64)rt_syscall_ret &&
	      rt_child.r11 == rt_child_rflags,
	      "clone: the child runs on its stack from the instruction after syscall");
	u64 status = ~0ull;
	check(ran_before_parent && sys2(SYS_wait4, pid, &status) == pid && status == 0,
	      "clone: need-resched on exit ran the child first; wait4 reaps it");
}

/* Two tasks yielding to each other: each keeps its own user RSP (with
 * rsp=cached the per-CPU slot must be switched per task). */
static volatile u64 ping, child_rsp_ok;

static u64 read_rsp(void)
{
	u64 v;
	__asm__ volatile("mov %%rsp, %0" : "=r"(v));
	return v;
}

static int yield_child(void)
{
	child_rsp_ok = 1;
	for (int i = 0; i < 4; i++) {
		u64 before = read_rsp();
		ping++;
		sys0(SYS_sched_yield);
		child_rsp_ok &= read_rsp() == before;
	}
	return 0;
}

void test_yield_pingpong(void)
{
	if (!need(EL_FEAT_CLONE | EL_FEAT_EXITWORK, 2, "two tasks rescheduling"))
		return;
	ping = 0;
	long pid = rt_clone_child(yield_child, child_stack + 1024);
	bool parent_ok = true, alternated = true;
	for (int i = 0; i < 4; i++) {
		u64 before = read_rsp(), seen = ping;
		sys0(SYS_sched_yield);
		parent_ok &= read_rsp() == before;
		alternated &= ping != seen || ping == 4;
	}
	u64 status = ~0ull;
	long w = sys2(SYS_wait4, pid, &status);
	check(parent_ok && child_rsp_ok && w == pid && status == 0,
	      "sched_yield between two tasks keeps each task's RSP");
	check(alternated && ping == 4, "sched_yield alternates between the two tasks");
}

/* ------------------------------------------------------ TF and NT in RFLAGS */
static volatile u64 traps;

static void trap_handler(int sig, struct el_siginfo *info, struct el_ucontext *uc)
{
	(void)uc;
	if (sig == EL_SIGTRAP && info->vector == 1 && info->user_mode)
		traps++;
}

void test_tf_nt(void)
{
	if (!need(EL_FEAT_SIGNALS, 3, "syscalls with TF or NT set"))
		return;
	sys3(SYS_rt_sigaction, EL_SIGTRAP, trap_handler, el_sig_restorer);
	traps = 0;
	rt_prepare(SYS_getpid, 0, 0, 0, 0, 0, 0);
	rt_flags_set = 0x100;	/* TF */
	rt_syscall();
	rt_flags_set = 0;
	check(rt_out.rax == 1 && traps > 0 && callee_saved_survived(&rt_in, &rt_out),
	      "getpid with TF set works and single-steps in user mode");
	sys3(SYS_rt_sigaction, EL_SIGTRAP, EL_SIG_DFL, 0);

	rt_prepare(SYS_getpid, 0, 0, 0, 0, 0, 0);
	rt_flags_set = 0x4000;	/* NT */
	rt_syscall();
	rt_flags_set = 0;
	check(rt_out.rax == 1 && (rt_out_rflags & 0x4000) && rt_out.r11 == rt_out_rflags,
	      "getpid with NT set works and NT survives");

	sys3(SYS_rt_sigaction, EL_SIGUSR1, trap_handler, el_sig_restorer);
	rt_prepare(SYS_kill, 1, EL_SIGUSR1, 0, 0, 0, 0);
	rt_flags_set = 0x4000;
	rt_syscall();
	rt_flags_set = 0;
	check(rt_out.rax == 0 && (rt_out_rflags & 0x4000) && callee_saved_survived(&rt_in, &rt_out),
	      "a signal delivered with NT set returns through IRET intact");
	sys3(SYS_rt_sigaction, EL_SIGUSR1, EL_SIG_DFL, 0);
}
