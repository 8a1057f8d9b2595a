/*
 * spec.h — the speculation mitigations on the entry path (axis spec,
 * variants/axes.conf) as assembler macros, one definition per value.
 * spec=off: the macros are the plain sequences (or empty).  spec=on: each
 * mitigation is an alternative (alternative.h) that kernels/spec.c turns on
 * at boot where Linux 6.1 would on this CPU (from CPUID and
 * IA32_ARCH_CAPABILITIES); a mitigation the CPU model does not call for
 * stays as the default sequence Linux leaves in place (a jmp over it, or
 * one NOP), so the executed path is the one Linux would execute.
 *
 *   TABLE_CALL / JMP_NOSPEC   indirect call/jump: the retpoline thunk
 *                             (spec_thunk.S) or a plain indirect branch
 *   IBRS_ENTER / IBRS_EXIT    MSR_IA32_SPEC_CTRL.IBRS set on entry, cleared
 *                             on exit (kernel IBRS, retbleed=ibrs)
 *   UNTRAIN_RET               untrained return on entry (AMD retbleed=unret)
 *   CLEAR_CPU_BUFFERS         VERW right before SYSRET/IRET (MDS)
 *   FILL_RETURN_BUFFER        32 RSB entries stuffed on context switch
 */
#ifndef ENTRYLAB_SPEC_H
#define ENTRYLAB_SPEC_H

#include "frame.h"
#include "variant.h"

#define MSR_IA32_SPEC_CTRL        0x48
#define MSR_IA32_ARCH_CAPABILITIES 0x10a
#define SPEC_CTRL_IBRS            1
#define RSB_FILL_ENTRIES          32

#ifdef __ASSEMBLER__
#include "alternative.h"

#ifdef SPEC_ON
/* call *table(,%rax,8); clobbers rax (the entry point stays in it). */
.macro TABLE_CALL table:req
	movq \table(, %rax, 8), %rax
	ALTERNATIVE "call *%rax", "call __x86_indirect_thunk_rax", ALT_F_RETPOLINE
.endm
.macro JMP_NOSPEC reg:req
	ALTERNATIVE "jmp *%\reg", "jmp __x86_indirect_thunk_\reg", ALT_F_RETPOLINE
.endm

/* After the frame is saved: clobbers rax, rcx, rdx and reloads the
 * syscall number (rax) and third argument (rdx) from the frame. */
.macro IBRS_ENTER
	ALTERNATIVE "jmp .Lend_\@", "", ALT_F_IBRS_ENTRY
	movl $MSR_IA32_SPEC_CTRL, %ecx
	movl $SPEC_CTRL_IBRS, %eax
	xorl %edx, %edx
	wrmsr
	movq PT_ORIG_RAX(%rsp), %rax
	movq PT_RDX(%rsp), %rdx
.Lend_\@:
.endm
/* Before the registers are restored from the frame: clobbers rax, rcx, rdx. */
.macro IBRS_EXIT
	ALTERNATIVE "jmp .Lend_\@", "", ALT_F_IBRS_ENTRY
	movl $MSR_IA32_SPEC_CTRL, %ecx
	xorl %eax, %eax
	xorl %edx, %edx
	wrmsr
.Lend_\@:
.endm

.macro UNTRAIN_RET
	ALTERNATIVE "", "call entry_untrain_ret", ALT_F_UNRET
.endm

/* The last instruction before sysretq/iretq; the operand lives in the
 * entry data page (mapped in the user page table under pti=on). */
.macro CLEAR_CPU_BUFFERS
	ALTERNATIVE "", "verw mds_verw_sel", ALT_F_VERW
.endm

/* Stuff the RSB with 32 harmless entries (two calls per round), then drop
 * them from the stack.  Clobbers \reg. */
.macro FILL_RETURN_BUFFER reg:req
	ALTERNATIVE "jmp .Lskip_\@", "", ALT_F_RSB_CTXSW
	movl $(RSB_FILL_ENTRIES / 2), \reg
.Lround_\@:
	call .Lcall1_\@
.Ltrap1_\@:
	pause
	lfence
	jmp .Ltrap1_\@
.Lcall1_\@:
	call .Lcall2_\@
.Ltrap2_\@:
	pause
	lfence
	jmp .Ltrap2_\@
.Lcall2_\@:
	decl \reg
	jnz .Lround_\@
	addq $(8 * RSB_FILL_ENTRIES), %rsp
.Lskip_\@:
.endm

#else /* spec=off */
.macro TABLE_CALL table:req
	call *\table(, %rax, 8)
.endm
.macro JMP_NOSPEC reg:req
	jmp *%\reg
.endm
.macro IBRS_ENTER
.endm
.macro IBRS_EXIT
.endm
.macro UNTRAIN_RET
.endm
.macro CLEAR_CPU_BUFFERS
.endm
.macro FILL_RETURN_BUFFER reg:req
.endm
#endif
#else /* C */
#include "kernel.h"
/* Decide the mitigations from CPUID (spec=on; nothing under spec=off),
 * before apply_alternatives(). */
void spec_init(void);
/* "@M" record fields: the CPU's relevant feature bits and what is live. */
void spec_record_fields(char *buf, size_t n);
#endif
#endif
