/*
 * entry_stubs.S — regs=stub under ptregs=partial: one hand-written stub per
 * syscall that needs the complete frame.  The syscall table points at
 * stub_<name>; the stub is called from the dispatch with 0(%rsp) = return
 * address and the partial pt_regs above it.  It drops the return address,
 * completes the frame, calls the C function (which takes its arguments from
 * the frame) and leaves through the full exit path, never back to SYSRET.
 * Every ":regs" row of kernels/syscall.tbl needs its stub here: a missing
 * one is an undefined symbol at link time.
 */
#include "entry_variant.h"

#if defined(PTREGS_PARTIAL) && defined(REGS_STUB) && !defined(ENTRY_FLOOR)
	.text
	.globl stub_rt_sigreturn
stub_rt_sigreturn:
	addq $8, %rsp
	COMPLETE_FRAME
	call sys_rt_sigreturn
	movq %rax, PT_RAX(%rsp)
	jmp syscall_exit_full

	.globl stub_clone
stub_clone:
	addq $8, %rsp
	COMPLETE_FRAME
	call sys_clone
	movq %rax, PT_RAX(%rsp)
	jmp syscall_exit_full

	.globl stub_execve
stub_execve:
	addq $8, %rsp
	COMPLETE_FRAME
	call sys_execve
	movq %rax, PT_RAX(%rsp)
	jmp syscall_exit_full

	.globl stub_iopl
stub_iopl:
	addq $8, %rsp
	COMPLETE_FRAME
	call sys_iopl
	movq %rax, PT_RAX(%rsp)
	jmp syscall_exit_full

	.globl stub_el_getregs
stub_el_getregs:
	addq $8, %rsp
	COMPLETE_FRAME
	call sys_el_getregs
	movq %rax, PT_RAX(%rsp)
	jmp syscall_exit_full

	.globl stub_el_setregs
stub_el_setregs:
	addq $8, %rsp
	COMPLETE_FRAME
	call sys_el_setregs
	movq %rax, PT_RAX(%rsp)
	jmp syscall_exit_full
#endif
