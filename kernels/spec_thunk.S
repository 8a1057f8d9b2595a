/*
 * spec_thunk.S — the out-of-line pieces of the spec=on mitigations
 * (spec.h), linked into every image and reached only through alternatives
 * that spec.c turned on.  Lives in the entry text (kernel.ld: *entry*.o and
 * this file), which the user page table maps under pti=on.
 *
 * __x86_indirect_thunk_rax: the retpoline — called with the target in rax,
 * returns into it; a mispredicted return is caught in a pause/lfence loop.
 * entry_untrain_ret: the executed sequence of Linux 6.1's untrained return
 * (test, lfence, jump to the return thunk, ret); the overlapping-byte
 * training trick itself has no meaning in emulation and is not reproduced.
 * mds_verw_sel: the selector VERW reads (a writable data segment).
 */
#include "frame.h"

	.text
	.globl __x86_indirect_thunk_rax
	.balign 16
__x86_indirect_thunk_rax:
	call 1f
2:	pause
	lfence
	jmp 2b
1:	movq %rax, (%rsp)
	ret

	.globl entry_untrain_ret
	.balign 16
entry_untrain_ret:
	testb $0xcc, %bl
	lfence
	jmp entry_return_thunk
	.globl entry_return_thunk
entry_return_thunk:
	ret
	int3

	.section .entry.data, "aw"
	.globl mds_verw_sel
	.balign 2
mds_verw_sel:
	.word KERNEL_DS
