/*
 * boot.S — PVH entry: QEMU jumps to pvh_start in 32-bit protected mode, flat
 * segments, paging off, %ebx = physical address of the hvm_start_info.
 * We load our GDT, identity-map the first 1 GiB with 2 MiB pages, enable PAE,
 * long mode (EFER.LME) and the SYSCALL instruction (EFER.SCE), turn paging
 * on and jump to 64-bit code, which calls kmain(start_info) and never returns.
 * User access to the user region is granted later by mm_init() in C.
 */
#include "frame.h"

/* PVH ELF note: name "Xen", type 18 (PHYS32_ENTRY), 8-byte entry address. */
	.pushsection .note.Xen, "a", @note
	.balign 4
	.long 4, 8, 18
	.asciz "Xen"
	.balign 4
	.quad pvh_start
	.popsection

	.section .boot.text, "ax"
	.code32
	.globl pvh_start
pvh_start:
	cli
	cld
	movl %ebx, boot_start_info
	lgdt gdt_ptr32
	movl $KERNEL_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl $boot_stack_top, %esp

	movl %cr4, %eax
	orl $((1 << 5) | (1 << 9) | (1 << 10)), %eax	/* PAE, OSFXSR, OSXMMEXCPT */
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3

	movl $MSR_EFER, %ecx
	rdmsr
	orl $((1 << 8) | (1 << 0) | (1 << 11)), %eax	/* LME, SCE, NXE */
	wrmsr

	movl %cr0, %eax
	andl $~(1 << 2), %eax				/* EM off */
	orl $((1 << 31) | (1 << 1) | (1 << 0)), %eax	/* PG, MP, PE */
	movl %eax, %cr0
	ljmp $KERNEL_CS, $long_mode_entry

	.code64
long_mode_entry:
	movl $KERNEL_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	movl boot_start_info, %edi
	call kmain
1:	hlt
	jmp 1b

/* GDT: layout fixed by STAR (see frame.h).  The TSS descriptor (16 bytes at
 * TSS_SEL) is filled in by cpu_init(). */
	.section .entry.data, "aw"
	.balign 16
	.globl gdt
gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08 kernel code, 64-bit */
	.quad 0x00cf92000000ffff	/* 0x10 kernel data */
	.quad 0x00cffa000000ffff	/* 0x18 user code, 32-bit (STAR base only) */
	.quad 0x00cff2000000ffff	/* 0x20 user data */
	.quad 0x00affa000000ffff	/* 0x28 user code, 64-bit */
	.quad 0, 0			/* 0x30 TSS */
gdt_end:
	.data
	.globl gdt_ptr
gdt_ptr:
	.word gdt_end - gdt - 1
	.quad gdt
gdt_ptr32:
	.word gdt_end - gdt - 1
	.long gdt

	.globl boot_start_info
boot_start_info:
	.long 0

/* Identity map of 0..1 GiB: PML4[0] -> PDPT[0] -> PD of 2 MiB pages.  The
 * upper levels carry U/S so that mm_init() can open single PD entries.
 * boot_pml4 is the lower half of an 8 KiB-aligned pair; the upper half is
 * the user page table of pti=on (kernels/pti.c fills it; CR3 bit 12). */
	.section .data.pagetables, "aw"
	.balign 8192
	.globl boot_pml4, user_pml4, boot_pd
boot_pml4:
	.quad boot_pdpt + 0x7
	.fill 511, 8, 0
user_pml4:
	.fill 512, 8, 0
boot_pdpt:
	.quad boot_pd + 0x7
	.fill 511, 8, 0
boot_pd:
	.set page, 0
	.rept 512
	.quad (page << 21) | 0x83	/* present, writable, 2 MiB, supervisor */
	.set page, page + 1
	.endr

	.bss
	.balign 16
	.globl boot_stack_top
boot_stack:
	.skip 16384
boot_stack_top:
