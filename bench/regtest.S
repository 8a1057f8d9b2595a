/*
 * regtest.S — register-exact syscall probes for the conformance suite.
 * All state is in user globals (rt_*), so no register is needed to find it.
 *
 * rt_syscall: load every general register from rt_in (rax = syscall
 *   number; rsp is the caller's), optionally OR rt_flags_set into RFLAGS
 *   first, execute SYSCALL at rt_syscall_insn, and at rt_syscall_ret store
 *   every register into rt_out and RFLAGS into rt_out_rflags before any
 *   flag-changing instruction.  rt_saved_rsp is the RSP at the SYSCALL.
 *   If rt_is_clone is set and rax == 0 (the new thread), rt_out is copied
 *   to rt_child, rt_child_ran is set, rt_child_fn (if any) is called on the
 *   child's stack, and the thread exits with its return value.
 * rt_setregs: el_setregs(&rt_target); on success execution continues at
 *   rt_setregs_landing with the target registers, which are stored into
 *   rt_out / rt_out_rflags; rt_landed is set.  Returns to the caller either
 *   way (rax = the syscall's return value if it did not land).
 * rt_syscall_at: as rt_syscall, but the SYSCALL is the instruction at
 *   rt_jump (placed there by the caller, e.g. in the last bytes of the
 *   user address range); it returns only through rt_setregs_landing, where
 *   a signal handler sends the task (rt_landed set).
 * rt_exec_entry: an "execve" entry point: stores every register into
 *   rt_exec_out, RFLAGS into rt_exec_rflags, then exits with status 0.
 */
#include "syscall_nr.h"
#include "regs_off.h"

.macro STORE_ALL base
	movq %r15, \base+R_R15(%rip)
	movq %r14, \base+R_R14(%rip)
	movq %r13, \base+R_R13(%rip)
	movq %r12, \base+R_R12(%rip)
	movq %rbp, \base+R_RBP(%rip)
	movq %rbx, \base+R_RBX(%rip)
	movq %r11, \base+R_R11(%rip)
	movq %r10, \base+R_R10(%rip)
	movq %r9, \base+R_R9(%rip)
	movq %r8, \base+R_R8(%rip)
	movq %rax, \base+R_RAX(%rip)
	movq %rcx, \base+R_RCX(%rip)
	movq %rdx, \base+R_RDX(%rip)
	movq %rsi, \base+R_RSI(%rip)
	movq %rdi, \base+R_RDI(%rip)
	movq %rsp, \base+R_RSP(%rip)
.endm

.macro SAVE_CALLER
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, rt_saved_rsp(%rip)
.endm

.macro RESTORE_CALLER
	movq rt_saved_rsp(%rip), %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
.endm

.macro LOAD_ALL base
	movq \base+R_R15(%rip), %r15
	movq \base+R_R14(%rip), %r14
	movq \base+R_R13(%rip), %r13
	movq \base+R_R12(%rip), %r12
	movq \base+R_RBP(%rip), %rbp
	movq \base+R_RBX(%rip), %rbx
	movq \base+R_R11(%rip), %r11
	movq \base+R_R10(%rip), %r10
	movq \base+R_R9(%rip), %r9
	movq \base+R_R8(%rip), %r8
	movq \base+R_RCX(%rip), %rcx
	movq \base+R_RDX(%rip), %rdx
	movq \base+R_RSI(%rip), %rsi
	movq \base+R_RDI(%rip), %rdi
	movq \base+R_RAX(%rip), %rax
.endm

	.text
	.globl rt_syscall_at
rt_syscall_at:
	SAVE_CALLER
	movq $0, rt_landed(%rip)
	LOAD_ALL rt_in
	jmp *rt_jump(%rip)

	.globl rt_syscall
rt_syscall:
	SAVE_CALLER
	pushfq
	movq rt_flags_set(%rip), %rax
	orq %rax, (%rsp)
	popfq
	LOAD_ALL rt_in
	.globl rt_syscall_insn
rt_syscall_insn:
	syscall
	.globl rt_syscall_ret
rt_syscall_ret:
	STORE_ALL rt_out
	pushfq
	popq rt_out_rflags(%rip)
	cmpq $0, rt_is_clone(%rip)
	je 1f
	testq %rax, %rax
	jz rt_child_path
1:	pushfq					/* clear what rt_flags_set set */
	movq rt_flags_set(%rip), %rax
	notq %rax
	andq %rax, (%rsp)
	popfq
	RESTORE_CALLER
	movq rt_out+R_RAX(%rip), %rax
	ret

rt_child_path:					/* the new thread, on its own stack */
	leaq rt_out(%rip), %rsi
	leaq rt_child(%rip), %rdi
	movl $(R_SIZE / 8), %ecx
	rep movsq
	movq rt_out_rflags(%rip), %rax
	movq %rax, rt_child_rflags(%rip)
	movq $1, rt_child_ran(%rip)
	xorl %edi, %edi
	movq rt_child_fn(%rip), %rax
	testq %rax, %rax
	jz 2f
	andq $-16, %rsp
	call *%rax
	movl %eax, %edi
2:	movl $SYS_exit, %eax
	syscall
	ud2

	.globl rt_setregs
rt_setregs:
	SAVE_CALLER
	movq $0, rt_landed(%rip)
	leaq rt_target(%rip), %rdi
	movl $SYS_el_setregs, %eax
	syscall
	RESTORE_CALLER				/* did not land: rax = error */
	ret
	.globl rt_setregs_landing
rt_setregs_landing:
	STORE_ALL rt_out
	pushfq
	popq rt_out_rflags(%rip)
	movq $1, rt_landed(%rip)
	RESTORE_CALLER
	xorl %eax, %eax
	ret

	.globl rt_exec_entry
rt_exec_entry:
	STORE_ALL rt_exec_out
	pushfq
	popq rt_exec_rflags(%rip)
	movl $SYS_exit, %eax
	xorl %edi, %edi
	syscall
	ud2

	.bss
	.balign 16
	.globl rt_in, rt_out, rt_child, rt_target
rt_in:		.skip R_SIZE
rt_out:		.skip R_SIZE
rt_child:	.skip R_SIZE
rt_target:	.skip R_SIZE
	.globl rt_exec_out, rt_exec_rflags
rt_exec_out:	.skip R_SIZE
rt_exec_rflags:	.quad 0
	.globl rt_out_rflags, rt_child_rflags, rt_saved_rsp, rt_flags_set
	.globl rt_is_clone, rt_child_ran, rt_child_fn, rt_landed
rt_out_rflags:	.quad 0
rt_child_rflags: .quad 0
rt_saved_rsp:	.quad 0
rt_flags_set:	.quad 0
rt_is_clone:	.quad 0
rt_child_ran:	.quad 0
rt_child_fn:	.quad 0
rt_landed:	.quad 0
	.globl rt_jump
rt_jump:	.quad 0
