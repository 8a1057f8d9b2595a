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
#include "alternative.h"

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
#if defined(DISPATCH_SWITCH)
/* dispatch=switch (1e3ad78334a6, 6.9; in 6.1.85): no indirect call at all.
 * x64_sys_call() is generated from kernels/syscall.tbl, one case per
 * number, and compiled in a file of its own as Linux compiles
 * arch/x86/entry/syscall_64.c: with spec=on (retpolines built in) without
 * jump tables (kernels/kernels.mk), so GCC makes it a tree of compares and
 * direct calls; with spec=off GCC is free to use a table of its own. */
static inline long syscall_call(u64 nr, const struct pt_regs *regs)
{
	return x64_sys_call(regs, (unsigned int)nr);
}
#elif !defined(SPEC_ON)
static inline long syscall_call(u64 nr, const struct pt_regs *regs)
{
	return sys_call_table[nr]((long)regs->rdi, (long)regs->rsi, (long)regs->rdx,
				  (long)regs->r10, (long)regs->r8, (long)regs->r9);
}
#else
/* spec=on: the call goes through the retpoline thunk where spec.c made it
 * live, else it stays a plain indirect call: the alternative of spec.h's
 * TABLE_CALL written out for inline assembler (site: call *%rax padded to
 * the 5 bytes of the thunk call; table entry as alternative.h lays it out). */
static inline long syscall_call(u64 nr, const struct pt_regs *regs)
{
	register long a0 __asm__("rdi") = (long)regs->rdi;
	register long a1 __asm__("rsi") = (long)regs->rsi;
	register long a2 __asm__("rdx") = (long)regs->rdx;
	register long a3 __asm__("rcx") = (long)regs->r10;
	register long a4 __asm__("r8") = (long)regs->r8;
	register long a5 __asm__("r9") = (long)regs->r9;
	long ret = (long)sys_call_table[nr];
	__asm__ volatile("771: call *%%rax\n\t.nops 3\n772:\n"
			 ".pushsection .altinstructions, \"a\"\n"
			 ".quad 771b, 773f\n.long %c[feat]\n.byte 5, 5, 2, 0\n"
			 ".popsection\n"
			 ".pushsection .altinstr_replacement, \"ax\"\n"
			 "773: call __x86_indirect_thunk_rax\n.popsection"
			 : "+a"(ret), "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5)
			 : [feat] "i"(ALT_F_RETPOLINE)
			 : "r10", "r11", "memory", "cc");
	return ret;
}
#endif

#ifdef ENTRY_ARCH
/* entry=arch (4.16-5.8, arch/x86/entry/common.c): the entry and exit work
 * inline in do_syscall_64.  Entry: interrupts on, then syscall-entry
 * tracing (the frame is whole, so the tracer may change number and
 * arguments). */
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
void do_syscall_64(struct pt_regs *regs, long nr_unused)
{
	struct task *t = current_task();
	u64 nr = syscall_enter_work(t, regs);

	(void)nr_unused;
	if (nr < NR_SYSCALLS) {
		nr = array_index_nospec(nr, NR_SYSCALLS);
		regs->rax = (u64)syscall_call(nr, regs);
	}
	syscall_exit_work(t, regs);
}
#else
/* entry=generic and entry=kstack (5.9+, kernel/entry/common.c): the work
 * is three functions of their own, as Linux keeps them out of line (the
 * noinstr boundary), and the exit work is split in two as there: the
 * syscall's own exit work (tracing, a changed frame) with interrupts on,
 * then, after cli, the work flags looked at again and handled in a loop
 * until none is left — so a flag an interrupt set after the first look
 * is not carried back to user mode. */
#define noinline __attribute__((noinline))

#ifdef ENTRY_KSTACK
/* 5.13+: a random offset of the kernel stack per syscall (add_random_kstack
 * _offset: an alloca of the offset's low 10 bits before any C frame of the
 * syscall is built) and the next offset chosen on the way out from the time
 * stamp counter (choose_random_kstack_offset(rdtsc() & 0xff)).  Kept in the
 * task, as the traced Debian 6.1 reads it through current. */
#define add_random_kstack_offset(t) do {					\
	u8 *ptr__ = __builtin_alloca((t)->kstack_offset & 0x3ff);		\
	__asm__ volatile("" :: "r"(ptr__) : "memory");			\
} while (0)

static inline void choose_random_kstack_offset(struct task *t)
{
	u32 lo, hi, off = t->kstack_offset;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	off = (off >> 5 | off << 27) ^ (lo & 0xff);
	t->kstack_offset = off;
}
#endif

