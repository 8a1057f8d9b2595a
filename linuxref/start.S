/*
 * start.S — process entry of the Linux reference program (linuxref/init.c),
 * as /init of the initramfs and as the native host loop.
 *
 * Contract: Linux enters _start with rsp = &argc, followed by argv[],
 * NULL, envp[], NULL (the System V x86-64 process start); every other
 * register is unspecified.  We call lr_main(argc, argv) with a 16-byte
 * aligned stack and pass its return value to exit_group; lr_main never
 * returns in the guest (it leaves through isa-debug-exit).
 */
#include "syscall_nr.h"

	.text
	.globl _start
_start:
	xorl %ebp, %ebp
	movq (%rsp), %rdi		/* argc */
	leaq 8(%rsp), %rsi		/* argv */
	andq $-16, %rsp
	call lr_main
	movl %eax, %edi
	movl $SYS_exit_group, %eax
	syscall
	ud2

	.section .note.GNU-stack, "", @progbits
