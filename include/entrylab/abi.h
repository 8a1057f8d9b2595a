/*
 * abi.h — the system-call ABI between the guest kernel (kernels/) and the
 * guest user programs (bench/): argument meanings, structures passed through
 * user memory, signal numbers.  Syscall numbers are generated from
 * kernels/syscall.tbl into syscall_nr.h.  Freestanding, C only.
 */
#ifndef ENTRYLAB_ABI_H
#define ENTRYLAB_ABI_H

#include <stdint.h>

/* Register image of a user task, in pt_regs order (getregs/setregs and the
 * signal frame's saved context). */
struct el_regs {
	uint64_t r15, r14, r13, r12, rbp, rbx;
	uint64_t r11, r10, r9, r8, rax, rcx, rdx, rsi, rdi;
	uint64_t orig_rax;
	uint64_t rip, cs, rflags, rsp, ss;
};

#define EL_NSIG     32
#define EL_SIGTRAP   5
#define EL_SIGUSR1  10
#define EL_SIGSEGV  11
#define EL_SIGUSR2  12

/* Handler arguments: rdi = signo, rsi = &frame->info, rdx = &frame->uc.
 * On entry rsp = &frame->restorer, so the handler's `ret` runs the restorer,
 * which calls rt_sigreturn with rsp = &frame->uc. */
struct el_siginfo {
	uint64_t signo;
	uint64_t vector;	/* exception vector for a fault, else ~0 */
	uint64_t err;		/* exception error code */
	uint64_t addr;		/* faulting RIP (or CR2 for #PF) */
	uint64_t user_mode;	/* 1 if the fault happened in ring 3 */
};
struct el_ucontext {
	struct el_regs regs;
	uint64_t magic;
};
#define EL_UC_MAGIC 0x656e7472796c6162ull
struct el_sigframe {
	uint64_t restorer;
	struct el_ucontext uc;
	struct el_siginfo info;
};

/* rt_sigaction(sig, handler, restorer): handler 0 = default, 1 = ignore */
#define EL_SIG_DFL 0
#define EL_SIG_IGN 1

/* clone(flags, child_stack): the child returns 0 with the parent's registers
 * (rsp = child_stack when non-zero); the parent gets the child's pid. */
#define EL_CLONE_DETACHED 1	/* no wait4: the task is freed when it exits */

/* el_trace(op, a, b, c) */
#define EL_TRACE_OFF       0
#define EL_TRACE_ENTRY     1	/* a = match nr, b = new nr, c = delta added to rdi */
#define EL_TRACE_EXIT      2	/* enable syscall-exit tracing */
#define EL_TRACE_SNAPSHOT  3	/* a = struct el_regs *: frame seen at the last entry */
#define EL_TRACE_COUNTS    4	/* a = uint64_t[3]: entries, exits, rax at last exit */
#define EL_TRACE_NONE      (~0ull)	/* match nr that matches nothing */

/* el_features(): what this kernel's entry supports (the floor lacks most). */
#define EL_FEAT_ARGREGS   (1u << 0)	/* argument registers survive a syscall */
#define EL_FEAT_FRAME     (1u << 1)	/* full frame: getregs/setregs/iopl/execve */
#define EL_FEAT_SIGNALS   (1u << 2)
#define EL_FEAT_TRACE     (1u << 3)
#define EL_FEAT_CLONE     (1u << 4)
#define EL_FEAT_EXITWORK  (1u << 5)	/* notify-resume and reschedule work */
#define EL_FEAT_ALL       0x3fu
/* Not in EL_FEAT_ALL (no check is skipped for lack of them): */
#define EL_FEAT_IRQ       (1u << 6)	/* irq=on: interrupts enabled on the syscall path */
#define EL_FEAT_TOPPAGE   (1u << 7)	/* a user page below the top of the canonical half */

/* The end of the lower canonical half: the user page below it is mapped
 * only with EL_FEAT_TOPPAGE; the page below that one always. */
#define EL_USER_TOP_END 0x800000000000ull

