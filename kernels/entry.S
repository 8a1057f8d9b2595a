/*
 * entry.S — the 64-bit SYSCALL entry and every way back to user mode.
 *
 * On entry (SYSCALL from ring 3): rax = syscall number, rdi, rsi, rdx, r10,
 * r8, r9 = arguments, rcx = user RIP, r11 = user RFLAGS, rsp = user stack,
 * IF/TF/DF/NT/AC cleared by FMASK, GS = user GS.
 * On a SYSRET exit: rax = result; rdi, rsi, rdx, r10, r8, r9, rbx, rbp,
 * r12-r15, rsp unchanged; rcx = RIP, r11 = RFLAGS.
 * An IRET exit restores every register from the frame (after signal
 * delivery, sigreturn, setregs, execve, clone, tracing, and on path=c
 * whenever the opportunistic SYSRET checks fail).
 *
 * The variant axes appear only as macros from entry_variant.h, pti.h
 * (page-table isolation), spec.h (speculation mitigations), and as the
 * one #ifdef PATH_C below that picks the body of entry_SYSCALL_64.
 * Interrupts (irq=on): enabled by IRQ_ENABLE once the frame is on the
 * kernel stack (path=c: in do_syscall_64), disabled by IRQ_DISABLE before
 * the exit checks; the only interrupt is the timer (timer.c), which never
 * switches tasks.  With irq=off they stay disabled in the kernel.
 */
#include "entry_variant.h"
#include "pti.h"
#include "spec.h"
#include "syscall_nr.h"

	.text
	.globl entry_SYSCALL_64
	.balign 64
entry_SYSCALL_64:
	swapgs
	movq %rsp, %gs:PCPU_USER_RSP
	SWITCH_TO_KERNEL_CR3 scratch_reg=%rsp
	movq %gs:PCPU_KSTACK, %rsp
	PUSH_TOP_OF_STACK
	pushq %rax			/* orig_rax */
	pushq %rdi
	pushq %rsi
	pushq %rdx
	PUSH_RCX_SLOT
	pushq $-ENOSYS			/* rax */
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	PUSH_EXTRA_REGS
	IBRS_ENTER
	UNTRAIN_RET
#ifdef PATH_C
	/* path=c (4.16+): the frame is whole; everything with a decision in
	 * it is C, then the opportunistic SYSRET checks below. */
	CLEAR_REGS
	movq %rsp, %rdi
#ifndef ENTRY_ARCH
	movq %rax, %rsi			/* entry=generic, kstack: the number as an argument
					 * (5.10; 6.1 passes it as an int, movslq, which
					 * would run getpid for 2^32+39: the suite wants
					 * -ENOSYS there on every variant) */
#endif
	call do_syscall_64		/* returns with interrupts disabled */
	.globl syscall_sysret_checks
syscall_sysret_checks:
	movq PT_RCX(%rsp), %rcx
	movq PT_RIP(%rsp), %r11
	cmpq %rcx, %r11			/* SYSRET loads RIP from RCX */
	jne restore_all_iret
	shlq $16, %rcx			/* canonical: bits 63..47 all equal; on Intel */
	sarq $16, %rcx			/* SYSRET to a non-canonical RIP #GPs in ring 0 */
	cmpq %rcx, %r11
	jne restore_all_iret
	cmpq $USER_CS, PT_CS(%rsp)	/* SYSRET loads fixed CS and SS */
	jne restore_all_iret
	movq PT_R11(%rsp), %r11
	cmpq %r11, PT_RFLAGS(%rsp)	/* SYSRET loads RFLAGS from R11 */
	jne restore_all_iret
	testq $(0x100 | 0x10000), %r11	/* TF would trap after SYSRET; RF cannot be restored */
	jnz restore_all_iret
	cmpq $USER_DS, PT_SS(%rsp)
	jne restore_all_iret		/* all passed: on to syscall_sysret */
#else
	IRQ_ENABLE
	.globl syscall_irq_window
syscall_irq_window:
	movq %gs:PCPU_CURRENT, %r11
	testl $_TIF_WORK_SYSCALL_ENTRY, TASK_FLAGS(%r11)
	jnz tracesys
	cmpq $NR_SYSCALLS, %rax
	jae syscall_return
	movq %r10, %rcx
	TABLE_CALL sys_call_table
	.globl syscall_fastpath_return
syscall_fastpath_return:
	movq %rax, PT_RAX(%rsp)
	.globl syscall_return
syscall_return:
	IRQ_DISABLE
	movq %gs:PCPU_CURRENT, %r11
	testl $_TIF_ALLWORK_MASK, TASK_FLAGS(%r11)
	jnz syscall_exit_work
#endif
	.globl syscall_sysret
syscall_sysret:
	IBRS_EXIT
	POP_EXTRA_REGS
	POP_C_REGS
	SYSRET_LOAD_TOP
	PTI_SYSRET_EXIT
	swapgs
	CLEAR_CPU_BUFFERS
	.globl syscall_sysret_insn
syscall_sysret_insn:
	sysretq
	.size entry_SYSCALL_64, . - entry_SYSCALL_64

