/*
 * pti.h — page-table isolation (axis pti, variants/axes.conf) as assembler
 * macros, one definition per value: under pti=off every macro is empty, so
 * the call sites in entry.S and idt.S read the same in every variant (the
 * way Linux's calling.h defines SWITCH_TO_KERNEL_CR3 empty without
 * CONFIG_PAGE_TABLE_ISOLATION).
 *
 * pti=on: the kernel page table (boot_pml4) and the user page table
 * (kernels/pti.c builds it at boot) are the two 4 KiB halves of one
 * 8 KiB-aligned pair, so CR3 bit 12 selects the user half.  Where the CPU
 * has PCID (CR4.PCIDE set by pti_init), the kernel runs with PCID 1, user
 * mode with PCID 1 | bit 11, and a CR3 write sets bit 63 (no flush) unless
 * the per-CPU user_pcid_flush bit of that PCID asks for a flush; the PCID
 * sequences are alternatives (alternative.h), patched in at boot.  Without
 * PCID a CR3 write is a plain reload (a full TLB flush).
 *
 * The user page table maps only what runs or is read before the switch to
 * the kernel page table and after the switch back: the entry text
 * (.entry.text: entry.o, idt.o), the entry data page (.entry.data: GDT,
 * IDT, TSS, the per-CPU area, the entry stack, the #DF stack) and the user
 * region.  Exceptions from user mode arrive on the entry stack (TSS.rsp0)
 * and move their frame to the task's kernel stack once on the kernel page
 * table; both exits leave through the entry stack, from which the switch
 * back to the user page table runs.
 */
#ifndef ENTRYLAB_PTI_H
#define ENTRYLAB_PTI_H

#include "frame.h"
#include "variant.h"

#define PTI_USER_PGTABLE_BIT   12
#define PTI_USER_PGTABLE_MASK  (1 << PTI_USER_PGTABLE_BIT)
#define PTI_USER_PCID_BIT      11
#define PTI_USER_PCID_MASK     (1 << PTI_USER_PCID_BIT)
#define PTI_KERNEL_PCID        1
#define CR3_NOFLUSH_BIT        63
#define CR4_PCIDE              (1 << 17)

#ifdef __ASSEMBLER__
#include "alternative.h"

#ifdef PTI_ON
.macro SET_NOFLUSH_BIT reg:req
	btsq $CR3_NOFLUSH_BIT, \reg
.endm

/* Kernel CR3 from a user CR3: clear the user half and user PCID bits. */
.macro ADJUST_KERNEL_CR3 reg:req
	ALTERNATIVE "", "SET_NOFLUSH_BIT \reg", ALT_F_PCID
	andq $~(PTI_USER_PGTABLE_MASK | PTI_USER_PCID_MASK), \reg
.endm

/* Right after swapgs on every entry from user mode, before anything
 * touches kernel data.  scratch_reg may be %rsp (saved first). */
.macro SWITCH_TO_KERNEL_CR3 scratch_reg:req
	movq %cr3, \scratch_reg
	ADJUST_KERNEL_CR3 \scratch_reg
	movq \scratch_reg, %cr3
.endm

/* To the user half; with PCID, no flush unless one is pending for it. */
.macro SWITCH_TO_USER_CR3 scratch_reg:req scratch_reg2:req
	movq %cr3, \scratch_reg
	ALTERNATIVE "jmp .Lwrcr3_\@", "", ALT_F_PCID
	movq \scratch_reg, \scratch_reg2
	andq $0x7ff, \scratch_reg
	btq \scratch_reg, %gs:PCPU_USER_PCID_FLUSH
	jnc .Lnoflush_\@
	btrq \scratch_reg, %gs:PCPU_USER_PCID_FLUSH
	movq \scratch_reg2, \scratch_reg
	jmp .Lwrcr3_pcid_\@
.Lnoflush_\@:
	movq \scratch_reg2, \scratch_reg
	SET_NOFLUSH_BIT \scratch_reg
.Lwrcr3_pcid_\@:
	orq $PTI_USER_PCID_MASK, \scratch_reg
