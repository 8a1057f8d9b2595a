/* regs_off.h — byte offsets of struct el_regs (entrylab/abi.h) for the
 * assembler register tests; conform.c checks each with _Static_assert. */
#ifndef ENTRYLAB_REGS_OFF_H
#define ENTRYLAB_REGS_OFF_H
#define R_R15 0
#define R_R14 8
#define R_R13 16
#define R_R12 24
#define R_RBP 32
#define R_RBX 40
#define R_R11 48
#define R_R10 56
#define R_R9 64
#define R_R8 72
#define R_RAX 80
#define R_RCX 88
#define R_RDX 96
#define R_RSI 104
#define R_RDI 112
#define R_ORIG_RAX 120
#define R_RIP 128
#define R_CS 136
#define R_RFLAGS 144
#define R_RSP 152
#define R_SS 160
#define R_SIZE 168
#endif
