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
 *
 * pti=on (pti.h): from user mode the CPU pushes the frame on the entry
 * stack (TSS.rsp0) while the user page table is loaded; after swapgs the
 * frame moves to the task's kernel stack on the kernel page table (so does
 * a fault of the exit's iretq, which runs on the entry stack).  Any
 * exception on the user page table (also #DF on its IST stack) switches
 * to the kernel's.  spec=on: IBRS is set like on syscall entry.
 */
#include "frame_asm.h"
#include "pti.h"
#include "spec.h"

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
	PTI_EXC_FROM_USER
1:	PTI_EXC_PARANOID
	IBRS_ENTER
	movq %rdi, %rsi
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
 * kernel's there); returns straight to the interrupted code.
 *
 * A delivery that interrupted ring 0 with IF clear is not a tick: the CPU
 * holds maskable interrupts while IF is 0, and the local APIC holds vector
 * 32 while it is in service (no EOI yet).  The nested KVM of the test
 * (kvm_amd on QEMU's emulated SVM) sometimes delivers the same interrupt a
 * second time right after the first, at the first instruction below: IF
 * already cleared by the first delivery's gate and, when that one came
 * from user mode, the user GS and (pti=on) the user page table still
 * loaded, on the entry stack.  Taken as a kernel-mode tick it ran
 * timer_interrupt on the user page table (#PF fetching it) or counted a
 * kernel tick under irq=off.  It is counted in timer_dup (entry data,
 * mapped in both page tables; the only memory touched) and dropped; the
 * IRET lands here again and the first delivery is handled.  No EOI: the
 * APIC has one interrupt in service, acknowledged by that handler. */
	.balign 16
	.globl irq_timer_stub
irq_timer_stub:
	testb $3, 8(%rsp)		/* CS: from user mode, a tick */
	jnz 1f
	testl $X86_EFLAGS_IF, 16(%rsp)	/* RFLAGS: ring 0 with IF set, a tick */
	jnz 1f
	incq timer_dup(%rip)		/* flags come back with the IRET */
	iretq
1:	pushq $-1			/* orig_rax: no syscall, no error code */
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
	jz 3f
	swapgs
	SWITCH_TO_KERNEL_CR3 scratch_reg=%rax	/* stays on the entry stack: no task switch */
3:	movq %rsp, %rdi
	call timer_interrupt
	testb $3, PT_CS(%rsp)
	jz 2f
	FPU_EXIT_TO_USER
	PTI_IRQ_EXIT_TO_USER
	swapgs
2:	POP_ALL_REGS
	addq $8, %rsp
	iretq

/* timer_dup_probe(): the duplicate delivery above, on demand (el_timer
 * EL_TIMER_DUP_PROBE, for the conformance suite under TCG, where it never
 * happens by itself): vector 32 raised in ring 0 with IF clear, in the
 * state right after a tick from user mode was delivered: user GS and, with
 * pti=on, on the entry stack with the user page table loaded.  Called from
 * C with interrupts disabled; keeps the callee-saved registers. */
	.globl timer_dup_probe
timer_dup_probe:
	pushq %rbx
	movq %rsp, %rbx
#ifdef PTI_ON
	movq %gs:PCPU_ENTRY_STACK, %rsp
	SWITCH_TO_USER_CR3 %rax, %rcx
#endif
	swapgs
	int $TIMER_VECTOR
	swapgs
	SWITCH_TO_KERNEL_CR3 %rax
	movq %rbx, %rsp
	popq %rbx
	ret

	.section .rodata
	.balign 8
	.globl exception_stubs
exception_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad exc_stub_\v
	.endr
