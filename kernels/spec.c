/*
 * spec.c — which speculation mitigations run on this CPU (spec=on), decided
 * at boot from CPUID and IA32_ARCH_CAPABILITIES the way Linux 6.1's
 * arch/x86/kernel/cpu/bugs.c decides by default (facts from its source;
 * the vulnerability white- and blacklists reduced to what the choices
 * below need):
 *   spectre_v2  eIBRS if ARCH_CAPABILITIES.IBRS_ALL; else kernel IBRS if
 *               retbleed calls for it (below) and the CPU has SPEC_CTRL;
 *               else the generic retpoline (the default on AMD too since
 *               5.17).  Every mode also fills the RSB on context switch.
 *   retbleed    AMD families 0x15-0x17 and Hygon 0x18: untrained return;
 *               Intel Skylake-generation models (or ARCH_CAPABILITIES.RSBA)
 *               without eIBRS: kernel IBRS if SPEC_CTRL exists, otherwise
 *               Linux leaves it vulnerable and so do we.
 *   mds         Intel without ARCH_CAPABILITIES.MDS_NO: VERW before every
 *               return to user mode, also without the MD_CLEAR bit (Linux's
 *               "Clear CPU buffers attempted, no microcode").
 *   meltdown    Intel without RDCL_NO (reported only: page-table isolation
 *               is the pti axis, forced on or off like Linux's pti=on/off).
 * Return thunks on every `ret` of C code (retbleed=unret) are not
 * modelled; the entry's untrained return is.  spec=off: nothing is live,
 * the CPU bits are still reported.
 */
#include "spec.h"
#include "pti.h"
#include "alternative.h"
#include "cpuid.h"
#include "fmt.h"

struct cpu_bits {
	char vendor[13];
	u32 family, model;
	bool pcid, invpcid, spec_ctrl, stibp, md_clear, arch_cap;
	u64 arch_cap_msr;
};

static struct cpu_bits cpu;

#define ARCH_CAP_RDCL_NO  (1ull << 0)
#define ARCH_CAP_IBRS_ALL (1ull << 1)
#define ARCH_CAP_RSBA     (1ull << 2)
#define ARCH_CAP_MDS_NO   (1ull << 5)

static void read_cpu_bits(void)
{
	u32 a, b, c, d;
	el_cpu_vendor(cpu.vendor);
	el_cpuid(1, &a, &b, &c, &d);
	cpu.family = (a >> 8) & 0xf;
	cpu.model = (a >> 4) & 0xf;
	if (cpu.family == 0xf)
		cpu.family += (a >> 20) & 0xff;
	if (cpu.family >= 6)
		cpu.model |= ((a >> 16) & 0xf) << 4;
	cpu.pcid = c & (1u << 17);
	el_cpuid(0, &a, &b, &c, &d);
	if (a >= 7) {
		el_cpuid(7, &a, &b, &c, &d);
		cpu.invpcid = b & (1u << 10);
		cpu.md_clear = d & (1u << 10);
		cpu.spec_ctrl = d & (1u << 26);
		cpu.stibp = d & (1u << 27);
		cpu.arch_cap = d & (1u << 29);
	}
	if (cpu.arch_cap)
		cpu.arch_cap_msr = rdmsr(MSR_IA32_ARCH_CAPABILITIES);
}

static bool vendor_is(const char *v) { return !memcmp(cpu.vendor, v, 13); }
static bool intel(void) { return vendor_is("GenuineIntel"); }

/* Linux 6.1's RETBLEED entries of cpu_vuln_blacklist for Intel. */
static bool intel_retbleed_model(void)
{
	static const u8 models[] = { 0x4e, 0x5e, 0x55, 0x8e, 0x9e, 0x66, 0x7e, 0xa5, 0xa6,
				     0x8a, 0xa7 };
	if (!intel() || cpu.family != 6)
		return false;
	for (size_t i = 0; i < sizeof(models); i++)
		if (cpu.model == models[i])
			return true;
	return false;
}

