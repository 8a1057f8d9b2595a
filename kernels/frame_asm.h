/*
 * frame_asm.h — assembler macros that save and restore pt_regs slots in the
 * order of frame.h, shared by the entry code (entry.S, entry_variant.h) and
 * the exception entry (idt.S).  Assembler only.
 */
#include "frame.h"
#include "variant.h"

/* A return to user mode outside do_syscall_64 (exceptions, a new task, the
 * timer interrupt), interrupts off: under the deferred FPU model the
 * owner check and the load of a task marked TIF_NEED_FPU_LOAD
 * (kernels/fpu.c); eager: nothing. */
#ifdef FPU_DEFERRED
.macro FPU_EXIT_TO_USER
	call exit_to_user_mode_fpu
.endm
#else
.macro FPU_EXIT_TO_USER
.endm
#endif

/* The callee-saved ("extra") registers: rbx, rbp, r12-r15. */
.macro PUSH_EXTRA_ALL
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
.endm
.macro POP_EXTRA_ALL
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
.endm

/* The caller-saved registers from r11 up to rdi (rsp at the r11 slot). */
.macro POP_C_REGS
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rax
	popq %rcx
	popq %rdx
	popq %rsi
	popq %rdi
.endm

/* A complete frame, back to the hardware frame (rsp left at orig_rax). */
.macro POP_ALL_REGS
	POP_EXTRA_ALL
	POP_C_REGS
.endm
