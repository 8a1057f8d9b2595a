/*
 * pmu.c — guest PMU programming for kvm mode.  The host resolves event
 * names with libpfm4 and passes complete event-select values (event, umask,
 * USR/OS, enable) as el.events=<hex>,<hex>...; we load them into the first
 * general-purpose counters, zero the counts and allow rdpmc from ring 3
 * (CR4.PCE), so the user program reads them around each timed loop.
 * Intel: IA32_PERFEVTSELx / IA32_PMCx (+ IA32_PERF_GLOBAL_CTRL on arch
 * perfmon v2+).  AMD: PerfEvtSel/PerfCtr (the extended bank when CPUID
 * says so).  Under TCG there is no PMU: el_pmu() then reports -ENODEV.
 */
#include "kernel.h"
#include "cpuid.h"


#define MAX_EVENTS 4
static int pmu_programmed = -EL_EINVAL;	/* no events asked for */


static int parse_events(u64 *ev)
{
	const char *s = cmdline_get("el.events");
	int n = 0;
	if (!s || !*s)
		return 0;
	while (*s && n < MAX_EVENTS) {
		u64 v = 0;
		const char *start = s;
		for (; *s && *s != ','; s++) {
			char c = *s;
			int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
			if (d < 0 || v >> 60)
				return -EL_EINVAL;
			v = v * 16 + (u64)d;
		}
		if (s == start)
			return -EL_EINVAL;
		ev[n++] = v;
		if (*s == ',')
			s++;
	}
	return *s ? -EL_EINVAL : n;
}

/* Number of general-purpose counters and their MSR bases. */
static int pmu_layout(u32 *sel_base, u32 *ctr_base, u32 *stride, bool *intel)
{
	u32 a, b, c, d;
	char vendor[13];
	el_cpu_vendor(vendor);
	el_cpuid(0, &a, &b, &c, &d);	/* a = the highest standard leaf */
	*intel = !memcmp(vendor, "GenuineIntel", 12);
	if (*intel) {
		if (a < 0xa)
			return 0;
		el_cpuid(0xa, &a, &b, &c, &d);
		*sel_base = 0x186, *ctr_base = 0xc1, *stride = 1;
		return (a & 0xff) ? (int)((a >> 8) & 0xff) : 0;
	}
	if (memcmp(vendor, "AuthenticAMD", 12))
		return 0;
	el_cpuid(0x80000001, &a, &b, &c, &d);
	if (c & (1u << 23)) {		/* PerfCtrExtCore */
		*sel_base = 0xc0010200, *ctr_base = 0xc0010201, *stride = 2;
		return 6;
	}
	*sel_base = 0xc0010000, *ctr_base = 0xc0010004, *stride = 1;
	el_cpuid(1, &a, &b, &c, &d);
	return 4;	/* legacy bank; whether it counts is probed with rdpmc */
}

/* rdpmc of counter 0 in ring 0; if it faults (no PMU behind the MSRs, as
 * under TCG), exception_handler() calls pmu_fixup(), which skips it. */
static volatile bool rdpmc_faulted;
extern const char pmu_rdpmc_probe_insn[];

bool pmu_fixup(struct pt_regs *regs)
{
	if (regs->rip != (u64)pmu_rdpmc_probe_insn)
		return false;
	rdpmc_faulted = true;
	regs->rip += 2;		/* rdpmc is 0f 33 */
	return true;
}

static bool rdpmc_works(void)
{
	rdpmc_faulted = false;
	__asm__ volatile(".globl pmu_rdpmc_probe_insn\n"
			 "pmu_rdpmc_probe_insn: rdpmc"
			 ::"c"(0) : "rax", "rdx", "memory");
	return !rdpmc_faulted;
}

void pmu_init(void)
{
	u64 ev[MAX_EVENTS];
	int n = parse_events(ev);
	if (n <= 0) {
		pmu_programmed = n < 0 ? n : -EL_EINVAL;
		return;
	}
	u32 sel, ctr, stride;
	bool intel;
	int have = pmu_layout(&sel, &ctr, &stride, &intel);
	if (have < n) {
		kprintf("@K pmu: %d events asked, %d counters available\n", n, have);
		pmu_programmed = -19;	/* ENODEV */
		return;
	}
	for (int i = 0; i < n; i++) {
		wrmsr(sel + (u32)i * stride, 0);
		wrmsr(ctr + (u32)i * stride, 0);
		wrmsr(sel + (u32)i * stride, ev[i]);
	}
	u32 a, b, c, d;
	el_cpuid(0xa, &a, &b, &c, &d);
	if (intel && (a & 0xff) >= 2)
		wrmsr(0x38f, (1ull << n) - 1);	/* IA32_PERF_GLOBAL_CTRL */
	u64 cr4;
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	if (!rdpmc_works()) {
		kprintf("@K pmu: counters programmed but rdpmc faults: no PMU here\n");
		pmu_programmed = -19;	/* ENODEV */
		return;
	}
	__asm__ volatile("mov %0, %%cr4" :: "r"(cr4 | (1ull << 8)));	/* PCE */
	pmu_programmed = n;
}

/* el_pmu(): how many counters rdpmc 0..n-1 may read, or -errno. */
long sys_el_pmu(void)
{
	return pmu_programmed;
}