.Lwrcr3_\@:
	orq $PTI_USER_PGTABLE_MASK, \scratch_reg
	movq \scratch_reg, %cr3
.endm

/* The second scratch register comes from the (entry) stack. */
.macro SWITCH_TO_USER_CR3_STACK scratch_reg:req
	pushq %rax
	SWITCH_TO_USER_CR3 \scratch_reg, %rax
	popq %rax
.endm

/* SYSRET exit: every register holds its user value, %rsp the user RSP,
 * GS the kernel's.  Park the user RSP in the per-CPU slot, switch on the
 * entry stack (mapped in both page tables), come back with the user RSP. */
.macro PTI_SYSRET_EXIT
	movq %rsp, %gs:PCPU_USER_RSP
	movq %gs:PCPU_ENTRY_STACK, %rsp
	pushq %rdi
	SWITCH_TO_USER_CR3_STACK %rdi
	popq %rdi
	movq %gs:PCPU_USER_RSP, %rsp
.endm

/* IRET exit: %rsp at the hardware frame on the task's kernel stack, which
 * the user page table does not map: copy the frame to the entry stack. */
.macro PTI_IRET_EXIT
	pushq %rdi
	movq %rsp, %rdi
	movq %gs:PCPU_ENTRY_STACK, %rsp
	pushq 40(%rdi)			/* ss */
	pushq 32(%rdi)			/* rsp */
	pushq 24(%rdi)			/* rflags */
	pushq 16(%rdi)			/* cs */
	pushq 8(%rdi)			/* rip */
	pushq (%rdi)			/* rdi */
	SWITCH_TO_USER_CR3_STACK %rdi
	popq %rdi
.endm

/* Exception or interrupt from user mode, after swapgs: the complete
 * pt_regs is on the entry stack and every register is saved.  Switch to
 * the kernel page table and move the frame to the task's kernel stack
 * (Linux's sync_regs).  Keeps rdi (the vector); clobbers rax, rcx, rdx. */
.macro PTI_EXC_FROM_USER
	SWITCH_TO_KERNEL_CR3 %rax
	movq %rsp, %rdx
	movq %gs:PCPU_KSTACK, %rsp
	subq $PT_SIZE, %rsp
	movl $(PT_SIZE / 8), %ecx
.Lcopy_\@:
	movq -8(%rdx, %rcx, 8), %rax
	movq %rax, -8(%rsp, %rcx, 8)
	decl %ecx
	jnz .Lcopy_\@
.endm

/* The timer interrupt's return to user mode, from the entry stack it
 * arrived on (it switches no task); rdi and rax are saved in its frame. */
.macro PTI_IRQ_EXIT_TO_USER
	SWITCH_TO_USER_CR3 %rdi, %rax
.endm

/* Any exception, also from kernel mode and on the #DF stack (Linux's
 * paranoid entry): on the user page table, switch to the kernel's.  The
 * kernel-mode exceptions that return (pmu.c's fixup) never arrive with
 * the user page table, so nothing is restored. */
.macro PTI_EXC_PARANOID
	movq %cr3, %rax
	btq $PTI_USER_PGTABLE_BIT, %rax
	jnc .Ldone_\@
	ADJUST_KERNEL_CR3 %rax
	movq %rax, %cr3
.Ldone_\@:
.endm

#else /* pti=off */
.macro SWITCH_TO_KERNEL_CR3 scratch_reg:req
.endm
.macro PTI_SYSRET_EXIT
.endm
.macro PTI_IRET_EXIT
.endm
.macro PTI_EXC_FROM_USER
.endm
.macro PTI_EXC_PARANOID
.endm
.macro PTI_IRQ_EXIT_TO_USER
.endm
#endif
#else /* C */
#include "kernel.h"
/* Build the user page table, choose PCID, point TSS.rsp0 at the entry
 * stack (pti=on); nothing under pti=off.  Before the first user entry. */
void pti_init(void);
/* What the boot-time walk of the user page table found (el_pti_info). */
struct el_pti_info;
long pti_info(struct el_pti_info *out);
#endif
#endif