/* Entry work: the tracer sees the complete frame and may change the
 * syscall number and arguments; reload them from the frame. */
tracesys:
	COMPLETE_FRAME
	movq %rsp, %rdi
	call syscall_trace_enter	/* returns the syscall number to run */
	movq PT_RDI(%rsp), %rdi
	movq PT_RSI(%rsp), %rsi
	movq PT_RDX(%rsp), %rdx
	movq PT_R10(%rsp), %rcx
	movq PT_R8(%rsp), %r8
	movq PT_R9(%rsp), %r9
	cmpq $NR_SYSCALLS, %rax
	jae 1f
	TABLE_CALL sys_call_table
	movq %rax, PT_RAX(%rsp)
1:	IRQ_DISABLE
	jmp syscall_exit_full

/* Exit work found on the fast path.  r11 = current task. */
syscall_exit_work:
#ifdef EXIT_ASM
	/* Only a reschedule pending: it changes no registers, stay on SYSRET. */
	testl $(_TIF_ALLWORK_MASK & ~_TIF_NEED_RESCHED), TASK_FLAGS(%r11)
	jnz 1f
	call schedule
	jmp syscall_return
1:
#endif
	COMPLETE_FRAME
	jmp syscall_exit_full

#ifdef EXIT_ASM
/* exit=asm: the assembler picks the work; everything beyond a reschedule
 * leaves through IRET.  Frame complete from here on. */
	.globl syscall_exit_full
syscall_exit_full:
	movq %gs:PCPU_CURRENT, %r11
	testl $_TIF_SYSCALL_EXIT_TRACE, TASK_FLAGS(%r11)
	jz ret_to_user_full
	movq %rsp, %rdi
	call syscall_trace_leave
	.globl ret_to_user_full
ret_to_user_full:			/* also the return of user-mode exceptions */
	IRQ_DISABLE			/* schedule() may have come back with IF set */
	movq %gs:PCPU_CURRENT, %r11
	movl TASK_FLAGS(%r11), %edx
	testl $_TIF_WORK_MASK, %edx
	jz 2f
	testl $_TIF_NEED_RESCHED, %edx
	jz 1f
	call schedule
	jmp ret_to_user_full
1:	movq %rsp, %rdi
	call do_notify_resume		/* signals, notify-resume: may rewrite the frame */
	jmp ret_to_user_full
2:	andl $~(_TIF_FULL_FRAME | _TIF_REGS_CHANGED), TASK_FLAGS(%r11)
	jmp restore_all_iret
#else
/* exit=c: one C function does all the work and says whether SYSRET is
 * still safe (0) or the frame must be restored with IRET (1). */
	.globl syscall_exit_full
syscall_exit_full:
	movq %rsp, %rdi
	call syscall_exit_to_user
	IRQ_DISABLE			/* schedule() may have come back with IF set */
	testl %eax, %eax
	jnz restore_all_iret
	jmp syscall_sysret

	.globl ret_to_user_full
ret_to_user_full:
	movq %rsp, %rdi
	call exception_exit_to_user
	IRQ_DISABLE
	FPU_EXIT_TO_USER
	jmp restore_all_iret
#endif

/* Full restore of a complete frame and IRET to user mode. */
	.globl restore_all_iret
restore_all_iret:
	IBRS_EXIT
	POP_ALL_REGS
	addq $8, %rsp			/* orig_rax */
	PTI_IRET_EXIT
	swapgs
	CLEAR_CPU_BUFFERS
	.globl restore_all_iret_insn
restore_all_iret_insn:
	iretq

#if defined(PTREGS_PARTIAL) && defined(REGS_ANNOTATED)
/* Thunks generated from the table jump here with rax = the C function and
 * 0(%rsp) = the return address of the dispatching call.  From the fast
 * path, redo the whole syscall on the slow path with a complete frame;
 * from the slow path, the frame is complete already: just call. */
	.globl stub_ptregs
stub_ptregs:
	cmpq $syscall_fastpath_return, (%rsp)
	jne 1f
	addq $8, %rsp
	COMPLETE_FRAME
	movq %rsp, %rdi
	call do_syscall_slow
	IRQ_DISABLE
	jmp syscall_exit_full
1:	JMP_NOSPEC rax
#endif

/* First entry to user mode of the init task: rdi = its complete frame. */
	.globl enter_user_first
enter_user_first:
	movq %rdi, %rsp
	jmp restore_all_iret

/* A new task's first switch_to() returns here, rsp at its copied frame. */
	.globl ret_from_fork
ret_from_fork:
	jmp ret_to_user_full

/*
 * switch_to(prev = rdi, next = rsi): save the callee-saved registers and the
 * kernel stack pointer of prev, resume next.  Returns in next's context.
 */
	.globl switch_to
switch_to:
	PUSH_EXTRA_ALL
	movq %rsp, TASK_KSP(%rdi)
	movq TASK_KSP(%rsi), %rsp
	FILL_RETURN_BUFFER %eax
	POP_EXTRA_ALL
	ret
