/*
 * idt.S — exception entry for vectors 0-31.  Each stub pushes a zero error
 * code where the CPU pushes none, so the frame is always a complete pt_regs
 * (error code in the orig_rax slot), then calls
 * exception_handler(regs, vector).  From user mode the return goes through
 * ret_to_user_full (work, signals, IRET).  A kernel-mode exception is fatal
 * (the handler does not return) except the one fixed-up probe instruction
 * in pmu.c, which returns here past the faulting instruction, and a fault
 * of the exit's iretq, which traps.c turns into the user-mode fault it is.
 * Also the timer interrupt's entry, irq_timer_stub (vector 32).
 */
#include "frame_asm.h"

.macro EXC vector, has_err
	.balign 16
exc_stub_\vector:
	.if \has_err == 0
	pushq $0
	.endif
	pushq %rdi
	movl $\vector, %edi
	jmp exception_common
.endm

	.text
	.irp v, 0,1,2,3,4,5,6,7,9,15,16,18,19,20,22,23,24,25,26,27,28,31
	EXC \v, 0
	.endr
	.irp v, 8,10,11,12,13,14,17,21,29,30
	EXC \v, 1
	.endr

exception_common:		/* rdi saved in its slot, error code in orig_rax */
	pushq %rsi
	pushq %rdx
	pushq %rcx
	pushq %rax
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	PUSH_EXTRA_ALL
	testb $3, PT_CS(%rsp)
	jnz 2f
	/* A fault of the iretq to user mode itself (a non-canonical RIP on
	 * Intel) comes from ring 0 after the exit's swapgs: GS is the user's. */
	cmpq $restore_all_iret_insn, PT_RIP(%rsp)
	jne 1f
2:	swapgs
1:	movq %rdi, %rsi
	movq %rsp, %rdi
	call exception_handler
	testb $3, PT_CS(%rsp)
	jnz ret_to_user_full
	/* Kernel mode: only a fixed-up fault returns here (pmu.c's rdpmc probe). */
	POP_ALL_REGS
	addq $8, %rsp
	iretq

/* The timer interrupt (vector 32, timer.c).  From user mode, or from the
 * kernel between the syscall entry's sti and cli (irq=on: GS is the
 * kernel's there); returns straight to the interrupted code. */
	.balign 16
	.globl irq_timer_stub
irq_timer_stub:
	pushq $-1			/* orig_rax: no syscall, no error code */
	pushq %rdi
	pushq %rsi
	pushq %rdx
	pushq %rcx
	pushq %rax
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	PUSH_EXTRA_ALL
	testb $3, PT_CS(%rsp)
	jz 1f
	swapgs
1:	movq %rsp, %rdi
	call timer_interrupt
	testb $3, PT_CS(%rsp)
	jz 2f
	swapgs
2:	POP_ALL_REGS
	addq $8, %rsp
	iretq

	.section .rodata
	.balign 8
	.globl exception_stubs
exception_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad exc_stub_\v
	.endr