static bool meltdown_affected(void) { return intel() && !(cpu.arch_cap_msr & ARCH_CAP_RDCL_NO); }
static bool mds_affected(void) { return intel() && !(cpu.arch_cap_msr & ARCH_CAP_MDS_NO); }
static bool eibrs(void) { return cpu.arch_cap_msr & ARCH_CAP_IBRS_ALL; }
static bool amd_retbleed(void)
{
	return (vendor_is("AuthenticAMD") && cpu.family >= 0x15 && cpu.family <= 0x17) ||
	       (vendor_is("HygonGenuine") && cpu.family == 0x18);
}
/* X86_BUG_DIV0 (77245f1c3c64, f58d6fbcb7c8; 6.5, in 5.10.190 and 6.1.45):
 * Zen1, AMD family 0x17 models 0x00-0x2f and 0x50-0x5f, can leave a
 * quotient of the kernel's in the divider.  A bug bit, not a mitigation
 * choice: set with mitigations=off too. */
static bool amd_div0(void)
{
	return vendor_is("AuthenticAMD") && cpu.family == 0x17 &&
	       (cpu.model <= 0x2f || (cpu.model >= 0x50 && cpu.model <= 0x5f));
}

static bool intel_retbleed(void)
{
	return (intel_retbleed_model() || (cpu.arch_cap_msr & ARCH_CAP_RSBA)) && !eibrs();
}

static const char *spectre_v2_mode = "off";

void spec_init(void)
{
	read_cpu_bits();
#ifdef SPEC_ON
	if (eibrs()) {
		spectre_v2_mode = "eibrs";
		wrmsr(MSR_IA32_SPEC_CTRL, SPEC_CTRL_IBRS);	/* set once, stays on */
	} else if (intel_retbleed() && cpu.spec_ctrl) {
		spectre_v2_mode = "ibrs";
		alt_features |= 1u << ALT_F_IBRS_ENTRY;
	} else {
		spectre_v2_mode = "retpoline";
		alt_features |= 1u << ALT_F_RETPOLINE;
	}
	alt_features |= 1u << ALT_F_RSB_CTXSW;
	if (amd_retbleed())
		alt_features |= 1u << ALT_F_UNRET;
	if (mds_affected())
		alt_features |= 1u << ALT_F_VERW;
#endif
	if (amd_div0())
		alt_features |= 1u << ALT_F_DIV0;
}

static const char *const live_names[ALT_F_COUNT] = {
	[ALT_F_PCID] = "pti_pcid", [ALT_F_RETPOLINE] = "retpoline",
	[ALT_F_IBRS_ENTRY] = "ibrs_entry", [ALT_F_VERW] = "verw",
	[ALT_F_RSB_CTXSW] = "rsb_ctxsw", [ALT_F_UNRET] = "unret",
	[ALT_F_DIV0] = "div0",
};

void spec_record_fields(char *buf, size_t n)
{
	char live[128] = "";
	size_t k = 0;
	bool pti_on, pcid_on;
	pti_state(&pti_on, &pcid_on);
	if (pti_on)
		k += el_snprintf(live + k, sizeof(live) - k, "pti_cr3");
	if (!memcmp(spectre_v2_mode, "eibrs", 6))
		k += el_snprintf(live + k, sizeof(live) - k, "%seibrs", k ? "," : "");
	for (int f = 0; f < ALT_F_COUNT; f++)
		if (alt_features & (1u << f))
			k += el_snprintf(live + k, sizeof(live) - k, "%s%s", k ? "," : "", live_names[f]);
	el_snprintf(buf, n,
		    "pcid=%d invpcid=%d spec_ctrl=%d stibp=%d md_clear=%d arch_capabilities=%d arch_cap_msr=%lx "
		    "meltdown=%d mds=%d retbleed=%d spectre_v2=%s live=%s",
		    cpu.pcid, cpu.invpcid, cpu.spec_ctrl, cpu.stibp, cpu.md_clear,
		    cpu.arch_cap, cpu.arch_cap_msr, meltdown_affected(), mds_affected(),
		    amd_retbleed() || intel_retbleed(), spectre_v2_mode, k ? live : "none");
}
