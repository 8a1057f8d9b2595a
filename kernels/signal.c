/*
 * signal.c — signals: pending bits per task, delivery on the way back to
 * user mode with a real signal frame on the user stack (struct el_sigframe,
 * entrylab/abi.h), and rt_sigreturn.
 */
#include "kernel.h"

#define RFLAGS_TF 0x100ull
#define RFLAGS_DF 0x400ull
#define RFLAGS_RF 0x10000ull
/* Flags user mode may set through sigreturn/setregs: CF PF AF ZF SF TF DF
 * OF NT RF AC.  IF and bit 1 are always set; IOPL is kept. */
#define RFLAGS_USER_MASK 0x54dd5ull

static void kill_task(struct task *t, int sig)
{
	if (t->pid == 1) {
		kprintf("@K init killed by signal %d\n", sig);
		system_exit(EL_EXIT_PANIC, "panic");
	}
	kprintf("@K task %d killed by signal %d\n", t->pid, sig);
	task_exit(128 + sig);
}

static void queue(struct task *t, int sig, const struct el_siginfo *info)
{
	t->pending |= 1ull << sig;
	t->pending_info[sig] = *info;
	set_flag(t, TIF_SIGPENDING);
}

int send_signal(struct task *t, int sig)
{
	if (sig <= 0 || sig >= EL_NSIG)
		return -EL_EINVAL;
	if (t->sigactions[sig].handler == EL_SIG_IGN)
		return 0;
	struct el_siginfo info = { .signo = (u64)sig, .vector = ~0ull };
	queue(t, sig, &info);
	return 0;
}

void force_sig_fault(struct task *t, int sig, u64 vector, u64 err, u64 addr)
{
	struct el_siginfo info = { (u64)sig, vector, err, addr, 1 };
	if (t->sigactions[sig].handler <= EL_SIG_IGN) {
		report_exception(task_regs(t), vector, true);
		kill_task(t, sig);
	}
	queue(t, sig, &info);
}

/* Apply a user-supplied register image to the frame (sigreturn, setregs):
 * segments forced to user, only user-settable RFLAGS bits taken.
 * Returns false if its RIP is not canonical (the frame is then updated
 * except RIP and the caller decides what fault to raise). */
bool regs_load_user(struct pt_regs *regs, const struct el_regs *u)
{
	u64 rflags = regs->rflags;
	memcpy(regs, u, sizeof(*regs));
	regs->cs = USER_CS;
	regs->ss = USER_DS;
	regs->rflags = (rflags & ~RFLAGS_USER_MASK) | (u->rflags & RFLAGS_USER_MASK) | 0x202;
	regs->orig_rax = ~0ull;
	return is_canonical(regs->rip);
}

/* Deliver one pending signal.  Returns true if the frame was rewritten. */
bool do_signal(struct pt_regs *regs)
{
	struct task *t = current_task();
	int sig = t->pending ? __builtin_ctzll(t->pending) : 0;
	if (!sig) {
		clear_flag(t, TIF_SIGPENDING);
		return false;
	}
	t->pending &= ~(1ull << sig);
	if (!t->pending)
		clear_flag(t, TIF_SIGPENDING);
	struct sigaction_k *sa = &t->sigactions[sig];
	if (sa->handler == EL_SIG_IGN)
		return false;
	if (sa->handler == EL_SIG_DFL)
		kill_task(t, sig);

	u64 sp = ((regs->rsp - 128 - sizeof(struct el_sigframe)) & ~15ull) - 8;
	struct el_sigframe *f = (struct el_sigframe *)sp;
	if (!user_range_ok(sp, sizeof(*f))) {
		kprintf("@K task %d: no room for a signal frame at %lx\n", t->pid, sp);
		kill_task(t, EL_SIGSEGV);
	}
	f->restorer = sa->restorer;
	memcpy(&f->uc.regs, regs, sizeof(f->uc.regs));
	f->uc.magic = EL_UC_MAGIC;
	f->info = t->pending_info[sig];
	regs->rip = sa->handler;
	regs->rcx = sa->handler;
	regs->rsp = sp;
	regs->rdi = (u64)sig;
	regs->rsi = (u64)&f->info;
	regs->rdx = (u64)&f->uc;
	regs->rax = 0;
	regs->rflags &= ~(RFLAGS_TF | RFLAGS_DF | RFLAGS_RF);
	regs->r11 = regs->rflags;
	regs->cs = USER_CS;
	regs->ss = USER_DS;
	set_flag(t, TIF_REGS_CHANGED);
	return true;
}

long sys_rt_sigaction(long sig, long handler, long restorer)
{
	if (sig <= 0 || sig >= EL_NSIG)
		return -EL_EINVAL;
	if ((u64)handler > EL_SIG_IGN && !user_range_ok((u64)handler, 1))
		return -EL_EFAULT;
	if ((u64)handler > EL_SIG_IGN && !user_range_ok((u64)restorer, 1))
		return -EL_EFAULT;
	struct task *t = current_task();
	t->sigactions[sig] = (struct sigaction_k){ (u64)handler, (u64)restorer };
	return 0;
}

long sys_kill(long pid, long sig)
{
	struct task *t = task_by_pid((int)pid);
	if (!t)
		return -EL_ESRCH;
	return send_signal(t, (int)sig);
}

/* rt_sigreturn: rsp points at the el_ucontext the handler's ret left. */
long sys_rt_sigreturn(void)
{
	struct pt_regs *regs = syscall_full_regs();
	if (!regs)
		return -EL_ENOSYS;
	struct task *t = current_task();
	struct el_ucontext *uc = (struct el_ucontext *)regs->rsp;
	if (!user_range_ok((u64)uc, sizeof(*uc)) || uc->magic != EL_UC_MAGIC) {
		force_sig_fault(t, EL_SIGSEGV, 13, 0, regs->rip);
		return regs->rax;
	}
	bool canonical = regs_load_user(regs, &uc->regs);
	regs_mark_changed();
	if (!canonical)		/* never IRET to it: a user-mode #GP at that RIP */
		force_sig_fault(t, EL_SIGSEGV, 13, 0, regs->rip);
	return (long)regs->rax;
}