/* el_timer(cmd, arg): the periodic timer interrupt (kernels/timer.c). */
#define EL_TIMER_VECTOR        32
#define EL_TIMER_START         0	/* arg = period in ns of guest time (1000..10^9) */
#define EL_TIMER_STOP          1
#define EL_TIMER_TICKS_USER    2	/* ticks that interrupted user mode */
#define EL_TIMER_TICKS_KERNEL  3	/* ticks that interrupted the kernel (the syscall path) */
#define EL_TIMER_TICKS_OUTSIDE 4	/* ticks in ring 0 outside kernel text: never */
#define EL_TIMER_DUPS          5	/* deliveries in ring 0 with IF clear, dropped (kernels/idt.S) */
#define EL_TIMER_DUP_PROBE     6	/* raise one such delivery; returns the dups it added */

/* el_echo(a, b, c, d, e, f) returns this: shows every argument arrived. */
#define EL_ECHO(a, b, c, d, e, f) \
	((a) + 2 * (b) + 3 * (c) + 4 * (d) + 5 * (e) + 6 * (f))

/* el_selftest(kind): deliberate failures for the host's tests only. */
#define EL_SELFTEST_KERNEL_UD     1
#define EL_SELFTEST_KERNEL_HANG   2
#define EL_SELFTEST_FLOOD         3
#define EL_SELFTEST_IMPOSSIBLE    4
#define EL_SELFTEST_TRIPLE_FAULT  5
#define EL_SELFTEST_NO_FINAL      6

#define EL_ENOSYS 38
#define EL_EINVAL 22
#define EL_EFAULT 14
#define EL_ESRCH   3
#define EL_EAGAIN 11
#define EL_ECHILD 10

/* el_pti(struct el_pti_info *): page-table isolation as the kernel built
 * it, and what its boot-time walk of the user page table found. */
struct el_pti_info {
	uint64_t pti;           /* 1: separate user page table (pti=on) */
	uint64_t pcid;          /* 1: PCIDs in use (CR4.PCIDE) */
	uint64_t kernel_pages;  /* 4 KiB kernel pages the user page table maps */
	uint64_t user_pages;    /* user pages it maps: the 2 MiB region, the 4 KiB top pages */
	uint64_t unintended;    /* mappings outside entry text, entry data, user region */
	uint64_t writable_text; /* entry text pages mapped writable or user-accessible */
	uint64_t probe_addr;    /* a kernel data address outside the entry data */
};

/* el_fpu(op, arg): the FPU/SSE state model (kernels/fpu.c). */
#define EL_FPU_INFO        0	/* arg = struct el_fpu_info *: the model and its counters */
#define EL_FPU_SWITCH_PEEK 1	/* switch to the next runnable task now; when this task runs
				 * again, return the low 64 bits of xmm0 as ring 0 finds them
				 * right after the switch (before any return to user mode) */
#define EL_FPU_STALE_OWNER 2	/* forget which state the registers hold (a stale per-CPU
				 * owner, the bug CONFIG_X86_DEBUG_FPU's check looks for) */
#define EL_FPU_REPAIR      3	/* mark the registers the caller's again */
#define EL_FPU_EAGER    0	/* saved and restored at the context switch (before 5.2) */
#define EL_FPU_DEFERRED 1	/* saved at the switch, restored on the way to user mode (5.2+) */
struct el_fpu_info {
	uint64_t model;           /* EL_FPU_EAGER or EL_FPU_DEFERRED */
	uint64_t xsave;           /* 1: XSAVE/XRSTOR, 0: FXSAVE/FXRSTOR */
	uint64_t xfeatures;       /* XCR0 (xsave), else 3 (x87, SSE) */
	uint64_t size;            /* bytes of one task's saved state */
	uint64_t saves;           /* states saved at a context switch */
	uint64_t loads_switch;    /* states loaded at a context switch (eager) */
	uint64_t loads_exit;      /* states loaded on the way to user mode (deferred) */
	uint64_t check_failures;  /* fpregs_assert_state_consistent() found the registers
				   * not the task's (deferred); must stay 0 */
	uint64_t xsave_failed;    /* 1: CPUID has XSAVE but it failed the boot self-test
				   * (kernels/fpu.c), so FXSAVE is used */
};

#define EL_USER_CS 0x2b
#define EL_USER_DS 0x23

#endif
