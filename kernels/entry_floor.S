/*
 * entry_floor.S — the floor reference: the smallest legal entry for a
 * getpid-like call (swapgs, stack switch, bounds check, call, swapgs,
 * sysret).  No frame is built: argument registers are clobbered, no work is
 * checked, nothing needing a frame is reachable (the table maps those
 * entries to sys_ni_syscall).  el_features() returns 0, so the conformance
 * suite skips every check that needs more (bench/conform.c lists them).
 * Only built into the `floor` image (-DENTRY_FLOOR).
 */
#include "frame.h"
#include "syscall_nr.h"

	.text
	.globl entry_floor_SYSCALL_64
	.balign 64
entry_floor_SYSCALL_64:
	swapgs
	movq %rsp, %gs:PCPU_USER_RSP
	movq %gs:PCPU_KSTACK, %rsp
	pushq %rcx
	pushq %r11
	cmpq $NR_SYSCALLS, %rax
	jae 1f
	movq %r10, %rcx
	call *sys_call_table(, %rax, 8)
2:	popq %r11
	popq %rcx
	movq %gs:PCPU_USER_RSP, %rsp
	swapgs
	.globl floor_sysret_insn
floor_sysret_insn:
	sysretq
1:	movq $-ENOSYS, %rax
	jmp 2b
	.size entry_floor_SYSCALL_64, . - entry_floor_SYSCALL_64
