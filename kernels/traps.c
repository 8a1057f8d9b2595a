/*
 * traps.c — exceptions.  A fault in user mode becomes a signal for the
 * faulting task (SIGTRAP for #DB/#BP, SIGSEGV otherwise), delivered on the
 * way back to user mode; a task without a handler is killed, and if it is
 * the init task the run ends as a crash.  Any exception in kernel mode is
 * fatal.  Every fatal exception is reported as an @X record.
 *
 * The KVM probe (el.run=probe) also lands here on a software hypervisor
 * where SYSCALL arrives at LSTAR still in CPL 3: the fetch of the
 * supervisor-only entry page raises #PF (measured on the PVM dev machines),
 * or, were it mapped for ring 3, swapgs would raise #GP.
 */
#include "kernel.h"

static const char *const vector_names[32] = {
	"DE", "DB", "NMI", "BP", "OF", "BR", "UD", "NM", "DF", "CSO", "TS", "NP",
	"SS", "GP", "PF", "RES15", "MF", "AC", "MC", "XM", "VE", "CP", "RES22",
	"RES23", "RES24", "RES25", "RES26", "RES27", "HV", "VC", "SX", "RES31",
};

extern char entry_SYSCALL_64[], restore_all_iret_insn[];

/* The exit's iretq faulted (on Intel, IRET to a non-canonical RIP is a #GP
 * in ring 0, before the return): the fault belongs to the user context the
 * IRET was restoring.  Its general registers are in this frame already
 * (popped before the iretq, pushed by the exception entry, which also did
 * the swapgs); take RIP, CS, RFLAGS, RSP and SS from the IRET frame at the
 * faulting RSP.  Linux does the same (fixup_bad_iret). */
static bool bad_iret_fixup(struct pt_regs *regs)
{
	if (regs->rip != (u64)restore_all_iret_insn)
		return false;
	const u64 *iret = (const u64 *)regs->rsp;
	regs->rip = iret[0];
	regs->cs = iret[1];
	regs->rflags = iret[2];
	regs->rsp = iret[3];
	regs->ss = iret[4];
	return true;
}

static u64 read_cr2(void)
{
	u64 v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

void report_exception(const struct pt_regs *regs, u64 vector, bool fatal)
{
	kprintf("@X vector=%lu name=%s err=%lx rip=%lx cs=%lx rsp=%lx cr2=%lx mode=%s fatal=%d\n",
		vector, vector < 32 ? vector_names[vector] : "UNKNOWN", regs->orig_rax,
		regs->rip, regs->cs, regs->rsp, vector == 14 ? read_cr2() : 0,
		(regs->cs & 3) ? "user" : "kernel", fatal ? 1 : 0);
}

static void probe_syscall_in_cpl3(const struct pt_regs *regs, u64 vector)
{
	const char *run = cmdline_get("el.run");
	if (!run || !el_csv_has(run, "probe"))
		return;
	/* In CPL 3 the entry faults at its first instruction: #PF fetching
	 * the supervisor-only entry page, or #GP at swapgs if it is mapped. */
	if ((vector != 13 && vector != 14) || regs->rip != (u64)entry_SYSCALL_64)
		return;
	kprintf("@P ok=0 cpl_at_entry=%lu reason=syscall_in_cpl3_%s\n", regs->cs & 3,
		vector == 14 ? "pf_at_entry" : "gp_at_swapgs");
	system_exit(EL_EXIT_FAIL, "fail");
}

void exception_handler(struct pt_regs *regs, u64 vector)
{
	if (!(regs->cs & 3) && !bad_iret_fixup(regs)) {
		if (pmu_fixup(regs))
			return;
		report_exception(regs, vector, true);
		system_exit(EL_EXIT_PANIC, "panic");
	}
	probe_syscall_in_cpl3(regs, vector);
	int sig = (vector == 1 || vector == 3) ? EL_SIGTRAP : EL_SIGSEGV;
	u64 addr = vector == 14 ? read_cr2() : regs->rip;
	struct task *t = current_task();
	set_flag(t, TIF_FULL_FRAME);	/* the exception frame is complete */
	force_sig_fault(t, sig, vector, regs->orig_rax, addr);
}
