/*
 * entry_variant.h — the entry axes as assembler macros, one definition per
 * axis value, selected by -D (variants/axes.conf).  Call sites in entry.S,
 * entry_stubs.S and the generated syscall table read the same in every
 * variant; a macro is empty where a choice adds nothing.
 *
 * Frame layout: frame.h.  "Complete frame" = the extra registers (rbx, rbp,
 * r12-r15) and the top of stack (rsp, ss, cs, rflags, rcx) hold the user's
 * values; TIF_FULL_FRAME records that it is so for the current syscall.
 */
#include "frame_asm.h"
#include "variant.h"

/* ------------------------------------------------------------- ptregs */
#ifdef PTREGS_FULL
/* full: every entry pushes the callee-saved registers, every exit pops them. */
.macro PUSH_EXTRA_REGS
	PUSH_EXTRA_ALL
.endm
.macro POP_EXTRA_REGS
	POP_EXTRA_ALL
.endm
.macro SAVE_EXTRA_REGS
.endm
#else
/* partial: the slots are allocated but left unwritten; the registers still
 * hold the user's values (C preserves them), so the exit pops nothing. */
.macro PUSH_EXTRA_REGS
	subq $PT_EXTRA_SIZE, %rsp
.endm
.macro POP_EXTRA_REGS
	addq $PT_EXTRA_SIZE, %rsp
.endm
/* Slow paths: fill the slots before anything reads the whole frame. */
.macro SAVE_EXTRA_REGS
	movq %rbx, PT_RBX(%rsp)
	movq %rbp, PT_RBP(%rsp)
	movq %r12, PT_R12(%rsp)
	movq %r13, PT_R13(%rsp)
	movq %r14, PT_R14(%rsp)
	movq %r15, PT_R15(%rsp)
.endm
#endif

/* ---------------------------------------------------------------- rsp */
#ifdef RSP_CACHED
/* cached: the user RSP stays in the per-CPU slot; only RIP (from rcx) is
 * written of the hardware frame, and the RCX slot is left unwritten. */
.macro PUSH_TOP_OF_STACK
	subq $(4 * 8), %rsp		/* ss, rsp, rflags, cs: unwritten */
	pushq %rcx			/* rip */
.endm
.macro PUSH_RCX_SLOT
	subq $8, %rsp			/* rcx: unwritten */
.endm
/* %rsp at orig_rax; r11 was popped from its slot. */
.macro SYSRET_LOAD_TOP
	movq 8(%rsp), %rcx		/* rip */
	movq %gs:PCPU_USER_RSP, %rsp
.endm
/* Fill the unwritten slots from the per-CPU slot, constants and r11/rip. */
.macro FIXUP_TOP_OF_STACK tmp
	movq %gs:PCPU_USER_RSP, \tmp
	movq \tmp, PT_RSP(%rsp)
	movq $USER_DS, PT_SS(%rsp)
	movq $USER_CS, PT_CS(%rsp)
	movq PT_R11(%rsp), \tmp
	movq \tmp, PT_RFLAGS(%rsp)
	movq PT_RIP(%rsp), \tmp
	movq \tmp, PT_RCX(%rsp)
.endm
#else
/* stored: the whole hardware frame and the RCX slot are written on entry;
 * SYSRET reads RIP, RFLAGS and RSP back from the frame. */
.macro PUSH_TOP_OF_STACK
	pushq $USER_DS			/* ss */
	pushq %gs:PCPU_USER_RSP		/* rsp (the per-CPU slot is scratch) */
	pushq %r11			/* rflags */
	pushq $USER_CS			/* cs */
	pushq %rcx			/* rip */
.endm
.macro PUSH_RCX_SLOT
	pushq %rcx
.endm
.macro SYSRET_LOAD_TOP
	movq 8(%rsp), %rcx		/* rip */
	movq 24(%rsp), %r11		/* rflags */
	movq 32(%rsp), %rsp		/* rsp */
.endm
.macro FIXUP_TOP_OF_STACK tmp
.endm
#endif

/* Make the frame complete, once per syscall (no-op if already done).
 * %rsp must point at pt_regs; clobbers r11 and rcx (both saved). */
.macro COMPLETE_FRAME
	movq %gs:PCPU_CURRENT, %r11
	testl $_TIF_FULL_FRAME, TASK_FLAGS(%r11)
	jnz 9f
	SAVE_EXTRA_REGS
	FIXUP_TOP_OF_STACK %rcx
	orl $_TIF_FULL_FRAME, TASK_FLAGS(%r11)
9:
.endm

/* -------------------------------------------------------------- clear */
#ifdef CLEAR_YES
/* yes: after the frame is pushed, zero every general register whose user
 * value the C path does not need in a register (it reads the arguments
 * from the frame): the set of Linux's PUSH_AND_CLEAR_REGS for 64-bit
 * syscalls before 5.19 (rsi, which carries do_syscall_64's second
 * argument there, is left; rax and rdi are loaded next). */
.macro CLEAR_REGS
	xorl %edx, %edx
	xorl %ecx, %ecx
	xorl %r8d, %r8d
	xorl %r9d, %r9d
	xorl %r10d, %r10d
	xorl %r11d, %r11d
	xorl %ebx, %ebx
	xorl %ebp, %ebp
	xorl %r12d, %r12d
	xorl %r13d, %r13d
	xorl %r14d, %r14d
	xorl %r15d, %r15d
.endm
#else
.macro CLEAR_REGS
.endm
#endif

/* ---------------------------------------------------------------- irq */
#ifdef IRQ_ON
/* on: interrupts enabled once the frame is on the kernel stack, disabled
 * again before the exit checks (and after any C exit work, which may have
 * switched tasks with interrupts enabled). */
.macro IRQ_ENABLE
	sti
.endm
.macro IRQ_DISABLE
	cli
.endm
#else
.macro IRQ_ENABLE
.endm
.macro IRQ_DISABLE
.endm
#endif

/* --------------------------------------------------------------- regs */
/* Syscall table entries (the generated syscall_table.S uses these). */
.macro SYSCALL_ENTRY nr, entry
	.quad \entry
.endm
#if defined(ENTRY_FLOOR)
/* floor: no frame at all, so nothing that needs one is reachable. */
.macro SYSCALL_REGS_ENTRY nr, entry, name
	.quad sys_ni_syscall
.endm
.macro SYSCALL_REGS_STUB entry, name
.endm
#elif defined(PTREGS_FULL)
/* full: the frame is always complete; regs syscalls are plain entries. */
.macro SYSCALL_REGS_ENTRY nr, entry, name
	.quad \entry
.endm
.macro SYSCALL_REGS_STUB entry, name
.endm
#elif defined(REGS_STUB)
/* stub: a hand-written stub_<name> per syscall (kernels/entry_stubs.S). */
.macro SYSCALL_REGS_ENTRY nr, entry, name
	.quad stub_\name
.endm
.macro SYSCALL_REGS_STUB entry, name
.endm
#else
/* annotated: the table's ":regs" generates a thunk that routes the call to
 * the slow path (stub_ptregs in entry.S); nothing per syscall by hand. */
.macro SYSCALL_REGS_ENTRY nr, entry, name
	.quad ptregs_\entry
.endm
.macro SYSCALL_REGS_STUB entry, name
	.globl ptregs_\entry
ptregs_\entry:
	leaq \entry(%rip), %rax
	jmp stub_ptregs
.endm
#endif
