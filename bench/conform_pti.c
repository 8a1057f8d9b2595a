/*
 * conform_pti.c — page-table isolation checks of the conformance suite
 * (kernels/pti.h).  Under pti=on the user page table does not map kernel
 * data, so a user-mode read of a kernel address takes a not-present #PF
 * (error code P=0); under pti=off the page is mapped supervisor-only and
 * the fault is a protection fault (P=1).  The kernel's boot-time walk of
 * the user page table must have found nothing mapped beyond the entry
 * text, the entry data and the user region.
 */
#include "conform.h"

#define PF_PRESENT 0x1
#define PF_USER    0x4

static volatile u64 pf_seen, pf_vector, pf_err, pf_addr, pf_user;

static void pf_handler(int sig, struct el_siginfo *info, struct el_ucontext *uc)
{
	(void)sig;
	pf_seen = 1;
	pf_vector = info->vector;
	pf_err = info->err;
	pf_addr = info->addr;
	pf_user = info->user_mode;
	uc->regs.rip = uc->regs.rcx;	/* resume at the label in rcx */
}

/* Read *addr with rcx = the address to resume at after a fault. */
static void read_kernel_address(u64 addr)
{
	__asm__ volatile("leaq 1f(%%rip), %%rcx\n\t"
			 "movq (%0), %%rax\n"
			 "1:"
			 :: "r"(addr) : "rax", "rcx", "memory");
}

void test_isolation(void)
{
	struct el_pti_info info = { 0 };
	long r = sys1(SYS_el_pti, &info);
	if (r == 0 && info.pti)
		check(info.unintended == 0 && info.writable_text == 0 && info.kernel_pages > 0 &&
		      info.user_pages > 0,
		      "pti=on: the user page table maps only entry text (read-only), entry data and the user region");
	else
		check(r == 0 && info.kernel_pages == 0 && info.user_pages == 0 && info.unintended == 0,
		      "pti=off: one page table, no user page table was built");
	if (!need(EL_FEAT_SIGNALS, 1, "user-mode read of a kernel address"))
		return;
	sys3(SYS_rt_sigaction, EL_SIGSEGV, pf_handler, el_sig_restorer);
	pf_seen = 0;
	read_kernel_address(info.probe_addr);
	sys3(SYS_rt_sigaction, EL_SIGSEGV, EL_SIG_DFL, 0);
	u64 want_p = info.pti ? 0 : PF_PRESENT;
	check(r == 0 && pf_seen && pf_vector == 14 && pf_user && pf_addr == info.probe_addr &&
	      (pf_err & PF_USER) && (pf_err & PF_PRESENT) == want_p,
	      info.pti ? "pti=on: a user read of kernel data is a not-present #PF (P=0)"
		       : "pti=off: a user read of kernel data is a protection #PF (P=1)");
}
