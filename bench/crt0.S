/*
 * crt0.S — the user program's entry.  The kernel enters user_main by IRET
 * with rsp = user_stack_top and every other register zero; el_user_main's
 * return value becomes the exit status.
 */
#include "syscall_nr.h"

	.text
	.globl user_main
user_main:
	call el_user_main
	movl %eax, %edi
	movl $SYS_exit, %eax
	syscall
	ud2

	.bss
	.balign 16
	.globl user_stack_top
user_stack:
	.skip 65536
user_stack_top:
