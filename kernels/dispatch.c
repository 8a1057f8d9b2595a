/*
 * dispatch.c — path=c: every syscall through one C function, in the style
 * of Linux 4.16+'s do_syscall_64 (arch/x86/entry/common.c; since 5.10 with
 * the generic syscall_enter_from_user_mode / syscall_exit_to_user_mode of
 * kernel/entry/common.c).  entry.S pushes the whole frame, optionally
 * clears the registers, calls do_syscall_64(regs) and, when it returns,
 * makes the opportunistic SYSRET checks in assembler.  Compiled once per
 * variant; empty unless PATH_C.
 */
#include "kernel.h"
#include "variant.h"

#ifdef PATH_C
static inline void local_irq_enable(void)
{
#ifdef IRQ_ON
	__asm__ volatile("sti" ::: "memory");
#endif
}

static inline void local_irq_disable(void)
{
#ifdef IRQ_ON
	__asm__ volatile("cli" ::: "memory");
#endif
}

/* array_index_nospec(): nr if nr < size, else 0, without a branch the CPU
 * could speculate past (cmp/sbb, as Linux's array_index_mask_nospec). */
static inline u64 array_index_nospec(u64 nr, u64 size)
{
	u64 mask;
	__asm__("cmpq %2, %1; sbbq %0, %0" : "=r"(mask) : "r"(nr), "r"(size) : "cc");
	return nr & mask;
}

/* The one indirect call of the dispatch: a retpoline or a switch over the
 * table may replace this function and nothing else. */
static inline long syscall_call(u64 nr, const struct pt_regs *regs)
{
	return sys_call_table[nr]((long)regs->rdi, (long)regs->rsi, (long)regs->rdx,
				  (long)regs->r10, (long)regs->r8, (long)regs->r9);
}

/* Entry work: interrupts on, then syscall-entry tracing (the frame is
 * whole, so the tracer may change number and arguments). */
static inline u64 syscall_enter_work(struct task *t, struct pt_regs *regs)
{
	local_irq_enable();
	if (t->flags & _TIF_WORK_SYSCALL_ENTRY)
		return (u64)syscall_trace_enter(regs);
	return regs->orig_rax;
}

/* Exit work: only when a work flag is set (the same mask as the fast
 * path's exit check): exit tracing, reschedule, signals, notify-resume,
 * and a frame a regs syscall or the tracer changed (work.c).  Then
 * interrupts off for the assembler's checks and the return. */
static inline void syscall_exit_work(struct task *t, struct pt_regs *regs)
{
	if (t->flags & _TIF_ALLWORK_MASK)
		syscall_exit_to_user(regs);	/* its SYSRET verdict is the assembler's to make */
	local_irq_disable();
}

/* The frame is whole from the entry on; a regs syscall marks it so
 * (TIF_FULL_FRAME) through syscall_full_regs(), and the exit work clears
 * the mark. */
void do_syscall_64(struct pt_regs *regs)
{
	struct task *t = current_task();
	u64 nr = syscall_enter_work(t, regs);

	if (nr < NR_SYSCALLS) {
		nr = array_index_nospec(nr, NR_SYSCALLS);
		regs->rax = (u64)syscall_call(nr, regs);
	}
	syscall_exit_work(t, regs);
}
#endif