/* Where the syscall's own work is: since 5.11 (entry=kstack) a word of its
 * own, syscall_work (frame.h); in 5.9-5.10 (entry=generic) the TIF flags,
 * and there the lab's frame marks (TIF_FULL_FRAME, TIF_REGS_CHANGED) send
 * the syscall through exit=c's syscall_exit_to_user(), which clears them.
 * Under entry=kstack no C-path decision reads the marks: the assembler's
 * SYSRET checks judge the frame, as in Linux, which has no such marks; the
 * next return from an exception clears them. */
#ifdef ENTRY_KSTACK
#define syscall_enter_work(t)	((t)->syscall_work & SYSCALL_WORK_ENTER)
#else
#define syscall_enter_work(t)	((t)->flags & _TIF_WORK_SYSCALL_ENTRY)
#endif

static noinline long syscall_enter_from_user_mode(struct pt_regs *regs, long nr)
{
	local_irq_enable();
	if (syscall_enter_work(current_task()))
		return syscall_trace_enter(regs);
	return nr;
}

/* With interrupts off: exit_to_user_mode_loop's work, interrupts on while
 * it runs and off to look again. */
static noinline void exit_to_user_mode_prepare(struct pt_regs *regs)
{
	struct task *t = current_task();

	while (t->flags & _TIF_WORK_MASK) {
		local_irq_enable();
		exception_exit_to_user(regs);
		local_irq_disable();
	}
	/* arch_exit_to_user_mode_prepare: the deferred FPU load (5.2+) and,
	 * with CONFIG_X86_DEBUG_FPU as Debian builds, the owner check on
	 * every return (kernels/fpu.c). */
	fpregs_assert_state_consistent();
	if (t->flags & _TIF_NEED_FPU_LOAD)
		switch_fpu_return();
#ifdef ENTRY_KSTACK
	choose_random_kstack_offset(t);
#endif
}

/* arch_exit_to_user_mode(): amd_clear_divider(), a division 0/1 so that a
 * Zen1 divider holds no quotient of the kernel's when user mode runs
 * (f58d6fbcb7c8 moved it here from the #DE handler; 6.5, in 5.10.190 and
 * 6.1.45).  On every other CPU the division stays a 2-byte NOP, as in
 * Linux, where the operands are set up all the same; out of line, as
 * Debian's 5.10 and 6.1 have it. */
static noinline void amd_clear_divider(void)
{
	__asm__ volatile("771: .nops 2\n772:\n"
			 ".pushsection .altinstructions, \"a\"\n"
			 ".quad 771b, 773f\n.long %c[feat]\n.byte 2, 2, 0, 0\n"
			 ".popsection\n"
			 ".pushsection .altinstr_replacement, \"ax\"\n"
			 "773: divl %%ecx\n.popsection"
			 :: "a"(0), "d"(0), "c"(1), [feat] "i"(ALT_F_DIV0) : "memory");
}

#ifdef ENTRY_KSTACK
/* The syscall's own exit work, with interrupts on (5.11+: syscall_work &
 * SYSCALL_WORK_EXIT).  Out of line as 5.11+ builds it: there it has a
 * second caller, syscall_exit_to_user_mode_work() for architectures that
 * leave by their own exit (c6156e1da633), which the lab has no use for;
 * Debian's 6.1 runs it as a function of its own on every syscall. */
static noinline void syscall_exit_to_user_mode_prepare(struct pt_regs *regs)
{
	u32 work = current_task()->syscall_work;

	if (work & SYSCALL_WORK_EXIT)
		syscall_trace_leave(regs);	/* the one exit work the lab has */
}
#else
/* 5.9-5.10: the syscall's own exit work (exit tracing and a frame a regs
 * syscall or the tracer marked) from the TIF flags, inline (one caller);
 * the exit=c function does it (and the loop if flags are already set). */
static inline void syscall_exit_to_user_mode_prepare(struct pt_regs *regs)
{
	if (current_task()->flags & (_TIF_ALLWORK_MASK & ~_TIF_WORK_MASK))
		syscall_exit_to_user(regs);
}
#endif

/* The SYSRET verdict stays the assembler's. */
static noinline void syscall_exit_to_user_mode(struct pt_regs *regs)
{
	syscall_exit_to_user_mode_prepare(regs);
	local_irq_disable();
	exit_to_user_mode_prepare(regs);
	amd_clear_divider();
}

/* do_syscall_64(regs, nr): the number comes in a register (5.10 passes
 * it first, 6.1 second; the full 64 bits, entry.S). */
void do_syscall_64(struct pt_regs *regs, long nr)
{
#ifdef ENTRY_KSTACK
	add_random_kstack_offset(current_task());
#endif
	nr = syscall_enter_from_user_mode(regs, nr);
	if ((u64)nr < NR_SYSCALLS) {
		u64 i = array_index_nospec((u64)nr, NR_SYSCALLS);
		regs->rax = (u64)syscall_call(i, regs);
	}
	syscall_exit_to_user_mode(regs);
}
#endif
#endif
