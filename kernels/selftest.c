/*
 * selftest.c — deliberate guest failures, so the host's containment can be
 * tested against a real kernel (el.selftest=<kind> on the command line;
 * bench/umain.c calls el_selftest(kind) right after start).  Never used by
 * a measurement run.
 */
#include "kernel.h"

long sys_el_selftest(long kind)
{
	switch (kind) {
	case EL_SELFTEST_KERNEL_UD:	/* ring-0 exception: #UD */
		__asm__ volatile("ud2");
		break;
	case EL_SELFTEST_KERNEL_HANG:	/* loop forever with interrupts off */
		for (;;)
			__asm__ volatile("pause");
	case EL_SELFTEST_FLOOD:		/* records without end */
		for (;;)
			kprintf("@K flood flood flood flood flood flood flood flood\n");
	case EL_SELFTEST_IMPOSSIBLE:	/* a sample with ticks < empty */
		kprintf("@B bench=getpid iters=1 samples=1 warmup=0\n");
		kprintf("@D bench=getpid sample=0 iters=1 ticks=5 empty=9\n");
		system_exit(EL_EXIT_PASS, "pass");
	case EL_SELFTEST_TRIPLE_FAULT: {	/* no IDT at all: #UD -> #DF -> reset */
		struct { u16 limit; u64 base; } __attribute__((packed)) none = { 0, 0 };
		__asm__ volatile("lidt %0; ud2" :: "m"(none));
		break;
	}
	case EL_SELFTEST_NO_FINAL:	/* leave without the final @E record */
		outl(EL_EXIT_PORT, EL_EXIT_PASS);
		break;
	}
	return -EL_EINVAL;
}
