/*
 * Layouts shared by the entry assembler and the kernel C code: the pt_regs
 * frame, the per-CPU area (reached through %gs after swapgs), the task's
 * work flags and the segment selectors.  C checks every offset against its
 * struct with _Static_assert (kernels/kernel.h); there is no second copy.
 */
#ifndef ENTRYLAB_FRAME_H
#define ENTRYLAB_FRAME_H

/* pt_regs, lowest address first.  r15..rbx are the "extra" (callee-saved)
 * registers that ptregs=partial leaves unwritten on the fast path. */
#define PT_R15       0
#define PT_R14       8
#define PT_R13      16
#define PT_R12      24
#define PT_RBP      32
#define PT_RBX      40
#define PT_R11      48
#define PT_R10      56
#define PT_R9       64
#define PT_R8       72
#define PT_RAX      80
#define PT_RCX      88
#define PT_RDX      96
#define PT_RSI     104
#define PT_RDI     112
#define PT_ORIG_RAX 120   /* syscall number, or exception error code */
#define PT_RIP     128    /* the hardware (IRET) frame starts here */
#define PT_CS      136
#define PT_RFLAGS  144
#define PT_RSP     152
#define PT_SS      160
#define PT_SIZE    168
#define PT_EXTRA_SIZE 48  /* r15, r14, r13, r12, rbp, rbx */

/* Per-CPU area; %gs base points at it while in the kernel. */
#define PCPU_SELF       0
#define PCPU_KSTACK     8   /* top of the current task's kernel stack */
#define PCPU_USER_RSP  16   /* rsp=cached: the user RSP; rsp=stored: scratch */
#define PCPU_CURRENT   24   /* struct task * of the running task */
#define PCPU_ENTRY_STACK 32 /* pti=on: top of the entry stack (kernels/pti.h) */
#define PCPU_USER_PCID_FLUSH 40 /* pti=on with PCID: user PCIDs awaiting a flush */
#define PCPU_FPREGS_OWNER 48 /* struct fpu * whose state the FPU registers hold (fpu.c) */
#define PCPU_CPU_NUMBER 56  /* this CPU's number (0: the lab runs one CPU) */
#define PCPU_SIZE      64

/* struct task: only the fields the assembler touches. */
#define TASK_FLAGS      0   /* u32 work flags (TIF_*) */
#define TASK_KSP        8   /* saved kernel RSP while switched out */

/* Work flags.  Bit numbers and masks. */
#define TIF_NEED_RESCHED        0
#define TIF_SIGPENDING          1
#define TIF_NOTIFY_RESUME       2
#define TIF_SYSCALL_TRACE       3   /* syscall-entry tracing */
#define TIF_SYSCALL_EXIT_TRACE  4   /* syscall-exit tracing */
#define TIF_FULL_FRAME          5   /* frame complete: extra regs and top of stack valid */
#define TIF_REGS_CHANGED        6   /* frame modified: return needs a full restore (IRET) */
#define TIF_NEED_FPU_LOAD       14  /* deferred FPU model: load the task's FPU state before
                                     * user mode (Linux's bit; kernels/fpu.c) */

#define _TIF_NEED_RESCHED       (1 << TIF_NEED_RESCHED)
#define _TIF_SIGPENDING         (1 << TIF_SIGPENDING)
#define _TIF_NOTIFY_RESUME      (1 << TIF_NOTIFY_RESUME)
#define _TIF_SYSCALL_TRACE      (1 << TIF_SYSCALL_TRACE)
#define _TIF_SYSCALL_EXIT_TRACE (1 << TIF_SYSCALL_EXIT_TRACE)
#define _TIF_FULL_FRAME         (1 << TIF_FULL_FRAME)
#define _TIF_REGS_CHANGED       (1 << TIF_REGS_CHANGED)
#define _TIF_NEED_FPU_LOAD      (1 << TIF_NEED_FPU_LOAD)

/* Checked on syscall entry: anything here leaves the fast path. */
#define _TIF_WORK_SYSCALL_ENTRY (_TIF_SYSCALL_TRACE)
/* Work done on the way back to user mode (loop until none is left). */
#define _TIF_WORK_MASK (_TIF_NEED_RESCHED | _TIF_SIGPENDING | _TIF_NOTIFY_RESUME)
/* Checked on syscall exit: anything here leaves the SYSRET fast path. */
#define _TIF_ALLWORK_MASK (_TIF_WORK_MASK | _TIF_SYSCALL_EXIT_TRACE | \
                           _TIF_FULL_FRAME | _TIF_REGS_CHANGED)

/* The syscall's own work, in a word of its own (struct task's
 * syscall_work; C only).  entry=kstack (5.13+) keeps it there, as Linux
 * does since 5.11 (thread_info->syscall_work: b4581a52caff, b86678cf0f1d,
 * 64c19ba29b66, 299155244770); every other variant keeps the same work in
 * the TIF flags above (_TIF_SYSCALL_TRACE, _TIF_SYSCALL_EXIT_TRACE), as
 * Linux did before.  kernels/regs.c sets and clears either. */
#define SYSCALL_WORK_TRACE_ENTRY 0  /* syscall-entry tracing */
#define SYSCALL_WORK_TRACE_EXIT  1  /* syscall-exit tracing */

#define _SYSCALL_WORK_TRACE_ENTRY (1 << SYSCALL_WORK_TRACE_ENTRY)
#define _SYSCALL_WORK_TRACE_EXIT  (1 << SYSCALL_WORK_TRACE_EXIT)
/* Checked by syscall_enter_from_user_mode and by
 * syscall_exit_to_user_mode_prepare (kernels/dispatch.c). */
#define SYSCALL_WORK_ENTER _SYSCALL_WORK_TRACE_ENTRY
#define SYSCALL_WORK_EXIT  _SYSCALL_WORK_TRACE_EXIT

/* GDT selectors.  STAR[47:32] = KERNEL_CS, STAR[63:48] = USER32_CS, so
 * SYSRET loads CS = USER32_CS + 16 and SS = USER32_CS + 8. */
#define KERNEL_CS  0x08
#define KERNEL_DS  0x10
#define USER32_CS  0x1b
#define USER_DS    0x23
#define USER_CS    0x2b
#define TSS_SEL    0x30

#define MSR_EFER   0xc0000080
#define MSR_STAR   0xc0000081
#define MSR_LSTAR  0xc0000082
#define MSR_FMASK  0xc0000084
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

#define X86_EFLAGS_IF 0x200
/* The timer interrupt's vector (EL_TIMER_VECTOR of the ABI; kernel.h
 * checks they agree). */
#define TIMER_VECTOR 32

/* RFLAGS bits cleared on SYSCALL: TF, IF, DF, IOPL, NT, AC. */
#define SYSCALL_FMASK 0x47700

#define ENOSYS 38

#endif
