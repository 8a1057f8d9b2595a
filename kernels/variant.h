/*
 * variant.h — checks that exactly one value of every axis was selected with
 * -D (see variants/axes.conf), for C and assembler alike.
 */
#ifndef ENTRYLAB_VARIANT_H
#define ENTRYLAB_VARIANT_H

#if defined(PTREGS_PARTIAL) + defined(PTREGS_FULL) != 1
#error "select exactly one of -DPTREGS_PARTIAL / -DPTREGS_FULL"
#endif
#if defined(RSP_CACHED) + defined(RSP_STORED) != 1
#error "select exactly one of -DRSP_CACHED / -DRSP_STORED"
#endif
#if defined(REGS_STUB) + defined(REGS_ANNOTATED) != 1
#error "select exactly one of -DREGS_STUB / -DREGS_ANNOTATED"
#endif
#if defined(EXIT_ASM) + defined(EXIT_C) != 1
#error "select exactly one of -DEXIT_ASM / -DEXIT_C"
#endif
#if defined(PTI_OFF) + defined(PTI_ON) != 1
#error "select exactly one of -DPTI_OFF / -DPTI_ON"
#endif
#if defined(SPEC_OFF) + defined(SPEC_ON) != 1
#error "select exactly one of -DSPEC_OFF / -DSPEC_ON"
#endif
#if defined(PATH_ASM) + defined(PATH_C) != 1
#error "select exactly one of -DPATH_ASM / -DPATH_C"
#endif
#if defined(CLEAR_NO) + defined(CLEAR_YES) != 1
#error "select exactly one of -DCLEAR_NO / -DCLEAR_YES"
#endif
#if defined(IRQ_OFF) + defined(IRQ_ON) != 1
#error "select exactly one of -DIRQ_OFF / -DIRQ_ON"
#endif
#if defined(ENTRY_ARCH) + defined(ENTRY_GENERIC) + defined(ENTRY_KSTACK) != 1
#error "select exactly one of -DENTRY_ARCH / -DENTRY_GENERIC / -DENTRY_KSTACK"
#endif
#if defined(DISPATCH_TABLE) + defined(DISPATCH_SWITCH) != 1
#error "select exactly one of -DDISPATCH_TABLE / -DDISPATCH_SWITCH"
#endif
#if defined(DISPATCH_SWITCH) && !defined(PATH_C)
#error "dispatch=switch needs path=c (variants/axes.conf rules)"
#endif
#if defined(PATH_C) && !(defined(PTREGS_FULL) && defined(RSP_STORED) && defined(EXIT_C))
#error "path=c needs ptregs=full, rsp=stored and exit=c (variants/axes.conf rules)"
#endif
/* The FPU state model (kernels/fpu.c) follows the entry axis: the generic
 * entry's kernels (5.9+) all load it on the way to user mode (5.2+). */
#if defined(ENTRY_GENERIC) || defined(ENTRY_KSTACK)
#define FPU_DEFERRED 1
#if !defined(PATH_C) || !defined(EXIT_C)
#error "the deferred FPU load needs path=c and exit=c (its exits are do_syscall_64's and ret_to_user_full's)"
#endif
#endif
#ifndef EL_VARIANT_NAME
#error "EL_VARIANT_NAME not set"
#endif

#endif
