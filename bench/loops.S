/*
 * loops.S — the timed loops.  Each takes rdi = struct loop_args * (nr, a0,
 * a1, a2) and rsi = iterations, and returns the elapsed TSC ticks in rax:
 * lfence; rdtsc; lfence ... loop ... rdtscp; lfence.  The "empty" twin of
 * each loop is the same instructions without the syscall, so the host can
 * subtract it exactly: (loop - empty) / iterations is the cost of one call
 * (the syscall instruction, the kernel path, and whatever user code the
 * call runs, such as a signal handler).
 */
#include "syscall_nr.h"

.macro TIMED_LOOP name, with_syscall, clone_child_exits
	.text
	.globl \name
	.balign 64
\name:
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsi, %r12
	movq 0(%rdi), %r13
	movq 8(%rdi), %r14
	movq 16(%rdi), %r15
	movq 24(%rdi), %rbx
	lfence
	rdtsc
	lfence
	shlq $32, %rdx
	orq %rdx, %rax
	movq %rax, %rbp
1:	movq %r13, %rax
	movq %r14, %rdi
	movq %r15, %rsi
	movq %rbx, %rdx
	.if \with_syscall
	syscall
	.endif
	.if \clone_child_exits
	testq %rax, %rax
	jz 3f
	.endif
	decq %r12
	jnz 1b
	rdtscp
	lfence
	shlq $32, %rdx
	orq %rdx, %rax
	subq %rbp, %rax
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	ret
	.if \clone_child_exits
3:	movl $SYS_exit, %eax		/* the new thread: exit at once */
	xorl %edi, %edi
	syscall
	ud2
	.endif
.endm

	TIMED_LOOP el_loop_syscall, 1, 0
	TIMED_LOOP el_loop_empty, 0, 0
	TIMED_LOOP el_loop_clone, 1, 1
	TIMED_LOOP el_loop_clone_empty, 0, 1

/* Signal benchmark: the handler returns at once into the restorer. */
	.globl el_sig_handler_ret
el_sig_handler_ret:
	ret

	.globl el_sig_restorer
el_sig_restorer:
	movl $SYS_rt_sigreturn, %eax
	syscall
	ud2

/* Trace markers (el.run=trace): empty functions whose addresses the host
 * looks up in the image to cut one call out of an execution trace. */
	.globl el_trace_begin
	.balign 16
el_trace_begin:
	ret
	.globl el_trace_end
	.balign 16
el_trace_end:
	ret
