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
#ifndef EL_VARIANT_NAME
#error "EL_VARIANT_NAME not set"
#endif

#endif
