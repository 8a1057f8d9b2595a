/*
 * probe.c — the KVM probe (el.run=probe): does a user-mode SYSCALL reach
 * ring 0 and come back by SYSRET with the expected registers, and is the
 * TSC usable?  Prints one @P record.  (If SYSCALL arrives in CPL 3 the
 * kernel's fault handler sends the @P record instead: kernels/traps.c.)
 */
#include "conform.h"

static u64 rdtsc(void)
{
	u32 lo, hi;
	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

void run_probe(void)
{
	rt_prepare(SYS_el_probe, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66);
	rt_syscall();
	u64 cpl = rt_out.rax;
	bool regs_ok = callee_saved_survived(&rt_in, &rt_out) && args_survived(&rt_in, &rt_out) &&
		       rt_out.rsp == rt_saved_rsp && rt_out.rcx == (u64)rt_syscall_ret &&
		       rt_out.r11 == rt_out_rflags;
	u64 t0 = rdtsc(), t1 = rdtsc(), t2 = rdtsc();
	bool tsc_ok = t1 > t0 && t2 > t1;
	const char *reason = cpl != 0 ? "handler_not_in_ring0"
			     : !regs_ok ? "sysret_registers_wrong"
			     : !tsc_ok ? "tsc_not_advancing" : "ok";
	rec("@P ok=%d cpl_at_entry=%lu reason=%s\n", cpl == 0 && regs_ok && tsc_ok, cpl, reason);
}
