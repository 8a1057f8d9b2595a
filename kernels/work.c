/*
 * work.c — the work done between a syscall and the return to user mode:
 * syscall-entry and -exit tracing, notify-resume, signal delivery, the slow
 * dispatch of annotated regs syscalls, and (exit=c) the one C function that
 * loops over the work flags and decides between SYSRET and IRET.
 */
#include "kernel.h"

/* Entry tracing: the tracer sees the complete frame of every syscall; for
 * the one it watches (el_trace EL_TRACE_ENTRY) it keeps a snapshot and
 * rewrites the syscall number and first argument.  Returns the number to
 * run. */
long syscall_trace_enter(struct pt_regs *regs)
{
	struct task *t = current_task();
	t->trace_entries++;
	if (regs->orig_rax == t->trace_match_nr) {
		t->trace_snapshot = *regs;	/* the frame as the tracer saw it */
		regs->orig_rax = t->trace_new_nr;
		regs->rdi += t->trace_arg_delta;
		set_flag(t, TIF_REGS_CHANGED);
	}
	return (long)regs->orig_rax;
}

void syscall_trace_leave(struct pt_regs *regs)
{
	struct task *t = current_task();
	t->trace_exits++;
	t->trace_exit_rax = regs->rax;
}

/* One round of signal and notify-resume work (exit=asm calls it from its
 * assembler loop; exit=c from syscall_exit_to_user). */
void do_notify_resume(struct pt_regs *regs)
{
	struct task *t = current_task();
	if (test_flag(t, TIF_SIGPENDING))
		do_signal(regs);
	if (test_flag(t, TIF_NOTIFY_RESUME)) {
		clear_flag(t, TIF_NOTIFY_RESUME);
		t->notify_count++;
	}
}

static bool exit_work_loop(struct pt_regs *regs)
{
	struct task *t = current_task();
	while (t->flags & _TIF_WORK_MASK) {
		if (test_flag(t, TIF_NEED_RESCHED)) {
			schedule();
			continue;
		}
		do_notify_resume(regs);
	}
	return test_flag(t, TIF_REGS_CHANGED);
}

/* exit=c: returns 0 if the frame may leave by SYSRET, 1 if IRET is needed. */
int syscall_exit_to_user(struct pt_regs *regs)
{
	struct task *t = current_task();
	if (test_flag(t, TIF_SYSCALL_EXIT_TRACE))
		syscall_trace_leave(regs);
	bool changed = exit_work_loop(regs);
	int need_iret = changed || !regs_sysret_safe(regs);
	t->flags &= ~(_TIF_FULL_FRAME | _TIF_REGS_CHANGED);
	if (!need_iret)
		regs_writeback_top(regs);
	return need_iret;
}

void exception_exit_to_user(struct pt_regs *regs)
{
	exit_work_loop(regs);
	current_task()->flags &= ~(_TIF_FULL_FRAME | _TIF_REGS_CHANGED);
}

/* regs=annotated, ptregs=partial: a regs syscall reached from the fast path
 * is redone here with the complete frame. */
long do_syscall_slow(struct pt_regs *regs)
{
	u64 nr = regs->orig_rax;
	if (nr >= NR_SYSCALLS)
		return regs->rax;
	regs->rax = (u64)sys_call_table[nr]((long)regs->rdi, (long)regs->rsi, (long)regs->rdx,
					    (long)regs->r10, (long)regs->r8, (long)regs->r9);
	return (long)regs->rax;
}
