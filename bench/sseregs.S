/*
 * sseregs.S — the SSE registers for the conformance suite's FPU checks
 * (conform_fpu.c).  The user program is compiled with -mgeneral-regs-only,
 * so C cannot name an xmm register; these two functions are the only user
 * code that touches them.
 *
 * fpu_load(rdi = const struct fpu_image *): xmm0-xmm15 from image->xmm[0..15]
 *   (16 bytes each, any alignment), MXCSR from image->mxcsr (offset 256).
 * fpu_store(rdi = struct fpu_image *): the reverse.
 * Both follow the C calling convention and change no general register but
 * the ones it lets a callee change; neither makes a syscall.
 */
#define FPU_IMAGE_MXCSR 256

	.text
	.globl fpu_load
fpu_load:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	movdqu \n*16(%rdi), %xmm\n
	.endr
	ldmxcsr FPU_IMAGE_MXCSR(%rdi)
	ret

	.globl fpu_store
fpu_store:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	movdqu %xmm\n, \n*16(%rdi)
	.endr
	stmxcsr FPU_IMAGE_MXCSR(%rdi)
	ret
